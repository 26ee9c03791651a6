package faults

import (
	"os"
	"testing"
	"time"
)

// An alarm never goes off early. (How late it is goes in
// BenchmarkLatencyFidelity and in faultline runs, not in a test.)
func TestAlarmNotEarly(t *testing.T) {
	a := newAlarm()
	if a == nil {
		t.Fatal("no timerfd")
	}
	defer a.close()
	for _, d := range []time.Duration{time.Microsecond, 300 * time.Microsecond, 3 * time.Millisecond} {
		start := time.Now()
		a.arm(d)
		a.wait()
		if got := time.Since(start); got < d {
			t.Fatalf("alarm for %v went off after %v", d, got)
		}
	}
}

// A kick ends a wait long before the alarm's time, whether it comes
// before the wait starts or during it.
func TestAlarmKick(t *testing.T) {
	a := newAlarm()
	defer a.close()

	a.arm(time.Hour)
	a.kick() // before wait: wait must not sleep the hour
	waitWithin(t, a)

	a.arm(time.Hour)
	go a.kick() // during (or before) wait
	waitWithin(t, a)

	// A disarmed alarm ignores kicks, and the next arm starts afresh.
	a.arm(time.Hour)
	a.disarm()
	a.kick()
	start := time.Now()
	a.arm(time.Millisecond)
	a.wait()
	if time.Since(start) < time.Millisecond {
		t.Fatal("a kick before arm ended the next sleep early")
	}
}

// waitWithin fails the test if a.wait does not return within a minute.
func waitWithin(t *testing.T, a *alarm) {
	t.Helper()
	done := make(chan struct{})
	go func() { a.wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("kicked alarm still asleep after a minute")
	}
}

// Sleeping on an alarm allocates nothing: the pump sleeps once per
// delayed run.
func TestAlarmAllocatesNothing(t *testing.T) {
	a := newAlarm()
	defer a.close()
	allocs := testing.AllocsPerRun(100, func() {
		a.arm(time.Microsecond)
		a.wait()
	})
	if allocs != 0 {
		t.Fatalf("arm+wait allocates %v times, want 0", allocs)
	}
}

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
