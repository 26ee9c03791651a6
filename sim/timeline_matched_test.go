package sim

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/faultline-sim/faultline/topologies"
)

// Each fault's record lists what it acted on: a latency between b and c,
// which only meet through the broker, matches nothing; one from b to a
// acts on a's connection to b (the replies b sends); a partition of b and
// c from the rest cuts a's connection to b and c's to the broker; a slow
// fault names the replica it slowed.
func TestFaultRecordsWhatItMatched(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end run")
	}
	top, err := topologies.Parse("pair.yaml", []byte(pair))
	if err != nil {
		t.Fatal(err)
	}
	sc := &scenarios.Scenario{
		Name: "matched", Seed: 5, Duration: 2 * time.Second, Warmup: 500 * time.Millisecond, Drain: 15 * time.Second,
		Load:     scenarios.Load{Arrival: "constant", Rate: 50, Timeout: 2 * time.Second},
		Variants: []scenarios.Variant{{Name: "pair", Topology: top}},
	}
	at, span := sc.Warmup+500*time.Millisecond, 500*time.Millisecond
	lat := faults.LatencySpec{Mean: time.Millisecond, Dist: faults.DistFixed}
	sc.Faults = []faults.Fault{
		{At: at, For: span, Kind: &faults.Latency{Link: faults.LinkSpec{From: "c", To: "b"}, Delay: lat}},
		{At: at, For: span, Kind: &faults.Latency{Link: faults.LinkSpec{From: "b", To: "a"}, Delay: lat}},
		{At: at, For: span, Kind: &faults.Partition{Groups: [][]faults.Endpoint{{"b", "c"}, {"*"}}}},
		{At: at, For: span, Kind: &faults.Slow{Target: "c", Factor: 1.5}},
	}
	res, err := Run(context.Background(), sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	fs := res.Variants[0].Faults
	if len(fs) != 4 {
		t.Fatalf("%d fault records", len(fs))
	}
	for i, f := range fs {
		if f.Error != "" {
			t.Fatalf("fault %d: %s", i, f.Error)
		}
	}
	if f := fs[0]; len(f.MatchedLinks) != 0 || len(f.MatchedProcesses) != 0 || !f.MatchedNothing {
		t.Errorf("latency c->b: links %v processes %v nothing %v, want none and true", f.MatchedLinks, f.MatchedProcesses, f.MatchedNothing)
	}
	if f := fs[1]; !slices.Equal(f.MatchedLinks, []string{"a#0->b#0"}) || f.MatchedNothing {
		t.Errorf("latency b->a: links %v nothing %v, want [a#0->b#0]", f.MatchedLinks, f.MatchedNothing)
	}
	if f := fs[2]; !slices.Equal(f.MatchedLinks, []string{"a#0->b#0", "c#0->broker"}) {
		t.Errorf("partition [b,c]|[*]: links %v, want [a#0->b#0 c#0->broker]", f.MatchedLinks)
	}
	if f := fs[3]; !slices.Equal(f.MatchedProcesses, []string{"c#0"}) || len(f.MatchedLinks) != 0 || f.MatchedNothing {
		t.Errorf("slow c: processes %v links %v nothing %v, want [c#0]", f.MatchedProcesses, f.MatchedLinks, f.MatchedNothing)
	}
}
