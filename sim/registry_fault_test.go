package sim

import (
	"context"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/faults"
)

// Heartbeats cross the fault layer: a paused replica and a replica
// partitioned from the registry leave the registry after the detection
// delay and come back after the fault ends, and each fault's result says
// so; the replicas no fault touched stay.
func TestCutReplicasLeaveRegistry(t *testing.T) {
	const delay = 500 * time.Millisecond
	sc := quickstart(t)
	sc.Duration = 7 * time.Second
	for i := range sc.Variants {
		top := *sc.Variants[i].Topology
		top.Discovery.DetectionDelay = delay
		sc.Variants[i].Topology = &top
	}
	sc.Faults = []faults.Fault{
		{At: sc.Warmup + time.Second, For: 2 * time.Second, Kind: &faults.Pause{Target: "payment#0"}},
		{At: sc.Warmup + 4*time.Second, For: 2 * time.Second, Kind: &faults.Partition{Groups: [][]faults.Endpoint{{"payment#1"}, {faults.EndpointRegistry}}}},
	}
	res, err := Run(context.Background(), sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range res.Variants {
		for i, want := range []string{"payment#0", "payment#1"} {
			f := v.Faults[i]
			if f.Error != "" || len(f.Registry) != 1 || f.Registry[0].Replica != want {
				t.Fatalf("%s: fault %d (%s) registry changes %+v (error %q), want %s only", v.Name, i, f.Name, f.Registry, f.Error, want)
			}
			c := f.Registry[0]
			// Its last heartbeat was at most delay/10 before the fault, one
			// more period allowed for a heartbeat ticker that fired late on
			// a loaded machine (seen: left 0.450 s with a 500 ms delay). A
			// registry that drops it at once leaves near 0.
			if c.LeftAfterS < (delay - 2*delay/10).Seconds() {
				t.Errorf("%s: %s left %.3fs after the fault began, before the detection delay %v", v.Name, want, c.LeftAfterS, delay)
			}
			// Back on its next heartbeat (every delay/10) after the fault
			// ends; a whole delay allows for a loaded machine.
			if c.BackAfterS == nil || *c.BackAfterS < 0 || *c.BackAfterS > delay.Seconds() {
				t.Errorf("%s: %s back %v after the fault ended, want within %v", v.Name, want, c.BackAfterS, delay)
			}
		}
	}
}
