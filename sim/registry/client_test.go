package registry

import (
	"slices"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/sim/simtest"
	"github.com/faultline-sim/faultline/topologies"
)

// three returns a registry with replicas 0, 1, 2 of service "s".
func three() *Registry {
	r := New(Config{})
	for i, addr := range []string{"127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"} {
		r.Register(Endpoint{Service: "s", Replica: i, Addr: addr})
	}
	return r
}

// picks returns the replicas of n picks, each done with o at once.
func picks(c *Client, n int, o Outcome) []int {
	var out []int
	for range n {
		p, ok := c.Pick("s")
		if !ok {
			panic("no replica")
		}
		out = append(out, p.Endpoint.Replica)
		p.Done(o)
	}
	return out
}

func TestClientRoundRobinPerCaller(t *testing.T) {
	r := three()
	a := NewClient(ClientConfig{Registry: r, Name: "a", Seed: 1})
	b := NewClient(ClientConfig{Registry: r, Name: "b", Discovery: topologies.Discovery{Balancer: topologies.BalanceRoundRobin}, Seed: 1})
	want := []int{0, 1, 2, 0, 1, 2}
	// Each caller turns on its own: a's calls do not move b's turn.
	if got := picks(a, 6, Succeeded); !slices.Equal(got, want) {
		t.Errorf("a picked %v, want %v", got, want)
	}
	if got := picks(b, 6, Succeeded); !slices.Equal(got, want) {
		t.Errorf("b picked %v, want %v", got, want)
	}
}

func TestClientLeastOutstanding(t *testing.T) {
	r := three()
	c := NewClient(ClientConfig{Registry: r, Name: "a", Discovery: topologies.Discovery{Balancer: topologies.BalanceLeastOutstanding}, Seed: 1})
	// Idle replicas tie: round robin.
	if got := picks(c, 6, Succeeded); !slices.Equal(got, []int{0, 1, 2, 0, 1, 2}) {
		t.Errorf("idle picks %v, want round robin", got)
	}
	// Hold two calls on one replica and one on another: the third gets
	// the next call, then the one with a single call.
	held := map[int]int{}
	var pending []Pick
	for range 3 {
		p, _ := c.Pick("s")
		held[p.Endpoint.Replica]++
		pending = append(pending, p)
	}
	if len(held) != 3 {
		t.Fatalf("three held calls went to %v, want one each", held)
	}
	pending[0].Done(Succeeded)
	idle := pending[0].Endpoint.Replica
	for _, got := range picks(c, 5, Succeeded) {
		if got != idle {
			t.Fatalf("picked %d holding a call, want idle %d", got, idle)
		}
	}
	for _, p := range pending[1:] {
		p.Done(Succeeded)
	}
	// Another caller's calls are not this caller's: it sees all idle.
	other := NewClient(ClientConfig{Registry: r, Name: "b", Discovery: topologies.Discovery{Balancer: topologies.BalanceLeastOutstanding}, Seed: 1})
	p, _ := c.Pick("s")
	if got := picks(other, 3, Succeeded); !slices.Equal(got, []int{0, 1, 2}) {
		t.Errorf("other caller picked %v, want round robin over idle replicas", got)
	}
	p.Done(Succeeded)
}

func TestClientP2CDeterministicAndPrefersLessLoaded(t *testing.T) {
	r := three()
	disc := topologies.Discovery{Balancer: topologies.BalanceP2C}
	a := picks(NewClient(ClientConfig{Registry: r, Name: "gateway", Discovery: disc, Seed: 42}), 50, Succeeded)
	b := picks(NewClient(ClientConfig{Registry: r, Name: "gateway", Discovery: disc, Seed: 42}), 50, Succeeded)
	if !slices.Equal(a, b) {
		t.Fatalf("same seed and name, different picks:\n%v\n%v", a, b)
	}
	if c := picks(NewClient(ClientConfig{Registry: r, Name: "gateway", Discovery: disc, Seed: 43}), 50, Succeeded); slices.Equal(a, c) {
		t.Error("another seed gave the same 50 picks")
	}
	if c := picks(NewClient(ClientConfig{Registry: r, Name: "order#0", Discovery: disc, Seed: 42}), 50, Succeeded); slices.Equal(a, c) {
		t.Error("another caller name gave the same 50 picks")
	}
	for i := range 3 {
		if !slices.Contains(a, i) {
			t.Errorf("replica %d never picked in %v", i, a)
		}
	}
	// A replica holding a call loses every draw it is in.
	c := NewClient(ClientConfig{Registry: r, Name: "gateway", Discovery: disc, Seed: 42})
	held, _ := c.Pick("s")
	for _, got := range picks(c, 30, Succeeded) {
		if got == held.Endpoint.Replica {
			t.Fatalf("picked replica %d holding a call while others are idle", got)
		}
	}
	held.Done(Succeeded)
}

