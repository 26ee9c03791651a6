package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"connectrpc.com/connect"
	"github.com/failsafe-go/failsafe-go"
	"github.com/failsafe-go/failsafe-go/budget"
	"github.com/failsafe-go/failsafe-go/bulkhead"
	"github.com/failsafe-go/failsafe-go/circuitbreaker"
	"github.com/failsafe-go/failsafe-go/timeout"

	"github.com/faultline-sim/faultline/sim/metrics"
	"github.com/faultline-sim/faultline/sim/rpc/simv1"
	"github.com/faultline-sim/faultline/topologies"
)

// Errors of an edge's own making, wrapped in a Connect error with the code
// given (errors.Is finds them in-process; over the wire their text stays in
// the message).
var (
	// ErrBreakerOpen: the edge's circuit breaker refused the attempt
	// (connect.CodeUnavailable); it never reached the callee.
	ErrBreakerOpen = errors.New("circuit breaker open")
	// ErrBulkheadFull: no bulkhead slot freed up within MaxWait
	// (connect.CodeResourceExhausted); the attempt never reached the callee.
	ErrBulkheadFull = errors.New("bulkhead full")
	// ErrAttemptTimeout: the edge's per-attempt timeout ended the attempt
	// (connect.CodeDeadlineExceeded).
	ErrAttemptTimeout = errors.New("attempt timed out")
)

// BreakerFunc is told of every state change of an edge's circuit breaker:
// the caller replica ("order#0", or "gateway"), the callee service, the old
// and the new state (metrics.BreakerStateClosed, BreakerStateOpen,
// BreakerStateHalfOpen) and when. It runs on the goroutine that caused the
// change (or a timer's), so it must be quick. (*metrics.Edges).BreakerChanged
// is one.
type BreakerFunc func(caller, callee, from, to string, at time.Time)

// Attempt sends one request to the callee with ctx, which carries the
// attempt's deadline; n is the attempt's number within the call, from 1
// (the request carries it, so the callee draws each attempt afresh).
type Attempt func(ctx context.Context, n int) (*simv1.HandleResponse, error)

// EdgeConfig configures an Edge.
type EdgeConfig struct {
	// Caller is the calling replica ("order#0") or "gateway"; Callee the
	// called service. Together they name the edge in breaker changes and
	// seed its retry jitter.
	Caller, Callee string
	// Policy is the edge's resilience; nil: the call alone.
	Policy *topologies.Policy
	// Seed is the scenario's seed.
	Seed uint64
	// Stats records every call; nil records nothing.
	Stats *metrics.EdgeStats
	// OnBreaker, when set, is told of every breaker state change.
	OnBreaker BreakerFunc
}

// Edge is one caller replica's side of one synchronous call edge: it runs
// each call through the edge's policy, outermost first
//
//	retry ─► breaker ─► bulkhead ─► timeout ─► attempt
//
// (topologies.Policy gives the semantics) and records the call in its
// stats. Breaker, bulkhead and retry budget are the edge's own, shared by
// its concurrent calls. Create with NewEdge, Close when done. Safe for
// concurrent use.
type Edge struct {
	caller, callee string
	stats          *metrics.EdgeStats
	// policies are the failsafe policies, outermost first; nil: the call
	// runs alone.
	policies []failsafe.Policy[*simv1.HandleResponse]
	timeout  time.Duration
	breaker  *edgeBreaker // nil without a breaker

	errOpen, errFull, errTimeout error
}

