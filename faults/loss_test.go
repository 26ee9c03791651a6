package faults

import (
	"math"
	"testing"
	"time"
)

// With share 1 every segment is lost. Segments written together are lost
// while the one before is still outstanding: the first is delivered 200 ms
// after it was written, the next 400 ms, then 800 ms, in order. A segment
// written after the one before was delivered starts the backoff again at
// 200 ms.
func TestLossDelaysByBackedOffRTO(t *testing.T) {
	n := NewNet()
	defer n.Apply(LinkRule{Match: LinkSpec{From: "a", To: "b"}, Loss: 1})()
	want := []time.Duration{minRTO, 2 * minRTO, 4 * minRTO}
	// Generous: never early, late by at most a second on a loaded machine.
	check := func(what string, i int, d, rto time.Duration) {
		if d < rto || d > rto+time.Second {
			t.Errorf("%s: segment %d delivered %v after it was written, want %v (+ at most 1s)", what, i, d, rto)
		}
	}

	// Together: net.Pipe hands over each write of the pump when it is
	// read, so reading one byte at a time times each segment.
	c, peer := pipeConn(t, n, Link{"a#0", "b#0"})
	arrived := make(chan time.Time, len(want))
	go func() {
		b := make([]byte, 1)
		for range want {
			if _, err := peer.Read(b); err != nil {
				return
			}
			arrived <- time.Now()
		}
	}()
	var wrote []time.Time
	for i := range want {
		wrote = append(wrote, time.Now())
		if _, err := c.Write([]byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
	}
	for i, rto := range want {
		check("written together", i, (<-arrived).Sub(wrote[i]), rto)
	}

	// One at a time, each written once the one before arrived.
	c2, peer2 := pipeConn(t, n, Link{"a#1", "b#0"})
	for i := range want {
		w := time.Now()
		if _, err := c2.Write([]byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
		if _, err := peer2.Read(make([]byte, 1)); err != nil {
			t.Fatal(err)
		}
		check("one at a time", i, time.Since(w), minRTO)
	}
}

// A loss share of 0 leaves the link alone: nothing goes through a line.
func TestLossZeroShareNoDelay(t *testing.T) {
	n := NewNet()
	c, peer := pipeConn(t, n, Link{"a#0", "b#0"})
	defer n.Apply(LinkRule{Match: LinkSpec{From: "a", To: "b"}, Loss: 0})()
	if attached(c, Outbound) {
		t.Fatal("a rule of loss 0 attached a line")
	}
	got := readAsync(peer, 1)
	w := time.Now()
	if _, err := c.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	// 200 ms is the least a loss adds: a segment arriving sooner was not
	// lost, whatever the machine's load (below that, timing is not asserted).
	if r := <-got; r.err != nil || r.at.Sub(w) >= minRTO {
		t.Fatalf("read %q, %v after %v", r.b, r.err, r.at.Sub(w))
	}
}

// The share of lost segments matches the rule's share within a 99%
// binomial interval; each loss's timeout is 200 ms when no lost segment is
// outstanding and twice the previous one while one is; and a seed replays
// the same losses.
func TestLossShareAndBackoff(t *testing.T) {
	const (
		share = 0.2
		k     = 20000
		gap   = 50 * time.Millisecond // between segments: a loss is outstanding for 4 to thousands of them
	)
	pattern := func(seed uint64) []time.Duration {
		n := NewNet()
		n.SetSeed(seed)
		c, _ := pipeConn(t, n, Link{"a#0", "b#0"})
		defer n.Apply(LinkRule{Match: LinkSpec{From: "a", To: "b"}, Loss: share})()
		c.mu.Lock()
		l := c.lines[Outbound]
		c.mu.Unlock()
		l.mu.Lock()
		defer l.mu.Unlock()
		out := make([]time.Duration, k)
		for i := range out {
			// Each segment's own timeout, not the wait behind the one
			// ahead: reset the in-order floor (due reads it).
			l.last = 0
			now := l.epoch.Add(time.Duration(i) * gap)
			out[i] = time.Duration(l.due(now) - l.mono(now))
		}
		return out
	}
	extra := pattern(1)
	lost, doubled := 0, 0
	var rto time.Duration
	var pending time.Duration // when the last lost segment is delivered
	for i, d := range extra {
		if d == 0 {
			continue
		}
		lost++
		at := time.Duration(i) * gap
		want := minRTO
		if rto > 0 && at < pending {
			want = min(2*rto, maxRTO)
			doubled++
		}
		if d != want {
			t.Fatalf("segment %d: timeout %v, want %v (previous %v outstanding until %v)", i, d, want, rto, pending)
		}
		rto, pending = d, at+d
	}
	if doubled == 0 {
		t.Fatal("no loss while another was outstanding: the backoff was not exercised")
	}
	half := 2.576 * math.Sqrt(share*(1-share)/k) // 99% normal approximation
	if got := float64(lost) / k; math.Abs(got-share) > half {
		t.Fatalf("lost share %.4f, want %.2f ± %.4f (99%%)", got, share, half)
	}
	again := pattern(1)
	for i := range extra {
		if extra[i] != again[i] {
			t.Fatalf("seed 1 replayed differently at segment %d: %v vs %v", i, extra[i], again[i])
		}
	}
}
