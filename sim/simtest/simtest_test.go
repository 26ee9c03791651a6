package simtest

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fakeT is a test whose binary's deadline is binDeadline; Fatalf records
// the failure and ends the goroutine, as testing.T's does.
type fakeT struct {
	testing.TB
	binDeadline time.Time
	failed      string
}

func (f *fakeT) Helper()                     {}
func (f *fakeT) Deadline() (time.Time, bool) { return f.binDeadline, !f.binDeadline.IsZero() }
func (f *fakeT) Context() context.Context    { return context.Background() }
func (f *fakeT) Cleanup(func())              {}
func (f *fakeT) Fatalf(format string, a ...any) {
	f.failed = fmt.Sprintf(format, a...)
	runtime.Goexit()
}
func (f *fakeT) run(body func(t testing.TB)) string {
	done := make(chan struct{})
	go func() {
		defer close(done)
		body(f)
	}()
	<-done
	return f.failed
}

func TestEventuallyReturnsOnceCondHolds(t *testing.T) {
	var calls atomic.Int64
	Eventually(t, "the third check", func() bool { return calls.Add(1) == 3 })
	if n := calls.Load(); n != 3 {
		t.Errorf("cond called %d times, want 3", n)
	}
}

// Near the test binary's deadline, polling gives up in time to report.
func TestEventuallyFailsBeforeTheBinaryDeadline(t *testing.T) {
	f := &fakeT{binDeadline: time.Now().Add(deadlineMargin + 50*time.Millisecond)}
	start := time.Now()
	msg := f.run(func(t testing.TB) {
		EventuallyWhy(t, "the queue drains", func() (bool, string) { return false, "3 queued" })
	})
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("gave up after %v, want about 50ms", took)
	}
	if !strings.HasPrefix(msg, "the queue drains: still 3 queued after ") {
		t.Errorf("failure %q, want what and the last state", msg)
	}
}

// Past the deadline's margin, cond is still checked once.
func TestEventuallyChecksOncePastTheMargin(t *testing.T) {
	f := &fakeT{binDeadline: time.Now()}
	var calls atomic.Int64
	msg := f.run(func(t testing.TB) {
		Eventually(t, "ready", func() bool { calls.Add(1); return false })
	})
	if calls.Load() != 1 || msg == "" {
		t.Errorf("cond called %d times, failure %q; want once, a failure", calls.Load(), msg)
	}
	f = &fakeT{binDeadline: time.Now()}
	if msg := f.run(func(t testing.TB) { Eventually(t, "ready", func() bool { return true }) }); msg != "" {
		t.Errorf("failed with %q although cond held", msg)
	}
}

func TestContextBounded(t *testing.T) {
	dl, ok := Context(t).Deadline()
	if !ok || time.Until(dl) > ContextTimeout {
		t.Errorf("deadline %v (set %v), want within %v", dl, ok, ContextTimeout)
	}
	f := &fakeT{binDeadline: time.Now().Add(deadlineMargin + time.Second)}
	if dl, _ := Context(f).Deadline(); time.Until(dl) > time.Second {
		t.Errorf("deadline in %v, want the binary's deadline less the margin (≤ 1s)", time.Until(dl))
	}
}
