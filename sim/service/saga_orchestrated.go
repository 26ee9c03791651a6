package service

import (
	"context"
	"time"

	"github.com/faultline-sim/faultline/sim/rpc/simv1"
	"github.com/faultline-sim/faultline/sim/state"
	"github.com/faultline-sim/faultline/topologies"
)

// Compensation of an orchestrated saga: retried with a doubling backoff
// from compensateBackoff to compensateBackoffMax until it succeeds, for at
// most compensateFor; then the saga is left as it is (the checker counts
// what that leaves behind).
const (
	compensateBackoff    = 20 * time.Millisecond
	compensateBackoffMax = time.Second
	compensateFor        = 30 * time.Second
)

// sagaEdge is the order service's call to one role: its index in the
// service's calls (and edges), and the callee.
type sagaEdge struct {
	i    int
	call topologies.Call
}

// sagaEdge returns the order service's call to the service playing role;
// topology validation makes sure there is one.
func (r *Replica) sagaEdge(role topologies.Role) sagaEdge {
	svc := r.cfg.Topology.State.Service(role)
	for i, c := range r.cfg.Service.Calls {
		if c.Service == svc {
			return sagaEdge{i: i, call: c}
		}
	}
	return sagaEdge{i: -1}
}

// callStep asks the service of e for one action of op's saga, through the
// edge (its policy and metrics), with op's idempotency key.
func (r *Replica) callStep(ctx context.Context, e sagaEdge, op, hop uint64, intended time.Time, action string) (*simv1.HandleResponse, error) {
	return r.edges[e.i].DoAt(ctx, intended, func(ctx context.Context, n int) (*simv1.HandleResponse, error) {
		req := &simv1.HandleRequest{OpId: op, IntendedUnixNano: intended.UnixNano(), Attempt: uint32(n), Hop: hop,
			Action: action, IdempotencyKey: opKey(op)}
		return r.caller.Call(ctx, e.call.Service, req)
	})
}

// orchestrate runs operation op's saga at the order service:
//
//	place (pending) ─► charge ─► reserve ─► confirm
//	                     │          │
//	        funds short: cancel     out of stock or error: refund, release (in
//	        error: refund, cancel   the background), then cancel
//
// Each step is one transaction at its service, its reply sent after the
// commit, so a crash or a timeout can fall between. A call that failed may
// still have been applied (the caller saw a timeout, the charge went
// through): compensation undoes whatever was done, and the steps' keys
// make every retry and compensation harmless. A retried operation (the
// gateway's retry) runs the saga again, each step replaying.
func (r *Replica) orchestrate(ctx context.Context, op, hop, attempt uint64, intended time.Time) (string, uint32, error) {
	if err := r.work(ctx, op, hop, attempt); err != nil {
		return "", 0, err
	}
	orders, life := r.cfg.Stores.Orders, r.lifeContext()
	if _, err := orders.Place(life, op, state.Change{}); err != nil {
		return "", 0, storeError(err)
	}
	pay, inv := r.sagaEdge(topologies.RolePayment), r.sagaEdge(topologies.RoleInventory)
	res, err := r.callStep(ctx, pay, op, ChildHop(hop, attempt, pay.i), intended, ActionCharge)
	if err != nil {
		r.compensate(op, hop, attempt, []sagaStep{{pay, ActionRefund}})
		return "", 0, callError(pay.call.Service, err)
	}
	hops := res.Hops
	if res.Outcome == OutcomeInsufficientFunds {
		if _, err := orders.Cancel(life, op, state.Change{}); err != nil {
			return "", 0, storeError(err)
		}
		return OutcomeCancelled, hops, nil
	}
	res, err = r.callStep(ctx, inv, op, ChildHop(hop, attempt, inv.i), intended, ActionReserve)
	if err != nil {
		r.compensate(op, hop, attempt, []sagaStep{{inv, ActionRelease}, {pay, ActionRefund}})
		return "", 0, callError(inv.call.Service, err)
	}
	hops = max(hops, res.Hops)
	if res.Outcome == OutcomeOutOfStock {
		r.compensate(op, hop, attempt, []sagaStep{{pay, ActionRefund}})
		return OutcomeCancelled, hops, nil
	}
	done, err := orders.Confirm(life, op, state.Change{})
	if err != nil {
		return "", 0, storeError(err)
	}
	if done.Outcome == state.Conflict {
		// Another attempt of the operation gave up and cancelled it: what
		// this one replayed is undone again (harmlessly).
		r.compensate(op, hop, attempt, []sagaStep{{inv, ActionRelease}, {pay, ActionRefund}})
		return OutcomeCancelled, hops, nil
	}
	return OutcomeConfirmed, hops, nil
}

// sagaStep is one compensating call.
type sagaStep struct {
	edge   sagaEdge
	action string
}

// compensate undoes op's steps in the background, each call retried until
// it is answered, then cancels the order. It runs for at most
// compensateFor and ends with the replica's incarnation: an orchestrator
// that crashes forgets the sagas it was compensating (there is no saga log
// to resume them from), which the checker sees as orphans or stuck orders.
func (r *Replica) compensate(op, hop, attempt uint64, steps []sagaStep) {
	life := r.lifeContext()
	r.bg.Go(func() {
		ctx, cancel := context.WithTimeout(life, compensateFor)
		defer cancel()
		for k, s := range steps {
			// A hop of its own beyond the service's calls: fresh draws.
			h := ChildHop(hop, attempt, len(r.cfg.Service.Calls)+k)
			if !r.retryStep(ctx, s, op, h) {
				return
			}
		}
		r.cfg.Stores.Orders.Cancel(ctx, op, state.Change{}) //nolint:errcheck // the checker reads what is committed
	})
}

// retryStep calls s until it is answered or ctx ends; it reports whether it
// was answered.
func (r *Replica) retryStep(ctx context.Context, s sagaStep, op, hop uint64) bool {
	wait := compensateBackoff
	for {
		// A compensation is a request of its own, sent now: its deadline
		// budget is not the operation's, long spent.
		if _, err := r.callStep(ctx, s.edge, op, hop, time.Now(), s.action); err == nil {
			return true
		}
		if sleep(ctx, wait) != nil {
			return false
		}
		wait = min(2*wait, compensateBackoffMax)
	}
}
