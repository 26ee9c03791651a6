package service

import (
	"sync"
	"time"

	"github.com/failsafe-go/failsafe-go"
	"github.com/failsafe-go/failsafe-go/budget"
)

// retryBudget caps an edge's retries at a share of its calls, as Finagle's
// RetryBudget and gRPC's retry throttling do: every call deposits ratio
// tokens, every retry withdraws one, and besides minPerSec retries per
// second are always allowed, so a quiet edge can still retry. The balance
// is capped (balanceCap), so a long healthy period cannot fund a storm.
// Safe for concurrent use; allocates nothing.
//
// It plugs into failsafe-go's retry policy (WithBudget), which asks it for
// a permit before each retry, ahead of the breaker and the bulkhead, and
// fails the call with budget.ErrExceeded when refused. failsafe-go's own
// budget limits something else (retries in flight as a share of executions
// in flight), which lets nearly every retry through when attempts fail
// fast; what makes a retry storm is the rate of retries.
var _ budget.Budget = (*retryBudget)(nil)

type retryBudget struct {
	ratio     float64
	minPerSec float64

	mu      sync.Mutex
	balance float64 // ratio tokens
	free    float64 // tokens of the minimum, refilled over time
	last    time.Time
}

func newRetryBudget(ratio float64, minPerSec int) *retryBudget {
	m := float64(max(minPerSec, 0))
	return &retryBudget{ratio: ratio, minPerSec: m, free: m}
}

// eps absorbs the rounding of repeated float additions.
const eps = 1e-9

// balanceCap bounds the ratio tokens saved: 100 calls' worth, at least 10.
func (b *retryBudget) balanceCap() float64 { return max(10, 100*b.ratio) }

// deposit is called once per call.
func (b *retryBudget) deposit() {
	b.mu.Lock()
	b.balance = min(b.balance+b.ratio, b.balanceCap())
	b.mu.Unlock()
}

// withdraw reports whether a retry may go at now, taking its token.
func (b *retryBudget) withdraw(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.last.IsZero() {
		b.free = min(b.minPerSec, b.free+b.minPerSec*now.Sub(b.last).Seconds())
	}
	b.last = now
	switch {
	case b.balance >= 1-eps: // sums of ratio drift below whole tokens
		b.balance--
	case b.free >= 1-eps:
		b.free--
	default:
		return false
	}
	return true
}

// Rate returns the balance of ratio tokens (for failsafe's Budget).
func (b *retryBudget) Rate() float64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.balance
}

// RecordExecution is called by failsafe once per call: a deposit.
func (b *retryBudget) RecordExecution() { b.deposit() }

// ReleaseExecution is called when a call ends; nothing to do.
func (b *retryBudget) ReleaseExecution() {}

// TryAcquirePermit is called before each retry.
func (b *retryBudget) TryAcquirePermit() bool { return b.withdraw(time.Now()) }

// ReleasePermit is called after a retry's attempt; tokens are spent, not
// returned.
func (b *retryBudget) ReleasePermit() {}

// OnBudgetExceeded is failsafe's hook for a refused retry; the edge counts
// refusals itself.
func (b *retryBudget) OnBudgetExceeded(budget.ExecutionType, failsafe.ExecutionInfo) {}
