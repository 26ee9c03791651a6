package service_test

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/sim/metrics"
	"github.com/faultline-sim/faultline/sim/registry"
	"github.com/faultline-sim/faultline/sim/rpc/simv1"
	"github.com/faultline-sim/faultline/sim/service"
	"github.com/faultline-sim/faultline/sim/simtest"
	"github.com/faultline-sim/faultline/topologies"
)

var h2c = topologies.Wire{Protocol: topologies.ProtocolConnect, HTTP: topologies.H2C}

// holdOp: a request with this op id or above waits in the handler until the
// test releases it.
const holdOp = 1000

// holder answers as replica n of service "s", holding requests from holdOp.
type holder struct {
	n       int
	entered chan<- int
	release <-chan struct{}
}

func (h *holder) Handle(ctx context.Context, req *connect.Request[simv1.HandleRequest]) (*connect.Response[simv1.HandleResponse], error) {
	if req.Msg.OpId >= holdOp {
		h.entered <- h.n
		select {
		case <-h.release:
		case <-ctx.Done():
			return nil, connect.NewError(connect.CodeCanceled, ctx.Err())
		}
	}
	return connect.NewResponse(&simv1.HandleResponse{Service: "s", Replica: uint32(h.n), Hops: 1}), nil
}

// holders starts n real servers registered as replicas 0..n-1 of "s". It
// returns the registry, a channel telling which replica a held request
// entered, and release, which lets every held request go on (also called at
// cleanup, before the servers close).
func holders(t *testing.T, n int) (reg *registry.Registry, entered <-chan int, release func()) {
	t.Helper()
	reg = registry.New(registry.Config{})
	in := make(chan int, 16)
	rel := make(chan struct{})
	for i := range n {
		srv, err := service.NewServer(service.ServerConfig{Handler: &holder{n: i, entered: in, release: rel}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { srv.Close() })
		reg.Register(registry.Endpoint{Service: "s", Replica: i, Addr: srv.Addr()})
	}
	var once atomic.Bool
	release = func() {
		if once.CompareAndSwap(false, true) {
			close(rel)
		}
	}
	t.Cleanup(release)
	return reg, in, release
}

// caller returns a client caller of reg with disc, closed at cleanup.
func caller(t *testing.T, name string, reg *registry.Registry, disc topologies.Discovery, seed uint64) *service.Caller {
	c := service.NewCaller(service.CallerConfig{From: name, Wire: h2c, Registry: reg, Net: faults.NewNet(), Discovery: disc, Seed: seed})
	t.Cleanup(c.Close)
	return c
}

// hold sends one held call from c and waits until a replica holds it; it
// returns that replica and the call's result channel.
func hold(t *testing.T, ctx context.Context, c *service.Caller, entered <-chan int) (int, <-chan error) {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := c.Call(ctx, "s", &simv1.HandleRequest{OpId: holdOp})
		done <- err
	}()
	select {
	case n := <-entered:
		return n, done
	case err := <-done:
		t.Fatalf("held call returned: %v", err)
	case <-ctx.Done():
		t.Fatal(ctx.Err())
	}
	return 0, nil
}

// replicasOf makes n calls from c to "s" one after another and returns the
// replica that answered each.
func replicasOf(t *testing.T, ctx context.Context, c *service.Caller, n int) []int {
	t.Helper()
	var out []int
	for op := range uint64(n) {
		res, err := c.Call(ctx, "s", &simv1.HandleRequest{OpId: op + 1})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, int(res.Replica))
	}
	return out
}

func TestLeastOutstandingAvoidsReplicaHoldingCalls(t *testing.T) {
	ctx := simtest.Context(t)
	reg, entered, release := holders(t, 2)
	c := caller(t, "client", reg, topologies.Discovery{Balancer: topologies.BalanceLeastOutstanding}, seed)
	held, done := hold(t, ctx, c, entered)
	for _, got := range replicasOf(t, ctx, c, 10) {
		if got == held {
			t.Fatalf("call went to replica %d, which holds a call, while the other is idle", held)
		}
	}
	release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// Both idle again: ties go round robin, so both are picked.
	if got := replicasOf(t, ctx, c, 4); !slices.Contains(got, 0) || !slices.Contains(got, 1) {
		t.Errorf("idle replicas picked %v, want both", got)
	}
}

