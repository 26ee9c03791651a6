package faults

import (
	"errors"
	"io"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/sim/simtest"
)

// Written bytes are held, not lost, and flow in order on removal.
func TestBlackholeHoldsAndReleasesInOrder(t *testing.T) {
	n := NewNet()
	remove := n.Apply(hold("a", "b", false))
	c, peer := pipeConn(t, n, Link{"a#0", "b#0"})
	for _, m := range []string{"one,", "two,", "three"} {
		if _, err := c.Write([]byte(m)); err != nil {
			t.Fatal(err)
		}
	}
	// Write returned, so the bytes are in the line; the pump cannot move
	// them while the rule holds.
	if got := c.queued(Outbound); got != 13 {
		t.Fatalf("held %d bytes, want 13", got)
	}
	peer.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	if k, err := peer.Read(make([]byte, 1)); k != 0 || !isTimeout(err) {
		t.Fatalf("peer read %d, %v while held; want a timeout", k, err)
	}
	peer.SetReadDeadline(time.Time{})
	got := readAsync(peer, 13)
	remove()
	remove() // idempotent
	if r := <-got; r.err != nil || string(r.b) != "one,two,three" {
		t.Fatalf("after removal peer read %q, %v", r.b, r.err)
	}
}

// The peer's bytes and its EOF are held inbound, and delivered in order
// after removal.
func TestBlackholeHoldsEOF(t *testing.T) {
	n := NewNet()
	c, peer := tcpConn(t, n, Link{"a", "b"}) // dial first: a blackhole blocks dials
	remove := n.Apply(hold("b", "a", false)) // b→a: the reads of an a→b conn
	if _, err := peer.Write([]byte("last words")); err != nil {
		t.Fatal(err)
	}
	peer.Close()
	simtest.Eventually(t, "the bytes and the EOF are held", func() bool {
		l := c.lines[Inbound]
		l.mu.Lock()
		defer l.mu.Unlock()
		return l.ended && l.q.size == 10
	})
	c.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	if k, err := c.Read(make([]byte, 16)); k != 0 || !isTimeout(err) {
		t.Fatalf("read %d, %v while held; want a timeout", k, err)
	}
	c.SetReadDeadline(time.Time{})
	remove()
	b, err := io.ReadAll(c)
	if err != nil || string(b) != "last words" {
		t.Fatalf("after removal read %q, %v; want the bytes then EOF", b, err)
	}
	if k, err := c.Read(make([]byte, 1)); k != 0 || err != io.EOF {
		t.Fatalf("read after EOF: %d, %v", k, err)
	}
}

// A write blocked on a full line honours its deadline and reports how much
// it queued.
func TestBlackholeWriteDeadlineWhenFull(t *testing.T) {
	n := NewNet()
	n.limit = 1024
	defer n.Apply(hold("a", "b", false))()
	c, _ := pipeConn(t, n, Link{"a", "b"})
	c.SetWriteDeadline(time.Now().Add(20 * time.Millisecond))
	k, err := c.Write(make([]byte, 4096))
	if k != 1024 || !isTimeout(err) {
		t.Fatalf("write = %d, %v; want 1024 and a timeout", k, err)
	}
	// An expired deadline fails at once, before queueing, as a real conn.
	if k, err := c.Write([]byte("x")); k != 0 || !isTimeout(err) {
		t.Fatalf("write after deadline = %d, %v", k, err)
	}
}

// Changing the deadline wakes a Read waiting on held bytes.
func TestBlackholeDeadlineChangeWakesRead(t *testing.T) {
	n := NewNet()
	defer n.Apply(hold("a", "b", true))()
	c, _ := pipeConn(t, n, Link{"a", "b"})
	got := readAsync(c, 1)
	simtest.Eventually(t, "the inbound pump runs", func() bool { return attached(c, Inbound) })
	c.SetReadDeadline(time.Now().Add(-time.Second))
	if r := <-got; !isTimeout(r.err) {
		t.Fatalf("read = %q, %v; want a timeout", r.b, r.err)
	}
}

// Events tell when bytes stopped and started flowing.
func TestBlackholeEvents(t *testing.T) {
	n := NewNet()
	var mu sync.Mutex
	var evs []Event
	n.OnEvent(func(e Event) { mu.Lock(); evs = append(evs, e); mu.Unlock() })
	c, peer := pipeConn(t, n, Link{"a#0", "b#0"})
	before := time.Now()
	remove := n.Apply(hold("a", "b", true))
	mu.Lock()
	if len(evs) != 0 {
		t.Fatalf("events before any byte was held: %v", evs)
	}
	mu.Unlock()
	c.Write([]byte("x"))
	got := readAsync(peer, 1)
	remove()
	if r := <-got; r.err != nil {
		t.Fatal(r.err)
	}
	mu.Lock()
	defer mu.Unlock()
	kinds := make([]EventKind, len(evs))
	for i, e := range evs {
		kinds[i] = e.Kind
		if e.Link != c.Link() || e.Dir != Outbound || e.At.Before(before) {
			t.Errorf("event %d = %+v", i, e)
		}
	}
	if !slices.Equal(kinds, []EventKind{EventHeld, EventReleased}) {
		t.Fatalf("events %v, want held then released", kinds)
	}
}

// A blackhole on a conn whose peer is gone still fails writes once
// released, and an error is not mistaken for a timeout.
func TestBlackholeReleaseToClosedPeer(t *testing.T) {
	n := NewNet()
	remove := n.Apply(hold("a", "b", false))
	c, peer := pipeConn(t, n, Link{"a", "b"})
	c.Write([]byte("lost"))
	peer.Close()
	remove()
	simtest.Eventually(t, "the failed write is reported", func() bool {
		_, err := c.Write([]byte("x"))
		return err != nil && !isTimeout(err) && !errors.Is(err, errRetired)
	})
}
