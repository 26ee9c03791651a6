package faults

import (
	"io"
	"testing"
	"time"
)

// The bucket is a pure function of the times it is given.
func TestBucket(t *testing.T) {
	const ms = int64(time.Millisecond)
	type step struct {
		now, want int
		n         int
		wait      time.Duration
	}
	for _, tc := range []struct {
		name  string
		rate  int64
		steps []step
	}{
		{"unlimited", 0, []step{{0, 1 << 20, 1 << 20, 0}}},
		// 1000 B/s: burst 20 B, full at start.
		{"burst then wait", 1000, []step{
			{0, 100, 20, 0},                        // the burst
			{0, 100, 0, 20*time.Millisecond + 1},   // empty: wait for a burst's worth
			{10, 100, 0, 10*time.Millisecond + 1},  // half refilled
			{20, 100, 20, 0},                       // refilled
			{1000, 5, 5, 0},                        // small asks need only themselves
			{1000, 100, 0, 5*time.Millisecond + 1}, // a large ask waits for a whole burst
			{1005, 100, 20, 0},
		}},
		{"at least one byte", 10, []step{{0, 8, 1, 0}, {0, 8, 0, 100*time.Millisecond + 1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bucket
			b.setRate(tc.rate, 0)
			for i, s := range tc.steps {
				n, wait := b.take(int64(s.now)*ms, s.want)
				if n != s.n || wait != s.wait {
					t.Fatalf("step %d: take(%dms, %d) = %d, %v; want %d, %v", i, s.now, s.want, n, wait, s.n, s.wait)
				}
			}
		})
	}
}

// N bytes at R bytes/s take at least (N - burst)/R: a lower bound only.
func TestBandwidthPaces(t *testing.T) {
	const rate, size = 256 << 10, 64 << 10
	n := NewNet()
	defer n.Apply(LinkRule{Match: LinkSpec{From: "a", To: "b"}, Bandwidth: rate})()
	c, peer := pipeConn(t, n, Link{"a", "b"})
	got := readAsync(peer, size)
	start := time.Now()
	msg := make([]byte, size)
	for i := range msg {
		msg[i] = byte(i)
	}
	if _, err := c.Write(msg); err != nil {
		t.Fatal(err)
	}
	r := <-got
	if r.err != nil || string(r.b) != string(msg) {
		t.Fatalf("read %d bytes, %v", len(r.b), r.err)
	}
	burst := float64(rate) * burstTime.Seconds()
	want := time.Duration((size - burst) / rate * float64(time.Second))
	if d := r.at.Sub(start); d < want {
		t.Fatalf("%d bytes at %d B/s took %v, want >= %v", size, rate, d, want)
	}
}

// Bandwidth paces the inbound direction too, and the lowest limit wins.
func TestBandwidthInboundLowestWins(t *testing.T) {
	const rate, size = 64 << 10, 16 << 10
	n := NewNet()
	defer n.Apply(LinkRule{Match: LinkSpec{From: "b", To: "a"}, Bandwidth: 1 << 30})()
	defer n.Apply(LinkRule{Match: LinkSpec{From: "b", To: "a"}, Bandwidth: rate})()
	c, peer := tcpConn(t, n, Link{"a", "b"})
	start := time.Now()
	go peer.Write(make([]byte, size))
	if _, err := io.ReadFull(c, make([]byte, size)); err != nil {
		t.Fatal(err)
	}
	burst := float64(rate) * burstTime.Seconds()
	want := time.Duration((size - burst) / rate * float64(time.Second))
	if d := time.Since(start); d < want {
		t.Fatalf("%d bytes at %d B/s took %v, want >= %v", size, rate, d, want)
	}
}
