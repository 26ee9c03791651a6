package reports

import (
	"fmt"
	"slices"
	"strings"

	"github.com/faultline-sim/faultline/reports/result"
)

// count is an event count of the ledger, which only event-driven variants
// have.
func count(name string, f func(e *result.Events) int64) result.Row {
	return result.Row{Name: name, Unit: result.UnitCount, Value: func(v *result.Variant) (float64, bool) {
		return float64(f(&v.Events)), v.EventDriven
	}}
}

// ledgerMeasures are the rows of the event ledger.
var ledgerMeasures = []result.Row{
	count("published (events)", func(e *result.Events) int64 { return e.Published }),
	count("acked by the broker (events)", func(e *result.Events) int64 { return e.Acked }),
	count("publish retries", func(e *result.Events) int64 { return e.PublishRetries }),
	count("duplicates dropped by the broker (publishes)", func(e *result.Events) int64 { return e.BrokerDuplicates }),
	count("fire-and-forget (events)", func(e *result.Events) int64 { return e.FireAndForget }),
	count("processed (handlings, duplicates included)", func(e *result.Events) int64 { return e.Processed }),
	count("duplicates (handlings beyond the first)", func(e *result.Events) int64 { return e.Duplicates }),
	count("suppressed (redeliveries recognised)", func(e *result.Events) int64 { return e.Suppressed }),
	count("dead-lettered (events)", func(e *result.Events) int64 { return e.DeadLettered }),
	count("lost (event, subscriber pairs)", func(e *result.Events) int64 { return e.Lost }),
	count("still pending (event, subscriber pairs)", func(e *result.Events) int64 { return e.Pending }),
	count("unknown: broker not reachable (event, subscriber pairs)", func(e *result.Events) int64 { return e.Unknown }),
	count("redelivered (deliveries)", func(e *result.Events) int64 { return e.Redelivered }),
	count("processed, publish never acked (events)", func(e *result.Events) int64 { return e.UnackedProcessed }),
	count("max consumer lag (events)", func(e *result.Events) int64 { return e.MaxConsumerLag }),
}

func (b *builder) events() section {
	s := section{ID: "events", Title: "Event ledger",
		Window: "The whole run: every event from the start of the warm-up to the end of the drain, so that nothing goes unaccounted. " +
			"Every acked (event, subscriber) pair is processed, still pending (held by the broker: late, not lost), dead-lettered, lost, or unknown (the broker could not be asked at the end). Max consumer lag: the most events pending or awaiting an ack on any durable consumer, sampled once a second."}
	var cols []column
	for _, c := range b.cols {
		if c.V.EventDriven {
			cols = append(cols, c)
		}
	}
	if len(cols) == 0 {
		return s
	}
	s.Blocks = append(s.Blocks, block{Table: sideBySide(cols, ledgerMeasures)})
	t := newTable("lll"+"rrrrrrrr", "variant", "subject", "subscriber group", "expected", "processed", "duplicates", "suppressed", "dead-lettered", "lost", "still pending", "unknown")
	for _, c := range cols {
		for _, x := range c.V.Events.Subscribers {
			mark := ""
			if x.Lost > 0 {
				mark = "fail"
			}
			t.add(mark, c.Label, x.Subject, x.Group, fmt.Sprint(x.Expected), fmt.Sprint(x.Processed), fmt.Sprint(x.Duplicates),
				fmt.Sprint(x.Suppressed), fmt.Sprint(x.DeadLettered), fmt.Sprint(x.Lost), fmt.Sprint(x.Pending), fmt.Sprint(x.Unknown))
		}
	}
	if len(t.Rows) > 0 {
		s.Blocks = append(s.Blocks, block{Para: "Per subscriber group, in (event, subscriber) pairs: expected are the acked events it should process."}, block{Table: t})
	}
	return s
}

// harnessNum is a figure of the harness's health, which variants run
// before it was recorded lack.
func harnessNum(name string, u result.Unit, f func(h *result.Harness) float64) result.Row {
	return result.Row{Name: name, Unit: u, Value: func(v *result.Variant) (float64, bool) {
		if v.Harness == nil {
			return 0, false
		}
		return f(v.Harness), true
	}}
}

// harnessMeasures are the rows of the harness health table.
var harnessMeasures = []result.Row{
	harnessNum("scheduling delay p50", result.UnitMS, func(h *result.Harness) float64 { return h.SchedLatencyMS.P50 }),
	harnessNum("scheduling delay p99", result.UnitMS, func(h *result.Harness) float64 { return h.SchedLatencyMS.P99 }),
	harnessNum("scheduling delay max", result.UnitMS, func(h *result.Harness) float64 { return h.SchedLatencyMS.Max }),
	harnessNum("GC pause p50", result.UnitMS, func(h *result.Harness) float64 { return h.GCPauseMS.P50 }),
	harnessNum("GC pause p99", result.UnitMS, func(h *result.Harness) float64 { return h.GCPauseMS.P99 }),
	harnessNum("GC pause max", result.UnitMS, func(h *result.Harness) float64 { return h.GCPauseMS.Max }),
	harnessNum("GC cycles", result.UnitCount, func(h *result.Harness) float64 { return float64(h.GCCycles) }),
	harnessNum("CPU busy (share of available)", result.UnitRatio, func(h *result.Harness) float64 { return h.CPUBusy }),
	{Name: "CPU wait (share of runnable time spent waiting for a CPU)", Unit: result.UnitRatio, Value: func(v *result.Variant) (float64, bool) {
		if v.Harness == nil || v.Harness.CPUWaitShare == nil {
			return 0, false
		}
		return *v.Harness.CPUWaitShare, true
	}},
}

