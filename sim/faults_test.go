package sim

import (
	"context"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/reports/result"
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/faultline-sim/faultline/topologies"
)

// pair is a two-service chain and an event flow in one topology: the
// client calls a, a calls b and publishes jobs.done, c consumes it.
const pair = `
name: pair
entry: a
services:
  - name: a
    work: 1ms
    calls: [b]
    publish: [jobs.done]
  - name: b
    work: 1ms
  - name: c
    work: 1ms
    consume: [{subject: jobs.done, concurrency: 4, ack_wait: 2s}]
`

// runWithFault runs pair for 3 s with f active from 1 s to 2 s of the
// recorded window and returns the variant and its fault record.
func runWithFault(t *testing.T, f faults.Fault) (result.Variant, result.Fault) {
	t.Helper()
	top, err := topologies.Parse("pair.yaml", []byte(pair))
	if err != nil {
		t.Fatal(err)
	}
	sc := &scenarios.Scenario{
		Name: "fault", Seed: 5, Duration: 3 * time.Second, Warmup: 500 * time.Millisecond, Drain: 15 * time.Second,
		Load:     scenarios.Load{Arrival: "constant", Rate: 100, Timeout: 2 * time.Second},
		Variants: []scenarios.Variant{{Name: "pair", Topology: top}},
	}
	f.At, f.For = sc.Warmup+time.Second, time.Second
	sc.Faults = []faults.Fault{f}
	res, err := Run(context.Background(), sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	v := res.Variants[0]
	if len(v.Faults) != 1 || v.Faults[0].Error != "" || v.Faults[0].During == nil || v.Faults[0].Before == nil {
		t.Fatalf("fault record %+v", v.Faults)
	}
	r := v.Requests
	if r.Succeeded+r.Failed != r.Offered {
		t.Errorf("succeeded %d + failed %d != offered %d", r.Succeeded, r.Failed, r.Offered)
	}
	if v.Events.Lost != 0 {
		t.Errorf("lost %d events", v.Events.Lost)
	}
	return v, v.Faults[0]
}

func TestEachFaultKindEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end runs")
	}
	cases := []struct {
		name  string
		fault faults.Fault
		check func(t *testing.T, v result.Variant, f result.Fault)
	}{
		// Bounds below are lower bounds or comparisons with the same run's
		// "before", which a loaded machine still meets. The comparisons use
		// the before window's median: its p99 can hold a start-up stall of
		// hundreds of milliseconds on a loaded machine (seen under -race),
		// its median cannot.
		{"latency", faults.Fault{Kind: &faults.Latency{Link: faults.LinkSpec{From: "a", To: "b"}, Delay: faults.LatencySpec{Mean: 40 * time.Millisecond, Dist: faults.DistFixed}}},
			func(t *testing.T, v result.Variant, f result.Fault) {
				// Every call crossing a→b during the fault waits 40 ms more.
				if f.During.P50MS < 40 || f.Before.P50MS >= 40 {
					t.Errorf("p50 before %v during %v, want the 40 ms only during", f.Before.P50MS, f.During.P50MS)
				}
			}},
		{"bandwidth", faults.Fault{Kind: &faults.Bandwidth{Link: faults.LinkSpec{From: "a", To: "b", Both: true}, Rate: 2000}},
			func(t *testing.T, v result.Variant, f result.Fault) {
				if f.During.P99MS <= f.Before.P50MS {
					t.Errorf("p50 before %v, p99 during %v: 2 kB/s did not slow the calls", f.Before.P50MS, f.During.P99MS)
				}
			}},
		{"reset", faults.Fault{Kind: &faults.Reset{Link: faults.LinkSpec{From: "*", To: "b"}}},
			func(t *testing.T, v result.Variant, f result.Fault) {
				if f.Started.IsZero() || f.After.Availability < 0.9 {
					t.Errorf("after a reset: %+v", f.After)
				}
			}},
		{"request", faults.Fault{Kind: &faults.Request{Service: "b", Share: 1, Code: "unavailable"}},
			func(t *testing.T, v result.Variant, f result.Fault) {
				if f.During.Availability > 0.5 || v.Requests.Errors["unavailable"] == 0 || f.After.Availability < 0.9 {
					t.Errorf("availability during %v after %v, errors %v", f.During.Availability, f.After.Availability, v.Requests.Errors)
				}
			}},
		{"pause", faults.Fault{Kind: &faults.Pause{Target: "b"}},
			func(t *testing.T, v result.Variant, f result.Fault) {
				// Held requests wait for the resume: late, not failed.
				if f.During.P99MS < 500 || f.After.Availability < 0.9 {
					t.Errorf("p99 during %v, availability after %v", f.During.P99MS, f.After.Availability)
				}
			}},
		{"slow", faults.Fault{Kind: &faults.Slow{Target: "b#0", Factor: 50}},
			func(t *testing.T, v result.Variant, f result.Fault) {
				if f.During.P99MS < 50 || f.During.P99MS <= f.Before.P50MS {
					t.Errorf("p50 before %v, p99 during %v with b#0 50× slower", f.Before.P50MS, f.During.P99MS)
				}
			}},
		{"errors", faults.Fault{Kind: &faults.Errors{Target: "b", Rate: 1}},
			func(t *testing.T, v result.Variant, f result.Fault) {
				if f.During.Availability > 0.5 || v.Requests.Errors["internal"] == 0 || f.Before.Availability != 1 {
					t.Errorf("availability before %v during %v, errors %v", f.Before.Availability, f.During.Availability, v.Requests.Errors)
				}
			}},
		{"broker crash", faults.Fault{Kind: &faults.Crash{Target: "broker"}},
			func(t *testing.T, v result.Variant, f result.Fault) {
				// Every acked event is processed after the restart (lost is
				// checked for every case).
				for _, s := range v.Events.Subscribers {
					if s.Processed < s.Expected {
						t.Errorf("%s processed %d of %d", s.Group, s.Processed, s.Expected)
					}
				}
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, f := runWithFault(t, c.fault)
			c.check(t, v, f)
		})
	}
}

// Events the broker still holds when the drain ends are reported as
// pending, not lost: a consumer far slower than the load leaves a backlog.
func TestBacklogAtDrainEndIsPendingNotLost(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end run")
	}
	top, err := topologies.Parse("slow.yaml", []byte(`
entry: a
services:
  - name: a
    publish: [jobs.done]
  - name: c
    work: 50ms
    consume: [jobs.done]
`))
	if err != nil {
		t.Fatal(err)
	}
	sc := &scenarios.Scenario{
		Name: "backlog", Seed: 5, Duration: time.Second, Drain: 500 * time.Millisecond,
		Load:     scenarios.Load{Arrival: "constant", Rate: 200, Timeout: 2 * time.Second},
		Variants: []scenarios.Variant{{Name: "events", Topology: top}},
	}
	res, err := Run(context.Background(), sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	e := res.Variants[0].Events
	// 200 events at 20/s of capacity cannot be done in 1.5 s.
	// Consumers still run while the counts are read, so an event can be
	// both just processed and still pending in the broker: >=, not ==.
	if e.Lost != 0 || e.Pending == 0 || e.Processed+e.Pending < e.Acked {
		t.Errorf("acked %d processed %d pending %d lost %d; want the backlog pending, none lost", e.Acked, e.Processed, e.Pending, e.Lost)
	}
}
