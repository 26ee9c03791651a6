package service

import (
	"math"
	"testing"

	"github.com/faultline-sim/faultline/faults"
)

// Each attempt of a request fault's transient share draws afresh: the share
// of second attempts hit among operations whose first attempt was hit is
// the share itself; a sticky share hits every attempt of the same
// operations.
func TestRequestRuleDrawsPerAttempt(t *testing.T) {
	const p, n = 0.3, 100_000
	hop := EventHop("orders.placed", "payment")
	for _, sticky := range []bool{false, true} {
		rule := &requestRule{spec: faults.Request{Share: p, Sticky: sticky}, key: mix(13)}
		var first, both, second int
		for op := uint64(1); op <= n; op++ {
			a := rule.matches("", nil, op, hop, 1)
			b := rule.matches("", nil, op, hop, 2)
			if a {
				first++
			}
			if b {
				second++
			}
			if a && b {
				both++
			}
		}
		// Binomial standard deviations: ~145 of 100,000 at p; 5 of them
		// make a false failure all but impossible.
		sd := math.Sqrt(n * p * (1 - p))
		if math.Abs(float64(first)-n*p) > 5*sd || math.Abs(float64(second)-n*p) > 5*sd {
			t.Errorf("sticky %v: %d first and %d second attempts hit of %d, want ~%v", sticky, first, second, n, n*p)
		}
		want := float64(first) * p // independent
		if sticky {
			want = float64(first)
		}
		if math.Abs(float64(both)-want) > 5*math.Sqrt(float64(first)*p*(1-p))+0.5 {
			t.Errorf("sticky %v: %d of %d operations hit at both attempts, want ~%.0f", sticky, both, first, want)
		}
	}
}

// The same for the sampler's error rate.
func TestSamplerFailsPerAttemptOrSticky(t *testing.T) {
	const p, n = 0.2, 100_000
	for _, sticky := range []bool{false, true} {
		s := Sampler{key: mix(7)}
		var first, both int
		for op := uint64(1); op <= n; op++ {
			a := s.FailsAt(p, sticky, op, ChildHop(0, 0, 0), 1)
			b := s.FailsAt(p, sticky, op, ChildHop(0, 0, 0), 2)
			if a {
				first++
				if b {
					both++
				}
			}
		}
		want := float64(first) * p
		if sticky {
			want = float64(first)
		}
		if math.Abs(float64(both)-want) > 5*math.Sqrt(float64(first)*p*(1-p))+0.5 {
			t.Errorf("sticky %v: %d of %d failing operations fail again, want ~%.0f", sticky, both, first, want)
		}
	}
}

func TestRequestFaultAllocatesNothing(t *testing.T) {
	var p processFaults
	rules := []*requestRule{{spec: faults.Request{Share: 0.5, Method: "orders.placed"}, key: 1}}
	p.requests.Store(&rules)
	h := map[string][]string{"Nats-Msg-Id": {"1"}}
	ctx := t.Context()
	op := uint64(0)
	if a := testing.AllocsPerRun(1000, func() {
		op++
		_ = p.requestFault(ctx, "orders.placed", h, op, 5, 1)
	}); a != 0 {
		t.Errorf("%v allocations per handling without a hit code", a)
	}
}

// Hops tell apart the calls of one operation: by index, by the caller's
// attempt and by the caller's own hop, and events by subject and group; a
// service reached by two of them draws two different work times.
func TestHopsTellCallsApart(t *testing.T) {
	root := ChildHop(0, 0, 0)
	hops := map[uint64]string{
		root:                                 "gateway → entry",
		ChildHop(root, 1, 0):                 "entry attempt 1, call 0",
		ChildHop(root, 1, 1):                 "entry attempt 1, call 1",
		ChildHop(root, 2, 0):                 "entry attempt 2, call 0",
		ChildHop(ChildHop(root, 1, 0), 1, 0): "call 0's call 0",
		ChildHop(ChildHop(root, 1, 1), 1, 0): "call 1's call 0",
		EventHop("orders.placed", "billing"): "orders.placed by billing",
		EventHop("orders.placed", "audit"):   "orders.placed by audit",
		EventHop("orders.paid", "billing"):   "orders.paid by billing",
	}
	if len(hops) != 9 {
		t.Fatalf("%d distinct hops of 9: %v", len(hops), hops)
	}
	s := Sampler{key: mix(3), mu: 0, sigma: 1}
	seen := map[float64]string{}
	for h, name := range hops {
		if h == 0 {
			t.Errorf("%s: hop 0 (reserved for a caller that sends none)", name)
		}
		u := s.uniform(42, h, 1, 1)
		if other, ok := seen[u]; ok {
			t.Errorf("%s and %s draw the same", name, other)
		}
		seen[u] = name
	}
}
