package service

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/faultline-sim/faultline/sim/broker"
)

// Headers a dead letter carries besides every header of the original
// event.
const (
	// HeaderError is the error of the last failed delivery.
	HeaderError = "Faultline-Error"
	// HeaderDeliveries is how many times the event was delivered to the
	// group (its max_deliver).
	HeaderDeliveries = "Faultline-Deliveries"
	// HeaderStream and HeaderStreamSeq locate the original in its stream;
	// HeaderSubject is its subject and HeaderGroup the group that gave up.
	HeaderStream    = "Faultline-Stream"
	HeaderStreamSeq = "Faultline-Stream-Seq"
	HeaderSubject   = "Faultline-Subject"
	HeaderGroup     = "Faultline-Group"
	// HeaderOriginalMsgID keeps the original's Nats-Msg-Id, which the dead
	// letter's own id replaces.
	HeaderOriginalMsgID = "Faultline-Original-Msg-Id"
)

// Dead-letter publish retries: 5 attempts with 1.5 s of waits between
// them, each attempt bounded by broker.DefaultCallTimeout (and retried by
// the client on "no responders", twice 250 ms apart): a few seconds in all,
// enough to ride out a broker connection's reconnect or a stream leader's
// move, not a long outage.
const (
	deadLetterAttempts = 5
	deadLetterBackoff  = 100 * time.Millisecond
)

// deadLetter handles the failure of the group's last allowed delivery of m
// (event): it publishes m to the dead-letter stream and waits for the ack,
// tells the ledger, then terminates the original so it is never delivered
// again. The ledger hears before the Term, as it hears of a processing
// before the ack, so the pair is at every moment either held by the broker
// or accounted for.
//
// When every publish attempt fails, the event cannot be kept: the broker
// will not redeliver it (this was its last delivery). It is counted
// (Ledger.DeadLetterFailed) and naked. A nak hands it to the broker's own
// max-deliveries handling at once: the broker drops it from the consumer's
// pending messages and publishes the MAX_DELIVERIES advisory (for an
// operator's mover to find), so the run reports the pair as lost, as it
// is. Leaving it unacknowledged instead would keep it in the consumer's
// pending count until the ack wait expired, and a run ending before then
// would report it as still pending, to be delivered, which it never will.
func (k *consumer) deadLetter(m jetstream.Msg, md *jetstream.MsgMetadata, event uint64, cause error) {
	msg := deadLetterMsg(m, md, k.group, cause)
	id := broker.DeadLetterMsgID(k.group, m.Subject(), md.Sequence.Stream)
	if err := k.publishDeadLetter(m, msg, id); err != nil {
		if k.ctx.Err() != nil {
			return // stopping: a crash on the last try; the broker drops it
		}
		k.r.cfg.Ledger.DeadLetterFailed(event, k.group)
		m.Nak()
		return
	}
	k.r.cfg.Ledger.DeadLettered(event, k.group)
	m.TermWithReason("dead-lettered")
}

// publishDeadLetter publishes msg with Nats-Msg-Id id (so a retry that
// follows a lost ack is stored once) until the dead-letter stream
// acknowledges it, the attempts run out or the consumer stops. Between
// attempts it tells the broker the original is still in progress, so its
// ack wait does not expire meanwhile.
func (k *consumer) publishDeadLetter(orig jetstream.Msg, msg *nats.Msg, id string) error {
	var errs []error
	delay := deadLetterBackoff
	for attempt := 1; ; attempt++ {
		bc := k.r.broker.Load()
		if bc == nil {
			return errNoBroker
		}
		ctx, cancel := context.WithTimeout(k.ctx, broker.DefaultCallTimeout)
		_, err := bc.js.PublishMsg(ctx, msg, jetstream.WithMsgID(id), jetstream.WithExpectStream(broker.DeadLetterStream))
		cancel()
		if err == nil {
			return nil
		}
		errs = append(errs, err)
		if attempt == deadLetterAttempts || k.ctx.Err() != nil {
			return fmt.Errorf("dead letter %s: %w", id, errors.Join(errs...))
		}
		orig.InProgress()
		if sleep(k.ctx, delay) != nil {
			return fmt.Errorf("dead letter %s: %w", id, errors.Join(errs...))
		}
		delay *= 2
	}
}

// deadLetterMsg returns the dead letter of m for group: every header of
// the original, plus the error, the delivery count and where the original
// is, on the group's dead-letter subject, with the original's body.
func deadLetterMsg(m jetstream.Msg, md *jetstream.MsgMetadata, group string, cause error) *nats.Msg {
	msg := nats.NewMsg(broker.DeadLetterSubject(group, m.Subject()))
	for k, vs := range m.Headers() {
		msg.Header[k] = append([]string(nil), vs...)
	}
	if orig := msg.Header.Get(jetstream.MsgIDHeader); orig != "" {
		msg.Header.Set(HeaderOriginalMsgID, orig)
	}
	msg.Header.Set(HeaderError, cause.Error())
	msg.Header.Set(HeaderDeliveries, strconv.FormatUint(md.NumDelivered, 10))
	msg.Header.Set(HeaderStream, md.Stream)
	msg.Header.Set(HeaderStreamSeq, strconv.FormatUint(md.Sequence.Stream, 10))
	msg.Header.Set(HeaderSubject, m.Subject())
	msg.Header.Set(HeaderGroup, group)
	msg.Data = m.Data()
	return msg
}
