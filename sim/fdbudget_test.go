package sim

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/scenarios"
	"github.com/faultline-sim/faultline/sim/state"
	"github.com/faultline-sim/faultline/topologies"
)

// fanOut is an entry service calling n-1 leaf services, every service with
// replicas replicas.
func fanOut(n, replicas int, wire string) *topologies.Topology {
	top := &topologies.Topology{Name: "fan-out", Entry: "s0", Wire: topologies.Wire{Protocol: topologies.ProtocolConnect, HTTP: wire}}
	entry := topologies.Service{Name: "s0", Replicas: replicas}
	for i := 1; i < n; i++ {
		name := fmt.Sprintf("s%d", i)
		entry.Calls = append(entry.Calls, topologies.Call{Service: name})
		top.Services = append(top.Services, topologies.Service{Name: name, Replicas: replicas})
	}
	top.Services = append([]topologies.Service{entry}, top.Services...)
	return top
}

// orderEvents is order-events.yaml's shape: order publishes, three
// services consume, two replicas each.
func orderEvents() *topologies.Topology {
	top := &topologies.Topology{Name: "order-events", Entry: "order"}
	top.Services = []topologies.Service{{Name: "order", Replicas: 2, Publish: []topologies.Publish{{Subject: "orders.placed"}}}}
	for _, s := range []string{"payment", "inventory", "notification"} {
		top.Services = append(top.Services, topologies.Service{Name: s, Replicas: 2,
			Consume: []topologies.Consume{{Subject: "orders.placed", MaxDeliver: 5, DeadLetter: true}}})
	}
	return top
}

func TestEstimateFDs(t *testing.T) {
	withDelay := fanOut(3, 2, topologies.H2C)
	withDelay.Discovery.DetectionDelay = time.Second
	one := scenarios.BrokerSpec{Nodes: 1}
	cases := []struct {
		name       string
		top        *topologies.Topology
		bs         scenarios.BrokerSpec
		linkFaults bool
		want       FDBudget
	}{
		// pairs: client→gateway 1, gateway→s0 50, s0→9 leaves 50×50×9 =
		// 22,500: 22,551 connections, 45,102 descriptors.
		{"10x50 fan-out", fanOut(10, 50, topologies.H2C), one, false,
			FDBudget{Base: 16, Listeners: 501, Pools: 45102, Margin: 64 + 45619/10}},
		// The same pairs over HTTP/1.1: one connection per pair is the floor.
		{"10x50 fan-out http1", fanOut(10, 50, topologies.HTTP1), one, false,
			FDBudget{Base: 16, Listeners: 501, Pools: 45102, Margin: 64 + 45619/10}},
		// 3 services × 2: pairs 1 + 2 + 2×2×2 = 11.
		{"small fan-out", fanOut(3, 2, topologies.H2C), one, false,
			FDBudget{Base: 16, Listeners: 7, Pools: 22, Margin: 64 + 45/10}},
		// The registry's listener and a heartbeat connection per replica.
		{"detection delay", withDelay, one, false,
			FDBudget{Base: 16, Listeners: 8, Pools: 22, Heartbeats: 12, Margin: 64 + 58/10}},
		// A stateful topology: its three stores.
		{"state", stateful(fanOut(3, 2, topologies.H2C)), one, false,
			FDBudget{Base: 16, Listeners: 7, Pools: 22, State: state.Descriptors, Margin: 64 + (45+state.Descriptors)/10}},
		// A link fault: a timerfd per direction of every dialed connection.
		{"link faults", fanOut(3, 2, topologies.H2C), one, true,
			FDBudget{Base: 16, Listeners: 7, Pools: 22, Timers: 22, Margin: 64 + 67/10}},
		// 8 replicas on the broker, + admin; one stream + dead letters,
		// three consumers; pairs 1 + 2 (no calls).
		{"events", orderEvents(), one, false,
			FDBudget{Base: 16, Listeners: 9, Pools: 6, NATS: 18, Broker: 1, Store: 7, Margin: 64 + 57/10}},
		// Three nodes, streams on all three: listeners 3 client + 3 route
		// + 6 proxies, 6 ordered pairs × 3 routes × 4.
		{"events cluster", orderEvents(), scenarios.BrokerSpec{Nodes: 3, Replicas: 3}, false,
			FDBudget{Base: 16, Listeners: 9, Pools: 6, NATS: 18, Broker: 3 + 3 + 6 + 72, Store: 21, Margin: 64 + 155/10}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := EstimateFDs(c.top, c.bs, c.linkFaults)
			if got != c.want {
				t.Errorf("EstimateFDs = %+v (total %d), want %+v (total %d)", got, got.Total(), c.want, c.want.Total())
			}
		})
	}
}

func TestCheckFDs(t *testing.T) {
	sc := &scenarios.Scenario{File: "big.yaml", Broker: scenarios.BrokerSpec{Nodes: 1}, Variants: []scenarios.Variant{
		{Name: "small", Topology: fanOut(3, 2, topologies.H2C), Line: 4},
		{Name: "big", Topology: fanOut(10, 50, topologies.H2C), Line: 5},
	}}
	err := CheckFDs(sc, 20000)
	if !errors.Is(err, ErrTooManyFDs) {
		t.Fatalf("CheckFDs at 20,000 = %v, want ErrTooManyFDs", err)
	}
	for _, w := range []string{"big.yaml:5", "variant big", "estimated 50244", "connection pools 45102", "limit 20000"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q: %v", w, err)
		}
	}
	if strings.Contains(err.Error(), "variant small") {
		t.Errorf("the small variant fits, but: %v", err)
	}
	if err := CheckFDs(sc, 60000); err != nil {
		t.Errorf("CheckFDs at 60,000 = %v, want nil", err)
	}
	if err := CheckFDs(sc, 0); err != nil {
		t.Errorf("CheckFDs without a limit = %v, want nil", err)
	}
}

// stateful gives t a state block (its first three services in the roles).
func stateful(t *topologies.Topology) *topologies.Topology {
	t.State = &topologies.State{Saga: topologies.SagaOrchestrated,
		Order: t.Services[0].Name, Payment: t.Services[1].Name, Inventory: t.Services[2].Name}
	return t
}
