package service

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"connectrpc.com/connect"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/faultline-sim/faultline/topologies"
)

// Headers every event carries.
const (
	HeaderOp       = "Faultline-Op"
	HeaderEvent    = "Faultline-Event"
	HeaderIntended = "Faultline-Intended"
	HeaderKind     = "Faultline-Kind"
	HeaderSchema   = "Faultline-Schema"
	HeaderSource   = "Faultline-Source"
)

// publish sends one event to the broker. In mode ack (the default) it
// waits for the broker's ack, each attempt at most p.Timeout when set, and
// sends the event again up to p.Retries times at once after a failed or
// timed-out attempt (see publishAttempt); in mode fire_and_forget it does
// not wait (see publishFireAndForget). The ledger hears of each attempt
// before it is sent, so a consumer that is faster than the ack cannot
// finish the operation early, and of the ack (its stream sequence, and
// whether the broker dropped it as a duplicate) or of the send after it.
func (r *Replica) publish(ctx context.Context, p topologies.Publish, op uint64, intended time.Time) error {
	return r.publishEvent(ctx, p, op, intended, r.cfg.EventIDs.Add(1))
}

// publishEvent is publish of the event id (unique in the variant: taken
// from Config.EventIDs), which is also its Nats-Msg-Id.
func (r *Replica) publishEvent(ctx context.Context, p topologies.Publish, op uint64, intended time.Time, id uint64) error {
	bc := r.broker.Load()
	if bc == nil {
		return connect.NewError(connect.CodeUnavailable, fmt.Errorf("publish %s: %w", p.Subject, errNoBroker))
	}
	r.cfg.Ledger.Publishing(id, op, intended, p.Subject)
	msg := nats.NewMsg(p.Subject)
	sid := strconv.FormatUint(id, 10)
	msg.Header.Set(HeaderOp, strconv.FormatUint(op, 10))
	msg.Header.Set(HeaderEvent, sid)
	msg.Header.Set(HeaderIntended, strconv.FormatInt(intended.UnixNano(), 10))
	msg.Header.Set(HeaderKind, p.Kind)
	msg.Header.Set(HeaderSchema, strconv.Itoa(p.Schema))
	msg.Header.Set(HeaderSource, r.name)
	if p.Mode == topologies.PublishFireAndForget {
		return r.publishFireAndForget(bc, msg, id, sid)
	}
	var err error
	for attempt := 0; attempt <= p.Retries; attempt++ {
		msgID := sid
		if attempt > 0 {
			if ctx.Err() != nil {
				break
			}
			r.cfg.Ledger.Publishing(id, op, intended, p.Subject) // a retry of the same event
			if p.NewID {
				msgID = sid + "." + strconv.Itoa(attempt)
			}
		}
		var ack *jetstream.PubAck
		ack, err = r.publishAttempt(ctx, bc, p.Timeout, msg, msgID)
		if err == nil {
			r.cfg.Ledger.AckedAt(id, ack.Sequence, ack.Duplicate)
			return nil
		}
	}
	code := connect.CodeUnavailable
	if errors.Is(err, context.DeadlineExceeded) {
		code = connect.CodeDeadlineExceeded
	}
	return connect.NewError(code, fmt.Errorf("publish %s: %w", p.Subject, err))
}

// publishAttempt sends msg once with Nats-Msg-Id msgID and waits for the
// broker's ack, at most timeout when it is positive. A retry after a
// timeout or a lost ack (publish retries) sends the same msg again: with
// the same msgID inside the stream's duplicate window, the broker stores
// it only if no earlier attempt reached it, and otherwise answers with
// the first copy's sequence and Duplicate set; with a new msgID
// (same_id: false) it stores another copy of the event.
func (r *Replica) publishAttempt(ctx context.Context, bc *brokerConn, timeout time.Duration, msg *nats.Msg, msgID string) (*jetstream.PubAck, error) {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	return bc.js.PublishMsg(ctx, msg, jetstream.WithMsgID(msgID))
}

// publishFireAndForget sends msg as a core NATS publish: no reply subject,
// so the stream stores it without answering, and nothing waits. The
// publisher treats the event as sent (Ledger.Sent) once the client library
// took it: written to the connection, or buffered while reconnecting. Bytes
// in flight when a connection or the broker dies are lost with no error,
// and the ledger then counts their pairs as lost. Nats-Msg-Id is set as in
// mode ack, so the stream still drops a duplicate.
//
// A core publish, not js.PublishMsgAsync left unawaited: an async publish
// still tracks every ack, stalls (and then fails) the publisher once too
// many acks are outstanding, as during a broker outage, and times the acks
// out; a fire-and-forget producer does none of that. A publish fails only
// when the client refuses it at once (connection closed, reconnect buffer
// full): the operation then fails as in mode ack.
func (r *Replica) publishFireAndForget(bc *brokerConn, msg *nats.Msg, id uint64, sid string) error {
	msg.Header.Set(jetstream.MsgIDHeader, sid)
	if err := bc.nc.PublishMsg(msg); err != nil {
		return connect.NewError(connect.CodeUnavailable, fmt.Errorf("publish %s: %w", msg.Subject, err))
	}
	r.cfg.Ledger.Sent(id)
	return nil
}

var errNoBroker = errors.New("not connected to the broker")

// eventOf reads the ids and intended time an event carries.
func eventOf(h nats.Header) (op, event uint64, intended time.Time, err error) {
	if op, err = strconv.ParseUint(h.Get(HeaderOp), 10, 64); err != nil {
		return 0, 0, time.Time{}, fmt.Errorf("header %s: %w", HeaderOp, err)
	}
	if event, err = strconv.ParseUint(h.Get(HeaderEvent), 10, 64); err != nil {
		return 0, 0, time.Time{}, fmt.Errorf("header %s: %w", HeaderEvent, err)
	}
	ns, err := strconv.ParseInt(h.Get(HeaderIntended), 10, 64)
	if err != nil {
		return 0, 0, time.Time{}, fmt.Errorf("header %s: %w", HeaderIntended, err)
	}
	return op, event, time.Unix(0, ns), nil
}
