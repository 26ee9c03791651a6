package service

import (
	"context"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/faultline-sim/faultline/sim/broker"
	"github.com/faultline-sim/faultline/topologies"
)

// consumer pulls one durable consumer's events for one replica and handles
// them with a fixed number of workers.
//
//	broker ─► Consume callback ─► chan (cap concurrency) ─► workers × concurrency
type consumer struct {
	r       *Replica
	group   string
	ackWait time.Duration
	cc      jetstream.ConsumeContext
	msgs    chan jetstream.Msg
	ctx     context.Context
	cancel  context.CancelFunc
	workers sync.WaitGroup
}

func (r *Replica) consume(ctx context.Context, c topologies.Consume) (*consumer, error) {
	group := c.Group
	if group == "" {
		group = r.cfg.Service.Name
	}
	cons, err := r.broker.Load().js.Consumer(ctx, broker.StreamName(c.Subject), broker.DurableName(c.Subject, group))
	if err != nil {
		return nil, err
	}
	n := max(c.Concurrency, 1)
	k := &consumer{r: r, group: group, ackWait: c.AckWait, msgs: make(chan jetstream.Msg, n)}
	if k.ackWait <= 0 {
		k.ackWait = broker.DefaultAckWait
	}
	k.ctx, k.cancel = context.WithCancel(context.Background())
	for range n {
		k.workers.Add(1)
		go k.work()
	}
	k.cc, err = cons.Consume(func(m jetstream.Msg) {
		select {
		case k.msgs <- m:
		case <-k.ctx.Done():
		}
	}, jetstream.PullMaxMessages(2*n))
	if err != nil {
		k.stop()
		return nil, err
	}
	return k, nil
}

func (k *consumer) work() {
	defer k.workers.Done()
	for m := range k.msgs {
		k.handle(m)
	}
}

// handle runs the service's work for one delivery. Success is recorded in
// the ledger before the ack, as a real consumer's side effects happen before
// it acks: a lost ack then shows up as a duplicate, never as a loss.
func (k *consumer) handle(m jetstream.Msg) {
	if k.ctx.Err() != nil {
		return // stopping: the broker redelivers after the ack wait
	}
	op, event, intended, err := eventOf(m.Headers())
	if err != nil {
		m.Term() // not ours to handle; never redeliver
		return
	}
	var attempt uint64 = 1
	if md, err := m.Metadata(); err == nil {
		attempt = md.NumDelivered
	}
	ctx, cancel := context.WithTimeout(k.ctx, k.ackWait)
	defer cancel()
	if _, err := k.r.execute(ctx, op, intended, attempt); err != nil {
		if k.ctx.Err() == nil {
			m.Nak()
		}
		return
	}
	k.r.cfg.Ledger.Processed(event, k.group, attempt > 1, time.Now())
	m.Ack()
}

// stop stops pulling, cancels handlers and waits for the workers.
func (k *consumer) stop() {
	k.cancel()
	if k.cc != nil {
		k.cc.Stop()
		<-k.cc.Closed()
	}
	close(k.msgs)
	k.workers.Wait()
}
