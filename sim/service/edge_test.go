package service_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/faultline-sim/faultline/sim/service"
	"github.com/faultline-sim/faultline/sim/simtest"
	"github.com/faultline-sim/faultline/topologies"
)

func TestEdgeWithoutPolicyIsTheCallAlone(t *testing.T) {
	ctx := simtest.Context(t)
	r := newEdgeRig(t, &callee{answer: failWith(connect.CodeUnavailable)}, nil)
	_, err := r.call(ctx)
	if connect.CodeOf(err) != connect.CodeUnavailable || r.callee.received() != 1 {
		t.Errorf("err = %v, received %d; want unavailable once", err, r.callee.received())
	}
	if s := r.stats(); s.Requests != 1 || s.Attempts != 1 || s.Failed != 1 || s.Retries != 0 {
		t.Errorf("stats = %+v", s)
	}
}

func TestEdgeRetriesRetryableCodesUpToMaxAttempts(t *testing.T) {
	retry := &topologies.Retry{MaxAttempts: 4, Backoff: time.Millisecond, On: []string{"unavailable"}}
	for _, tc := range []struct {
		name     string
		answer   func(context.Context, int) error
		code     connect.Code // 0: success
		received int
	}{
		{"always retryable", failWith(connect.CodeUnavailable), connect.CodeUnavailable, 4},
		{"not in On", failWith(connect.CodeInternal), connect.CodeInternal, 1},
		{"default code not listed", failWith(connect.CodeResourceExhausted), connect.CodeResourceExhausted, 1},
		{"succeeds on the third", func(_ context.Context, n int) error {
			if n < 3 {
				return connect.NewError(connect.CodeUnavailable, nil)
			}
			return nil
		}, 0, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := simtest.Context(t)
			r := newEdgeRig(t, &callee{answer: tc.answer}, &topologies.Policy{Retry: retry})
			res, err := r.call(ctx)
			if tc.code == 0 && (err != nil || res.Service != "callee") {
				t.Fatalf("call = %v, %v; want success", res, err)
			}
			if tc.code != 0 && connect.CodeOf(err) != tc.code {
				t.Fatalf("err = %v, want %v", err, tc.code)
			}
			if got := r.callee.received(); got != tc.received {
				t.Errorf("callee received %d requests, want %d", got, tc.received)
			}
			s := r.stats()
			if s.Requests != 1 || s.Attempts != int64(tc.received) || s.Retries != int64(tc.received-1) ||
				s.Amplification != float64(tc.received) || (s.Succeeded == 1) != (tc.code == 0) {
				t.Errorf("stats = %+v", s)
			}
		})
	}
}

func TestEdgeRetryDefaultCodes(t *testing.T) {
	ctx := simtest.Context(t)
	r := newEdgeRig(t, &callee{answer: failWith(connect.CodeResourceExhausted)},
		&topologies.Policy{Retry: &topologies.Retry{MaxAttempts: 3}})
	if _, err := r.call(ctx); connect.CodeOf(err) != connect.CodeResourceExhausted {
		t.Fatalf("err = %v", err)
	}
	if got := r.callee.received(); got != 3 {
		t.Errorf("callee received %d, want 3 (resource_exhausted is retried by default)", got)
	}
}

// TestEdgeBackoffZeroRetriesAtOnce counts: a retry storm has no delay, so
// only the number of attempts is checked.
func TestEdgeBackoffZeroRetriesAtOnce(t *testing.T) {
	ctx := simtest.Context(t)
	r := newEdgeRig(t, &callee{answer: failWith(connect.CodeUnavailable)},
		&topologies.Policy{Retry: &topologies.Retry{MaxAttempts: 5}})
	for range 3 {
		if _, err := r.call(ctx); connect.CodeOf(err) != connect.CodeUnavailable {
			t.Fatalf("err = %v", err)
		}
	}
	if got := r.callee.received(); got != 15 {
		t.Errorf("callee received %d, want 3 calls × 5 attempts", got)
	}
	if s := r.stats(); s.Requests != 3 || s.Attempts != 15 || s.Retries != 12 || s.Amplification != 5 || s.Failed != 3 {
		t.Errorf("stats = %+v", s)
	}
}

// TestEdgeBackoffBounds checks the delays the callee saw between attempts
// against the formula loosely: never shorter than the exponential part
// (the retry waits at least that after the failed answer), and not longer
// than it plus the jitter plus a wide allowance for a loaded machine.
func TestEdgeBackoffBounds(t *testing.T) {
	ctx := simtest.Context(t)
	const (
		base, maxBackoff, jitter = 10 * time.Millisecond, 40 * time.Millisecond, 5 * time.Millisecond
		slack                    = 2 * time.Second
	)
	r := newEdgeRig(t, &callee{answer: failWith(connect.CodeUnavailable)}, &topologies.Policy{Retry: &topologies.Retry{
		MaxAttempts: 5, Backoff: base, MaxBackoff: maxBackoff, Jitter: jitter, On: []string{"unavailable"},
	}})
	if _, err := r.call(ctx); connect.CodeOf(err) != connect.CodeUnavailable {
		t.Fatalf("err = %v", err)
	}
	gaps := r.callee.gaps()
	if len(gaps) != 4 {
		t.Fatalf("gaps = %v, want 4", gaps)
	}
	for i, g := range gaps {
		exp := min(maxBackoff, base<<i)
		if g < exp || g > exp+jitter+slack {
			t.Errorf("delay before retry %d = %v, want in [%v, %v + jitter %v]", i+1, g, exp, exp, jitter)
		}
	}
}

