package service

import (
	"context"
	"slices"
	"sync"
	"time"
)

// callParallel makes every call of a parallel service at once, each through
// its own edge (policy, metrics) on its own goroutine, and waits for all of
// them: none outlives it. Call i is at ChildHop(hop, attempt, i). It returns the deepest hop count of the calls.
// The first call to fail fails the whole, with its Connect code, and
// cancels the calls still in flight; their edges record them as failed
// (cancelled) calls, which a breaker does not count against the callee.
func (r *Replica) callParallel(ctx context.Context, op, hop, attempt uint64, intended time.Time) (uint32, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	calls := r.cfg.Service.Calls
	hops := make([]uint32, len(calls)) // each goroutine writes its own
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error // set once, by the first call to fail
	)
	for i, call := range calls {
		wg.Go(func() {
			res, err := r.call(ctx, r.edges[i], call, op, ChildHop(hop, attempt, i), intended)
			if err != nil {
				once.Do(func() {
					first = callError(call.Service, err)
					cancel()
				})
				return
			}
			hops[i] = res.Hops
		})
	}
	wg.Wait()
	if first != nil {
		return 0, first
	}
	return slices.Max(hops), nil
}