// NewEdge builds the edge's policies. It starts nothing: a breaker's
// half-open timer runs only while the breaker is open.
func NewEdge(cfg EdgeConfig) *Edge {
	e := &Edge{
		caller: cfg.Caller,
		callee: cfg.Callee,
		stats:  cfg.Stats,
	}
	p := cfg.Policy
	if p == nil {
		return e
	}
	id := cfg.Caller + " → " + cfg.Callee
	e.errOpen = fmt.Errorf("%w: %s", ErrBreakerOpen, id)
	e.errFull = fmt.Errorf("%w: %s", ErrBulkheadFull, id)
	e.errTimeout = fmt.Errorf("%w after %v: %s", ErrAttemptTimeout, p.Timeout, id)
	if r := newEdgeRetry(p.Retry, cfg.Seed, cfg.Caller, cfg.Callee); r != nil {
		e.policies = append(e.policies, r.policy)
	}
	if b := p.Breaker; b != nil {
		e.breaker = newEdgeBreaker(b, cfg.Caller, cfg.Callee, cfg.OnBreaker)
		e.policies = append(e.policies, e.breaker.cb)
	}
	if b := p.Bulkhead; b != nil {
		e.policies = append(e.policies, bulkhead.NewBuilder[*simv1.HandleResponse](uint(max(b.MaxConcurrent, 0))).
			WithMaxWaitTime(max(b.MaxWait, 0)).Build())
	}
	if p.Timeout > 0 {
		e.timeout = p.Timeout
		e.policies = append(e.policies, timeout.New[*simv1.HandleResponse](p.Timeout))
	}
	return e
}

// BreakerState returns the breaker's state (metrics.BreakerStateClosed,
// ...), "" without a breaker.
func (e *Edge) BreakerState() string {
	if e.breaker == nil {
		return ""
	}
	return stateName(e.breaker.cb.State())
}

// Close stops the breaker's half-open timer. The edge stays usable; an
// open breaker then half-opens on the next call after its delay.
func (e *Edge) Close() {
	if e.breaker != nil {
		e.breaker.close()
	}
}

// Do is DoAt with the operation intended now.
func (e *Edge) Do(ctx context.Context, attempt Attempt) (*simv1.HandleResponse, error) {
	return e.DoAt(ctx, time.Now(), attempt)
}

// callState is one call's account, kept by its attempts.
type callState struct {
	attempts, timeouts int
	// lastTimedOut: the last attempt was counted in timeouts.
	lastTimedOut bool
	lastRes      *simv1.HandleResponse
	lastErr      error
}

// DoAt makes one call through the edge's policy, attempt sending each
// attempt, and records it for the operation intended at intended (which
// decides whether it is in the recorded window). Every error returned
// carries a Connect code: the last attempt's, or for the edge's own
// refusals unavailable (ErrBreakerOpen), resource_exhausted
// (ErrBulkheadFull) and deadline_exceeded (ErrAttemptTimeout). A retry
// refused by the budget fails the call with the last attempt's error. When
// ctx ends the call ends with its last attempt's outcome (or ctx's error
// before any attempt).
func (e *Edge) DoAt(ctx context.Context, intended time.Time, attempt Attempt) (*simv1.HandleResponse, error) {
	start := time.Now()
	var (
		c        callState
		res      *simv1.HandleResponse
		err      error
		retries  int
		rejected metrics.Rejection
	)
	if e.policies == nil {
		c.attempts = 1
		res, err = attempt(ctx, 1)
	} else {
		ex := failsafe.With(e.policies...).WithContext(ctx).
			OnDone(func(ev failsafe.ExecutionDoneEvent[*simv1.HandleResponse]) { retries = ev.Retries() })
		res, err = ex.GetWithExecution(func(exec failsafe.Execution[*simv1.HandleResponse]) (*simv1.HandleResponse, error) {
			return e.try(ctx, exec.Context(), &c, attempt)
		})
		res, err, rejected = e.outcome(ctx, &c, res, err)
		if rejected == metrics.RejectedBudget {
			retries-- // counted when scheduled, then refused
		}
	}
	e.stats.Record(metrics.EdgeCall{
		Intended: intended,
		Latency:  time.Since(start),
		Attempts: c.attempts,
		Retries:  max(retries, 0),
		Timeouts: c.timeouts,
		Rejected: rejected,
		OK:       err == nil,
	})
	return res, err
}

