package alarm

import (
	"testing"
	"time"
)

// An alarm never goes off early. (How late it is goes in the fault layer's
// BenchmarkLatencyFidelity and in faultline runs, not in a test.)
func TestAlarmNotEarly(t *testing.T) {
	a := New()
	if a == nil {
		t.Fatal("no timerfd")
	}
	defer a.Close()
	for _, d := range []time.Duration{time.Microsecond, 300 * time.Microsecond, 3 * time.Millisecond} {
		start := time.Now()
		a.Arm(d)
		a.Wait()
		if got := time.Since(start); got < d {
			t.Fatalf("alarm for %v went off after %v", d, got)
		}
	}
}

// A kick ends a wait long before the alarm's time, whether it comes
// before the wait starts or during it.
func TestAlarmKick(t *testing.T) {
	a := New()
	defer a.Close()

	a.Arm(time.Hour)
	a.Kick() // before wait: wait must not sleep the hour
	waitWithin(t, a)

	a.Arm(time.Hour)
	go a.Kick() // during (or before) wait
	waitWithin(t, a)

	// A disarmed alarm ignores kicks, and the next arm starts afresh.
	a.Arm(time.Hour)
	a.Disarm()
	a.Kick()
	start := time.Now()
	a.Arm(time.Millisecond)
	a.Wait()
	if time.Since(start) < time.Millisecond {
		t.Fatal("a kick before arm ended the next sleep early")
	}
}

// waitWithin fails the test if a.wait does not return within a minute.
func waitWithin(t *testing.T, a *Alarm) {
	t.Helper()
	done := make(chan struct{})
	go func() { a.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("kicked alarm still asleep after a minute")
	}
}

// Sleeping on an alarm allocates nothing: the fault layer sleeps once per
// delayed run, the load generator once per request.
func TestAlarmAllocatesNothing(t *testing.T) {
	a := New()
	defer a.Close()
	allocs := testing.AllocsPerRun(100, func() {
		a.Arm(time.Microsecond)
		a.Wait()
	})
	if allocs != 0 {
		t.Fatalf("arm+wait allocates %v times, want 0", allocs)
	}
}
