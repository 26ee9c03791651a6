package metrics

import (
	"slices"
	"sync"
	"time"

	"github.com/faultline-sim/faultline/reports/result"
)

// Circuit breaker states as reported in result.BreakerChange.
const (
	BreakerStateClosed   = "closed"
	BreakerStateOpen     = "open"
	BreakerStateHalfOpen = "half_open"
)

// breakerChange is one state change as it happened.
type breakerChange struct {
	at                 time.Time
	caller, to         string
	fromState, toState string
}

// breakerLog keeps every breaker state change of a variant, warm-up
// included. Safe for concurrent use.
type breakerLog struct {
	mu  sync.Mutex
	log []breakerChange
}

// BreakerChanged records that the breaker of caller replica caller
// ("order#0") on its edge to service callee went from state from to state
// to at time at (states: BreakerStateClosed, BreakerStateOpen, BreakerStateHalfOpen). Its
// signature is that of service.BreakerFunc. It may allocate: breakers
// change state rarely.
func (e *Edges) BreakerChanged(caller, callee, from, to string, at time.Time) {
	e.breakers.mu.Lock()
	e.breakers.log = append(e.breakers.log, breakerChange{at: at, caller: caller, to: callee, fromState: from, toState: to})
	e.breakers.mu.Unlock()
}

// changes returns the log in time order (stable: changes at the same
// instant keep their recording order), with offsets from recordFrom.
func (l *breakerLog) changes(recordFrom time.Time) []result.BreakerChange {
	l.mu.Lock()
	log := slices.Clone(l.log)
	l.mu.Unlock()
	slices.SortStableFunc(log, func(a, b breakerChange) int { return a.at.Compare(b.at) })
	out := make([]result.BreakerChange, 0, len(log))
	for _, c := range log {
		out = append(out, result.BreakerChange{
			AtS:    c.at.Sub(recordFrom).Seconds(),
			Caller: c.caller,
			To:     c.to,
			From:   c.fromState,
			State:  c.toState,
		})
	}
	return out
}
