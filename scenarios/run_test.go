package scenarios_test

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/faultline-sim/faultline/reports/result"
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/faultline-sim/faultline/sim"
	"github.com/faultline-sim/faultline/topologies"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// How the shipped scenarios are shrunk to run in a test: every time by a
// factor and every rate by a factor, with the load's peak rate capped. The
// load of one variant (warm-up and duration) is capped too, at maxLoad or
// at the budget shared by every variant of every scenario, whichever is
// less, but never below minLoad: a folder that grows keeps its test time
// until the variants get that short. With -short, tiny.
type scale struct {
	time, rate float64 // factors
	maxRate    float64 // cap on the peak rate, per second
	budget     time.Duration
	// maxLoad and minLoad bound the cap on one variant's load.
	maxLoad, minLoad time.Duration
	// minDrain is the shortest drain, unless the scenario's is shorter.
	minDrain time.Duration
}

var (
	// About 100 s in all on 2 cores for the 31 variants of 17 scenarios.
	fullScale = scale{
		time: 0.25, rate: 0.5, maxRate: 500,
		budget: 90 * time.Second, maxLoad: 6 * time.Second, minLoad: 2 * time.Second,
		minDrain: 5 * time.Second,
	}
	// About 30 s.
	shortScale = scale{
		time: 0.1, rate: 1, maxRate: 100,
		budget: 18 * time.Second, maxLoad: 2 * time.Second, minLoad: 600 * time.Millisecond,
		minDrain: 5 * time.Second,
	}
)

// loadCap is the longest load of one variant when variants run in all.
func (sc scale) loadCap(variants int) time.Duration {
	return max(min(sc.maxLoad, sc.budget/time.Duration(max(variants, 1))), sc.minLoad)
}

