package sim

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/reports/result"
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/faultline-sim/faultline/topologies"
)

// A request fault on a service hits its event deliveries as it hits its
// requests: a share of deliveries fails and is redelivered.

// eventPair is order publishing orders.placed, consumed by payment (the
// service the faults name), redelivered at once after a failure, dead
// lettered after the third failed delivery.
const eventPair = `
name: event-pair
entry: order
services:
  - name: order
    work: 1ms
    publish: [orders.placed]
  - name: payment
    work: 1ms
    consume: [{subject: orders.placed, concurrency: 4, ack_wait: 2s, max_deliver: 3, dead_letter: true}]
`

// runEventPair runs eventPair at 200/s for 3 s (600 events) with f active
// over the whole run and returns the variant and payment's subscriber.
func runEventPair(t *testing.T, f faults.Fault) (result.Variant, result.Subscriber) {
	t.Helper()
	top, err := topologies.Parse("event-pair.yaml", []byte(eventPair))
	if err != nil {
		t.Fatal(err)
	}
	sc := &scenarios.Scenario{
		Name: "event-faults", Seed: 14, Duration: 3 * time.Second, Warmup: 500 * time.Millisecond, Drain: 20 * time.Second,
		Load:     scenarios.Load{Arrival: "constant", Rate: 200, Timeout: 5 * time.Second},
		Variants: []scenarios.Variant{{Name: "events", Topology: top}},
	}
	f.For = sc.Warmup + sc.Duration + sc.Drain
	sc.Faults = []faults.Fault{f}
	res, err := Run(context.Background(), sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	v := res.Variants[0]
	if v.Error != "" {
		t.Fatal(v.Error)
	}
	if n := v.Requests.Errors["internal"]; n != 0 {
		t.Errorf("%d requests failed with an injected error: the publisher is not faulted", n)
	}
	if v.Events.Lost != 0 || v.Events.Pending != 0 {
		t.Errorf("events %+v: want none lost or pending", v.Events)
	}
	for _, s := range v.Events.Subscribers {
		if s.Group == "payment" {
			return v, s
		}
	}
	t.Fatalf("no payment subscriber in %+v", v.Events.Subscribers)
	return v, result.Subscriber{}
}

func TestRequestFaultHitsEventDeliveries(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end runs")
	}
	const share = 0.3
	request := func(method string, sticky bool) faults.Fault {
		return faults.Fault{Kind: &faults.Request{Service: "payment", Share: share, Code: "internal", Method: method, Sticky: sticky}}
	}
	t.Run("transient", func(t *testing.T) {
		v, s := runEventPair(t, request("", false))
		// Each delivery fails with probability p, independently: an event
		// is dead lettered when its 3 deliveries fail (p³), and the failed
		// deliveries are checked against their mean over n events,
		// n·Σ_{j=1..3} p^j, with 3.29 standard deviations (99.9%).
		n := s.Expected
		lo, hi := binomialInterval(n, share*share*share)
		if s.DeadLettered < lo || s.DeadLettered > hi {
			t.Errorf("dead lettered %d of %d, want 99%% interval [%d, %d] of p³", s.DeadLettered, n, lo, hi)
		}
		if s.Processed+s.DeadLettered != n {
			t.Errorf("processed %d + dead lettered %d != expected %d", s.Processed, s.DeadLettered, n)
		}
		mean, tol := failedDeliveries(share, 3, n)
		if got := float64(v.Events.Failures); math.Abs(got-mean) > tol {
			t.Errorf("failed deliveries %v, want %.1f ± %.1f", got, mean, tol)
		}
		if v.Events.Redelivered == 0 {
			t.Error("no redelivery")
		}
		t.Logf("%d events: %d failed deliveries (theory %.1f ± %.1f), %d redelivered, %d dead lettered (99%% interval [%d, %d])",
			n, v.Events.Failures, mean, tol, v.Events.Redelivered, s.DeadLettered, lo, hi)
	})
	t.Run("sticky", func(t *testing.T) {
		v, s := runEventPair(t, request("orders.placed", true))
		// Every delivery of a hit operation fails: the share p is dead
		// lettered after exactly 3 failed deliveries each.
		n := s.Expected
		lo, hi := binomialInterval(n, share)
		if s.DeadLettered < lo || s.DeadLettered > hi || v.Events.Failures != 3*s.DeadLettered {
			t.Errorf("dead lettered %d of %d (99%% interval [%d, %d]), failed deliveries %d; want 3 each",
				s.DeadLettered, n, lo, hi, v.Events.Failures)
		}
		t.Logf("%d events: %d dead lettered (99%% interval [%d, %d]), %d failed deliveries", n, s.DeadLettered, lo, hi, v.Events.Failures)
	})
	t.Run("method Handle spares events", func(t *testing.T) {
		v, s := runEventPair(t, request("Handle", false))
		if v.Events.Failures != 0 || s.Processed != s.Expected {
			t.Errorf("failed deliveries %d, processed %d of %d: a fault on method Handle hit events", v.Events.Failures, s.Processed, s.Expected)
		}
	})
}

// failedDeliveries returns the mean number of failed deliveries of n
// events, each delivered until it succeeds or k deliveries failed, each
// delivery failing with probability p, and 3.29 standard deviations of it.
func failedDeliveries(p float64, k int, n int64) (mean, tol float64) {
	var m1, m2 float64 // E[F], E[F²] of one event: P(F = j) = p^j(1−p) for j < k, P(F = k) = p^k
	for j := 0; j <= k; j++ {
		pj := math.Pow(p, float64(j))
		if j < k {
			pj *= 1 - p
		}
		m1 += float64(j) * pj
		m2 += float64(j*j) * pj
	}
	return float64(n) * m1, 3.29 * math.Sqrt(float64(n)*(m2-m1*m1))
}
