package sim

import (
	"context"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/reports/result"
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/faultline-sim/faultline/topologies"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// short shrinks a scenario to a few seconds at a modest rate. The drain is
// generous so that a loaded machine still finishes every event.
func short(sc *scenarios.Scenario) {
	sc.Duration = 2 * time.Second
	sc.Warmup = 500 * time.Millisecond
	sc.Drain = 20 * time.Second
	sc.Load.Rate = 100
}

// quickstart loads the shipped quickstart, shortened; it skips in -short mode.
func quickstart(t *testing.T) *scenarios.Scenario {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end run")
	}
	sc, err := scenarios.ReadFile("../scenarios/quickstart.yaml")
	if err != nil {
		t.Fatal(err)
	}
	short(sc)
	return sc
}

// checkInvariants asserts what must hold for any fault-free run with no
// error rate, whatever the machine's speed.
func checkInvariants(t *testing.T, v result.Variant) {
	t.Helper()
	r := v.Requests
	if v.Error != "" {
		t.Fatalf("%s: %s", v.Name, v.Error)
	}
	if r.Offered == 0 {
		t.Fatalf("%s: nothing offered", v.Name)
	}
	if r.Succeeded+r.Failed != r.Offered {
		t.Errorf("%s: succeeded %d + failed %d != offered %d", v.Name, r.Succeeded, r.Failed, r.Offered)
	}
	if v.Availability != 1 || r.Failed != 0 {
		t.Errorf("%s: availability %v, errors %v; want 1 with no faults", v.Name, v.Availability, r.Errors)
	}
	if len(v.Timeline) == 0 {
		t.Errorf("%s: empty timeline", v.Name)
	}
	var perSecond int64
	for _, s := range v.Timeline {
		perSecond += s.Offered
	}
	if perSecond != r.Offered {
		t.Errorf("%s: timeline offers %d, total %d", v.Name, perSecond, r.Offered)
	}
	if v.Histograms.Latency == "" {
		t.Errorf("%s: no latency histogram", v.Name)
	}
	if !v.EventDriven {
		return
	}
	e := v.Events
	if e.Lost != 0 || e.Duplicates != 0 || e.Acked == 0 || e.Acked != e.Published {
		t.Errorf("%s: events %+v; want every published event acked, none lost or duplicated", v.Name, e)
	}
	for _, s := range e.Subscribers {
		if s.Processed != s.Expected || s.Expected == 0 {
			t.Errorf("%s: subscriber %s/%s processed %d of %d", v.Name, s.Subject, s.Group, s.Processed, s.Expected)
		}
	}
	if v.CompletionMS == nil || v.Completed == 0 {
		t.Errorf("%s: no completions recorded", v.Name)
	}
}

func TestQuickstartEndToEnd(t *testing.T) {
	sc := quickstart(t)
	res, err := Run(context.Background(), sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Variants) != 2 || res.Interrupted {
		t.Fatalf("got %d variants, interrupted %v", len(res.Variants), res.Interrupted)
	}
	for _, v := range res.Variants {
		checkInvariants(t, v)
	}
	if res.Variants[0].EventDriven || !res.Variants[1].EventDriven {
		t.Errorf("sync/events detection wrong: %v %v", res.Variants[0].EventDriven, res.Variants[1].EventDriven)
	}
	dir := t.TempDir()
	path, err := result.WriteFile(dir, res)
	if err != nil {
		t.Fatal(err)
	}
	back, err := result.ReadFile(path)
	if err != nil {
		t.Fatalf("results file does not decode against the schema: %v", err)
	}
	if back.Schema != result.Schema || back.Seed != sc.Seed || len(back.Variants) != 2 {
		t.Errorf("decoded result: schema %q seed %d variants %d", back.Schema, back.Seed, len(back.Variants))
	}
}

// Two services in one queue group share a durable consumer: each event is
// processed once by the group, and once by the fan-out subscriber.
const queueTopology = `
name: queue
entry: api
services:
  - name: api
    work: 1ms
    publish: [{subject: jobs.created}]
  - name: worker-a
    work: 1ms
    consume: [{subject: jobs.created, group: workers, concurrency: 4}]
  - name: worker-b
    work: 1ms
    consume: [{subject: jobs.created, group: workers, concurrency: 4}]
  - name: audit
    replicas: 2
    work: 1ms
    consume: [{subject: jobs.created, concurrency: 4}]
`

func TestQueueGroupAndFanOut(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end run")
	}
	top, err := topologies.Parse("queue.yaml", []byte(queueTopology))
	if err != nil {
		t.Fatal(err)
	}
	sc := &scenarios.Scenario{
		Name: "queue", Seed: 3,
		Load:     scenarios.Load{Arrival: "constant", Rate: 100, Timeout: 5 * time.Second},
		Variants: []scenarios.Variant{{Name: "events", Topology: top}},
	}
	short(sc)
	res, err := Run(context.Background(), sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	v := res.Variants[0]
	checkInvariants(t, v)
	groups := map[string]int64{}
	for _, s := range v.Events.Subscribers {
		groups[s.Group] = s.Processed
	}
	if len(groups) != 2 || groups["workers"] != v.Events.Acked || groups["audit"] != v.Events.Acked {
		t.Errorf("processed per group %v, acked %d; want each group to process every event once", groups, v.Events.Acked)
	}
	if v.Events.Processed != 2*v.Events.Acked {
		t.Errorf("processed %d, want 2×acked = %d", v.Events.Processed, 2*v.Events.Acked)
	}
}