// try sends one attempt with ectx, the execution's context (which
// failsafe's timeout cancels), bounded by the edge's timeout so the callee
// gets the smaller of it and ctx's remaining time. An attempt that the
// timeout ended fails with ErrAttemptTimeout.
func (e *Edge) try(ctx, ectx context.Context, c *callState, attempt Attempt) (*simv1.HandleResponse, error) {
	c.attempts++
	actx := ectx
	var mine time.Time // the edge's deadline for this attempt
	if e.timeout > 0 {
		mine = time.Now().Add(e.timeout)
		var cancel context.CancelFunc
		actx, cancel = context.WithDeadline(ectx, mine)
		defer cancel()
	}
	res, err := attempt(actx, c.attempts)
	c.lastTimedOut = false
	if err != nil && e.timeout > 0 && endedByTimeout(ctx, actx, err, mine) {
		c.timeouts++
		c.lastTimedOut = true
		err = connect.NewError(connect.CodeDeadlineExceeded, e.errTimeout)
	}
	c.lastRes, c.lastErr = res, err
	return res, err
}

// deadlineSlack is how much earlier than the caller the callee may see a
// propagated deadline expire: Connect sends it in whole milliseconds.
const deadlineSlack = 2 * time.Millisecond

// endedByTimeout reports whether the edge's deadline mine ended an attempt
// that failed with err: it came before the caller's (ctx's) deadline, and
// either the attempt's context ended without the caller having cancelled,
// or the callee answered deadline_exceeded at that deadline (its copy of
// the deadline expires up to deadlineSlack early).
func endedByTimeout(ctx, actx context.Context, err error, mine time.Time) bool {
	if parent, ok := ctx.Deadline(); ok && !mine.Before(parent) {
		return false
	}
	if actx.Err() != nil {
		return !errors.Is(ctx.Err(), context.Canceled)
	}
	return connect.CodeOf(err) == connect.CodeDeadlineExceeded && !time.Now().Before(mine.Add(-deadlineSlack))
}

// outcome turns failsafe's result into the call's: Connect errors for the
// edge's refusals, the last attempt's error for a budget refusal or an
// ended ctx.
func (e *Edge) outcome(ctx context.Context, c *callState, res *simv1.HandleResponse, err error) (*simv1.HandleResponse, error, metrics.Rejection) {
	switch {
	case err == nil:
		return res, nil, metrics.NotRejected
	case errors.Is(err, circuitbreaker.ErrOpen):
		return nil, connect.NewError(connect.CodeUnavailable, e.errOpen), metrics.RejectedBreaker
	case errors.Is(err, bulkhead.ErrFull):
		return nil, connect.NewError(connect.CodeResourceExhausted, e.errFull), metrics.RejectedBulkhead
	case errors.Is(err, budget.ErrExceeded):
		return nil, c.lastErr, metrics.RejectedBudget
	case errors.Is(err, timeout.ErrExceeded):
		// failsafe's timer fired first; the attempt may still have
		// returned something else.
		if !c.lastTimedOut {
			c.timeouts++
		}
		return nil, connect.NewError(connect.CodeDeadlineExceeded, e.errTimeout), metrics.NotRejected
	}
	var ce *connect.Error
	if errors.As(err, &ce) {
		return nil, err, metrics.NotRejected
	}
	if ctx.Err() != nil && c.attempts > 0 {
		return c.lastRes, c.lastErr, metrics.NotRejected
	}
	return nil, connect.NewError(codeOf(err), err), metrics.NotRejected
}

// codeOf is err's Connect code, with failsafe's timeout a deadline and
// context errors mapped as a Connect client maps them.
func codeOf(err error) connect.Code {
	var ce *connect.Error
	switch {
	case errors.As(err, &ce):
		return ce.Code()
	case errors.Is(err, timeout.ErrExceeded), errors.Is(err, context.DeadlineExceeded):
		return connect.CodeDeadlineExceeded
	case errors.Is(err, context.Canceled):
		return connect.CodeCanceled
	case errors.Is(err, circuitbreaker.ErrOpen):
		return connect.CodeUnavailable
	case errors.Is(err, bulkhead.ErrFull):
		return connect.CodeResourceExhausted
	}
	return connect.CodeUnknown
}