// robust lists, per scenario, the expectations of its own expect block
// that hold at any scale, as "VARIANT: EXPR" the way the file writes them
// ("*" for every variant). Only these are checked; the others are logged
// with what was observed. An entry the scenario does not declare fails the
// test, so the table follows the files. A scenario not listed gets the
// invariants only.
//
// Skipped, and why:
//   - counts that need enough events or time: poison-message's counts (1% of the
//     events are poison: their intervals are for 8,500 events, a few
//     hundred may hold none);
//   - statistics that need thousands of requests: chain-availability's
//     intervals (±2.58 standard deviations over 20,000 requests; over a
//     few hundred the spread is several times wider), tail-latency's
//     quantiles of long-tailed work, design-targets' p99;
//   - what depends on the rate: achieved_rate and throughput (the rate is
//     scaled down; quickstart's and one-hop's intervals are for their
//     rates),
//     the chain's availability under a slow bank (bank rejects only when
//     the rate needs more than its capacity; at a fifth of the rate it
//     copes), the retry budget's amplification (its budget_min retries
//     per second weigh more at a low rate);
//   - what needs unscaled time around a fault: the amplification with
//     backoff (its ~350ms of backoff outlasts a scaled fault, so the later
//     attempts fall after it), recovered_after (the per-second timeline
//     needs seconds of load after the fault), timeout-budget's
//     availability during the slowdown (requests whose bank work began
//     before the fault weigh ~2 points in 6 s, tens of points in a scaled
//     window of under 1 s);
//   - quantiles predicted for thousands of requests: quickstart's and
//     one-hop's p99, and quickstart's p50s (over ~200 requests the median's
//     rank moves by ±9%).
var robust = map[string][]string{
	// Correctness of the sagas holds at any scale: what a design claims
	// (no violation, nothing stuck) it keeps however short the run; the
	// counts that need time around a fault (dual write's stuck sagas, the
	// double charges of a crash's lost acks) or thousands of orders (the
	// stock of 600 units) are not checked here (sim's saga tests force
	// the first two).
	"saga": {
		"*: violations == 0",
		"*: stuck == 0",
		"events: availability == 100%",
		"events: cancelled == 0",
	},
	"dual-write": {
		"dual: double_charges == 0",
		"outbox: violations == 0",
		"outbox: stuck == 0",
	},
	"exactly-once": {
		"idempotent: violations == 0",
		"idempotent: stuck == 0",
	},
	"stock-out": {
		"*: violations == 0",
		"*: stuck == 0",
	},
	// Timeouts bound the latency and the events variant never calls bank,
	// whatever the rate.
	"cascading-failure": {
		"timeouts: faults[0].during.p99 < 300ms",
		"guarded: faults[0].during.p99 < 300ms",
		"events: faults[0].during.availability >= 99.9%",
		"events: lost == 0",
	},
	"chain-availability": {"events: lost == 0"},
	// No fault: at a low rate the design meets them more easily.
	"design-targets": {
		"reference: availability >= 99.9%",
		"reference: lost == 0",
	},
	// Two crossings of 30ms round trips for the chain, one crossing of
	// 15ms for the events, whatever the rate: the delays dominate the
	// medians, so a few hundred requests suffice.
	"multi-zone": {
		"sync: p50 in [65ms, 90ms]",
		"events: completion_p50 in [18ms, 45ms]",
		"events: lost == 0",
	},
	// No fault: every request answered, every event processed, at any
	// rate.
	"quickstart": {
		"*: availability == 100%",
		"events: lost == 0",
		"events: pending == 0",
	},
	// No work: the floor, far below 1.5ms at any rate up to 1,000/s.
	"one-hop": {
		"one-hop: p50 < 1.5ms",
		"one-hop: availability == 100%",
	},
	// 20ms on every request plus the floor: the median holds at any rate
	// up to 1,000/s (the p99 needs a quiet machine).
	"latency-fidelity": {
		"one-hop: p50 in [20.2ms, 22.5ms]",
		"one-hop: availability == 100%",
	},
	// Idempotency is a correctness property: never applied twice. The
	// crash alone redelivers too little at this scale (redeliveries come
	// after the 2 s ack_wait, which does not scale), so forced (see
	// prepare) forces redeliveries of about half the events: then plain
	// applies some twice and idempotent suppresses them, at any scale.
	"consumer-crash": {
		"plain: duplicates > 0",
		"plain: lost == 0",
		"idempotent: duplicates == 0",
		"idempotent: suppressed > 0",
		"idempotent: lost == 0",
	},
	// A retry with the same message id is never stored twice, whatever
	// the rate or the length of the fault.
	"publish-dedupe": {
		"same-id: duplicates == 0",
		"same-id: lost == 0",
	},
	// Poison events only reach the consumers: the client never notices.
	"poison-message": {
		"events: lost == 0",
		"events: availability >= 99.9%",
	},
	// Without a retry policy every call is one attempt, whatever the
	// scale; the availability and attempts intervals of retry-transient
	// and retry-request need their 10,000 requests.
	"retry-request": {"no-retry: amplification(order->payment) in [1, 1]"},
	// Immediate retries of a call that always fails: 4 attempts each,
	// within a millisecond, however short the fault.
	"retry-storm": {"immediate: faults[0].amplification in [3.9, 4.05]"},
	// The timeouts set both bounds, whatever the rate: payment gives up on
	// bank at 350ms with budgets; without, requests wait for the client's
	// 800ms.
	"timeout-budget": {
		"budgets: faults[0].during.p99 in [350ms, 500ms]",
		"no-budget: faults[0].during.p99 in [780ms, 900ms]",
	},
}

