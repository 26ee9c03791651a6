package gateway_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"
	"go.uber.org/goleak"

	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/sim/gateway"
	"github.com/faultline-sim/faultline/sim/metrics"
	"github.com/faultline-sim/faultline/sim/registry"
	"github.com/faultline-sim/faultline/sim/rpc/simv1"
	"github.com/faultline-sim/faultline/sim/service"
	"github.com/faultline-sim/faultline/sim/simtest"
	"github.com/faultline-sim/faultline/topologies"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// entry has two replicas behind the gateway.
const entry = `
name: gw
entry: entry
services:
  - name: entry
    replicas: 2
    work: 1ms
`

type world struct {
	reg    *registry.Registry
	net    *faults.Net
	gw     *gateway.Gateway
	client *service.Caller
}

// start starts the replicas of topology yaml and a gateway in front of the
// service named route. Everything is closed at the end of the test, in the
// engine's order: client, gateway, replicas.
func start(t *testing.T, ctx context.Context, yaml, route string) *world {
	t.Helper()
	top, err := topologies.Parse("gw.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	w := &world{reg: registry.New(registry.Config{DetectionDelay: top.Discovery.DetectionDelay}), net: faults.NewNet()}
	t.Cleanup(w.reg.Close)
	var replicas []*service.Replica
	t.Cleanup(func() {
		for _, r := range replicas {
			if err := r.Close(); err != nil {
				t.Errorf("close %s: %v", r.Name(), err)
			}
		}
	})
	var ids atomic.Uint64
	for i := range top.Services {
		svc := &top.Services[i]
		for n := range svc.Replicas {
			r := service.New(service.Config{
				Topology: top, Service: svc, Replica: n, Seed: 1,
				Registry: w.reg, Net: w.net,
				Ledger: metrics.NewLedger(nil, 0), EventIDs: &ids,
			})
			if err := r.Start(ctx); err != nil {
				t.Fatal(err)
			}
			replicas = append(replicas, r)
		}
	}
	w.gw = gateway.New(gateway.Config{Entry: route, Wire: top.Wire, Registry: w.reg, Net: w.net, Discovery: top.Discovery, Seed: 1})
	if err := w.gw.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := w.gw.Close(); err != nil {
			t.Errorf("close gateway: %v", err)
		}
	})
	w.client = service.NewCaller(service.CallerConfig{From: "client", Wire: top.Wire, Registry: w.reg, Net: w.net, Seed: 1})
	t.Cleanup(w.client.Close)
	return w
}

func (w *world) call(ctx context.Context, op uint64) (*simv1.HandleResponse, error) {
	return w.client.Call(ctx, gateway.Name, &simv1.HandleRequest{OpId: op, IntendedUnixNano: time.Now().UnixNano()})
}

func TestGatewaySpreadsCallsRoundRobin(t *testing.T) {
	ctx := simtest.Context(t)
	w := start(t, ctx, entry, "entry")
	const calls = 10
	perReplica := map[uint32]int{}
	for op := range uint64(calls) {
		res, err := w.call(ctx, op+1)
		if err != nil {
			t.Fatal(err)
		}
		if res.Service != "entry" || res.Hops != 1 {
			t.Errorf("response %v, want service entry with 1 hop", res)
		}
		perReplica[res.Replica]++
	}
	if len(perReplica) != 2 || perReplica[0] != calls/2 || perReplica[1] != calls/2 {
		t.Errorf("calls per replica %v, want %d each for replicas 0 and 1", perReplica, calls/2)
	}
	// The gateway's calls went through the fault layer to both replicas.
	for _, to := range []string{"entry#0", "entry#1"} {
		if len(w.net.Conns(faults.Link{From: gateway.Name, To: to})) == 0 {
			t.Errorf("no connection from the gateway to %s", to)
		}
	}
}

func TestGatewayWithoutReplicaIsUnavailable(t *testing.T) {
	ctx := simtest.Context(t)
	// The gateway routes to a service that has no replica registered.
	w := start(t, ctx, entry, "missing")
	_, err := w.call(ctx, 1)
	if connect.CodeOf(err) != connect.CodeUnavailable {
		t.Errorf("call through the gateway: %v, want code unavailable", err)
	}
	if conns := w.net.Conns(faults.Link{From: gateway.Name}); len(conns) != 0 {
		t.Errorf("%d connections from the gateway, want none", len(conns))
	}
}

func TestGatewayCloseDeregisters(t *testing.T) {
	ctx := simtest.Context(t)
	w := start(t, ctx, entry, "entry")
	eps := w.reg.Endpoints(gateway.Name)
	if len(eps) != 1 || eps[0].Replica != 0 {
		t.Fatalf("registered gateway endpoints %v, want one (replica 0)", eps)
	}
	if _, err := w.call(ctx, 1); err != nil {
		t.Fatal(err)
	}
	w.client.Close() // as the engine does: stop the load before the gateway
	if err := w.gw.Close(); err != nil {
		t.Fatal(err)
	}
	if eps := w.reg.Endpoints(gateway.Name); len(eps) != 0 {
		t.Errorf("gateway endpoints after Close %v, want none", eps)
	}
	if _, err := w.call(ctx, 2); connect.CodeOf(err) != connect.CodeUnavailable {
		t.Errorf("call after Close: %v, want code unavailable", err)
	}
	if conns := w.net.Conns(faults.Link{From: gateway.Name}); len(conns) != 0 {
		t.Errorf("%d connections from the gateway after Close, want none", len(conns))
	}
}
