package service

import (
	"errors"
	"hash/fnv"
	"math/rand/v2"
	"sync"
	"time"

	"connectrpc.com/connect"
	"github.com/failsafe-go/failsafe-go"
	"github.com/failsafe-go/failsafe-go/bulkhead"
	"github.com/failsafe-go/failsafe-go/circuitbreaker"
	"github.com/failsafe-go/failsafe-go/retrypolicy"

	"github.com/faultline-sim/faultline/sim/metrics"
	"github.com/faultline-sim/faultline/sim/rpc/simv1"
	"github.com/faultline-sim/faultline/topologies"
)

// defaultRetryOn are the codes retried when Retry.On is empty.
var defaultRetryOn = []string{"unavailable", "deadline_exceeded", "resource_exhausted"}

// edgeRetry is an edge's retry policy and the random source of its jitter.
type edgeRetry struct {
	policy  retrypolicy.RetryPolicy[*simv1.HandleResponse]
	on      [connect.CodeUnauthenticated + 1]bool // retried codes
	backoff time.Duration
	maxBack time.Duration
	jitter  time.Duration

	mu  sync.Mutex
	rng *rand.Rand // guarded by mu
}

// newEdgeRetry returns the retry of an edge, nil when r allows no retry.
//
// The budget, when r.Budget > 0, caps retries at r.Budget of the edge's
// calls, with r.BudgetMin retries per second always allowed (see
// retryBudget). A refused retry ends the call with its last attempt's
// error.
func newEdgeRetry(r *topologies.Retry, seed uint64, caller, callee string) *edgeRetry {
	if r == nil || r.MaxAttempts < 2 {
		return nil
	}
	er := &edgeRetry{
		backoff: max(r.Backoff, 0),
		maxBack: r.MaxBackoff,
		jitter:  max(r.Jitter, 0),
		rng:     rand.New(rand.NewPCG(seed, edgeStream(caller, callee))),
	}
	if er.maxBack <= 0 {
		er.maxBack = 10 * er.backoff
	}
	on := r.On
	if len(on) == 0 {
		on = defaultRetryOn
	}
	for _, name := range on {
		var c connect.Code
		if c.UnmarshalText([]byte(name)) == nil && int(c) < len(er.on) {
			er.on[c] = true
		}
	}
	b := retrypolicy.NewBuilder[*simv1.HandleResponse]().
		HandleIf(func(_ *simv1.HandleResponse, err error) bool { return er.retryable(err) }).
		WithMaxAttempts(r.MaxAttempts).
		WithDelayFunc(func(exec failsafe.ExecutionAttempt[*simv1.HandleResponse]) time.Duration {
			return er.delay(exec.Attempts())
		}).
		ReturnLastFailure()
	if r.Budget > 0 {
		b = b.WithBudget(newRetryBudget(r.Budget, r.BudgetMin))
	}
	er.policy = b.Build()
	return er
}

// edgeStream derives an edge's random stream from its identity, so every
// edge draws its own jitter and a run replays.
func edgeStream(caller, callee string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(caller))
	h.Write([]byte{0})
	h.Write([]byte(callee))
	return h.Sum64()
}

// retryable reports whether a failed attempt is retried: its code is in On
// and it is not the edge's own breaker or bulkhead refusal. (An ended ctx
// stops the retries in failsafe itself.)
func (r *edgeRetry) retryable(err error) bool {
	if err == nil || errorsIsRefusal(err) {
		return false
	}
	c := codeOf(err)
	return int(c) < len(r.on) && r.on[c]
}

// delay is the wait before retry n (1-based):
// min(MaxBackoff, Backoff·2^(n-1)) + a uniform draw in [0, Jitter).
func (r *edgeRetry) delay(n int) time.Duration {
	d := r.backoff
	for i := 1; i < n && d < r.maxBack; i++ {
		d *= 2
	}
	d = min(d, r.maxBack)
	if r.jitter > 0 {
		r.mu.Lock()
		d += time.Duration(r.rng.Int64N(int64(r.jitter)))
		r.mu.Unlock()
	}
	return d
}

// errorsIsRefusal reports whether err is a breaker or bulkhead refusal of
// this edge, as failsafe returns it.
func errorsIsRefusal(err error) bool {
	return errors.Is(err, circuitbreaker.ErrOpen) || errors.Is(err, bulkhead.ErrFull)
}

// edgeBreaker is an edge's circuit breaker. failsafe half-opens a breaker
// only when an attempt asks for a permit after the delay; a timer here
// half-opens it after OpenFor even without one, so the state changes are
// reported when they happen.
type edgeBreaker struct {
	cb             circuitbreaker.CircuitBreaker[*simv1.HandleResponse]
	caller, callee string
	openFor        time.Duration
	on             BreakerFunc

	mu     sync.Mutex
	timer  *time.Timer // half-opens the breaker; guarded by mu
	closed bool        // guarded by mu
}

func newEdgeBreaker(b *topologies.Breaker, caller, callee string, on BreakerFunc) *edgeBreaker {
	eb := &edgeBreaker{caller: caller, callee: callee, openFor: max(b.OpenFor, 0), on: on}
	probes := uint(max(b.HalfOpenProbes, 1))
	eb.cb = circuitbreaker.NewBuilder[*simv1.HandleResponse]().
		// A caller's cancellation says nothing about the callee; every
		// other failed attempt counts, the edge's own bulkhead refusals
		// and timeouts included.
		HandleIf(func(_ *simv1.HandleResponse, err error) bool {
			return err != nil && codeOf(err) != connect.CodeCanceled
		}).
		WithFailureRateThreshold(min(max(b.FailureRatio, 0), 1), uint(max(b.MinRequests, 1)), max(b.Window, 0)).
		WithDelay(eb.openFor).
		WithSuccessThresholdRatio(probes, probes).
		OnStateChanged(eb.changed).
		Build()
	return eb
}

// changed reports a state change and, on opening, arms the half-open timer.
func (b *edgeBreaker) changed(ev circuitbreaker.StateChangedEvent) {
	at := time.Now()
	if ev.NewState == circuitbreaker.OpenState {
		b.mu.Lock()
		if !b.closed {
			if b.timer != nil {
				b.timer.Stop()
			}
			b.timer = time.AfterFunc(b.openFor, b.halfOpen)
		}
		b.mu.Unlock()
	}
	if b.on != nil {
		b.on(b.caller, b.callee, stateName(ev.OldState), stateName(ev.NewState), at)
	}
}

// halfOpen half-opens the breaker if it is still open and its delay is
// over (it may have half-opened, and opened again, since the timer was
// armed).
func (b *edgeBreaker) halfOpen() {
	if b.cb.IsOpen() && b.cb.RemainingDelay() == 0 {
		b.cb.HalfOpen()
	}
}

// close stops the half-open timer for good.
func (b *edgeBreaker) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	if b.timer != nil {
		b.timer.Stop()
	}
}

// stateName is a breaker state as reported.
func stateName(s circuitbreaker.State) string {
	switch s {
	case circuitbreaker.OpenState:
		return metrics.BreakerStateOpen
	case circuitbreaker.HalfOpenState:
		return metrics.BreakerStateHalfOpen
	default:
		return metrics.BreakerStateClosed
	}
}
