package state

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Message is one event to publish, written to a store's outbox in the
// transaction of the state change that causes it (Change.Outbox).
type Message struct {
	// ID identifies the event: unique across the stores of a run (it is
	// the publish's Nats-Msg-Id, so that the broker drops a relay's
	// retry, and the id a consumer records as processed). Not 0.
	ID      uint64
	Subject string
	Payload []byte
}

// Outgoing is an outbox message not yet marked sent.
type Outgoing struct {
	Message
	// Op is the operation whose state change wrote the message.
	Op uint64
	// At is the commit time of that state change.
	At time.Time
}

// PendingOutbox returns up to limit messages not yet marked sent, oldest
// first: what a relay publishes next. It reads the committed state without
// waiting for writers.
func (s *store) PendingOutbox(ctx context.Context, limit int) ([]Outgoing, error) {
	var out []Outgoing
	err := s.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx,
			`SELECT id, op, subject, payload, at FROM outbox WHERE sent_at IS NULL ORDER BY seq LIMIT ?`, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p Outgoing
			var id, op, at int64
			if err := rows.Scan(&id, &op, &p.Subject, &p.Payload, &at); err != nil {
				return err
			}
			p.ID, p.Op, p.At = uint64(id), uint64(op), fromMicros(at)
			out = append(out, p)
		}
		return rows.Err()
	})
	return out, err
}

// MarkSent records that the message id was published and acknowledged; it
// is not pending any more. Marking a message twice, or one that is not in
// the outbox, changes nothing and is not an error (a relay that crashed
// after the ack and before the mark publishes again, and the broker drops
// the duplicate by its id).
func (s *store) MarkSent(ctx context.Context, id uint64) error {
	if _, err := s.markSent.ExecContext(ctx, s.now().UnixMicro(), int64(id)); err != nil {
		return fmt.Errorf("state: mark outbox message %d sent in %s: %w", id, s.path, err)
	}
	return nil
}