func TestClientOutlierEjection(t *testing.T) {
	r := New(Config{})
	r.Register(Endpoint{Service: "s", Replica: 0, Addr: "127.0.0.1:1"})
	r.Register(Endpoint{Service: "s", Replica: 1, Addr: "127.0.0.1:2"})
	c := NewClient(ClientConfig{Registry: r, Name: "a", Discovery: topologies.Discovery{Outlier: &topologies.Outlier{ConsecutiveFailures: 3, EjectFor: time.Hour}}, Seed: 1})
	// Replica 1 fails; a success between failures resets its count.
	fail := func(rep int, o Outcome) {
		for {
			p, _ := c.Pick("s")
			if p.Endpoint.Replica == rep {
				p.Done(o)
				return
			}
			p.Done(Succeeded)
		}
	}
	fail(1, Failed)
	fail(1, Failed)
	fail(1, Succeeded)
	fail(1, Failed)
	fail(1, Ignored)
	fail(1, Failed)
	if c.Ejections() != 0 {
		t.Fatalf("%d ejections after 2 failures in a row", c.Ejections())
	}
	fail(1, Failed)
	if c.Ejections() != 1 {
		t.Fatalf("%d ejections after 3 failures in a row, want 1", c.Ejections())
	}
	for _, got := range picks(c, 10, Succeeded) {
		if got != 1 {
			continue
		}
		t.Fatal("ejected replica picked while another is eligible")
	}
	// Every replica ejected: pick among all rather than fail.
	for range 3 {
		p, _ := c.Pick("s")
		p.Done(Failed)
	}
	if c.Ejections() != 2 {
		t.Fatalf("%d ejections, want 2", c.Ejections())
	}
	got := picks(c, 4, Ignored)
	if slices.Sort(got); !slices.Equal(got, []int{0, 0, 1, 1}) {
		t.Errorf("all ejected: picked %v, want round robin over all", got)
	}
}

func TestClientEjectionEnds(t *testing.T) {
	r := three()
	const ejectFor = 50 * time.Millisecond
	c := NewClient(ClientConfig{Registry: r, Name: "a", Discovery: topologies.Discovery{Outlier: &topologies.Outlier{ConsecutiveFailures: 1, EjectFor: ejectFor}}, Seed: 1})
	p, _ := c.Pick("s")
	p.Done(Failed)
	ejected := time.Now()
	simtest.Eventually(t, "the ejected replica is picked again", func() bool {
		for _, got := range picks(c, 3, Succeeded) {
			if got == p.Endpoint.Replica {
				if time.Since(ejected) < ejectFor {
					t.Fatalf("ejected replica picked before EjectFor")
				}
				return true
			}
		}
		return false
	})
}

func TestClientRefresh(t *testing.T) {
	r := New(Config{})
	r.Register(Endpoint{Service: "s", Replica: 0, Addr: "127.0.0.1:1"})
	live := NewClient(ClientConfig{Registry: r, Name: "a", Seed: 1})
	cached := NewClient(ClientConfig{Registry: r, Name: "b", Discovery: topologies.Discovery{Refresh: time.Hour}, Seed: 1})
	picks(live, 1, Succeeded)
	picks(cached, 1, Succeeded)
	r.Register(Endpoint{Service: "s", Replica: 1, Addr: "127.0.0.1:2"})
	r.Deregister("s", 0)
	if got := picks(live, 2, Succeeded); !slices.Equal(got, []int{1, 1}) {
		t.Errorf("without refresh period picked %v, want the registry's replica 1", got)
	}
	// The cached list is an hour old at most: replica 0, dropped, is
	// still picked, and replica 1 not yet.
	if got := picks(cached, 2, Succeeded); !slices.Equal(got, []int{0, 0}) {
		t.Errorf("cached list picked %v, want the stale replica 0", got)
	}
	if ep, ok := cached.Lookup("127.0.0.1:1"); !ok || ep.Replica != 0 {
		t.Errorf("client Lookup of the stale replica: %v %v", ep, ok)
	}
	short := NewClient(ClientConfig{Registry: r, Name: "c", Discovery: topologies.Discovery{Refresh: time.Millisecond}, Seed: 1})
	picks(short, 1, Succeeded)
	r.Register(Endpoint{Service: "s", Replica: 2, Addr: "127.0.0.1:3"})
	simtest.Eventually(t, "the refreshed list has replica 2", func() bool {
		return slices.Contains(picks(short, 2, Succeeded), 2)
	})
}

func TestClientEmptyService(t *testing.T) {
	c := NewClient(ClientConfig{Registry: New(Config{}), Name: "a", Discovery: topologies.Discovery{Balancer: topologies.BalanceP2C}, Seed: 1})
	if _, ok := c.Pick("none"); ok {
		t.Fatal("picked a replica of a service with none")
	}
}

func BenchmarkPick(b *testing.B) {
	outlier := &topologies.Outlier{ConsecutiveFailures: 5, EjectFor: time.Second}
	for _, bc := range []struct {
		name string
		disc topologies.Discovery
	}{
		{"round_robin", topologies.Discovery{}},
		{"least_outstanding", topologies.Discovery{Balancer: topologies.BalanceLeastOutstanding}},
		{"p2c", topologies.Discovery{Balancer: topologies.BalanceP2C}},
		{"p2c+refresh+outlier", topologies.Discovery{Balancer: topologies.BalanceP2C, Refresh: time.Second, Outlier: outlier}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r := three()
			c := NewClient(ClientConfig{Registry: r, Name: "a", Discovery: bc.disc, Seed: 1})
			b.ReportAllocs()
			for b.Loop() {
				p, _ := c.Pick("s")
				p.Done(Succeeded)
			}
		})
	}
}