func TestEdgeTimeoutPerAttempt(t *testing.T) {
	ctx := simtest.Context(t)
	const timeout = 50 * time.Millisecond
	c := &callee{answer: waitDone}
	r := newEdgeRig(t, c, &topologies.Policy{Timeout: timeout, Retry: &topologies.Retry{MaxAttempts: 3}})
	_, err := r.call(ctx)
	if connect.CodeOf(err) != connect.CodeDeadlineExceeded || !errors.Is(err, service.ErrAttemptTimeout) {
		t.Fatalf("err = %v, want deadline_exceeded from the attempt timeout", err)
	}
	if got := c.received(); got != 3 {
		t.Errorf("callee received %d, want 3 (deadline_exceeded is retried by default)", got)
	}
	c.mu.Lock()
	for i, left := range c.deadlines {
		if left <= 0 || left > timeout {
			t.Errorf("attempt %d reached the callee with %v left, want a deadline within the %v timeout", i+1, left, timeout)
		}
	}
	c.mu.Unlock()
	if s := r.stats(); s.Timeouts != 3 || s.Attempts != 3 || s.Failed != 1 {
		t.Errorf("stats = %+v", s)
	}
}

// TestEdgeCallerDeadlineIsNotATimeout: when the caller's deadline comes
// before the edge's timeout, the callee gets the caller's, and the call's
// end is not counted as the edge's timeout.
func TestEdgeCallerDeadlineIsNotATimeout(t *testing.T) {
	c := &callee{answer: waitDone}
	r := newEdgeRig(t, c, &topologies.Policy{Timeout: time.Minute})
	ctx, cancel := context.WithTimeout(simtest.Context(t), 50*time.Millisecond)
	defer cancel()
	_, err := r.call(ctx)
	if connect.CodeOf(err) != connect.CodeDeadlineExceeded || errors.Is(err, service.ErrAttemptTimeout) {
		t.Fatalf("err = %v, want the caller's deadline_exceeded", err)
	}
	c.mu.Lock()
	left := c.deadlines[0]
	c.mu.Unlock()
	if left <= 0 || left > 50*time.Millisecond {
		t.Errorf("callee got %v left, want the caller's 50ms at most", left)
	}
	if s := r.stats(); s.Timeouts != 0 || s.Failed != 1 {
		t.Errorf("stats = %+v", s)
	}
}

// TestEdgeNoRetryAfterContextEnds: a caller that gives up stops the retries.
func TestEdgeNoRetryAfterContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(simtest.Context(t))
	c := &callee{answer: func(context.Context, int) error {
		cancel()
		return connect.NewError(connect.CodeUnavailable, nil)
	}}
	r := newEdgeRig(t, c, &topologies.Policy{Retry: &topologies.Retry{MaxAttempts: 5, Backoff: time.Millisecond}})
	_, err := r.call(ctx)
	if err == nil || connect.CodeOf(err) == connect.CodeUnknown {
		t.Fatalf("err = %v, want a Connect code", err)
	}
	if got := c.received(); got != 1 {
		t.Errorf("callee received %d, want 1", got)
	}
}

func TestEdgeRetryDelayFormula(t *testing.T) {
	const base, maxBackoff, jitter = 10 * time.Millisecond, 70 * time.Millisecond, 3 * time.Millisecond
	exact := service.RetryDelays(&topologies.Retry{MaxAttempts: 9, Backoff: base, MaxBackoff: maxBackoff}, 1, "a#0", "b", 8)
	want := []time.Duration{10, 20, 40, 70, 70, 70, 70, 70}
	for i := range want {
		if exact[i] != want[i]*time.Millisecond {
			t.Errorf("delay before retry %d = %v, want %v", i+1, exact[i], want[i]*time.Millisecond)
		}
	}
	r := &topologies.Retry{MaxAttempts: 9, Backoff: base, MaxBackoff: maxBackoff, Jitter: jitter}
	jittered := service.RetryDelays(r, 1, "a#0", "b", 8)
	for i, d := range jittered {
		if d < exact[i] || d >= exact[i]+jitter {
			t.Errorf("jittered delay %d = %v, want in [%v, %v)", i+1, d, exact[i], exact[i]+jitter)
		}
	}
	if again := service.RetryDelays(r, 1, "a#0", "b", 8); !slices.Equal(again, jittered) {
		t.Errorf("same seed and edge drew %v, then %v", jittered, again)
	}
	if other := service.RetryDelays(r, 1, "a#1", "b", 8); slices.Equal(other, jittered) {
		t.Errorf("another edge drew the same jitter %v", other)
	}
	if other := service.RetryDelays(r, 2, "a#0", "b", 8); slices.Equal(other, jittered) {
		t.Errorf("another seed drew the same jitter %v", other)
	}
	defaults := service.RetryDelays(&topologies.Retry{MaxAttempts: 9, Backoff: base}, 1, "a#0", "b", 6)
	if defaults[5] != 10*base {
		t.Errorf("MaxBackoff 0 caps at %v, want 10·Backoff", defaults[5])
	}
	if zero := service.RetryDelays(&topologies.Retry{MaxAttempts: 3}, 1, "a#0", "b", 2); zero[0] != 0 || zero[1] != 0 {
		t.Errorf("Backoff 0 waits %v", zero)
	}
}
