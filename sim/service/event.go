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

// publish stores one event in the broker and waits for its ack. The ledger
// hears of the attempt before the publish, so a consumer that is faster than
// the ack cannot finish the operation early, and of the ack after it.
func (r *Replica) publish(ctx context.Context, p topologies.Publish, op uint64, intended time.Time) error {
	bc := r.broker.Load()
	if bc == nil {
		return connect.NewError(connect.CodeUnavailable, fmt.Errorf("publish %s: %w", p.Subject, errNoBroker))
	}
	id := r.cfg.EventIDs.Add(1)
	r.cfg.Ledger.Publishing(id, op, intended, p.Subject)
	msg := nats.NewMsg(p.Subject)
	sid := strconv.FormatUint(id, 10)
	msg.Header.Set(HeaderOp, strconv.FormatUint(op, 10))
	msg.Header.Set(HeaderEvent, sid)
	msg.Header.Set(HeaderIntended, strconv.FormatInt(intended.UnixNano(), 10))
	msg.Header.Set(HeaderKind, p.Kind)
	msg.Header.Set(HeaderSchema, strconv.Itoa(p.Schema))
	msg.Header.Set(HeaderSource, r.name)
	if _, err := bc.js.PublishMsg(ctx, msg, jetstream.WithMsgID(sid)); err != nil {
		code := connect.CodeUnavailable
		if errors.Is(err, context.DeadlineExceeded) {
			code = connect.CodeDeadlineExceeded
		}
		return connect.NewError(code, fmt.Errorf("publish %s: %w", p.Subject, err))
	}
	r.cfg.Ledger.Acked(id)
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
