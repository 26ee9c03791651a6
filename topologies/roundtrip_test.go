package topologies

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// full uses every key of policies, gateway, discovery, calls, publish and
// consume.
var full = doc(
	"name: full", // 1
	"entry: order",
	"policies:",
	"  standard:",
	"    timeout: 200ms", // 5
	"    retry: {max_attempts: 3, backoff: 10ms, max_backoff: 100ms, jitter: 10ms, on: [unavailable, deadline_exceeded], budget: 0.2, budget_min: 3}",
	"    breaker: {failure_ratio: 0.5, window: 10s, min_requests: 20, open_for: 5s, half_open_probes: 3}",
	"    bulkhead: {max_concurrent: 32, max_wait: 0s}",
	"  quick:",
	"    retry:", // 10
	"      max_attempts: 2",
	"      backoff: 5ms",
	"      budget: 0.5",
	"gateway:",
	"  policy: standard", // 15
	"discovery:",
	"  balancer: p2c",
	"  detection_delay: 30s",
	"  refresh: 1s",
	"  outlier: {consecutive_failures: 5, eject_for: 10s}", // 20
	"services:",
	"  - name: order",
	"    calls:",
	"      - payment",
	"      - {service: payment, timeout: 100ms}", // 25
	"      - {service: payment, policy: standard}",
	"      - {service: payment, policy: {timeout: 100ms, retry: {max_attempts: 3}}}",
	"    publish:",
	"      - {subject: orders.placed, mode: fire_and_forget}",
	"  - name: payment", // 30
	"    consume:",
	"      - {subject: orders.placed, max_deliver: 5, backoff: [100ms, 1s], dead_letter: true, idempotent: true}",
)

func TestParseFullRoundTrip(t *testing.T) {
	got, err := Parse("full.yaml", []byte(full))
	if err != nil {
		t.Fatal(err)
	}
	ms := time.Millisecond
	standard := &Policy{
		Name:    "standard",
		Timeout: 200 * ms,
		Retry: &Retry{MaxAttempts: 3, Backoff: 10 * ms, MaxBackoff: 100 * ms, Jitter: 10 * ms,
			On: []string{"unavailable", "deadline_exceeded"}, Budget: 0.2, BudgetMin: 3, Line: 6},
		Breaker:  &Breaker{FailureRatio: 0.5, Window: 10 * time.Second, MinRequests: 20, OpenFor: 5 * time.Second, HalfOpenProbes: 3, Line: 7},
		Bulkhead: &Bulkhead{MaxConcurrent: 32, Line: 8},
		Line:     4,
	}
	quick := &Policy{Name: "quick", Line: 9, Retry: &Retry{MaxAttempts: 2, Backoff: 5 * ms, MaxBackoff: 50 * ms,
		On: []string{"unavailable", "deadline_exceeded", "resource_exhausted"}, Budget: 0.5, BudgetMin: 3, Line: 10}}
	inline := &Policy{Timeout: 100 * ms, Line: 27,
		Retry: &Retry{MaxAttempts: 3, On: []string{"unavailable", "deadline_exceeded", "resource_exhausted"}, Line: 27}}
	want := &Topology{
		File:     "full.yaml",
		Name:     "full",
		Entry:    "order",
		Wire:     Wire{ProtocolConnect, H2C},
		Policies: map[string]*Policy{"standard": standard, "quick": quick},
		Gateway:  Gateway{Policy: standard, Line: 14},
		Discovery: Discovery{Balancer: BalanceP2C, DetectionDelay: 30 * time.Second, Refresh: time.Second,
			Outlier: &Outlier{ConsecutiveFailures: 5, EjectFor: 10 * time.Second, Line: 20}, Line: 16},
		Services: []Service{{
			Name: "order", Replicas: 1, Line: 22,
			Calls: []Call{
				{Service: "payment", Line: 24},
				{Service: "payment", Timeout: 100 * ms, Line: 25},
				{Service: "payment", Timeout: 200 * ms, Policy: standard, Line: 26},
				{Service: "payment", Timeout: 100 * ms, Policy: inline, Line: 27},
			},
			Publish: []Publish{{Subject: "orders.placed", Kind: KindDomain, Schema: 1, Mode: PublishFireAndForget, Line: 29}},
		}, {
			Name: "payment", Replicas: 1, Line: 30,
			Consume: []Consume{{Subject: "orders.placed", Group: "payment", Concurrency: 1, MaxDeliver: 5, AckWait: 30 * time.Second,
				Backoff: []time.Duration{100 * ms, time.Second}, DeadLetter: true, Idempotent: true, Line: 32}},
		}},
	}
	got.lines = nil // decoder bookkeeping, not part of the model
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%s\nwant\n%s", dump(got), dump(want))
	}
	if got.Service("order").Calls[2].Policy != got.Policies["standard"] || got.Gateway.Policy != got.Policies["standard"] {
		t.Error("named policy not shared")
	}
}

// dump shows a topology with its pointers followed.
func dump(t *Topology) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%+v\n", *t)
	for name, p := range t.Policies {
		fmt.Fprintf(&b, "policy %s: %s\n", name, dumpPolicy(p))
	}
	fmt.Fprintf(&b, "gateway: %s\n", dumpPolicy(t.Gateway.Policy))
	if o := t.Discovery.Outlier; o != nil {
		fmt.Fprintf(&b, "outlier: %+v\n", *o)
	}
	for _, s := range t.Services {
		for j, c := range s.Calls {
			fmt.Fprintf(&b, "%s call %d: %+v %s\n", s.Name, j, c, dumpPolicy(c.Policy))
		}
	}
	return b.String()
}

func dumpPolicy(p *Policy) string {
	if p == nil {
		return "<nil>"
	}
	s := fmt.Sprintf("%+v", *p)
	if p.Retry != nil {
		s += fmt.Sprintf(" retry %+v", *p.Retry)
	}
	if p.Breaker != nil {
		s += fmt.Sprintf(" breaker %+v", *p.Breaker)
	}
	if p.Bulkhead != nil {
		s += fmt.Sprintf(" bulkhead %+v", *p.Bulkhead)
	}
	return s
}
