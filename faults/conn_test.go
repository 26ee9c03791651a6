package faults

import (
	"errors"
	"net"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/sim/simtest"
)

// Close interrupts a Read blocked in the real connection (no fault) and
// one waiting on held bytes (fault); both report net.ErrClosed.
func TestCloseInterruptsRead(t *testing.T) {
	for _, faulty := range []bool{false, true} {
		n := NewNet()
		c, _ := tcpConn(t, n, Link{"a", "b"})
		if faulty {
			defer n.Apply(hold("a", "b", true))()
		}
		got := readAsync(c, 1)
		c.Close()
		if r := <-got; !errors.Is(r.err, net.ErrClosed) {
			t.Fatalf("faulty=%v: read after close = %v", faulty, r.err)
		}
		if _, err := c.Write([]byte("x")); !errors.Is(err, net.ErrClosed) {
			t.Fatalf("faulty=%v: write after close = %v, want net.ErrClosed", faulty, err)
		}
	}
}

// Close interrupts a Write blocked on a full line.
func TestCloseInterruptsWrite(t *testing.T) {
	n := NewNet()
	n.limit = 16
	defer n.Apply(hold("a", "b", false))()
	c, _ := pipeConn(t, n, Link{"a", "b"})
	done := make(chan error, 1)
	go func() { _, err := c.Write(make([]byte, 64)); done <- err }()
	simtest.Eventually(t, "the line is full", func() bool { return c.queued(Outbound) == 16 })
	c.Close()
	if err := <-done; !errors.Is(err, net.ErrClosed) {
		t.Fatalf("write = %v, want net.ErrClosed", err)
	}
}

// A fault applied while a Read is blocked in the real connection takes
// effect for the bytes that arrive next: the blocked Read is moved onto the
// line, so the held byte is not delivered.
func TestApplyWhileReadBlocked(t *testing.T) {
	n := NewNet()
	c, peer := tcpConn(t, n, Link{"a", "b"})
	got := readAsync(c, 2)
	remove := n.Apply(hold("b", "a", false))
	if _, err := peer.Write([]byte("hi")); err != nil {
		t.Fatal(err)
	}
	simtest.Eventually(t, "the bytes are held", func() bool { return c.queued(Inbound) == 2 })
	select {
	case r := <-got:
		t.Fatalf("read %q, %v while held", r.b, r.err)
	default:
	}
	remove()
	if r := <-got; r.err != nil || string(r.b) != "hi" {
		t.Fatalf("after removal read %q, %v", r.b, r.err)
	}
}

// The wrapper keeps a user's deadline across attaching and detaching a
// line, and a deadline error from attaching is never seen by the user.
func TestDeadlineSurvivesAttachDetach(t *testing.T) {
	n := NewNet()
	c, peer := tcpConn(t, n, Link{"a", "b"})
	c.SetReadDeadline(time.Now().Add(time.Hour))
	got := readAsync(c, 3)
	remove := n.Apply(LinkRule{Match: LinkSpec{From: "a", To: "b", Both: true}, Latency: LatencySpec{Mean: time.Millisecond}})
	remove()
	peer.Write([]byte("abc"))
	if r := <-got; r.err != nil || string(r.b) != "abc" {
		t.Fatalf("read %q, %v", r.b, r.err)
	}
	simtest.Eventually(t, "both directions detach", func() bool {
		c.SetReadDeadline(time.Now().Add(-time.Second))
		_, err := c.Read(make([]byte, 1))
		return isTimeout(err) && !attached(c, Inbound) && !attached(c, Outbound)
	})
}

// Reset closes every matching connection once, whatever its faults.
func TestResetClosesFaultyConns(t *testing.T) {
	n := NewNet()
	defer n.Apply(hold("*", "*", true))()
	a, _ := pipeConn(t, n, Link{"order#0", "payment#0"})
	b, _ := pipeConn(t, n, Link{"order#1", "payment#1"})
	c, _ := pipeConn(t, n, Link{"order#0", "broker"})
	a.Write([]byte("held"))
	if got := n.Reset(Link{From: "order", To: "payment"}); got != 2 {
		t.Fatalf("reset %d, want 2", got)
	}
	for _, x := range []*Conn{a, b} {
		if _, err := x.Read(make([]byte, 1)); !errors.Is(err, net.ErrClosed) {
			t.Fatalf("%v: read after reset = %v", x.Link(), err)
		}
	}
	if got := n.Conns(Link{}); len(got) != 1 || got[0] != c {
		t.Fatalf("left %v, want only %v", got, c.Link())
	}
}
