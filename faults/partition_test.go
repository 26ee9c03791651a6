package faults

import (
	"context"
	"errors"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/sim/simtest"
)

// A dial across a partition hangs until the caller's deadline and fails
// as a timeout, not a refusal; dials within a group, or from outside every
// group, go through.
func TestPartitionBlocksDialsAcrossGroups(t *testing.T) {
	addr := listen(t)
	n := NewNet()
	heal := n.Partition([][]string{{"order", "payment#0"}, {"payment#1", "broker"}})
	defer heal()
	dial := func(from, to string) error {
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Millisecond)
		defer cancel()
		c, err := n.Dial(ctx, Link{from, to}, "tcp", addr)
		if err == nil {
			c.Close()
		}
		return err
	}
	for _, l := range []Link{{"order#0", "payment#1"}, {"payment#0", "broker"}, {"broker", "order#3"}} {
		err := dial(l.From, l.To)
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() || !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, syscall.ECONNREFUSED) {
			t.Fatalf("%v: dial = %v, want a timeout", l, err)
		}
	}
	for _, l := range []Link{{"order#0", "payment#0"}, {"payment#1", "broker"}, {"gateway", "broker"}, {"order#0", "gateway"}} {
		if err := dial(l.From, l.To); err != nil {
			t.Fatalf("%v: dial = %v, want it to connect", l, err)
		}
	}
}

// A dial waiting on a partition proceeds once it heals.
func TestPartitionHealReleasesDial(t *testing.T) {
	addr := listen(t)
	n := NewNet()
	heal := n.Partition([][]string{{"a"}, {"b"}})
	done := make(chan error, 1)
	go func() {
		c, err := n.Dial(t.Context(), Link{"a#0", "b#0"}, "tcp", addr)
		if err == nil {
			c.Close()
		}
		done <- err
	}()
	heal()
	heal()
	if err := <-done; err != nil {
		t.Fatalf("dial after heal = %v", err)
	}
}

// Bytes between groups are held both ways and flow in order after heal;
// bytes within a group are not.
func TestPartitionHoldsBothWays(t *testing.T) {
	n := NewNet()
	across, acrossPeer := pipeConn(t, n, Link{"a#0", "b#0"})
	within, withinPeer := pipeConn(t, n, Link{"a#0", "a#1"})
	heal := n.Partition([][]string{{"a#0", "a#1"}, {"b"}})
	across.Write([]byte("ping"))
	go acrossPeer.Write([]byte("pong"))
	simtest.Eventually(t, "both ways are held", func() bool {
		return across.queued(Outbound) == 4 && across.queued(Inbound) == 4
	})
	go within.Write([]byte("ok"))
	if b, err := io.ReadAll(io.LimitReader(withinPeer, 2)); err != nil || string(b) != "ok" {
		t.Fatalf("within a group read %q, %v", b, err)
	}
	out := readAsync(acrossPeer, 4)
	heal()
	if r := <-out; r.err != nil || string(r.b) != "ping" {
		t.Fatalf("after heal peer read %q, %v", r.b, r.err)
	}
	if r := <-readAsync(across, 4); r.err != nil || string(r.b) != "pong" {
		t.Fatalf("after heal read %q, %v", r.b, r.err)
	}
}

func TestGroupOf(t *testing.T) {
	groups := [][]string{{"payment"}, {"payment#1", "*"}}
	for name, want := range map[string]int{"payment#0": 0, "payment#1": 1, "order#0": 1, "broker": 1} {
		if got := groupOf(groups, name); got != want {
			t.Errorf("groupOf(%q) = %d, want %d", name, got, want)
		}
	}
	// "*" is the least specific, wherever it stands.
	starFirst := [][]string{{"*"}, {"payment"}}
	for name, want := range map[string]int{"payment#0": 1, "payment": 1, "order#0": 0, "broker#2": 0} {
		if got := groupOf(starFirst, name); got != want {
			t.Errorf("groupOf(%q) in %v = %d, want %d", name, starFirst, got, want)
		}
	}
	if got := groupOf([][]string{{"a"}}, "b"); got != -1 {
		t.Errorf("groupOf outside = %d, want -1", got)
	}
}
