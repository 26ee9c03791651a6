package service_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/faultline-sim/faultline/sim/metrics"
	"github.com/faultline-sim/faultline/sim/service"
	"github.com/faultline-sim/faultline/sim/simtest"
	"github.com/faultline-sim/faultline/topologies"
)

func TestEdgeBreakerOpensRejectsAndHalfOpens(t *testing.T) {
	ctx := simtest.Context(t)
	var healthy atomic.Bool
	c := &callee{answer: func(context.Context, int) error {
		if healthy.Load() {
			return nil
		}
		return connect.NewError(connect.CodeInternal, nil)
	}}
	r := newEdgeRig(t, c, &topologies.Policy{Breaker: &topologies.Breaker{
		FailureRatio: 0.5, Window: time.Minute, MinRequests: 4, OpenFor: 50 * time.Millisecond, HalfOpenProbes: 1,
	}})
	for i := range 4 {
		if _, err := r.call(ctx); connect.CodeOf(err) != connect.CodeInternal {
			t.Fatalf("call %d: err = %v, want the callee's internal", i, err)
		}
	}
	r.waitChange(t, "closed>open")
	if got := r.edge.BreakerState(); got != metrics.BreakerStateOpen {
		t.Fatalf("state = %q, want open", got)
	}
	// OpenFor is short: on a slow machine the breaker may half-open during
	// these calls and let one through, so count the refusals.
	rejected := 0
	for range 5 {
		_, err := r.call(ctx)
		if errors.Is(err, service.ErrBreakerOpen) {
			if connect.CodeOf(err) != connect.CodeUnavailable {
				t.Errorf("rejection code = %v, want unavailable", connect.CodeOf(err))
			}
			rejected++
		}
	}
	if got := c.received(); got != 4+5-rejected {
		t.Errorf("callee received %d requests, want %d (rejections never reach it)", got, 4+5-rejected)
	}
	healthy.Store(true)
	// Without any call, the breaker half-opens after OpenFor. (A call above
	// may have met it half-open, failed and opened it again: wait for a
	// half-open that holds.)
	for {
		waitFor(t, r, "open>half_open")
		if r.edge.BreakerState() == metrics.BreakerStateHalfOpen {
			break
		}
	}
	if _, err := r.call(ctx); err != nil {
		t.Fatalf("probe: %v", err)
	}
	waitFor(t, r, "half_open>closed")
	if s := r.stats(); s.BreakerRejections != int64(rejected) || s.Attempts != s.Requests-int64(rejected) {
		t.Errorf("stats = %+v, want %d breaker rejections not sent", s, rejected)
	}
}

// waitFor waits until the breaker changed as want, skipping other changes
// (a call may have met the breaker open, half-open and failed).
func waitFor(t *testing.T, r *edgeRig, want string) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case got := <-r.changed:
			if got == want {
				return
			}
		case <-deadline:
			t.Fatalf("no breaker change %s within 10s", want)
		}
	}
}

// TestEdgeBreakerRejectsWithoutReachingCallee holds the breaker open for a
// long time, so every later call is refused.
func TestEdgeBreakerRejectsWithoutReachingCallee(t *testing.T) {
	ctx := simtest.Context(t)
	c := &callee{answer: failWith(connect.CodeUnavailable)}
	r := newEdgeRig(t, c, &topologies.Policy{
		Breaker: &topologies.Breaker{FailureRatio: 1, Window: time.Minute, MinRequests: 2, OpenFor: time.Hour, HalfOpenProbes: 1},
		// Retries never retry a breaker rejection.
		Retry: &topologies.Retry{MaxAttempts: 3, On: []string{"unavailable"}},
	})
	// Two failed attempts open it; the third attempt is refused, and that
	// refusal, not retried, is the call's outcome.
	if _, err := r.call(ctx); !errors.Is(err, service.ErrBreakerOpen) {
		t.Fatalf("first call: %v, want breaker open", err)
	}
	if got := c.received(); got != 2 {
		t.Fatalf("callee received %d, want 2", got)
	}
	for range 5 {
		if _, err := r.call(ctx); !errors.Is(err, service.ErrBreakerOpen) || connect.CodeOf(err) != connect.CodeUnavailable {
			t.Fatalf("err = %v, want breaker open (unavailable)", err)
		}
	}
	if got := c.received(); got != 2 {
		t.Errorf("callee received %d, want still 2", got)
	}
	s := r.stats()
	if s.Requests != 6 || s.Attempts != 2 || s.BreakerRejections != 6 || s.Retries != 2 {
		t.Errorf("stats = %+v", s)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.changes) != 1 || r.changes[0] != "closed>open" {
		t.Errorf("changes = %v", r.changes)
	}
}

