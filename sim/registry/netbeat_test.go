package registry

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/sim/simtest"
)

// changes records a registry's membership changes.
type changes struct {
	mu  sync.Mutex
	all []Change
}

func (c *changes) add(ch Change) { c.mu.Lock(); c.all = append(c.all, ch); c.mu.Unlock() }

// of returns the changes of replica name, in order.
func (c *changes) of(name string) []Change {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []Change
	for _, ch := range c.all {
		if ch.Name() == name {
			out = append(out, ch)
		}
	}
	return out
}

// faultyRegistry returns a registry with detection delay whose sessions
// dial it through a fault layer, and its membership log.
func faultyRegistry(t *testing.T, delay time.Duration) (*Registry, *faults.Net, *changes) {
	t.Helper()
	r := New(Config{DetectionDelay: delay})
	t.Cleanup(r.Close)
	if r.Err() != nil || r.Addr() == "" {
		t.Fatalf("registry does not listen: %v", r.Err())
	}
	n := faults.NewNet()
	r.SetDialer(func(ctx context.Context, from, addr string) (net.Conn, error) {
		return n.Dial(ctx, faults.Link{From: from, To: faults.EndpointRegistry}, "tcp", addr)
	})
	log := &changes{}
	r.OnChange(log.add)
	return r, n, log
}

// A replica the fault layer cuts from the registry — a partition, or a
// pause that holds its bytes both ways — stops heartbeating: it leaves the
// registry after the detection delay, while the other replica stays, and
// its next heartbeat after the heal registers it again.
func TestCutReplicaLeavesAndComesBack(t *testing.T) {
	const delay = 300 * time.Millisecond
	for _, tc := range []struct {
		name string
		cut  func(n *faults.Net) (heal func())
	}{
		{"partition", func(n *faults.Net) func() { return n.Partition([][]string{{"b#0"}, {"*"}}) }},
		{"pause", func(n *faults.Net) func() {
			return n.Apply(faults.LinkRule{Match: faults.LinkSpec{From: "*", To: "b#0", Both: true}, Blackhole: true})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, n, log := faultyRegistry(t, delay)
			s0 := r.Join(Endpoint{Service: "b", Replica: 0, Addr: "127.0.0.1:1"})
			defer s0.Leave()
			s1 := r.Join(Endpoint{Service: "b", Replica: 1, Addr: "127.0.0.1:2"})
			defer s1.Leave()
			simtest.Eventually(t, "b#0 heartbeats over a connection", func() bool {
				return len(n.Conns(faults.Link{From: "b#0", To: faults.EndpointRegistry})) == 1
			})
			cutAt := time.Now()
			heal := tc.cut(n)
			simtest.Eventually(t, "the cut replica leaves the registry", func() bool { return !listed(r, "b", 0) })
			// Its last heartbeat arrived at most one period before the
			// cut, so the registry cannot drop it sooner than this.
			if d := time.Since(cutAt); d < delay-r.beatEvery() {
				t.Fatalf("dropped %v after the cut, before the detection delay %v", d, delay)
			}
			if !listed(r, "b", 1) {
				t.Fatal("the replica that was not cut left too")
			}
			healAt := time.Now()
			heal()
			simtest.Eventually(t, "the replica comes back after the heal", func() bool { return listed(r, "b", 0) })
			got := log.of("b#0")
			if len(got) != 3 || !got[0].Joined || got[1].Joined || !got[1].Expired || !got[2].Joined || got[2].At.Before(healAt) {
				t.Fatalf("b#0 membership changes %+v, want its join, one expiry, then one join after the heal", got)
			}
			if c := log.of("b#1"); len(c) != 1 || !c[0].Joined {
				t.Fatalf("b#1 membership changes %+v, want only its join", c)
			}
		})
	}
}

// A broken heartbeat connection is dialed again: after the fault layer
// resets it, the replica keeps its entry.
func TestHeartbeatRedialsAfterReset(t *testing.T) {
	const delay = 300 * time.Millisecond
	r, n, log := faultyRegistry(t, delay)
	s := r.Join(Endpoint{Service: "b", Replica: 0, Addr: "127.0.0.1:1"})
	defer s.Leave()
	link := faults.Link{From: "b#0", To: faults.EndpointRegistry}
	simtest.Eventually(t, "a heartbeat connection", func() bool { return len(n.Conns(link)) == 1 })
	first := n.Conns(link)[0]
	n.Reset(link)
	simtest.Eventually(t, "a new heartbeat connection", func() bool {
		c := n.Conns(link)
		return len(c) == 1 && c[0] != first
	})
	// Several detection delays pass with heartbeats flowing again.
	time.Sleep(3 * delay)
	if !listed(r, "b", 0) || len(log.of("b#0")) != 1 {
		t.Fatalf("listed=%v changes=%+v after a reset, want the replica kept", listed(r, "b", 0), log.of("b#0"))
	}
}

// A heartbeat write that cannot complete (the peer never reads) gives up
// at its deadline, the connection is dropped and dialed again, and Close
// still returns with every goroutine gone (goleak, TestMain).
func TestHeartbeatWriteHasDeadline(t *testing.T) {
	r := New(Config{DetectionDelay: 100 * time.Millisecond})
	var mu sync.Mutex
	var peers []net.Conn
	r.SetDialer(func(ctx context.Context, from, addr string) (net.Conn, error) {
		a, b := net.Pipe() // synchronous: a write blocks until b reads, and nobody does
		mu.Lock()
		peers = append(peers, b)
		mu.Unlock()
		return a, nil
	})
	s := r.Join(Endpoint{Service: "b", Replica: 0, Addr: "127.0.0.1:1"})
	simtest.Eventually(t, "a blocked heartbeat write times out and the session dials again", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(peers) >= 2
	})
	s.Lost()
	r.Close()
	mu.Lock()
	for _, p := range peers {
		p.Close()
	}
	mu.Unlock()
}
