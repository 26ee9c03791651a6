package faults

import (
	"bytes"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/sim/simtest"
)

// Each message is delayed by at least the mean and arrives in order and
// intact. Only the lower bound is checked: an upper bound on a loaded CI
// machine would be a guess (the benchmark measures the error).
func TestLatencyDelaysInOrder(t *testing.T) {
	for _, tr := range []struct {
		name string
		pair func(*testing.T, *Net, Link) (*Conn, netConn)
	}{
		{"pipe", pipeConn}, {"tcp", tcpConn},
	} {
		t.Run(tr.name, func(t *testing.T) {
			n := NewNet()
			const mean = 30 * time.Millisecond
			defer n.Apply(LinkRule{Match: LinkSpec{From: "order", To: "payment"}, Latency: LatencySpec{Mean: mean}})()
			c, peer := tr.pair(t, n, Link{"order#0", "payment#1"})

			const msgs = 20
			got := readAsync(peer, msgs*8)
			sent := make([]time.Time, msgs)
			var want bytes.Buffer
			for i := range msgs {
				msg := fmt.Appendf(nil, "msg-%03d|", i)
				want.Write(msg)
				sent[i] = time.Now()
				if _, err := c.Write(msg); err != nil {
					t.Fatal(err)
				}
			}
			r := <-got
			if r.err != nil || !bytes.Equal(r.b, want.Bytes()) {
				t.Fatalf("peer read %q, %v; want %q", r.b, r.err, want.Bytes())
			}
			if d := r.at.Sub(sent[msgs-1]); d < mean {
				t.Fatalf("last message arrived %v after it was written, want >= %v", d, mean)
			}
		})
	}
}

// Inbound latency delays what the peer writes; each read chunk becomes
// readable no earlier than mean after the peer wrote it.
func TestLatencyInbound(t *testing.T) {
	n := NewNet()
	const mean = 30 * time.Millisecond
	// The rule names the flow payment→order: the reads of the order conn.
	defer n.Apply(LinkRule{Match: LinkSpec{From: "payment", To: "order"}, Latency: LatencySpec{Mean: mean}})()
	c, peer := tcpConn(t, n, Link{"order#0", "payment#1"})
	for i := range 5 {
		start := time.Now()
		msg := fmt.Appendf(nil, "reply-%d", i)
		if _, err := peer.Write(msg); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, len(msg))
		if _, err := io.ReadFull(c, buf); err != nil || !bytes.Equal(buf, msg) {
			t.Fatalf("read %q, %v; want %q", buf, err, msg)
		}
		if d := time.Since(start); d < mean {
			t.Fatalf("reply %d readable after %v, want >= %v", i, d, mean)
		}
	}
	if !attached(c, Inbound) || attached(c, Outbound) {
		t.Fatalf("attached out=%v in=%v, want only in", attached(c, Outbound), attached(c, Inbound))
	}
}

// A long delay does not serialize writes: every chunk's due time is its
// own arrival plus the delay, so chunks written within w of each other are
// due within w of each other. Checked on the queued due times, without a
// clock race: the delay is an hour, so nothing is delivered meanwhile.
func TestLatencyDoesNotSerialize(t *testing.T) {
	n := NewNet()
	defer n.Apply(LinkRule{Match: LinkSpec{From: "a", To: "b"}, Latency: LatencySpec{Mean: time.Hour}})()
	c, _ := pipeConn(t, n, Link{"a", "b"})
	start := time.Now()
	for i := range 50 {
		if _, err := c.Write([]byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
	}
	spread := time.Since(start)
	l := c.lines[Outbound]
	l.mu.Lock()
	defer l.mu.Unlock()
	first, last := l.q.front().at, l.last
	if l.q.size != 50 {
		t.Fatalf("queued %d bytes, want 50", l.q.size)
	}
	if got := time.Duration(last - first); got > spread {
		t.Fatalf("due times span %v, writes took %v: delays were serialized", got, spread)
	}
	if first < int64(time.Hour) {
		t.Fatalf("first chunk due %v after the epoch, want >= 1h", time.Duration(first))
	}
}

// One-way rules shape one direction; Both shapes the two.
func TestLatencyOneWayAndBoth(t *testing.T) {
	for _, both := range []bool{false, true} {
		t.Run(fmt.Sprint("both=", both), func(t *testing.T) {
			n := NewNet()
			defer n.Apply(LinkRule{Match: LinkSpec{From: "a", To: "b", Both: both}, Latency: LatencySpec{Mean: time.Hour}})()
			c, peer := pipeConn(t, n, Link{"a#0", "b#0"})
			if _, err := c.Write([]byte("out")); err != nil {
				t.Fatal(err)
			}
			if got := c.queued(Outbound); got != 3 {
				t.Fatalf("outbound queued %d, want 3", got)
			}
			go peer.Write([]byte("in"))
			if both {
				simtest.Eventually(t, "inbound bytes are queued", func() bool { return c.queued(Inbound) == 2 })
				return
			}
			buf := make([]byte, 2)
			if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "in" {
				t.Fatalf("inbound read %q, %v; want it undelayed", buf, err)
			}
			if attached(c, Inbound) {
				t.Fatal("inbound goes through a line with no fault on it")
			}
		})
	}
}

// Removing the last fault detaches both directions once drained: the
// connection is a pass-through again.
func TestLatencyRemovedDetaches(t *testing.T) {
	n := NewNet()
	remove := n.Apply(LinkRule{Match: LinkSpec{From: "a", To: "b", Both: true}, Latency: LatencySpec{Mean: time.Millisecond}})
	c, peer := tcpConn(t, n, Link{"a", "b"})
	echo(t, c, peer, "one")
	remove()
	echo(t, c, peer, "two") // drains the line; the next read detaches it
	simtest.Eventually(t, "outbound detaches", func() bool { return !attached(c, Outbound) })
	echo(t, c, peer, "three")
	if attached(c, Inbound) || attached(c, Outbound) {
		t.Fatalf("attached out=%v in=%v after removal, want neither", attached(c, Outbound), attached(c, Inbound))
	}
}

// echo writes msg on c, copies it back from peer and reads it on c.
func echo(t *testing.T, c *Conn, peer netConn, msg string) {
	t.Helper()
	if _, err := c.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, len(msg))
	if _, err := io.ReadFull(peer, buf); err != nil {
		t.Fatal(err)
	}
	if _, err := peer.Write(buf); err != nil {
		t.Fatal(err)
	}
	clear(buf)
	if _, err := io.ReadFull(c, buf); err != nil || string(buf) != msg {
		t.Fatalf("echo %q, %v; want %q", buf, err, msg)
	}
}