// forced changes a scaled scenario before it runs so that its robust
// checks cannot pass vacuously, and checks afterwards that they did not;
// each entry says what it forces and why.
var forced = map[string]struct {
	prepare func(t *testing.T, s *scenarios.Scenario)
	check   func(t *testing.T, s *scenarios.Scenario, r *result.Result)
}{
	// "idempotent: duplicates == 0" holds trivially when nothing is
	// redelivered. inventory acks in batches every 500ms (ack_interval);
	// an ack_wait of 250ms, shorter than that, makes the broker redeliver
	// every event whose batch was not acked within 250ms of its delivery
	// (about half of them, the batch's phase being uniform), although its
	// work was done. The two variants differ only in idempotent.
	"consumer-crash": {
		prepare: func(t *testing.T, s *scenarios.Scenario) {
			for _, v := range s.Variants {
				c := &v.Topology.Service("inventory").Consume[0]
				if c.AckInterval <= forcedAckWait {
					t.Fatalf("%s: inventory's ack_interval %s no longer exceeds the forced ack_wait %s", v.Name, c.AckInterval, forcedAckWait)
				}
				c.AckWait = forcedAckWait
			}
		},
		check: func(t *testing.T, s *scenarios.Scenario, r *result.Result) {
			var plain *result.Variant
			for i := range r.Variants {
				v := &r.Variants[i]
				t.Logf("%s: redelivered %d, duplicates %d, suppressed %d", v.Name, v.Events.Redelivered, v.Events.Duplicates, v.Events.Suppressed)
				if v.Events.Redelivered == 0 {
					t.Errorf("%s: nothing redelivered with ack_wait %s below ack_interval: the duplicate checks are vacuous", v.Name, forcedAckWait)
				}
				if v.Name == "plain" {
					plain = v
				}
			}
			// The shipped "idempotent: duplicates == 0" misses on the
			// same setup without idempotency.
			for _, e := range s.Expect {
				if e.Variant == "idempotent" && e.Expect.Metric.Name == "duplicates" && plain != nil {
					if c := e.Expect.Check(plain); c.OK {
						t.Errorf("%q holds without idempotency too (duplicates %v): it cannot fail", e.Expect.Expr, c.Observed)
					}
				}
			}
		},
	},
}

// forcedAckWait is consumer-crash's ack_wait in the test (see forced).
const forcedAckWait = 250 * time.Millisecond