// stallWaitShare is the CPU wait share from which a generator that fell
// behind is said to have been stalled by other work on the machine. A
// quiet machine shows some wait too (threads waking from idle): 13–15% in
// the quickstart on an idle 2-core machine, against 73–81% with other work
// keeping the load average near 12.
const stallWaitShare = 0.4

// stalledBy explains a generator that fell behind by the harness's CPU
// wait, when the process waited notably for a CPU; "" otherwise.
func stalledBy(h *result.Harness) string {
	if h == nil || h.CPUWaitShare == nil || *h.CPUWaitShare < stallWaitShare {
		return ""
	}
	return fmt.Sprintf(" Its threads waited for a CPU %.0f%% of the time they were ready to run (CPU busy %.0f%%): other work on the machine stalled the harness.",
		100**h.CPUWaitShare, 100*h.CPUBusy)
}

// harnessNote says why a variant whose harness failed is invalid.
func harnessNote(v *result.Variant, label string) string {
	return fmt.Sprintf("%s: the harness ran out of resources (%d failed dials or accepts, %d requests failed as harness: too many open files, no free port or no memory in this process): its failures are the harness's, not the system's, and the variant is invalid. Lower the replicas or the rate, or raise the open-file limit.",
		label, v.HarnessErrors, v.Requests.Errors["harness"])
}

func (b *builder) harness() section {
	s := section{ID: "harness", Title: "Harness health",
		Window: b.window() + " The Go runtime's view of this process: load generator, services and broker share its CPUs, so a scheduling delay here is in every latency measured."}
	for _, c := range b.cols {
		if c.V.Harness != nil {
			s.Blocks = append(s.Blocks, block{Table: sideBySide(b.cols, harnessMeasures)},
				block{Para: "Scheduling delay: how long runnable goroutines waited to run (runtime bucket upper bounds, so never below the truth). GC pause: the collector's stop-the-world pauses."})
			return s
		}
	}
	return s
}

func (b *builder) environment() section {
	s := section{ID: "environment", Title: "Environment"}
	head := []string{""}
	for i, r := range b.results {
		if b.multi() {
			head = append(head, b.runs[i])
		} else {
			head = append(head, r.Scenario)
		}
	}
	t := newTable(strings.Repeat("l", len(head)), head...)
	row := func(name string, f func(r *result.Result) string) {
		cells := []string{name}
		for _, r := range b.results {
			cells = append(cells, f(r))
		}
		t.add("", cells...)
	}
	row("scenario file", func(r *result.Result) string { return result.OrDash(r.File) })
	row("seed", func(r *result.Result) string { return fmt.Sprint(r.Seed) })
	row("seeds of repetitions", func(r *result.Result) string {
		if r.Config.SeedPolicy == result.SeedPerRepetition {
			return "repetition k: seed+k-1"
		}
		return "-"
	})
	row("started", func(r *result.Result) string { return stamp(r.StartedAt) })
	row("finished", func(r *result.Result) string { return stamp(r.FinishedAt) })
	row("Go", func(r *result.Result) string { return result.OrDash(r.Environment.GoVersion) })
	row("OS/arch", func(r *result.Result) string {
		return result.OrDash(r.Environment.GOOS) + "/" + result.OrDash(r.Environment.GOARCH)
	})
	row("CPUs", func(r *result.Result) string { return fmt.Sprint(r.Environment.CPUs) })
	var mods []string
	for _, r := range b.results {
		for m := range r.Environment.Modules {
			if !slices.Contains(mods, m) {
				mods = append(mods, m)
			}
		}
	}
	slices.Sort(mods)
	for _, m := range mods {
		row(m, func(r *result.Result) string { return result.OrDash(r.Environment.Modules[m]) })
	}
	s.Blocks = append(s.Blocks, block{Table: t})
	return s
}

func (b *builder) reproduce() section {
	s := section{ID: "reproduce", Title: "Reproduce"}
	s.Blocks = append(s.Blocks, block{Para: "The same scenario with the same seed: the same schedule, faults and random draws; timings differ from machine to machine."})
	for i, r := range b.results {
		if b.multi() {
			s.Blocks = append(s.Blocks, block{Para: b.runs[i] + ":"})
		}
		s.Blocks = append(s.Blocks, block{Code: commandOf(r)})
	}
	return s
}
