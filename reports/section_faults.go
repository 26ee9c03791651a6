package reports

import (
	"fmt"
	"strings"

	"github.com/faultline-sim/faultline/reports/result"
)

// faultSpan is where a fault lies on the timeline of the recorded window.
type faultSpan struct {
	Name string
	// From and To are seconds from the start of the recorded window (the
	// end of warm-up); To == From for an instant fault (a reset).
	From, To float64
	// Applied is true when From and To are the applied times, false when
	// they are the asked ones (the fault failed or was never applied).
	Applied bool
	// Open is true when the fault was applied and never removed.
	Open bool
}

// spanOf places f on the timeline of a run with warmupS of warm-up. A
// fault is asked at AtS from the start of the load, warm-up included; it
// was applied StartErrMS later and removed EndErrMS after its asked end,
// so the applied span needs no wall clock.
func spanOf(warmupS float64, f *result.Fault) faultSpan {
	s := faultSpan{Name: f.Name, From: f.AtS - warmupS}
	s.To = s.From + f.ForS
	if f.Error != "" || f.Started.IsZero() {
		return s
	}
	s.Applied = true
	asked := s.From
	s.From = asked + f.StartErrMS/1e3
	switch {
	case f.Ended.IsZero():
		s.Open = true
	case f.Ended.Equal(f.Started):
		s.To = s.From
	default:
		s.To = asked + f.ForS + f.EndErrMS/1e3
	}
	return s
}

func (b *builder) faults() section {
	s := section{ID: "faults", Title: "Faults",
		Window: "Every time here, asked times included, is in seconds from the start of the recorded window (the end of warm-up): a scenario's `at:` counts from the start of the load, so it is shown less the warm-up. " +
			"Before, during and after cover the recorded requests (and operations) intended in the fault's length of time (at least 1 s) before its asked start, from it, and after that (whole seconds, clipped to the recorded window): during holds what was started while the fault lasted, however late it finished."}
	eventCols := false
	for _, c := range b.cols {
		eventCols = eventCols || (c.V.EventDriven && len(c.V.Faults) > 0)
	}
	applied := newTable("llllrrrl", "variant", "fault", "kind", "asked", "applied", "started late", "ended late", "measured")
	windows := newTable("lllrrrrrr", "variant", "fault", "part", "seconds", "requests", "succeeded", "availability", "p99", "throughput")
	if eventCols {
		windows = newTable("lllrrrrrrrrrr", "variant", "fault", "part", "seconds", "requests", "succeeded", "availability", "p99", "throughput",
			"completion p50", "completion p99", "completed", "backlog max / mean")
	}
	var footnotes []string
	for _, c := range b.cols {
		for i := range c.V.Faults {
			f := &c.V.Faults[i]
			sp := spanOf(c.Run.Config.WarmupS, f)
			asked := askedIn(f, c.Run.Config.WarmupS)
			where, startLate, endLate, mark := "not applied", "-", "-", ""
			if sp.Applied {
				startLate = signed(f.StartErrMS, result.FormatMS(abs(f.StartErrMS)))
				switch {
				case sp.Open:
					where = fmt.Sprintf("from %.3f s, never removed", sp.From)
				case sp.To == sp.From:
					where = fmt.Sprintf("at %.3f s", sp.From)
				default:
					where = fmt.Sprintf("%.3f–%.3f s", sp.From, sp.To)
					endLate = signed(f.EndErrMS, result.FormatMS(abs(f.EndErrMS)))
				}
			}
			notes := faultNotes(f)
			if f.Error != "" {
				mark = "fail"
				notes = append([]string{"FAILED: " + f.Error}, notes...)
			}
			applied.add(mark, c.Label, f.Name, result.OrDash(f.Kind), asked, where, startLate, endLate, result.OrDash(strings.Join(notes, "; ")))
			for _, part := range []struct {
				name string
				w    *result.WindowStats
			}{{"before", f.Before}, {"during", f.During}, {"after", f.After}} {
				if part.w == nil {
					cells := []string{c.Label, f.Name, part.name, "outside the window", "-", "-", "-", "-", "-"}
					if eventCols {
						cells = append(cells, "-", "-", "-", "-")
					}
					windows.add("", cells...)
					continue
				}
				w := part.w
				x := cellsOf(w, c.V.EventDriven)
				cells := []string{c.Label, f.Name, partLabel(part.name, w), fmt.Sprintf("%s–%s s", result.Trim(w.FromS), result.Trim(w.ToS)),
					fmt.Sprint(w.Offered), fmt.Sprint(w.Succeeded), x.Avail, x.P99, x.Throughput}
				if eventCols {
					cells = append(cells, x.CompletionP50, x.CompletionP99, x.Completed, x.Backlog)
				}
				mark := ""
				if n := contaminationNote(c.Label+": "+f.Name, part.name, w); n != "" {
					mark = "warn"
					footnotes = append(footnotes, n)
				}
				windows.add(mark, cells...)
			}
		}
	}
	if len(applied.Rows) == 0 {
		return s
	}
	s.Blocks = append(s.Blocks,
		block{Para: "As applied: when each fault took effect and was removed, how late that was against the ask, and what was measured about it."},
		block{Table: applied},
		block{Para: windowsPara(eventCols)},
		block{Table: windows})
	if len(footnotes) > 0 {
		s.Blocks = append(s.Blocks, block{List: footnotes})
	}
	return s
}