// TestShippedScenarios runs every scenario file of this folder, scaled
// down, and checks what must hold at any scale, and the expectations of
// the robust table. Runs are sequential: they share the machine's CPUs.
func TestShippedScenarios(t *testing.T) {
	files, err := filepath.Glob("*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sc := fullScale
	if testing.Short() {
		sc = shortScale
	}
	type shipped struct {
		name string
		s    *scenarios.Scenario
		err  error
	}
	var all []shipped
	variants := 0
	for _, file := range files {
		if isTopology(t, file) {
			continue
		}
		s, err := scenarios.ReadFile(file)
		if err == nil {
			variants += len(s.Variants)
		}
		all = append(all, shipped{strings.TrimSuffix(file, ".yaml"), s, err})
	}
	if len(all) < 5 {
		t.Errorf("found only %d scenarios in %v", len(all), files)
	}
	maxLoad := sc.loadCap(variants)
	t.Logf("%d scenarios, %d variants: at most %s of load each", len(all), variants, maxLoad)
	for _, x := range all {
		t.Run(x.name, func(t *testing.T) {
			if x.err != nil {
				t.Fatal(x.err)
			}
			runShipped(t, x.s, sc, maxLoad)
		})
	}
	for name := range robust {
		if !slices.Contains(files, name+".yaml") {
			t.Errorf("the robust table lists %s, which has no file", name)
		}
	}
	for name := range forced {
		if !slices.Contains(files, name+".yaml") {
			t.Errorf("the forced table lists %s, which has no file", name)
		}
	}
	for want := range timed {
		listed := false
		for _, entries := range robust {
			listed = listed || slices.Contains(entries, want)
		}
		if !listed {
			t.Errorf("the timed table lists %q, which no robust entry is", want)
		}
	}
}

// runShipped scales s, runs it and checks it.
func runShipped(t *testing.T, s *scenarios.Scenario, sc scale, maxLoad time.Duration) {
	// Down to a multiple of 0.005, so that scaled times stay round.
	timeF := math.Floor(min(sc.time, maxLoad.Seconds()/(s.Warmup+s.Duration).Seconds())*200) / 200
	if timeF == 0 {
		t.Fatalf("a load of %s does not fit in %s", s.Warmup+s.Duration, maxLoad)
	}
	rateF := min(sc.rate, sc.maxRate/peakRate(s.Load))
	drain := s.Drain
	if err := s.Scale(timeF, rateF); err != nil {
		t.Fatal(err)
	}
	// The drain lasts only until every request is answered and every event
	// processed, but what it waits for does not shrink with the scenario:
	// a broker election, an ack_wait. Keep enough of it.
	s.Drain = max(s.Drain, min(drain, sc.minDrain))
	t.Logf("scaled by %.3g in time and %.3g in rate: %s + %s at %.0f/s (peak %.0f/s), drain %s",
		timeF, rateF, s.Warmup, s.Duration, s.Load.Rate, peakRate(s.Load), s.Drain)
	checks := robustChecks(t, s)
	f, isForced := forced[s.Name]
	if isForced {
		f.prepare(t, s)
	}
	start := time.Now()
	res, err := sim.Run(context.Background(), s, sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("ran in %s", time.Since(start).Round(time.Millisecond))
	if len(res.Variants) != len(s.Variants) || res.Interrupted {
		t.Fatalf("%d variants of %d, interrupted %v", len(res.Variants), len(s.Variants), res.Interrupted)
	}
	for i := range res.Variants {
		checkInvariants(t, s, &res.Variants[i])
	}
	if isForced {
		f.check(t, s, res)
	}
	for _, e := range res.Expectations {
		key := checkKey{e.Line, e.Expr, e.Variant}
		verdict := "ok"
		if !e.OK {
			verdict = "missed"
		}
		if !checks[key] {
			t.Logf("not checked at this scale: line %d: %s: %s: %s (%s)", e.Line, e.Variant, e.Expr, verdict, observed(e))
			continue
		}
		if !e.OK {
			t.Errorf("line %d: %s: %s: missed (%s)", e.Line, e.Variant, e.Expr, observed(e))
		}
	}
}

// timed lists the robust entries that bound a time, or a figure that
// moves with the machine's speed (an availability under timeouts, the
// attempts that fit in a fault's window). They are checked only without
// the race detector: it slows the engine several-fold, so requests meet
// timeouts and fault boundaries they would not meet otherwise, and a bound
// on time then says nothing about the code. Under -race they are logged.
var timed = map[string]bool{
	"timeouts: faults[0].during.p99 < 300ms":            true,
	"guarded: faults[0].during.p99 < 300ms":             true,
	"reference: availability >= 99.9%":                  true,
	"sync: p50 in [65ms, 90ms]":                         true,
	"events: completion_p50 in [18ms, 45ms]":            true,
	"one-hop: p50 < 1.5ms":                              true,
	"one-hop: p50 in [20.2ms, 22.5ms]":                  true,
	"immediate: faults[0].amplification in [3.9, 4.05]": true,
	"budgets: faults[0].during.p99 in [350ms, 500ms]":   true,
	"no-budget: faults[0].during.p99 in [780ms, 900ms]": true,
}

// checkKey identifies a checked expectation of a result.
type checkKey struct {
	line          int
	expr, variant string
}

// robustChecks returns the checked expectations the robust table selects
// from s's expect block, failing on entries s does not declare.
func robustChecks(t *testing.T, s *scenarios.Scenario) map[checkKey]bool {
	t.Helper()
	out := map[checkKey]bool{}
	for _, want := range robust[s.Name] {
		if raceDetector && timed[want] {
			continue // logged, not checked: see timed
		}
		found := false
		for _, e := range s.Expect {
			if e.Variant+": "+e.Expect.Expr != want {
				continue
			}
			found = true
			for _, v := range s.Variants {
				if e.Variant == scenarios.AllVariants || e.Variant == v.Name {
					out[checkKey{e.Line, e.Expect.Expr, v.Name}] = true
				}
			}
		}
		if !found {
			t.Errorf("the robust table lists %q, which %s does not expect", want, s.File)
		}
	}
	return out
}

// checkInvariants asserts what holds at any scale and machine speed.
func checkInvariants(t *testing.T, s *scenarios.Scenario, v *result.Variant) {
	t.Helper()
	if v.Error != "" {
		t.Errorf("%s: %s", v.Name, v.Error)
		return
	}
	r := v.Requests
	if r.Offered == 0 {
		t.Errorf("%s: nothing offered", v.Name)
	}
	if r.Succeeded+r.Failed != r.Offered {
		t.Errorf("%s: succeeded %d + failed %d != offered %d", v.Name, r.Succeeded, r.Failed, r.Offered)
	}
	var failed int64
	for _, n := range r.Errors {
		failed += n
	}
	if failed != r.Failed {
		t.Errorf("%s: errors by kind %v sum to %d, failed %d", v.Name, r.Errors, failed, r.Failed)
	}
	for _, f := range v.Faults {
		if f.Error != "" {
			t.Errorf("%s: fault %s: %s", v.Name, f.Name, f.Error)
		}
	}
	// A stateful variant's stores were read back, and every operation is
	// counted once.
	if top := variantTopology(s, v.Name); top != nil && top.State != nil {
		c := v.Consistency
		switch {
		case c == nil:
			t.Errorf("%s: a stateful variant without a consistency block", v.Name)
		case c.Error != "":
			t.Errorf("%s: stores not read: %s", v.Name, c.Error)
		case c.Consistent != c.Confirmed+c.Cancelled || c.Consistent > c.Operations:
			t.Errorf("%s: consistent %d, confirmed %d + cancelled %d, of %d operations", v.Name, c.Consistent, c.Confirmed, c.Cancelled, c.Operations)
		}
	}
	if !v.EventDriven {
		return
	}
	e := v.Events
	for _, sub := range e.Subscribers {
		if sub.Expected < sub.DeadLettered+sub.Pending+sub.Lost {
			t.Errorf("%s: %s/%s: expected %d < dead-lettered %d + pending %d + lost %d",
				v.Name, sub.Subject, sub.Group, sub.Expected, sub.DeadLettered, sub.Pending, sub.Lost)
		}
	}
	if why := mayLose(s, variantTopology(s, v.Name)); why != "" {
		t.Logf("%s: lost %d (may lose: %s)", v.Name, e.Lost, why)
	} else if e.Lost != 0 {
		t.Errorf("%s: lost %d events (pending %d): nothing acknowledged may be lost", v.Name, e.Lost, e.Pending)
	}
}

// mayLose says why the variant can lose acknowledged events by design, or
// "" when it cannot: a fire-and-forget publish under a fault (the client
// was answered before the broker stored the event), or a consumer that
// gives up on an event without a dead-letter stream.
func mayLose(s *scenarios.Scenario, top *topologies.Topology) string {
	if top == nil {
		return ""
	}
	for _, svc := range top.Services {
		for _, p := range svc.Publish {
			if p.Mode == topologies.PublishFireAndForget && len(s.Faults) > 0 {
				return svc.Name + " publishes " + p.Subject + " fire-and-forget under faults"
			}
		}
		for _, c := range svc.Consume {
			if c.MaxDeliver > 0 && !c.DeadLetter && (c.Poison > 0 || len(s.Faults) > 0) {
				return svc.Name + " drops " + c.Subject + " events after its last delivery, without dead letters"
			}
		}
	}
	return ""
}

func variantTopology(s *scenarios.Scenario, name string) *topologies.Topology {
	for _, v := range s.Variants {
		if v.Name == name {
			return v.Topology
		}
	}
	return nil
}

// peakRate is the highest rate the load calls for.
func peakRate(l scenarios.Load) float64 {
	peak := math.Max(l.Rate, l.To)
	for _, st := range l.Steps {
		peak = math.Max(peak, st.Rate)
	}
	if l.Burst != nil {
		peak = math.Max(peak, l.Burst.Rate)
	}
	return peak
}

// isTopology reports whether the file holds a topology (see
// topologies.IsTopology).
func isTopology(t *testing.T, path string) bool {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return topologies.IsTopology(data)
}

// observed describes what an expectation saw.
func observed(e result.Expectation) string {
	if e.Missing {
		return "metric absent"
	}
	m, err := result.ResolveMetric(e.Metric)
	if err != nil {
		return "observed " + strings.TrimSpace(e.Expr)
	}
	return "observed " + m.Format(e.Observed)
}
