package registry

import "testing"

func TestRoundRobinAndDeregister(t *testing.T) {
	r := New(Config{})
	if _, ok := r.Next("payment"); ok {
		t.Fatal("Next on an empty service reported a replica")
	}
	for i, addr := range []string{"127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"} {
		r.Register(Endpoint{Service: "payment", Replica: i, Addr: addr})
	}
	counts := map[int]int{}
	for range 30 {
		ep, ok := r.Next("payment")
		if !ok {
			t.Fatal("no replica")
		}
		counts[ep.Replica]++
	}
	for i := range 3 {
		if counts[i] != 10 {
			t.Fatalf("replica %d picked %d times of 30, want 10 (%v)", i, counts[i], counts)
		}
	}
	r.Deregister("payment", 1)
	for range 10 {
		if ep, _ := r.Next("payment"); ep.Replica == 1 {
			t.Fatal("deregistered replica still picked")
		}
	}
	if _, ok := r.Lookup("127.0.0.1:2"); ok {
		t.Fatal("Lookup finds a deregistered address")
	}
	ep, ok := r.Lookup("127.0.0.1:3")
	if !ok || ep.Name() != "payment#2" || ep.URL != "http://127.0.0.1:3" {
		t.Fatalf("Lookup = %+v, %v", ep, ok)
	}
	// Re-registering a replica replaces its old address.
	r.Register(Endpoint{Service: "payment", Replica: 2, Addr: "127.0.0.1:9"})
	if _, ok := r.Lookup("127.0.0.1:3"); ok {
		t.Fatal("old address of a re-registered replica still found")
	}
	if got := len(r.Endpoints("payment")); got != 2 {
		t.Fatalf("%d endpoints, want 2", got)
	}
}

func BenchmarkNext(b *testing.B) {
	r := New(Config{})
	r.Register(Endpoint{Service: "s", Replica: 0, Addr: "a"})
	r.Register(Endpoint{Service: "s", Replica: 1, Addr: "b"})
	b.ReportAllocs()
	for b.Loop() {
		r.Next("s")
	}
}
