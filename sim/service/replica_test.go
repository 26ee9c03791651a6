package service_test

import (
	"cmp"
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/reports/result"
	"github.com/faultline-sim/faultline/sim/broker"
	"github.com/faultline-sim/faultline/sim/metrics"
	"github.com/faultline-sim/faultline/sim/registry"
	"github.com/faultline-sim/faultline/sim/rpc/simv1"
	"github.com/faultline-sim/faultline/sim/service"
	"github.com/faultline-sim/faultline/sim/simtest"
	"github.com/faultline-sim/faultline/topologies"
)

// world is a variant's world built by hand: every replica of a topology on
// its own loopback port, a broker when the topology has events, and a
// client caller named "client".
type world struct {
	top      *topologies.Topology
	reg      *registry.Registry
	net      *faults.Net
	ledger   *metrics.Ledger
	replicas map[string]*service.Replica // by "service#replica"
	client   *service.Caller
	broker   *broker.Broker // nil without events
}

const seed = 7

// startWorld parses yaml and starts its world; everything is closed at the
// end of the test (replicas before the broker).
func startWorld(t testing.TB, ctx context.Context, yaml string) *world {
	t.Helper()
	top, err := topologies.Parse("test.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return startTopology(t, ctx, top)
}

// startTopology starts top's world, as startWorld does.
func startTopology(t testing.TB, ctx context.Context, top *topologies.Topology) *world {
	t.Helper()
	w := &world{
		top:      top,
		reg:      registry.New(registry.Config{}),
		net:      faults.NewNet(),
		ledger:   metrics.NewLedger(top.Subscribers(), 0),
		replicas: map[string]*service.Replica{},
	}
	var brokerAddr string
	if len(top.Subjects()) > 0 {
		b := broker.New()
		if err := b.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(b.Close)
		if err := b.Setup(ctx, top); err != nil {
			t.Fatal(err)
		}
		brokerAddr = b.URL()
		w.broker = b
	}
	// Close replicas in declaration order, as the engine does, so callers
	// (declared first here) drop their idle connections before their callees
	// close. A server that still has an idle HTTP/2 client connection waits
	// its whole grace period on Close.
	var started []*service.Replica
	t.Cleanup(func() {
		for _, rep := range started {
			if err := rep.Close(); err != nil {
				t.Errorf("close %s: %v", rep.Name(), err)
			}
		}
	})
	var eventIDs atomic.Uint64
	processed := service.NewProcessedStores()
	for i := range top.Services {
		svc := &top.Services[i]
		for r := range svc.Replicas {
			rep := service.New(service.Config{
				Topology:  top,
				Service:   svc,
				Replica:   r,
				Seed:      seed,
				Registry:  w.reg,
				Net:       w.net,
				BrokerURL: brokerAddr,
				Ledger:    w.ledger,
				EventIDs:  &eventIDs,
				Processed: processed,
			})
			if err := rep.Start(ctx); err != nil {
				t.Fatal(err)
			}
			w.replicas[rep.Name()] = rep
			started = append(started, rep)
		}
	}
	w.client = service.NewCaller(service.CallerConfig{From: "client", Wire: top.Wire, Registry: w.reg, Net: w.net, Seed: seed})
	t.Cleanup(w.client.Close)
	return w
}

// call sends operation op to service from the client.
func (w *world) call(ctx context.Context, svc string, op uint64) (*simv1.HandleResponse, error) {
	return w.client.Call(ctx, svc, &simv1.HandleRequest{OpId: op, IntendedUnixNano: time.Now().UnixNano()})
}

// chain is a→b with the wire filled in by fmt.
const chain = `
name: chain
entry: a
wire: {protocol: %s, http: %s}
services:
  - name: a
    work: 1ms
    calls: [b]
  - name: b
    work: 1ms
`

func TestCallChainOnEveryWire(t *testing.T) {
	for _, wire := range []topologies.Wire{
		{Protocol: topologies.ProtocolConnect, HTTP: topologies.HTTP1},
		{Protocol: topologies.ProtocolConnect, HTTP: topologies.H2C},
		{Protocol: topologies.ProtocolGRPC, HTTP: topologies.H2C},
	} {
		t.Run(wire.Protocol+"-"+wire.HTTP, func(t *testing.T) {
			ctx := simtest.Context(t)
			w := startWorld(t, ctx, fmt.Sprintf(chain, wire.Protocol, wire.HTTP))
			if w.top.Wire != wire {
				t.Fatalf("topology wire %+v, want %+v", w.top.Wire, wire)
			}
			res, err := w.call(ctx, "a", 1)
			if err != nil {
				t.Fatal(err)
			}
			if res.Service != "a" || res.Replica != 0 || res.Hops != 2 {
				t.Errorf("response %v, want service a, replica 0, 2 hops", res)
			}
			// Both hops went over real connections through the fault layer.
			for _, l := range []faults.Link{{From: "client", To: "a#0"}, {From: "a#0", To: "b#0"}} {
				if len(w.net.Conns(l)) == 0 {
					t.Errorf("no live connection on %s after the call", l)
				}
			}
		})
	}
}

func TestCapacityRejectsExcessRequests(t *testing.T) {
	ctx := simtest.Context(t)
	// The work time only has to outlast the spread of the concurrent
	// calls' arrivals; nothing below measures time.
	w := startWorld(t, ctx, `
name: capacity
entry: slow
services:
  - name: slow
    work: 300ms
    capacity: 1
`)
	const calls = 6
	start := make(chan struct{})
	codes := make([]connect.Code, calls) // 0 for success
	var wg sync.WaitGroup
	for i := range calls {
		wg.Go(func() {
			<-start
			if _, err := w.call(ctx, "slow", uint64(i+1)); err != nil {
				codes[i] = connect.CodeOf(err)
			}
		})
	}
	close(start)
	wg.Wait()
	var ok, rejected int
	for i, c := range codes {
		switch c {
		case 0:
			ok++
		case connect.CodeResourceExhausted:
			rejected++
		default:
			t.Errorf("call %d failed with %v, want success or resource exhausted", i, c)
		}
	}
	if ok == 0 || rejected == 0 {
		t.Errorf("%d succeeded and %d were rejected of %d concurrent calls to a replica of capacity 1; want both", ok, rejected, calls)
	}
}

func TestErrorRateFailsWithInternal(t *testing.T) {
	ctx := simtest.Context(t)
	w := startWorld(t, ctx, `
name: flaky
entry: flaky
services:
  - name: flaky
    work: 1ms
    error_rate: 0.999
`)
	// The sampler decides per (seed, service, op, attempt): pick one op it
	// fails and one it lets through.
	sampler := service.NewSampler(seed, w.top.Service("flaky"))
	var failing, passing uint64
	for op := uint64(1); failing == 0 || passing == 0; op++ {
		if sampler.Fails(op, 0, 1) {
			failing = cmp.Or(failing, op)
		} else {
			passing = cmp.Or(passing, op)
		}
	}
	if _, err := w.call(ctx, "flaky", failing); connect.CodeOf(err) != connect.CodeInternal {
		t.Errorf("op %d: error %v, want code internal", failing, err)
	}
	if _, err := w.call(ctx, "flaky", passing); err != nil {
		t.Errorf("op %d, which the sampler lets through: %v", passing, err)
	}
}

func TestUnknownServiceIsUnavailableWithoutNetwork(t *testing.T) {
	ctx := simtest.Context(t)
	w := startWorld(t, ctx, fmt.Sprintf(chain, topologies.ProtocolConnect, topologies.H2C))
	_, err := w.call(ctx, "nobody", 1)
	if connect.CodeOf(err) != connect.CodeUnavailable {
		t.Errorf("call to an unregistered service: %v, want code unavailable", err)
	}
	if conns := w.net.Conns(faults.Link{From: "client"}); len(conns) != 0 {
		t.Errorf("%d connections from the client, want none", len(conns))
	}
}

func TestPublishedEventIsProcessedByEveryGroup(t *testing.T) {
	ctx := simtest.Context(t)
	w := startWorld(t, ctx, `
name: events
entry: order
services:
  - name: order
    work: 1ms
    publish: [orders.placed]
  - name: billing
    work: 1ms
    consume: [orders.placed]
  - name: shipping
    replicas: 2
    work: 1ms
    consume: [{subject: orders.placed, concurrency: 2}]
`)
	res, err := w.call(ctx, "order", 1)
	if err != nil {
		t.Fatal(err)
	}
	if res.Service != "order" || res.Hops != 1 {
		t.Errorf("response %v, want service order with 1 hop", res)
	}
	// The publish was acked before the call returned, so the ledger already
	// counts the event as outstanding for both groups until they process it.
	simtest.Eventually(t, "ledger outstanding 0", func() bool { return w.ledger.Outstanding() == 0 })

	var v result.Variant
	w.ledger.Fill(&v)
	e := v.Events
	if e.Published != 1 || e.Acked != 1 || e.Processed != 2 || e.Lost != 0 || e.Duplicates != 0 {
		t.Errorf("events %+v, want 1 published and acked, processed once per group", e)
	}
	groups := map[string]result.Subscriber{}
	for _, s := range e.Subscribers {
		groups[s.Group] = s
	}
	for _, g := range []string{"billing", "shipping"} {
		s, ok := groups[g]
		if !ok || s.Subject != "orders.placed" || s.Expected != 1 || s.Processed != 1 {
			t.Errorf("group %s: %+v, want 1 expected and processed on orders.placed", g, s)
		}
	}
	if len(groups) != 2 {
		t.Errorf("subscribers %+v, want billing and shipping", e.Subscribers)
	}
	if v.Completed != 1 {
		t.Errorf("completed %d, want the operation completed", v.Completed)
	}

	// Close also closes the replica's broker connection, dialed through the
	// fault layer like its calls.
	order := faults.Link{From: "order#0", To: "broker"}
	if len(w.net.Conns(order)) != 1 {
		t.Fatalf("order#0 has %d broker connections, want 1", len(w.net.Conns(order)))
	}
	w.client.Close() // stop the load first, as the engine does
	if err := w.replicas["order#0"].Close(); err != nil {
		t.Fatal(err)
	}
	if conns := w.net.Conns(faults.Link{From: "order#0"}); len(conns) != 0 {
		t.Errorf("%d connections from order#0 after Close, want none", len(conns))
	}
}

func TestReplicaCloseDeregistersAndClosesConnections(t *testing.T) {
	for _, version := range []string{topologies.HTTP1, topologies.H2C} {
		t.Run(version, func(t *testing.T) {
			// Over h2c, the client's idle connection to a#0 makes Close wait
			// out its grace period: Go's HTTP/2 client keeps an idle
			// connection open after the server's GOAWAY. Overlap that wait.
			t.Parallel()
			ctx := simtest.Context(t)
			w := startWorld(t, ctx, fmt.Sprintf(chain, topologies.ProtocolConnect, version))
			if _, err := w.call(ctx, "a", 1); err != nil {
				t.Fatal(err)
			}
			from := faults.Link{From: "a#0"}
			if len(w.net.Conns(from)) == 0 {
				t.Fatal("a#0 opened no connection to b")
			}
			if err := w.replicas["a#0"].Close(); err != nil {
				t.Fatal(err)
			}
			if eps := w.reg.Endpoints("a"); len(eps) != 0 {
				t.Errorf("registry still holds %v after Close", eps)
			}
			if conns := w.net.Conns(from); len(conns) != 0 {
				t.Errorf("%d connections from a#0 still open after Close", len(conns))
			}
			if _, err := w.call(ctx, "a", 2); connect.CodeOf(err) != connect.CodeUnavailable {
				t.Errorf("call after Close: %v, want code unavailable", err)
			}
			if err := w.replicas["a#0"].Close(); err != nil {
				t.Errorf("second Close: %v", err)
			}
			// b is untouched.
			if _, err := w.call(ctx, "b", 3); err != nil {
				t.Errorf("call to b: %v", err)
			}
		})
	}
}

func TestReplicaCloseCancelsBlockedHandler(t *testing.T) {
	t.Parallel() // Close waits out its grace period: overlap it with the others
	ctx := simtest.Context(t)
	// Capacity 1 makes the replica count its requests in flight.
	w := startWorld(t, ctx, `
name: stuck
entry: stuck
services:
  - name: stuck
    work: 1h
    capacity: 1
`)
	rep := w.replicas["stuck#0"]
	called := make(chan error, 1)
	go func() {
		_, err := w.call(ctx, "stuck", 1)
		called <- err
	}()
	simtest.Eventually(t, "request in the handler", func() bool { return rep.InFlight() == 1 })

	closed := make(chan error, 1)
	go func() { closed <- rep.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Errorf("Close: %v", err)
		}
	case <-ctx.Done():
		t.Fatal("Close did not return while a handler was blocked in its work")
	}
	select {
	case err := <-called:
		if err == nil {
			t.Error("the blocked call succeeded, want an error")
		}
	case <-ctx.Done():
		t.Fatal("the blocked call did not return after Close")
	}
	if n := rep.InFlight(); n != 0 {
		t.Errorf("%d requests in flight after Close", n)
	}
}
