package faults

import (
	"os"
	"testing"
	"time"
)

// Closing a Conn whose line slept on an alarm releases the alarm's
// descriptor.
func TestConnCloseReleasesAlarm(t *testing.T) {
	n := NewNet()
	defer n.Apply(LinkRule{Match: LinkSpec{From: "a", To: "b"}, Latency: LatencySpec{Mean: time.Millisecond}})()
	ln := listen(t)
	c := dialEcho(t, n, ln)
	out, in := make([]byte, 16), make([]byte, 16)
	if err := roundTrip(c, out, in); err != nil { // the pump sleeps 1 ms on its alarm
		t.Fatal(err)
	}
	l := c.lines[Outbound]
	if l == nil || l.alarm.Load() == nil {
		t.Fatal("the delayed direction never slept on an alarm")
	}
	open := openFDs(t)
	c.Close()
	if l.alarm.Load() != nil {
		t.Fatal("alarm kept after Close")
	}
	// Close releases the socket and the alarm: two descriptors (the echo
	// server's side may close later, so it is not counted on).
	if after := openFDs(t); after > open-2 {
		t.Fatalf("open descriptors %d before Close, %d after; want at most %d", open, after, open-2)
	}
}

func openFDs(t *testing.T) int {
	t.Helper()
	es, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd:", err)
	}
	return len(es)
}
