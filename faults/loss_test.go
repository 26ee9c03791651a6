package faults

import (
	"math"
	"testing"
	"time"
)

// With share 1 every segment is lost, each right after another loss: the
// first is delivered 200 ms after it was written, the next 400 ms, then
// 800 ms, in order, whether they are written together (the later ones wait
// behind the first) or one at a time.
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
	for i, rto := range want {
		w := time.Now()
		if _, err := c2.Write([]byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
		if _, err := peer2.Read(make([]byte, 1)); err != nil {
			t.Fatal(err)
		}
		check("one at a time", i, time.Since(w), rto)
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
// binomial interval, each loss's timeout is 200 ms after a delivered
// segment and twice the previous one after a loss, and a seed replays the
// same losses.
func TestLossShareAndBackoff(t *testing.T) {
	const (
		share = 0.2
		k     = 20000
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
			// Segments an hour apart: the one ahead never holds the
			// next back, so each due time shows its own timeout.
			now := l.epoch.Add(time.Duration(i) * time.Hour)
			out[i] = time.Duration(l.due(now) - l.mono(now))
		}
		return out
	}
	extra := pattern(1)
	lost := 0
	for i, d := range extra {
		want := time.Duration(0)
		switch {
		case d == 0:
		case i == 0 || extra[i-1] == 0:
			want = minRTO
		default:
			want = min(2*extra[i-1], maxRTO)
		}
		if d != want && d != 0 {
			t.Fatalf("segment %d: timeout %v after %v, want %v", i, d, extra[max(i-1, 0)], want)
		}
		if d > 0 {
			lost++
		}
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
