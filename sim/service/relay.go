package service

import (
	"context"
	"sync"
	"time"

	"github.com/faultline-sim/faultline/sim/state"
	"github.com/faultline-sim/faultline/topologies"
)

// The outbox relay reads up to relayBatch unsent messages every
// relayInterval.
// A relay claims up to relayBatch messages every relayInterval, each for
// relayLease, and gives each publish attempt relayTimeout (unless the
// publish entry sets its own timeout): well inside the lease, so another
// relay takes a message over only from one that died or hung.
const (
	relayInterval = 5 * time.Millisecond
	relayBatch    = 256
	relayLease    = 3 * time.Second
	relayTimeout  = time.Second
	// relayParallel bounds the publishes of a batch awaiting their acks.
	relayParallel = 64
)

// outbox is what a relay reads and marks: every store has it.
type outbox interface {
	ClaimOutbox(ctx context.Context, limit int, lease time.Duration) ([]state.Outgoing, error)
	MarkSentAll(ctx context.Context, ids []uint64) error
}

// publishAll publishes msgs at once, each as its subject's publish entry
// says, and returns the ids the broker acknowledged. Their order is not
// kept: each is a different operation's, or a later step of the same one
// that its consumer finds in order by the saga's own states.
func (r *Replica) publishAll(ctx context.Context, msgs []state.Outgoing) []uint64 {
	acked := make([]bool, len(msgs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, relayParallel)
	for i, m := range msgs {
		p, ok := r.publishEntry(m.Subject)
		if !ok {
			continue
		}
		if p.Timeout <= 0 {
			p.Timeout = relayTimeout
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			acked[i] = r.publishEvent(ctx, p, m.Op, payloadIntended(m.Payload), m.ID) == nil
		})
	}
	wg.Wait()
	var ids []uint64
	for i, ok := range acked {
		if ok {
			ids = append(ids, msgs[i].ID)
		}
	}
	return ids
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

// relay publishes the outbox's messages in batches (publishAll), each with
// its id as Nats-Msg-Id, and marks those the broker acknowledged sent in
// one transaction, until life ends. A relay that dies between the ack and the mark publishes the
// message again; the broker drops the copy by its id (within the stream's
// duplicate window). Every replica of the service runs one; they claim
// different messages (ClaimOutbox), and a message whose relay died is
// claimed again once its lease runs out.
func (r *Replica) relay(life context.Context, box outbox) {
	t := time.NewTicker(relayInterval)
	defer t.Stop()
	for {
		select {
		case <-life.Done():
			return
		case <-t.C:
		}
		msgs, err := box.ClaimOutbox(life, relayBatch, relayLease)
		if err != nil || len(msgs) == 0 {
			continue
		}
		box.MarkSentAll(life, r.publishAll(life, msgs)) //nolint:errcheck // unmarked, they are sent again and dropped as duplicates
	}
}
