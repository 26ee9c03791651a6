package service

import (
	"context"
	"time"

	"github.com/faultline-sim/faultline/sim/state"
	"github.com/faultline-sim/faultline/topologies"
)

// The outbox relay reads up to relayBatch unsent messages every
// relayInterval.
// Replica k of the service relays a message only once it has waited
// k × relayStandby: replica 0 relays, the others stand by and take over
// when it is down or behind.
const (
	relayInterval = 5 * time.Millisecond
	relayBatch    = 256
	relayStandby  = 100 * time.Millisecond
)

// outbox is what a relay reads and marks: every store has it.
type outbox interface {
	PendingOutbox(ctx context.Context, limit int) ([]state.Outgoing, error)
	MarkSent(ctx context.Context, id uint64) error
}

// outboxOf returns the store whose outbox the replica relays: its role's,
// when the topology publishes through an outbox; nil otherwise.
func (r *Replica) outboxOf() outbox {
	st, s := r.cfg.Topology.State, r.cfg.Stores
	if st == nil || s == nil || st.Publish != topologies.PublishOutbox {
		return nil
	}
	switch r.role() {
	case topologies.RoleOrder:
		return s.Orders
	case topologies.RolePayment:
		return s.Payments
	case topologies.RoleInventory:
		return s.Inventory
	}
	return nil
}

// relay publishes the outbox's messages in order, each with its id as
// Nats-Msg-Id, and marks each sent after the broker's ack, until life
// ends. A relay that dies between the ack and the mark publishes the
// message again; the broker drops the copy by its id (within the stream's
// duplicate window). Every replica of the service runs one, replica k
// waiting k × relayStandby before it takes a message: the first relays,
// the others take over when it is down; two that publish a message at once
// have the same effect as one.
func (r *Replica) relay(life context.Context, box outbox) {
	t := time.NewTicker(relayInterval)
	defer t.Stop()
	for {
		select {
		case <-life.Done():
			return
		case <-t.C:
		}
		msgs, err := box.PendingOutbox(life, relayBatch)
		if err != nil {
			continue
		}
		standby := time.Duration(r.cfg.Replica) * relayStandby
		for _, m := range msgs {
			if time.Since(m.At) < standby {
				break // later ones are younger still
			}
			p, ok := r.publishEntry(m.Subject)
			if !ok {
				continue
			}
			if r.publishEvent(life, p, m.Op, payloadIntended(m.Payload), m.ID) != nil {
				break // the broker is away: again on the next tick, in order
			}
			box.MarkSent(life, m.ID) //nolint:errcheck // unmarked, it is sent again and dropped as a duplicate
		}
	}
}
