package state

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// ClaimOutbox leases up to limit unsent messages, oldest first, to the
// caller for lease: messages not leased, or whose lease ran out, are
// claimed in one transaction, so relays running side by side (one per
// replica) take different messages, and a relay that dies leaves its
// messages to the others once the lease runs out. It is
// SELECT … FOR UPDATE SKIP LOCKED as SQLite can have it.
func (s *store) ClaimOutbox(ctx context.Context, limit int, lease time.Duration) ([]Outgoing, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("state: claim outbox messages in %s: %w", s.path, err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	now := s.now()
	rows, err := tx.QueryContext(ctx, `UPDATE outbox SET lease_until = ?
		WHERE seq IN (SELECT seq FROM outbox WHERE sent_at IS NULL AND (lease_until IS NULL OR lease_until < ?) ORDER BY seq LIMIT ?)
		RETURNING id, op, subject, payload, at`, now.Add(lease).UnixMicro(), now.UnixMicro(), limit)
	if err != nil {
		return nil, fmt.Errorf("state: claim outbox messages in %s: %w", s.path, err)
	}
	out, err := scanOutgoing(rows)
	if err != nil {
		return nil, fmt.Errorf("state: claim outbox messages in %s: %w", s.path, err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("state: claim outbox messages in %s: %w", s.path, err)
	}
	return out, nil
}

// scanOutgoing reads rows of id, op, subject, payload and at, and closes
// them.
func scanOutgoing(rows *sql.Rows) ([]Outgoing, error) {
	defer rows.Close()
	var out []Outgoing
	for rows.Next() {
		var m Outgoing
		var id, op, at int64
		if err := rows.Scan(&id, &op, &m.Subject, &m.Payload, &at); err != nil {
			return nil, err
		}
		m.ID, m.Op, m.At = uint64(id), uint64(op), fromMicros(at)
		out = append(out, m)
	}
	return out, rows.Err()
}

// MarkSentAll is MarkSent of every id, in one transaction: a relay that
// publishes a batch marks it at once.
func (s *store) MarkSentAll(ctx context.Context, ids []uint64) error {
	if len(ids) == 0 {
		return nil
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("state: mark outbox messages sent in %s: %w", s.path, err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	mark := tx.StmtContext(ctx, s.markSent)
	at := s.now().UnixMicro()
	for _, id := range ids {
		if _, err := mark.ExecContext(ctx, at, int64(id)); err != nil {
			return fmt.Errorf("state: mark outbox message %d sent in %s: %w", id, s.path, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("state: mark outbox messages sent in %s: %w", s.path, err)
	}
	return nil
}