func TestCancelStillReports(t *testing.T) {
	sc := quickstart(t)
	sc.Duration = time.Minute
	ctx, cancel := context.WithCancel(context.Background())
	// Cancel once some requests were recorded: poll progress, no sleeps.
	opt := Options{Progress: func(p Progress) {
		if p.Sent > 50 {
			cancel()
		}
	}}
	res, err := Run(ctx, sc, opt)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Interrupted || len(res.Variants) != 1 {
		t.Fatalf("interrupted %v with %d variants; want the first variant only", res.Interrupted, len(res.Variants))
	}
	r := res.Variants[0].Requests
	if r.Offered == 0 || r.Succeeded+r.Failed != r.Offered {
		t.Errorf("after cancel: %+v", r)
	}
}

// A crash of payment in the chain fails calls while it lasts and not
// before; after the restart calls succeed again. The ledger of the
// event-driven variant loses nothing when a consumer crashes.
func TestCrashFaultOnTimeline(t *testing.T) {
	sc := quickstart(t)
	sc.Duration = 3 * time.Second
	sc.Faults = []faults.Fault{{At: sc.Warmup + time.Second, For: time.Second, Kind: &faults.Crash{Target: "payment"}}}
	res, err := Run(context.Background(), sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range res.Variants {
		if len(v.Faults) != 1 {
			t.Fatalf("%s: %d faults recorded", v.Name, len(v.Faults))
		}
		f := v.Faults[0]
		if f.Error != "" || f.Started.IsZero() || !f.Ended.After(f.Started) {
			t.Fatalf("%s: fault record %+v", v.Name, f)
		}
		if f.Before == nil || f.During == nil || f.After == nil {
			t.Fatalf("%s: windows %+v", v.Name, f)
		}
		r := v.Requests
		if r.Succeeded+r.Failed != r.Offered {
			t.Errorf("%s: succeeded %d + failed %d != offered %d", v.Name, r.Succeeded, r.Failed, r.Offered)
		}
		// Requests intended just before the crash can still be in flight
		// when it hits, so "before" is compared, not required to be 1.
		if f.Before.Availability < f.During.Availability {
			t.Errorf("%s: availability before the crash %v < during %v", v.Name, f.Before.Availability, f.During.Availability)
		}
		var active int
		for _, s := range v.Timeline {
			if len(s.ActiveFaults) > 0 {
				active++
			}
		}
		if active == 0 {
			t.Errorf("%s: no second of the timeline marks the fault", v.Name)
		}
		if !v.EventDriven {
			// Payment is on the chain's path: calls fail while it is down.
			if f.During.Availability >= 1 || r.Errors["unavailable"] == 0 {
				t.Errorf("sync: during the crash availability %v, errors %v", f.During.Availability, r.Errors)
			}
			if f.After.Availability < 0.9 {
				t.Errorf("sync: after the restart availability %v", f.After.Availability)
			}
			continue
		}
		// Events: order never calls payment, so the client sees nothing;
		// payment's consumer resumes after the restart and nothing is lost.
		// Events in payment's hands when it crashed are redelivered after
		// the ack wait (5 s in the topology), within the drain.
		if v.Availability != 1 || v.Events.Lost != 0 {
			t.Errorf("events: availability %v, lost %d", v.Availability, v.Events.Lost)
		}
		for _, s := range v.Events.Subscribers {
			if s.Processed < s.Expected {
				t.Errorf("events: %s processed %d of %d", s.Group, s.Processed, s.Expected)
			}
		}
	}
}

// A partition between order and payment fails the chain's calls that cross
// it (the HTTP/2 health check closes the silent connections, new dials hang
// until their deadline) and leaves the event-driven variant, where order
// only talks to the broker, untouched. Both recover after the heal.
func TestPartitionFaultOnTimeline(t *testing.T) {
	sc := quickstart(t)
	sc.Duration = 8 * time.Second
	sc.Load.Timeout = 2 * time.Second
	sc.Faults = []faults.Fault{{At: sc.Warmup + 2*time.Second, For: 3 * time.Second, Kind: &faults.Partition{Groups: [][]faults.Endpoint{{"order"}, {"payment"}}}}}
	res, err := Run(context.Background(), sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range res.Variants {
		f := v.Faults[0]
		if f.Error != "" || f.During == nil || f.After == nil {
			t.Fatalf("%s: fault %+v", v.Name, f)
		}
		if v.EventDriven {
			if v.Availability != 1 || v.Events.Lost != 0 {
				t.Errorf("events: availability %v lost %d", v.Availability, v.Events.Lost)
			}
			continue
		}
		if f.During.Availability >= 1 || v.Requests.Errors["timeout"]+v.Requests.Errors["unavailable"] == 0 {
			t.Errorf("sync: during the partition availability %v, errors %v", f.During.Availability, v.Requests.Errors)
		}
		// Bytes were held on the crossing connections. (They may never be
		// released: the health check closes connections silent for 2 s, and
		// traffic resumes on new ones.)
		if f.BytesStopped == nil {
			t.Errorf("sync: no connection held bytes during the partition")
		}
		if f.After.Availability < 0.9 {
			t.Errorf("sync: after the heal availability %v; calls did not recover", f.After.Availability)
		}
	}
}