// windowsPara explains the columns of the fault windows' table.
func windowsPara(eventCols bool) string {
	p := "Availability (succeeded / offered), p99 latency and throughput (succeeded requests per second) before, during and after each fault."
	if eventCols {
		p += " For event-driven variants, completion p50 and p99 (intended send until every subscriber processed every event) and completed operations per second of the operations intended in the part, however late they completed (n/a: none completed); " +
			"backlog: the most events pending or unacked on any durable consumer, largest and mean of the part's per-second samples, seconds without a sample left out (n/a: none)."
	}
	return p + " † marks a part in which another fault was also applied: it does not show this fault alone."
}

// faultNotes lists f's own measurements with their units.
func faultNotes(f *result.Fault) []string {
	var out []string
	switch {
	case f.MatchedNothing:
		out = append(out, "MATCHED NOTHING: no link or process of this variant; it changed nothing here")
	case len(f.MatchedLinks) > 0:
		out = append(out, "acted on "+listShort(f.MatchedLinks))
	case len(f.MatchedProcesses) > 0:
		out = append(out, "acted on "+listShort(f.MatchedProcesses))
	}
	if f.PublishableAfterMS != nil {
		out = append(out, "publishes acknowledged again "+result.FormatMS(*f.PublishableAfterMS)+" after the crash")
	}
	if f.CaughtUpAfterMS != nil {
		out = append(out, "restarted node caught up "+result.FormatMS(*f.CaughtUpAfterMS)+" after the restart")
	}
	if d := f.DelayErrorMS; d != nil && f.DelayedRuns > 0 {
		out = append(out, fmt.Sprintf("delayed bytes left late by p50 %s, p99 %s, max %s (%d deliveries)", result.FormatMS(d.P50), result.FormatMS(d.P99), result.FormatMS(d.Max), f.DelayedRuns))
	}
	if hurt := f.Before != nil && f.During != nil && f.During.Availability < 0.99*f.Before.Availability; hurt && f.RecoveredAfterS != nil {
		out = append(out, "availability back to its level before "+result.Trim(*f.RecoveredAfterS)+" s after the fault ended (1 s resolution)")
	} else if hurt {
		out = append(out, "availability not back to its level before by the end of the recorded window")
	}
	for _, c := range f.Registry {
		out = append(out, registryNote(c))
	}
	if f.BytesStopped != nil && !f.Started.IsZero() {
		out = append(out, "bytes stopped "+result.FormatMS(msBetween(f.Started, *f.BytesStopped))+" after it was applied")
	}
	if f.BytesStarted != nil && !f.Ended.IsZero() {
		out = append(out, "held bytes flowed again "+result.FormatMS(msBetween(f.Ended, *f.BytesStarted))+" after the heal")
	}
	return out
}

func (b *builder) edges() section {
	s := section{ID: "edges", Title: "Call edges",
		Window: b.window() + " Each synchronous call edge (gateway → entry included), summed over the caller's replicas; latency per call, from its start to its final outcome, retries and backoff included."}
	t := newTable("lll"+strings.Repeat("r", 12), "variant", "edge", "policy", "calls", "attempts", "amplification",
		"retries", "timeouts", "breaker rejected", "bulkhead rejected", "budget rejected", "succeeded", "failed", "p50", "p99")
	for _, c := range b.cols {
		for _, e := range c.V.Edges {
			amp := "-"
			if e.Requests > 0 {
				amp = fmt.Sprintf("%.2fx", e.Amplification)
			}
			t.add("", c.Label, e.From+" → "+e.To, result.OrDash(e.Policy), fmt.Sprint(e.Requests), fmt.Sprint(e.Attempts), amp,
				fmt.Sprint(e.Retries), fmt.Sprint(e.Timeouts), fmt.Sprint(e.BreakerRejections), fmt.Sprint(e.BulkheadRejections),
				fmt.Sprint(e.BudgetRejections), fmt.Sprint(e.Succeeded), fmt.Sprint(e.Failed), result.FormatMS(e.LatencyMS.P50), result.FormatMS(e.LatencyMS.P99))
		}
	}
	if len(t.Rows) > 0 {
		s.Blocks = append(s.Blocks,
			block{Para: "Calls the caller made; attempts sent to the callee, retries included (rejections are not sent); amplification = attempts / calls; rejections are refused on the caller's side: breaker open, no bulkhead slot, retry over budget; succeeded and failed count calls after retries."},
			block{Table: t})
	}
	return s
}

func (b *builder) breakers() section {
	s := section{ID: "breakers", Title: "Circuit breaker changes",
		Window: "Seconds from the start of the recorded window; negative: during the warm-up. Every change of the run, in time order."}
	t := newTable("lrll", "variant", "at", "breaker (caller replica → callee)", "change")
	for _, c := range b.cols {
		for _, x := range c.V.Breakers {
			at := fmt.Sprintf("%.3f s", x.AtS)
			if x.AtS < 0 {
				at += " (warm-up)"
			}
			mark := ""
			if x.State == "open" {
				mark = "warn"
			}
			t.add(mark, c.Label, at, x.Caller+" → "+x.To, result.OrDash(x.From)+" → "+x.State)
		}
	}
	if len(t.Rows) > 0 {
		s.Blocks = append(s.Blocks, block{Table: t})
	}
	return s
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// registryNote says when a replica left the registry during a fault and
// when it came back.
func registryNote(c result.RegistryChange) string {
	s := c.Replica + " left the registry " + result.Trim(c.LeftAfterS) + " s after it was applied"
	if c.BackAfterS == nil {
		return s + ", not back by the end of the run"
	}
	return s + ", back " + result.Trim(*c.BackAfterS) + " s after it was removed"
}

// listShort joins names, the first 6 and then how many more.
func listShort(names []string) string {
	const show = 6
	if len(names) <= show {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:show], ", "), len(names)-show)
}
