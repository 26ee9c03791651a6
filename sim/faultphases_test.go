package sim

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/reports/result"
	"github.com/faultline-sim/faultline/scenarios"
)

// A crash of every consumer replica leaves the client untouched (the
// publisher is answered once the broker stored the event) while the
// events published meanwhile wait for the restart: the fault's "during"
// shows that cost as completion p99, next to a quiet "before", and the
// backlog grows. The figures are real: a short run of
// scenarios/consumer-crash.yaml's plain variant with all of inventory down.
func TestFaultWindowsShowCompletionCost(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end run")
	}
	sc, err := scenarios.ReadFile("../scenarios/consumer-crash.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sc.Variants = sc.Variants[:1] // plain
	sc.Warmup, sc.Duration, sc.Drain = time.Second, 6*time.Second, 10*time.Second
	sc.Load.Rate = 200
	sc.Expect = nil
	sc.Faults = []faults.Fault{{At: sc.Warmup + 2*time.Second, For: 2 * time.Second, Kind: &faults.Crash{Target: "inventory"}}}
	res, err := Run(context.Background(), sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	v := res.Variants[0]
	if v.Error != "" || len(v.Faults) != 1 {
		t.Fatalf("variant %q, %d faults", v.Error, len(v.Faults))
	}
	f := v.Faults[0]
	before, during := f.Before, f.During
	if before == nil || during == nil || before.Completion == nil || during.Completion == nil {
		t.Fatalf("windows without completion: before %+v during %+v", before, during)
	}
	bc, dc := before.Completion, during.Completion
	if bc.P99MS == nil || dc.P99MS == nil || bc.Completed == 0 || dc.Completed == 0 {
		t.Fatalf("no completions: before %+v during %+v", bc, dc)
	}
	t.Logf("completion p99 before %v ms, during %v ms; backlog before %+v, during %+v", *bc.P99MS, *dc.P99MS, before.ConsumerLag, during.ConsumerLag)
	// Operations started while no consumer ran waited for the restart (up
	// to 2 s); those before did not. A ratio, not a time: a loaded machine
	// slows both. 10x leaves room for a slow "before" (200 ms on a machine
	// where every handling takes 5 ms of work).
	if *dc.P99MS < 10**bc.P99MS {
		t.Errorf("completion p99 during the crash %v ms, before %v ms: want at least 10x", *dc.P99MS, *bc.P99MS)
	}
	if during.Availability < before.Availability*0.99 {
		t.Errorf("client availability fell during a consumer crash: %v (before %v)", during.Availability, before.Availability)
	}
	if during.ConsumerLag == nil || before.ConsumerLag == nil || during.ConsumerLag.Seconds == 0 ||
		during.ConsumerLag.Max <= before.ConsumerLag.Max {
		t.Errorf("backlog during %+v, before %+v: want it to grow", during.ConsumerLag, before.ConsumerLag)
	}
	// The timeline carries the per-second completion p99 the window merges.
	var worst float64
	for _, s := range v.Timeline {
		if s.CompletionP99MS != nil {
			worst = max(worst, *s.CompletionP99MS)
		}
	}
	if worst < *dc.P99MS/2 {
		t.Errorf("timeline completion p99 at most %v ms, during window %v ms", worst, *dc.P99MS)
	}
	// The metrics expectations resolve read the same figures.
	m, err := result.ResolveMetric("faults[0].during.completion_p99")
	if err != nil {
		t.Fatal(err)
	}
	if x, ok := m.Value(&v); !ok || x != *dc.P99MS {
		t.Errorf("faults[0].during.completion_p99 = %v, %v; want %v", x, ok, *dc.P99MS)
	}
}

// A window of one fault that another fault was applied in names it; the
// fault itself, faults never applied, and faults wholly outside do not.
func TestContaminators(t *testing.T) {
	spans := []appliedSpan{
		{name: "a", from: 4, to: 7, ok: true},   // self
		{name: "b", from: 6.5, to: 8, ok: true}, // overlaps a's during [4,7) and after [7,10)
		{name: "reset", from: 2, to: 2, instant: true, ok: true},
		{name: "failed", from: 5, to: 6, ok: false},         // never applied
		{name: "open", from: 12, to: math.Inf(1), ok: true}, // never removed
		{name: "edge", from: 1, to: 4, ok: true},            // ends where a's during starts
	}
	for _, tt := range []struct {
		from, to float64
		want     []string
	}{
		{1, 4, []string{"reset", "edge"}}, // a's before
		{4, 7, []string{"b"}},             // a's during
		{7, 10, []string{"b"}},            // a's after
		{10, 12, nil},
		{13, 14, []string{"open"}},
		{2, 3, []string{"reset", "edge"}},
		{3, 4, []string{"edge"}}, // the reset at 2 is outside [3, 4)
	} {
		got := contaminators(tt.from, tt.to, spans, 0)
		if !slices.Equal(got, tt.want) {
			t.Errorf("[%v, %v): %v, want %v", tt.from, tt.to, got, tt.want)
		}
	}
}
