package service

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"time"

	"connectrpc.com/connect"

	"github.com/faultline-sim/faultline/sim/rpc/simv1"
	"github.com/faultline-sim/faultline/sim/state"
	"github.com/faultline-sim/faultline/topologies"
)

// Stores are the stores of a stateful topology's three roles, each shared
// by every replica of its service, as a database is.
type Stores struct {
	Orders    *state.Orders
	Payments  *state.Payments
	Inventory *state.Inventory
}

// Actions of the orchestrated saga's calls (HandleRequest.action).
const (
	ActionCharge  = "charge"
	ActionRefund  = "refund"
	ActionReserve = "reserve"
	ActionRelease = "release"
)

// Business outcomes (HandleResponse.outcome).
const (
	OutcomeConfirmed         = "confirmed"
	OutcomeCancelled         = "cancelled"
	OutcomePending           = "pending"
	OutcomeCharged           = "charged"
	OutcomeRefunded          = "refunded"
	OutcomeReserved          = "reserved"
	OutcomeReleased          = "released"
	OutcomeInsufficientFunds = "insufficient_funds"
	OutcomeOutOfStock        = "out_of_stock"
)

// role returns the role the replica's service plays in a stateful
// topology, "" for a stateless service.
func (r *Replica) role() topologies.Role {
	st := r.cfg.Topology.State
	if st == nil || r.cfg.Stores == nil {
		return ""
	}
	role, _ := st.Role(r.cfg.Service.Name)
	return role
}

// handleStateful serves a request to a stateful service: the saga's entry
// at the order service (orchestrated: the whole saga; choreographed: the
// order placed), or one step asked by the orchestrator (Action). ok is
// false when the request is not a stateful one (a stateless service).
func (r *Replica) handleStateful(ctx context.Context, m *simv1.HandleRequest) (outcome string, hops uint32, ok bool, err error) {
	role := r.role()
	if role == "" {
		return "", 0, false, nil
	}
	op, hop, attempt := m.OpId, m.Hop, max(uint64(m.Attempt), 1)
	intended := time.Unix(0, m.IntendedUnixNano)
	switch {
	case role == topologies.RoleOrder && m.Action == "":
		if r.cfg.Topology.State.Saga == topologies.SagaOrchestrated {
			outcome, hops, err = r.orchestrate(ctx, op, hop, attempt, intended)
		} else {
			outcome, err = r.place(ctx, op, hop, attempt, intended)
		}
		return outcome, hops, true, err
	case m.Action != "":
		if err := r.work(ctx, op, hop, attempt); err != nil {
			return "", 0, true, err
		}
		outcome, err = r.step(m.Action, op, m.IdempotencyKey)
		return outcome, 0, true, err
	}
	return "", 0, false, nil
}

// sagaActions are the steps an orchestrator asks for (Action): the role
// that makes each, its state change, and the outcome it reports when done.
var sagaActions = map[string]struct {
	role   topologies.Role
	change func(s *Stores) changeFunc
	done   string
}{
	ActionCharge:  {topologies.RolePayment, func(s *Stores) changeFunc { return s.Payments.Charge }, OutcomeCharged},
	ActionRefund:  {topologies.RolePayment, func(s *Stores) changeFunc { return s.Payments.Refund }, OutcomeRefunded},
	ActionReserve: {topologies.RoleInventory, func(s *Stores) changeFunc { return s.Inventory.Reserve }, OutcomeReserved},
	ActionRelease: {topologies.RoleInventory, func(s *Stores) changeFunc { return s.Inventory.Release }, OutcomeReleased},
}

// step applies one action of the orchestrated saga to the replica's store,
// the request's idempotency key making a retry harmless.
func (r *Replica) step(action string, op uint64, key string) (string, error) {
	a, ok := sagaActions[action]
	if !ok || a.role != r.role() {
		return "", connect.NewError(connect.CodeInvalidArgument, fmt.Errorf("%s cannot %s", r.name, action))
	}
	res, err := a.change(r.cfg.Stores)(r.lifeContext(), op, state.Change{Key: key})
	if err != nil {
		return "", storeError(err)
	}
	return businessOutcome(res.Outcome, a.done), nil
}

// businessOutcome names a store outcome: done for a change made or found made,
// else the business failure.
func businessOutcome(o state.Outcome, done string) string {
	switch o {
	case state.OutOfStock:
		return OutcomeOutOfStock
	case state.InsufficientFunds:
		return OutcomeInsufficientFunds
	}
	return done
}

// storeError is a store's failure as an RPC error: the replica cannot
// answer (it crashed mid-change, or its store failed).
func storeError(err error) error {
	if errors.Is(err, context.Canceled) {
		return connect.NewError(connect.CodeUnavailable, err)
	}
	return connect.NewError(connect.CodeInternal, err)
}

// opKey is the idempotency key of operation op's saga steps.
func opKey(op uint64) string { return strconv.FormatUint(op, 10) }

// intendedPayload carries an event's intended send time through the
// outbox, which stores the event's payload.
func intendedPayload(t time.Time) []byte {
	return binary.BigEndian.AppendUint64(nil, uint64(t.UnixNano()))
}

// payloadIntended reads intendedPayload.
func payloadIntended(p []byte) time.Time {
	if len(p) < 8 {
		return time.Time{}
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(p)))
}