func TestEdgeBulkheadRejectsBeyondMaxConcurrent(t *testing.T) {
	ctx := simtest.Context(t)
	release := make(chan struct{})
	c := &callee{entered: make(chan int, 8), answer: func(ctx context.Context, _ int) error {
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}}
	r := newEdgeRig(t, c, &topologies.Policy{
		Bulkhead: &topologies.Bulkhead{MaxConcurrent: 2},
		// A bulkhead rejection is never retried.
		Retry: &topologies.Retry{MaxAttempts: 3, On: []string{"resource_exhausted"}},
	})
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for range 2 {
		wg.Go(func() {
			_, err := r.call(ctx)
			errs <- err
		})
	}
	<-c.entered
	<-c.entered
	_, err := r.call(ctx)
	if !errors.Is(err, service.ErrBulkheadFull) || connect.CodeOf(err) != connect.CodeResourceExhausted {
		t.Errorf("third call: err = %v, want bulkhead full (resource_exhausted)", err)
	}
	if got := c.received(); got != 2 {
		t.Errorf("callee received %d, want 2", got)
	}
	close(release)
	wg.Wait()
	for range 2 {
		if err := <-errs; err != nil {
			t.Errorf("held call: %v", err)
		}
	}
	if s := r.stats(); s.BulkheadRejections != 1 || s.Requests != 3 || s.Attempts != 2 || s.Succeeded != 2 {
		t.Errorf("stats = %+v", s)
	}
}

// TestEdgeBulkheadWaitsForASlot: with MaxWait, a call beyond the bound
// waits and goes through when a held call ends.
func TestEdgeBulkheadWaitsForASlot(t *testing.T) {
	ctx := simtest.Context(t)
	release := make(chan struct{})
	c := &callee{entered: make(chan int, 8), answer: func(ctx context.Context, n int) error {
		if n > 1 {
			return nil
		}
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}}
	r := newEdgeRig(t, c, &topologies.Policy{Bulkhead: &topologies.Bulkhead{MaxConcurrent: 1, MaxWait: time.Minute}})
	held := make(chan error, 1)
	go func() {
		_, err := r.call(ctx)
		held <- err
	}()
	<-c.entered
	waiting := make(chan error, 1)
	go func() {
		_, err := r.call(ctx)
		waiting <- err
	}()
	close(release)
	if err := <-held; err != nil {
		t.Errorf("held call: %v", err)
	}
	if err := <-waiting; err != nil {
		t.Errorf("waiting call: %v", err)
	}
	if s := r.stats(); s.BulkheadRejections != 0 || s.Attempts != 2 {
		t.Errorf("stats = %+v", s)
	}
}

// TestEdgeBudgetRefusesRetry: one call's retry is held in flight, so the
// next call's retry is over a 10% budget (1 retry of 3 executions in
// flight, and BudgetMin 1 already used) and that call fails with its own
// attempt's error.
func TestEdgeBudgetRefusesRetry(t *testing.T) {
	ctx := simtest.Context(t)
	release := make(chan struct{})
	c := &callee{entered: make(chan int, 8), answer: func(ctx context.Context, n int) error {
		switch n {
		case 2: // the first call's retry: held
			select {
			case <-release:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		default:
			return connect.NewError(connect.CodeUnavailable, errors.New("first try fails"))
		}
	}}
	r := newEdgeRig(t, c, &topologies.Policy{Retry: &topologies.Retry{
		MaxAttempts: 3, On: []string{"unavailable"}, Budget: 0.1, BudgetMin: 1,
	}})
	first := make(chan error, 1)
	go func() {
		_, err := r.call(ctx)
		first <- err
	}()
	<-c.entered // its first attempt
	<-c.entered // its retry, now held
	_, err := r.call(ctx)
	if connect.CodeOf(err) != connect.CodeUnavailable {
		t.Errorf("over-budget call: err = %v, want its attempt's unavailable", err)
	}
	if got := c.received(); got != 3 {
		t.Errorf("callee received %d, want 3 (no retry over budget)", got)
	}
	close(release)
	if err := <-first; err != nil {
		t.Errorf("first call: %v", err)
	}
	if s := r.stats(); s.BudgetRejections != 1 || s.Retries != 1 || s.Attempts != 3 || s.Requests != 2 || s.Amplification != 1.5 {
		t.Errorf("stats = %+v", s)
	}
}
