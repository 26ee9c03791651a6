package service

import (
	"context"
	"errors"
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
//
// Each delivery, in handle:
//
//	already in the processed-id store (idempotent) ─► Suppressed ─► ack
//	work ok ─► Processed (+ id stored, one transaction) ─► ack
//	work failed, last allowed delivery, dead letters ─► DLQ (acked) ─► DeadLettered ─► term
//	work failed otherwise ─► nak after Backoff[n-1] (or at once)
type consumer struct {
	r       *Replica
	group   string
	subject string
	// hop is the hop of the group's handlings (EventHop); a delivery's
	// attempt is its delivery number, so a redelivery draws afresh.
	hop     uint64
	ackWait time.Duration
	// backoff is the nak delay schedule; maxDeliver > 0 with deadLetters
	// moves a last failed delivery to the dead-letter stream; processed is
	// the group's processed-id store when it is idempotent, else nil.
	backoff     []time.Duration
	maxDeliver  uint64
	deadLetters bool
	// poison is the share of events that fail every delivery.
	poison    float64
	processed *ProcessedStore
	// acks batches acknowledgements; nil: each event is acked at once.
	acks *ackBatch

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
	cons, err := r.bindConsumer(ctx, c.Subject, group)
	if err != nil {
		return nil, err
	}
	n := max(c.Concurrency, 1)
	k := &consumer{
		r: r, group: group, subject: c.Subject, hop: EventHop(c.Subject, group), ackWait: c.AckWait, msgs: make(chan jetstream.Msg, n),
		backoff: c.Backoff, maxDeliver: uint64(max(c.MaxDeliver, 0)), deadLetters: c.DeadLetter, poison: c.Poison,
	}
	if k.ackWait <= 0 {
		k.ackWait = broker.DefaultAckWait
	}
	if c.Idempotent {
		if r.cfg.Processed == nil {
			return nil, errNoProcessedStore
		}
		k.processed = r.cfg.Processed.For(c.Subject, group)
	}
	k.ctx, k.cancel = context.WithCancel(context.Background())
	if c.AckInterval > 0 {
		// Each replica's flushes start at its own point of the interval.
		k.acks = startAckBatch(c.AckInterval, time.Duration(r.sampler.uniform(uint64(r.cfg.Replica), 0, 0, 5)*float64(c.AckInterval)))
	}
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

// work handles deliveries until the consumer stops. The channel is never
// closed: nats.go may still be inside the Consume callback after
// ConsumeContext.Closed, so a close could race its send.
// bindAttempts and bindTimeout bound binding to a durable consumer: a
// cluster whose JetStream leaders are still settling (or a machine loaded
// by other work) can let one lookup time out; the consumer exists (the
// broker's Setup made it), so the lookup is tried again.
const (
	bindAttempts = 3
	bindTimeout  = 10 * time.Second
)

// bindConsumer looks up the durable consumer of group on subject.
func (r *Replica) bindConsumer(ctx context.Context, subject, group string) (jetstream.Consumer, error) {
	var err error
	for range bindAttempts {
		actx, cancel := context.WithTimeout(ctx, bindTimeout)
		var cons jetstream.Consumer
		cons, err = r.broker.Load().js.Consumer(actx, broker.StreamName(subject), broker.DurableName(subject, group))
		cancel()
		if err == nil || !errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
			return cons, err
		}
	}
	return nil, err
}

func (k *consumer) work() {
	defer k.workers.Done()
	for {
		select {
		case m := <-k.msgs:
			k.handle(m)
		case <-k.ctx.Done():
			return
		}
	}
}

var errNoProcessedStore = errors.New("idempotent consumer without a processed-id store (Config.Processed)")

// handle runs the service's work for one delivery. Success is recorded in
// the ledger before the ack, as a real consumer's side effects happen before
// it acks: a lost ack then shows up as a duplicate (or, idempotent, as a
// suppressed redelivery), never as a loss.
func (k *consumer) handle(m jetstream.Msg) {
	if k.ctx.Err() != nil {
		return // stopping: the broker redelivers after the ack wait
	}
	header := m.Headers()
	op, event, intended, err := eventOf(header)
	if err != nil {
		m.Term() // not ours to handle; never redeliver
		return
	}
	var attempt uint64 = 1
	md, mdErr := m.Metadata()
	if mdErr == nil {
		attempt = md.NumDelivered
	}
	if k.processed != nil && k.processed.Seen(event) {
		k.r.cfg.Ledger.Suppressed(event, k.group, attempt > 1)
		m.Ack()
		return
	}
	ctx, cancel := context.WithTimeout(k.ctx, k.ackWait)
	defer cancel()
	replayed, err := k.process(ctx, header, op, event, intended, attempt)
	if err != nil {
		if k.ctx.Err() != nil {
			return
		}
		k.r.cfg.Ledger.Failed(event, k.group, attempt > 1, attempt == 1 && errors.Is(err, errPoison))
		if k.maxDeliver > 0 && attempt >= k.maxDeliver {
			// The broker delivers it no more: lost unless dead-lettered.
			k.r.cfg.Ledger.Exhausted(event, k.group)
		}
		if k.deadLetters && k.maxDeliver > 0 && attempt >= k.maxDeliver && mdErr == nil {
			k.deadLetter(m, md, event, err)
			return
		}
		if d := nakDelay(k.backoff, attempt); d > 0 {
			m.NakWithDelay(d)
		} else {
			m.Nak()
		}
		return
	}
	if replayed {
		// A stateful step that had seen the event: its change was
		// committed by an earlier handling (which may have failed after
		// it, before its ack); the store's processed ids suppressed it.
		k.r.cfg.Ledger.Replayed(event, k.group, attempt > 1, time.Now())
		k.ack(m)
		return
	}
	k.applied(m, event, attempt)
}

// applied records a successful handling and acks it. With a processed-id
// store, the ledger's Processed and the id's insertion are one transaction
// (the work's side effects and the id record commit together); when a
// concurrent or earlier handling committed first, this one rolls back and
// counts as suppressed. Events the work published are not part of the
// transaction: a rolled-back handling has published its own (without an
// outbox, as here, that is what a real consumer does too).
func (k *consumer) applied(m jetstream.Msg, event, attempt uint64) {
	processed := func() { k.r.cfg.Ledger.Processed(event, k.group, attempt > 1, time.Now()) }
	switch {
	case k.processed == nil:
		processed()
	case !k.processed.Commit(event, processed):
		k.r.cfg.Ledger.Suppressed(event, k.group, attempt > 1)
	}
	k.ack(m)
}

// ack acknowledges m, in the next batch when acks are batched.
func (k *consumer) ack(m jetstream.Msg) {
	if k.acks != nil {
		k.acks.add(m)
		return
	}
	m.Ack()
}

// nakDelay returns the delay before redelivering an event whose delivery
// n (1-based) failed: backoff[n-1], the last entry repeating; 0 without a
// backoff.
// process runs the service's work for one delivery (attempt is its
// delivery number); a poison event fails every delivery at once. The
// service's request-level faults act on the delivery as on a request, the
// subject standing for the method and the message's header for the
// request's (see AddRequestFault). An event of a stateful topology's saga
// runs its role's step instead (onSagaEvent); replayed says the step had
// seen the event and did nothing.
func (k *consumer) process(ctx context.Context, header map[string][]string, op, event uint64, intended time.Time, attempt uint64) (replayed bool, err error) {
	if k.poison > 0 && k.r.sampler.Poisoned(k.poison, event) {
		return false, errPoison
	}
	if err := k.r.faults.requestFault(ctx, k.subject, header, op, k.hop, attempt); err != nil {
		return false, err
	}
	if do, next, ok := k.r.sagaStepOf(k.subject); ok {
		return k.r.onSagaEvent(ctx, do, next, op, event, k.hop, attempt, intended)
	}
	_, err = k.r.execute(ctx, op, k.hop, attempt, intended)
	return false, err
}

var errPoison = errors.New("poison message: this event can never be processed")

func nakDelay(backoff []time.Duration, n uint64) time.Duration {
	if len(backoff) == 0 {
		return 0
	}
	return backoff[min(max(n, 1)-1, uint64(len(backoff)-1))]
}

// stop stops pulling, cancels handlers and waits for the workers. Events
// taken but not handled are left unacked, for the broker to redeliver.
func (k *consumer) stop() {
	k.cancel()
	if k.cc != nil {
		k.cc.Stop()
		<-k.cc.Closed()
	}
	k.workers.Wait()
	if k.acks != nil {
		k.acks.stop()
	}
}