func TestP2CIsSeededAndPrefersLessLoaded(t *testing.T) {
	ctx := simtest.Context(t)
	reg, entered, release := holders(t, 3)
	disc := topologies.Discovery{Balancer: topologies.BalanceP2C}
	a := replicasOf(t, ctx, caller(t, "gateway", reg, disc, seed), 30)
	b := replicasOf(t, ctx, caller(t, "gateway", reg, disc, seed), 30)
	if !slices.Equal(a, b) {
		t.Fatalf("same seed and caller, different picks:\n%v\n%v", a, b)
	}
	if other := replicasOf(t, ctx, caller(t, "gateway", reg, disc, seed+1), 30); slices.Equal(a, other) {
		t.Errorf("another seed made the same 30 picks %v", a)
	}
	// With one replica holding a call, it loses every draw it is in.
	c := caller(t, "gateway", reg, disc, seed)
	held, done := hold(t, ctx, c, entered)
	got := replicasOf(t, ctx, c, 20)
	if slices.Contains(got, held) {
		t.Fatalf("replica %d, holding a call, picked: %v", held, got)
	}
	release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// discoveryWorld starts the replicas of yaml with the topology's discovery
// set to disc, a registry with disc's detection delay and a client caller
// using disc. Everything is closed at the end of the test.
func discoveryWorld(t *testing.T, ctx context.Context, yaml string, disc topologies.Discovery) *world {
	t.Helper()
	top, err := topologies.Parse("discovery.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	top.Discovery = disc
	w := &world{
		top:      top,
		reg:      registry.New(registry.Config{DetectionDelay: disc.DetectionDelay}),
		net:      faults.NewNet(),
		ledger:   metrics.NewLedger(nil, 0),
		replicas: map[string]*service.Replica{},
	}
	t.Cleanup(w.reg.Close)
	var started []*service.Replica
	t.Cleanup(func() {
		for _, rep := range started {
			if err := rep.Close(); err != nil {
				t.Errorf("close %s: %v", rep.Name(), err)
			}
		}
	})
	var ids atomic.Uint64
	for i := range top.Services {
		svc := &top.Services[i]
		for n := range svc.Replicas {
			rep := service.New(service.Config{
				Topology: top, Service: svc, Replica: n, Seed: seed,
				Registry: w.reg, Net: w.net, Ledger: w.ledger, EventIDs: &ids,
			})
			if err := rep.Start(ctx); err != nil {
				t.Fatal(err)
			}
			w.replicas[rep.Name()] = rep
			started = append(started, rep)
		}
	}
	w.client = service.NewCaller(service.CallerConfig{From: "client", Wire: top.Wire, Registry: w.reg, Net: w.net, Discovery: disc, Seed: seed})
	t.Cleanup(w.client.Close)
	return w
}

// twoB is one service b with two replicas, called directly by the client.
const twoB = `
entry: b
services:
  - name: b
    replicas: 2
    work: 1ms
`

func listed(reg *registry.Registry, name string) bool {
	for _, ep := range reg.View("b").Endpoints {
		if ep.Name() == name {
			return true
		}
	}
	return false
}

// calls makes n calls to b and returns the replicas that answered and the
// errors of the calls that failed.
func (w *world) calls(ctx context.Context, n int) (answered []int, errs []error) {
	for op := range uint64(n) {
		res, err := w.call(ctx, "b", op+1)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		answered = append(answered, int(res.Replica))
	}
	return answered, errs
}

func TestDetectionDelayKeepsCrashedReplicaListed(t *testing.T) {
	ctx := simtest.Context(t)
	const delay = 2 * time.Second
	w := discoveryWorld(t, ctx, twoB, topologies.Discovery{DetectionDelay: delay})
	w.replicas["b#1"].Crash()
	// Nothing told the registry: round robin still picks the dead replica
	// and those calls fail.
	_, errs := w.calls(ctx, 4)
	if !listed(w.reg, "b#1") {
		t.Fatal("crashed replica dropped at once despite the detection delay")
	}
	if len(errs) != 2 {
		t.Fatalf("%d of 4 calls failed with the dead replica listed, want 2: %v", len(errs), errs)
	}
	for _, err := range errs {
		if connect.CodeOf(err) != connect.CodeUnavailable {
			t.Errorf("call to the dead replica: %v, want unavailable", err)
		}
	}
	// Its heartbeats have stopped: the registry drops it after the delay
	// (polled with a generous bound), and every call then succeeds.
	simtest.Eventually(t, "the crashed replica is dropped", func() bool { return !listed(w.reg, "b#1") })
	if !listed(w.reg, "b#0") {
		t.Fatal("the live replica was dropped too")
	}
	if answered, errs := w.calls(ctx, 4); len(errs) != 0 || slices.Contains(answered, 1) {
		t.Fatalf("after the drop: answered by %v, errors %v", answered, errs)
	}
	// Restarted, it registers again.
	if err := w.replicas["b#1"].Restart(ctx); err != nil {
		t.Fatal(err)
	}
	if !listed(w.reg, "b#1") {
		t.Fatal("restarted replica not registered")
	}
}

func TestRestartBeforeDetectionKeepsEntry(t *testing.T) {
	ctx := simtest.Context(t)
	const delay = 300 * time.Millisecond
	w := discoveryWorld(t, ctx, twoB, topologies.Discovery{DetectionDelay: delay})
	b1 := w.replicas["b#1"]
	b1.Crash()
	if err := b1.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	if !listed(w.reg, "b#1") {
		t.Fatal("entry gone after a restart within the detection delay")
	}
	simtest.Eventually(t, "calls reach the restarted replica", func() bool {
		answered, errs := w.calls(ctx, 2)
		return len(errs) == 0 && slices.Contains(answered, 1)
	})
	// Its heartbeats run again: it outlives the delay.
	time.Sleep(2 * delay)
	simtest.Eventually(t, "the restarted replica stays listed", func() bool { return listed(w.reg, "b#1") })
}

func TestCloseDeregistersAtOnceUnderDetectionDelay(t *testing.T) {
	ctx := simtest.Context(t)
	w := discoveryWorld(t, ctx, twoB, topologies.Discovery{DetectionDelay: time.Hour})
	if err := w.replicas["b#1"].Close(); err != nil {
		t.Fatal(err)
	}
	if listed(w.reg, "b#1") {
		t.Fatal("gracefully closed replica still listed")
	}
	if answered, errs := w.calls(ctx, 4); len(errs) != 0 || slices.Contains(answered, 1) {
		t.Fatalf("after close: answered by %v, errors %v", answered, errs)
	}
	// A crashed replica's stale entry goes too when it is closed.
	w.replicas["b#0"].Crash()
	if !listed(w.reg, "b#0") {
		t.Fatal("crashed replica dropped at once despite the detection delay")
	}
	if err := w.replicas["b#0"].Close(); err != nil {
		t.Fatal(err)
	}
	if listed(w.reg, "b#0") {
		t.Fatal("closed crashed replica still listed")
	}
}

func TestRefreshKeepsStaleListUntilRefreshed(t *testing.T) {
	ctx := simtest.Context(t)
	const refresh = time.Second
	w := discoveryWorld(t, ctx, twoB, topologies.Discovery{Refresh: refresh})
	live := service.NewCaller(service.CallerConfig{From: "live", Wire: w.top.Wire, Registry: w.reg, Net: w.net, Seed: seed})
	t.Cleanup(live.Close)
	// The client's cached list is read at its first call, after fetched.
	fetched := time.Now()
	if _, errs := w.calls(ctx, 2); len(errs) != 0 {
		t.Fatal(errs)
	}
	if err := w.replicas["b#1"].Close(); err != nil {
		t.Fatal(err)
	}
	if listed(w.reg, "b#1") {
		t.Fatal("closed replica still registered")
	}
	// A caller without refresh period sees the registry: b#0 only.
	for op := range uint64(4) {
		res, err := live.Call(ctx, "b", &simv1.HandleRequest{OpId: op + 1})
		if err != nil || res.Replica != 0 {
			t.Fatalf("live caller: %v, %v", res, err)
		}
	}
	// The client keeps its list until it is refresh old: calls started
	// before then alternate, and those to the closed replica fail.
	var stale, failed int
	for time.Since(fetched) < refresh/2 && stale < 6 {
		if _, err := w.call(ctx, "b", 1); err != nil {
			if connect.CodeOf(err) != connect.CodeUnavailable {
				t.Fatalf("call to the closed replica: %v", err)
			}
			failed++
		}
		stale++
	}
	if stale >= 2 && failed == 0 {
		t.Errorf("%d calls on the cached list, none to the closed replica", stale)
	}
	simtest.Eventually(t, "the refreshed list drops the closed replica", func() bool {
		_, errs := w.calls(ctx, 4)
		return len(errs) == 0
	})
	if d := time.Since(fetched); d < refresh {
		t.Errorf("list refreshed after %v, before the refresh period %v", d, refresh)
	}
}

// outlierChain is a→b with two replicas of b: a's caller ejects.
const outlierChain = `
entry: a
services:
  - name: a
    work: 1ms
    calls: [b]
  - name: b
    replicas: 2
    work: 1ms
`

func TestOutlierEjectionByReplicaCaller(t *testing.T) {
	ctx := simtest.Context(t)
	const ejectFor = time.Second
	w := discoveryWorld(t, ctx, outlierChain, topologies.Discovery{
		Outlier: &topologies.Outlier{ConsecutiveFailures: 3, EjectFor: ejectFor},
	})
	a := w.replicas["a#0"]
	w.replicas["b#1"].SetErrorRate(1)
	// a's calls alternate; every one to b#1 fails. The third failure in a
	// row ejects it; started is when the call that ejected it began.
	var failures int
	var started time.Time
	for op := uint64(1); failures < 3; op++ {
		start := time.Now()
		if _, err := w.call(ctx, "a", op); err != nil {
			if connect.CodeOf(err) != connect.CodeInternal {
				t.Fatalf("call failed with %v, want b#1's injected internal error", err)
			}
			failures++
			started = start
		}
		if op > 10 {
			t.Fatal("b#1 never failed")
		}
	}
	if n := a.Ejections(); n != 1 {
		t.Fatalf("a#0 ejected %d times after 3 failures in a row, want 1", n)
	}
	// While ejected, b#1 gets no call: every call succeeds, through b#0.
	for op := uint64(100); time.Since(started) < ejectFor/2 && op < 120; op++ {
		res, err := w.call(ctx, "a", op)
		if err != nil {
			t.Fatalf("call during the ejection: %v", err)
		}
		if res.Hops != 2 {
			t.Fatalf("response %v", res)
		}
	}
	// After EjectFor it is picked again (and fails again).
	simtest.Eventually(t, "b#1 is called again after the ejection", func() bool {
		_, err := w.call(ctx, "a", 200)
		return err != nil
	})
	if d := time.Since(started); d < ejectFor {
		t.Errorf("ejected replica called again %v after the ejection, before EjectFor %v", d, ejectFor)
	}
	simtest.Eventually(t, "b#1 is ejected again", func() bool {
		w.call(ctx, "a", 300)
		return a.Ejections() == 2
	})
}

func TestOutlierNeverFailsForEjectionAlone(t *testing.T) {
	ctx := simtest.Context(t)
	w := discoveryWorld(t, ctx, twoB, topologies.Discovery{
		Outlier: &topologies.Outlier{ConsecutiveFailures: 1, EjectFor: time.Hour},
	})
	for _, r := range []string{"b#0", "b#1"} {
		w.replicas[r].SetErrorRate(1)
	}
	for op := range uint64(6) {
		_, err := w.call(ctx, "b", op+1)
		// Both replicas ejected: calls still go to them and get their
		// error, never a "no replica" one.
		var ce *connect.Error
		if !errors.As(err, &ce) || ce.Code() != connect.CodeInternal {
			t.Fatalf("call %d: %v, want the replicas' internal error", op, err)
		}
	}
	if n := w.client.Ejections(); n != 2 {
		t.Errorf("%d ejections, want one per replica", n)
	}
}
