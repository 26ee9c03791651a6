package sim

import (
	"context"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/reports/result"
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/faultline-sim/faultline/sim/load"
	"github.com/faultline-sim/faultline/sim/service"
	"github.com/faultline-sim/faultline/topologies"
)

// One service that fails half of its requests, by the seed's draw.
const coinTopology = `
name: coin
entry: api
services:
  - name: api
    work: 1ms
    error_rate: 0.5
`

// With --repeat, repetition k runs with seed+k-1, and that seed reaches the
// pacer (Poisson arrivals) and the world (the services' error draws): each
// repetition's offered and failed counts are exactly those its own seed
// predicts. Before, every repetition reused the scenario's seed, so the
// second repetition repeated the first one's draws.
func TestRepeatSeedsEachRepetition(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end run")
	}
	top, err := topologies.Parse("coin.yaml", []byte(coinTopology))
	if err != nil {
		t.Fatal(err)
	}
	sc := &scenarios.Scenario{
		Name: "coin", Seed: 7,
		Duration: time.Second, Drain: 5 * time.Second,
		Load:     scenarios.Load{Arrival: scenarios.ArrivalPoisson, Rate: 200, Timeout: 5 * time.Second},
		Variants: []scenarios.Variant{{Name: "sync", Topology: top}},
		Broker:   scenarios.BrokerSpec{Nodes: 1, Replicas: 1},
	}
	// predict counts the requests the pacer of seed schedules in the
	// recorded window (no warm-up: operations 0, 1, ...) and those the
	// service's sampler of seed fails (the gateway's first attempt of each).
	predict := func(seed uint64) (offered, failed int64) {
		p, err := load.NewPacer(loadShape(sc), seed)
		if err != nil {
			t.Fatal(err)
		}
		s := service.NewSampler(seed, &top.Services[0])
		for n := uint64(0); p.At(n) < sc.Duration; n++ {
			offered++
			if s.Fails(n, service.ChildHop(0, 0, 0), 1) { // the gateway's first attempt at the entry service
				failed++
			}
		}
		return offered, failed
	}
	o1, f1 := predict(7)
	o2, f2 := predict(8)
	if o1 == o2 && f1 == f2 {
		t.Fatalf("test setup: seeds 7 and 8 predict the same counts (%d, %d)", o1, f1)
	}
	res, err := Run(context.Background(), sc, Options{Repeat: 2})
	if err != nil {
		t.Fatal(err)
	}
	if res.Config.SeedPolicy != result.SeedPerRepetition {
		t.Errorf("seed policy %q, want %q", res.Config.SeedPolicy, result.SeedPerRepetition)
	}
	if len(res.Variants) != 2 {
		t.Fatalf("%d variant runs, want 2", len(res.Variants))
	}
	for i, v := range res.Variants {
		seed := sc.Seed + uint64(i)
		offered, failed := predict(seed)
		if v.Seed != seed || v.Repetition != i+1 {
			t.Errorf("%s: seed %d, want %d", v.Label(), v.Seed, seed)
		}
		if v.Requests.Offered != offered || v.Requests.Failed != failed || v.Requests.Errors["internal"] != failed {
			t.Errorf("%s: offered %d, failed %d (%v); seed %d predicts offered %d, failed %d (internal)",
				v.Label(), v.Requests.Offered, v.Requests.Failed, v.Requests.Errors, seed, offered, failed)
		}
	}
	if res.Variants[0].TopologySHA256 == "" || res.Variants[0].TopologySHA256 != res.Variants[1].TopologySHA256 {
		t.Errorf("topology digests %q, %q: want one, the same for both", res.Variants[0].TopologySHA256, res.Variants[1].TopologySHA256)
	}
}
