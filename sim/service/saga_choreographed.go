package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"connectrpc.com/connect"

	"github.com/faultline-sim/faultline/sim/state"
	"github.com/faultline-sim/faultline/topologies"
)

// place is the choreographed saga's entry at the order service: the order
// is placed pending and order.placed published, written as the topology's
// state.publish says (dual write: after the commit, so a crash in between
// loses it; outbox: in the commit, for the relay to publish). The client
// is answered "pending": the saga goes on in events. A retried request
// (same operation) replays the placement and publishes nothing again.
func (r *Replica) place(ctx context.Context, op, hop, attempt uint64, intended time.Time) (string, error) {
	if err := r.work(ctx, op, hop, attempt); err != nil {
		return "", err
	}
	next := func(o state.Outcome) string {
		if o == state.Applied {
			return topologies.SubjectOrderPlaced
		}
		return ""
	}
	switch err := r.change(ctx, op, intended, state.Change{Key: opKey(op)}, r.cfg.Stores.Orders.Place, next); {
	case err == errReplayed: // placed by an earlier attempt
	case err != nil:
		return "", err
	}
	return OutcomePending, nil
}

// sagaStepOf returns, for an event of subject consumed by the replica's
// role, the state change it makes and the event that follows each outcome
// ("" for none); ok is false when subject starts no step of this role.
func (r *Replica) sagaStepOf(subject string) (do changeFunc, next func(state.Outcome) string, ok bool) {
	s := r.cfg.Stores
	either := func(done, failed string) func(state.Outcome) string {
		return func(o state.Outcome) string {
			if o.Failed() {
				return failed
			}
			return done
		}
	}
	always := func(subj string) func(state.Outcome) string { return func(state.Outcome) string { return subj } }
	switch role := r.role(); {
	case role == topologies.RolePayment && subject == topologies.SubjectOrderPlaced:
		return s.Payments.Charge, either(topologies.SubjectPaymentCharged, topologies.SubjectPaymentFailed), true
	case role == topologies.RoleInventory && subject == topologies.SubjectPaymentCharged:
		return s.Inventory.Reserve, either(topologies.SubjectInventoryReserved, topologies.SubjectInventoryFailed), true
	case role == topologies.RolePayment && subject == topologies.SubjectInventoryFailed:
		return s.Payments.Refund, always(topologies.SubjectPaymentRefunded), true
	case role == topologies.RoleOrder && subject == topologies.SubjectInventoryReserved:
		return s.Orders.Confirm, func(o state.Outcome) string {
			if o == state.Conflict {
				return "" // cancelled meanwhile: nothing to announce
			}
			return topologies.SubjectOrderConfirmed
		}, true
	case role == topologies.RoleOrder && (subject == topologies.SubjectPaymentFailed || subject == topologies.SubjectPaymentRefunded):
		return s.Orders.Cancel, func(o state.Outcome) string {
			if o == state.Conflict {
				return ""
			}
			return topologies.SubjectOrderCancelled
		}, true
	}
	return nil, nil, false
}

// changeFunc is a state change of one of the stores.
type changeFunc func(ctx context.Context, op uint64, ch state.Change) (state.Result, error)

// onSagaEvent handles a delivery of the choreographed saga's event: the
// service's work, then its step, then the next event. An effectively-once
// consumer (state.consumers: idempotent) records the event's id with the
// step; a delivery it has seen changes nothing and publishes nothing
// (replayed true). An at-least-once consumer applies a redelivery again.
func (r *Replica) onSagaEvent(ctx context.Context, do changeFunc, next func(state.Outcome) string, op, event, hop, attempt uint64, intended time.Time) (replayed bool, err error) {
	if err := r.work(ctx, op, hop, attempt); err != nil {
		return false, err
	}
	var ch state.Change
	if r.cfg.Topology.State.Consumers == topologies.ConsumeIdempotent {
		ch.Event = event
	}
	err = r.change(ctx, op, intended, ch, do, next)
	if err == errReplayed {
		return true, nil
	}
	return false, err
}

// errReplayed says a change was a replay: nothing changed, nothing sent.
var errReplayed = errors.New("replayed")

// change makes one state change with the event that follows its outcome,
// written as state.publish says: in the change's transaction (outbox), or
// published after the commit (dual write). It returns errReplayed when the
// change was a replay.
func (r *Replica) change(ctx context.Context, op uint64, intended time.Time, ch state.Change, do changeFunc, next func(state.Outcome) string) error {
	outbox := r.cfg.Topology.State.Publish == topologies.PublishOutbox
	if outbox {
		ch.Outbox = func(o state.Outcome) []state.Message {
			subj := next(o)
			if subj == "" {
				return nil
			}
			return []state.Message{{ID: r.cfg.EventIDs.Add(1), Subject: subj, Payload: intendedPayload(intended)}}
		}
	}
	res, err := do(r.lifeContext(), op, ch)
	switch {
	case err != nil:
		return storeError(err)
	case res.Replayed:
		return errReplayed
	case outbox:
		return nil
	}
	subj := next(res.Outcome)
	if subj == "" {
		return nil
	}
	// The dual write's gap: committed, not yet published.
	return r.publishSubject(ctx, subj, op, intended)
}

// publishSubject publishes an event of subject as the service's publish
// entry for it says (mode, retries, timeout).
func (r *Replica) publishSubject(ctx context.Context, subject string, op uint64, intended time.Time) error {
	p, ok := r.publishEntry(subject)
	if !ok {
		return connect.NewError(connect.CodeInternal, fmt.Errorf("%s has no publish entry for %s", r.name, subject))
	}
	return r.publish(ctx, p, op, intended)
}

// publishEntry returns the service's publish entry for subject.
func (r *Replica) publishEntry(subject string) (topologies.Publish, bool) {
	for _, p := range r.cfg.Service.Publish {
		if p.Subject == subject {
			return p, true
		}
	}
	return topologies.Publish{}, false
}
