package gateway_test

import (
	"context"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/reports/result"
	"github.com/faultline-sim/faultline/sim/gateway"
	"github.com/faultline-sim/faultline/sim/metrics"
	"github.com/faultline-sim/faultline/sim/registry"
	"github.com/faultline-sim/faultline/sim/rpc/simv1"
	"github.com/faultline-sim/faultline/sim/service"
	"github.com/faultline-sim/faultline/sim/simtest"
	"github.com/faultline-sim/faultline/topologies"
)

// startPolicyGateway starts a gateway routing to route, which has no
// replica, under policy p, recording in a collector whose window is the
// whole test.
func startPolicyGateway(t *testing.T, ctx context.Context, route string, p *topologies.Policy, onBreaker service.BreakerFunc) (*metrics.Edges, *service.Caller) {
	t.Helper()
	reg := registry.New(registry.Config{})
	t.Cleanup(reg.Close)
	n := faults.NewNet()
	edges := metrics.NewEdges(&topologies.Topology{Entry: route, Gateway: topologies.Gateway{Policy: p}}, time.Minute)
	edges.Start(time.Now().Add(-time.Hour), 2*time.Hour)
	gw := gateway.New(gateway.Config{
		Entry:     route,
		Wire:      topologies.Wire{Protocol: topologies.ProtocolConnect, HTTP: topologies.H2C},
		Registry:  reg,
		Net:       n,
		Seed:      1,
		Policy:    p,
		Edges:     edges,
		OnBreaker: onBreaker,
	})
	if err := gw.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := gw.Close(); err != nil {
			t.Errorf("close gateway: %v", err)
		}
	})
	client := service.NewCaller(service.CallerConfig{From: "client", Wire: topologies.Wire{Protocol: topologies.ProtocolConnect, HTTP: topologies.H2C}, Registry: reg, Net: n})
	t.Cleanup(client.Close)
	return edges, client
}

func TestGatewayEdgeRetriesAndBreaker(t *testing.T) {
	ctx := simtest.Context(t)
	changes := make(chan string, 8)
	p := &topologies.Policy{
		Name:    "gw",
		Retry:   &topologies.Retry{MaxAttempts: 2},
		Breaker: &topologies.Breaker{FailureRatio: 1, Window: time.Minute, MinRequests: 4, OpenFor: time.Hour, HalfOpenProbes: 1},
	}
	edges, client := startPolicyGateway(t, ctx, "missing", p, func(caller, callee, from, to string, _ time.Time) {
		changes <- caller + " " + callee + " " + from + ">" + to
	})
	for op := range uint64(3) {
		_, err := client.Call(ctx, gateway.Name, &simv1.HandleRequest{OpId: op + 1, IntendedUnixNano: time.Now().UnixNano()})
		if connect.CodeOf(err) != connect.CodeUnavailable {
			t.Fatalf("call %d: %v, want unavailable", op+1, err)
		}
	}
	if got := <-changes; got != "gateway missing closed>open" {
		t.Errorf("breaker change %q", got)
	}
	var rv result.Variant
	edges.Fill(&rv)
	if len(rv.Edges) != 1 {
		t.Fatalf("edges = %+v", rv.Edges)
	}
	// Two calls of two attempts open the breaker; the third is refused.
	e := rv.Edges[0]
	if e.From != "gateway" || e.To != "missing" || e.Policy != "gw" || e.Requests != 3 || e.Attempts != 4 ||
		e.Retries != 2 || e.BreakerRejections != 1 || e.Failed != 3 || e.Amplification != 4.0/3 {
		t.Errorf("gateway edge = %+v", e)
	}
	if len(rv.Breakers) != 1 || rv.Breakers[0].Caller != "gateway" || rv.Breakers[0].State != "open" {
		t.Errorf("breakers = %+v", rv.Breakers)
	}
}

// TestGatewayEdgeWithoutPolicy: with no option the gateway just forwards.
func TestGatewayEdgeWithoutPolicy(t *testing.T) {
	ctx := simtest.Context(t)
	w := start(t, ctx, entry, "entry")
	if _, err := w.call(ctx, 1); err != nil {
		t.Fatal(err)
	}
}
