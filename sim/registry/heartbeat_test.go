package registry

import (
	"testing"
	"time"

	"github.com/faultline-sim/faultline/sim/simtest"
)

func listed(r *Registry, service string, replica int) bool {
	for _, ep := range r.View(service).Endpoints {
		if ep.Replica == replica {
			return true
		}
	}
	return false
}

func TestLostWithoutDelayDeregistersAtOnce(t *testing.T) {
	r := New(Config{})
	defer r.Close()
	s := r.Join(Endpoint{Service: "b", Replica: 0, Addr: "127.0.0.1:1"})
	if !listed(r, "b", 0) {
		t.Fatal("joined replica not listed")
	}
	s.Lost()
	if listed(r, "b", 0) {
		t.Fatal("lost replica still listed without a detection delay")
	}
	if _, ok := r.Lookup("127.0.0.1:1"); ok {
		t.Fatal("Lookup finds a lost replica")
	}
}

func TestLostEntryExpiresAfterDetectionDelay(t *testing.T) {
	const delay = 200 * time.Millisecond
	r := New(Config{DetectionDelay: delay})
	defer r.Close()
	live := r.Join(Endpoint{Service: "b", Replica: 0, Addr: "127.0.0.1:1"})
	defer live.Leave()
	// Every heartbeat of the lost replica is after joined, so the registry
	// cannot drop it before joined+delay.
	joined := time.Now()
	dead := r.Join(Endpoint{Service: "b", Replica: 1, Addr: "127.0.0.1:2"})
	dead.Lost()
	// Its heartbeats have stopped, but nothing told the registry.
	if !listed(r, "b", 1) && time.Since(joined) <= delay {
		t.Fatal("lost replica dropped before the detection delay")
	}
	simtest.Eventually(t, "the stale entry expires", func() bool { return !listed(r, "b", 1) })
	if d := time.Since(joined); d <= delay {
		t.Fatalf("stale entry dropped %v after it joined, before the detection delay %v", d, delay)
	}
	// The live replica's heartbeats kept it listed all along.
	if !listed(r, "b", 0) {
		t.Fatal("heartbeating replica expired")
	}
	if _, ok := r.Lookup("127.0.0.1:2"); ok {
		t.Fatal("Lookup finds an expired replica")
	}
}

func TestLeaveDeregistersAtOnceUnderDelay(t *testing.T) {
	r := New(Config{DetectionDelay: time.Hour})
	defer r.Close()
	s := r.Join(Endpoint{Service: "b", Replica: 0, Addr: "127.0.0.1:1"})
	s.Leave()
	s.Leave() // idempotent
	if listed(r, "b", 0) {
		t.Fatal("replica still listed after Leave")
	}
}

func TestRejoinBeforeExpiryKeepsEntry(t *testing.T) {
	r := New(Config{DetectionDelay: time.Hour})
	defer r.Close()
	ep := Endpoint{Service: "b", Replica: 0, Addr: "127.0.0.1:1"}
	r.Join(ep).Lost()
	before := r.View("b")
	s := r.Join(ep)
	defer s.Leave()
	if got := r.View("b").Endpoints; len(got) != 1 || got[0] != before.Endpoints[0] {
		t.Fatalf("after rejoin %v, want the one entry %v", got, before.Endpoints)
	}
}

// A live replica whose entry was dropped (its heartbeats were late) is
// registered again by its next heartbeat.
func TestHeartbeatRegistersExpiredEntryAgain(t *testing.T) {
	const delay = 100 * time.Millisecond
	r := New(Config{DetectionDelay: delay})
	defer r.Close()
	s := r.Join(Endpoint{Service: "b", Replica: 0, Addr: "127.0.0.1:1"})
	defer s.Leave()
	r.sweep(time.Now().Add(2 * delay))
	if listed(r, "b", 0) {
		t.Fatal("sweep in the future kept the entry")
	}
	simtest.Eventually(t, "the next heartbeat registers the replica again", func() bool { return listed(r, "b", 0) })
}

func TestCloseStopsHeartbeats(t *testing.T) {
	r := New(Config{DetectionDelay: 10 * time.Millisecond})
	r.Join(Endpoint{Service: "b", Replica: 0, Addr: "127.0.0.1:1"})
	r.Close()
	r.Close()
	// Joining a closed registry registers without starting heartbeats.
	r.Join(Endpoint{Service: "b", Replica: 1, Addr: "127.0.0.1:2"}).Lost()
	// goleak (TestMain) checks that no goroutine is left.
}
