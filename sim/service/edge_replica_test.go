package service_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/reports/result"
	"github.com/faultline-sim/faultline/sim/metrics"
	"github.com/faultline-sim/faultline/sim/registry"
	"github.com/faultline-sim/faultline/sim/rpc/simv1"
	"github.com/faultline-sim/faultline/sim/service"
	"github.com/faultline-sim/faultline/sim/simtest"
	"github.com/faultline-sim/faultline/topologies"
)

// edgeChain: order calls payment (slow) and then inventory, which is never
// started.
const edgeChain = `
name: edges
entry: order
services:
  - name: order
    work: 1ms
    calls:
      - {service: payment, timeout: 20ms}
      - inventory
  - name: payment
    work: 200ms
  - name: inventory
    work: 1ms
`

// startEdgeReplicas starts order and payment of edgeChain after edit has
// changed the topology, recording edges in a collector whose window is the
// whole test. It returns the collector and a client caller.
func startEdgeReplicas(t *testing.T, ctx context.Context, edit func(*topologies.Topology)) (*metrics.Edges, *service.Caller) {
	t.Helper()
	top, err := topologies.Parse("edges.yaml", []byte(edgeChain))
	if err != nil {
		t.Fatal(err)
	}
	edit(top)
	edges := metrics.NewEdges(top, time.Minute)
	edges.Start(time.Now().Add(-time.Hour), 2*time.Hour)
	reg := registry.New(registry.Config{})
	t.Cleanup(reg.Close)
	n := faults.NewNet()
	var ids atomic.Uint64
	var started []*service.Replica
	t.Cleanup(func() {
		for _, r := range started {
			if err := r.Close(); err != nil {
				t.Errorf("close %s: %v", r.Name(), err)
			}
		}
	})
	for _, name := range []string{"order", "payment"} {
		r := service.New(service.Config{
			Topology: top, Service: top.Service(name), Seed: seed,
			Registry: reg, Net: n, Ledger: metrics.NewLedger(nil, 0), EventIDs: &ids,
			Edges: edges,
		})
		if err := r.Start(ctx); err != nil {
			t.Fatal(err)
		}
		started = append(started, r)
	}
	client := service.NewCaller(service.CallerConfig{From: "client", Wire: top.Wire, Registry: reg, Net: n, Seed: seed})
	t.Cleanup(client.Close)
	return edges, client
}

// edgeReport returns the collector's edge from → to.
func edgeReport(t *testing.T, edges *metrics.Edges, from, to string) result.Edge {
	t.Helper()
	var rv result.Variant
	edges.Fill(&rv)
	for _, e := range rv.Edges {
		if e.From == from && e.To == to {
			return e
		}
	}
	t.Fatalf("no edge %s → %s in %+v", from, to, rv.Edges)
	return result.Edge{}
}

// TestReplicaCallTimeoutWithoutPolicy: a call's short-form timeout still
// bounds it, and counts as the edge's timeout.
func TestReplicaCallTimeoutWithoutPolicy(t *testing.T) {
	ctx := simtest.Context(t)
	edges, client := startEdgeReplicas(t, ctx, func(*topologies.Topology) {})
	_, err := client.Call(ctx, "order", &simv1.HandleRequest{OpId: 1, IntendedUnixNano: time.Now().UnixNano()})
	if connect.CodeOf(err) != connect.CodeDeadlineExceeded {
		t.Fatalf("err = %v, want deadline_exceeded", err)
	}
	if e := edgeReport(t, edges, "order", "payment"); e.Requests != 1 || e.Attempts != 1 || e.Timeouts != 1 || e.Failed != 1 || e.Policy != "" {
		t.Errorf("order → payment = %+v", e)
	}
	if e := edgeReport(t, edges, "order", "inventory"); e.Requests != 0 {
		t.Errorf("order → inventory was called after payment failed: %+v", e)
	}
}

// TestReplicaCallsThroughPolicy: order retries inventory (never started:
// unavailable without a request sent) and its breaker opens; the change is
// recorded by the collector.
func TestReplicaCallsThroughPolicy(t *testing.T) {
	ctx := simtest.Context(t)
	edges, client := startEdgeReplicas(t, ctx, func(top *topologies.Topology) {
		order := top.Service("order")
		order.Calls[0] = topologies.Call{Service: "payment"} // answers in time
		order.Calls[1].Policy = &topologies.Policy{
			Name:    "std",
			Retry:   &topologies.Retry{MaxAttempts: 3},
			Breaker: &topologies.Breaker{FailureRatio: 1, Window: time.Minute, MinRequests: 6, OpenFor: time.Hour, HalfOpenProbes: 1},
		}
	})
	call := func(op uint64) error {
		_, err := client.Call(ctx, "order", &simv1.HandleRequest{OpId: op, IntendedUnixNano: time.Now().UnixNano()})
		return err
	}
	for op := range uint64(2) {
		if err := call(op + 1); connect.CodeOf(err) != connect.CodeUnavailable || errors.Is(err, service.ErrBreakerOpen) {
			t.Fatalf("call %d: %v, want unavailable from the missing callee", op+1, err)
		}
	}
	// Six failed attempts opened the breaker: the next call is refused.
	if err := call(3); connect.CodeOf(err) != connect.CodeUnavailable {
		t.Fatalf("call 3: %v, want unavailable", err)
	}
	e := edgeReport(t, edges, "order", "inventory")
	if e.Policy != "std" || e.Requests != 3 || e.Attempts != 6 || e.Retries != 4 || e.BreakerRejections != 1 || e.Failed != 3 || e.Amplification != 2 {
		t.Errorf("order → inventory = %+v", e)
	}
	if p := edgeReport(t, edges, "order", "payment"); p.Requests != 3 || p.Succeeded != 3 || p.LatencyMS.Max < 200 {
		t.Errorf("order → payment = %+v", p)
	}
	var rv result.Variant
	edges.Fill(&rv)
	if len(rv.Breakers) != 1 || rv.Breakers[0].Caller != "order#0" || rv.Breakers[0].To != "inventory" || rv.Breakers[0].State != "open" {
		t.Errorf("breakers = %+v", rv.Breakers)
	}
}
