package state

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"
)

// Status is the state of an order: Pending → Confirmed | Cancelled.
type Status uint8

// Order statuses.
const (
	// NotPlaced: no order with this id.
	NotPlaced Status = iota
	Pending
	Confirmed
	Cancelled
)

var statusNames = [...]string{NotPlaced: "not placed", Pending: "pending", Confirmed: "confirmed", Cancelled: "cancelled"}

func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "status(" + strconv.Itoa(int(s)) + ")"
}

// OrdersConfig configures OpenOrders.
type OrdersConfig struct {
	// Now is the clock commit times are read from; time.Now when nil.
	Now func() time.Time
}

// OrdersFile is the file name of the orders store in its folder.
const OrdersFile = "orders.db"

// Orders is the store of the order role: one order per operation, placed
// pending, then confirmed or cancelled. Besides its own methods it has
// those every store has: PendingOutbox, MarkSent, Path and Close.
type Orders struct {
	*store
	status, insert, update *sql.Stmt
}

var ordersSchema = []string{
	// rev numbers the changes in commit order (one writer at a time), so a
	// snapshot can be brought up to date by reading what changed since.
	`CREATE TABLE IF NOT EXISTS orders (
		op INTEGER PRIMARY KEY,
		status INTEGER NOT NULL,
		placed_at INTEGER NOT NULL,
		at INTEGER NOT NULL,
		rev INTEGER NOT NULL
	)`,
	`CREATE INDEX IF NOT EXISTS orders_rev ON orders (rev)`,
}

// nextRev is the rev of the next change of the orders table.
const nextRev = `(SELECT COALESCE(MAX(rev), 0) + 1 FROM orders)`

// OpenOrders opens the orders store in dir, creating it with its schema if
// it does not exist. The error matches ErrOpen and names the file.
func OpenOrders(dir string, cfg OrdersConfig) (*Orders, error) {
	o := &Orders{}
	s, err := openStore(dir, OrdersFile, cfg.Now, ordersSchema, nil, func(s *store) {
		o.status = s.prepare(`SELECT status FROM orders WHERE op = ?`)
		o.insert = s.prepare(`INSERT INTO orders (op, status, placed_at, at, rev) VALUES (?, ?, ?, ?, ` + nextRev + `)`)
		o.update = s.prepare(`UPDATE orders SET status = ?, at = ?, rev = ` + nextRev + ` WHERE op = ?`)
	})
	if err != nil {
		return nil, err
	}
	o.store = s
	return o, nil
}

// Place records order op as pending: Applied, or Unchanged if the order
// exists in any status.
func (o *Orders) Place(ctx context.Context, op uint64, ch Change) (Result, error) {
	return o.change(ctx, op, "place", ch, func(tx *sql.Tx, at int64) (Outcome, error) {
		st, err := o.statusOf(ctx, tx, op)
		if err != nil || st != NotPlaced {
			return Unchanged, err
		}
		_, err = tx.StmtContext(ctx, o.insert).ExecContext(ctx, int64(op), Pending, at, at)
		return Applied, err
	})
}

// Confirm moves order op from pending to confirmed: Applied; Unchanged if
// it is confirmed already; Conflict if it is cancelled or was never placed.
func (o *Orders) Confirm(ctx context.Context, op uint64, ch Change) (Result, error) {
	return o.finish(ctx, op, "confirm", Confirmed, ch)
}

// Cancel moves order op from pending to cancelled: Applied; Unchanged if it
// is cancelled already; Conflict if it is confirmed or was never placed.
func (o *Orders) Cancel(ctx context.Context, op uint64, ch Change) (Result, error) {
	return o.finish(ctx, op, "cancel", Cancelled, ch)
}

func (o *Orders) finish(ctx context.Context, op uint64, action string, to Status, ch Change) (Result, error) {
	return o.change(ctx, op, action, ch, func(tx *sql.Tx, at int64) (Outcome, error) {
		st, err := o.statusOf(ctx, tx, op)
		switch {
		case err != nil:
			return 0, err
		case st == to:
			return Unchanged, nil
		case st != Pending:
			return Conflict, nil
		}
		_, err = tx.StmtContext(ctx, o.update).ExecContext(ctx, to, at, int64(op))
		return Applied, err
	})
}

func (o *Orders) statusOf(ctx context.Context, tx *sql.Tx, op uint64) (Status, error) {
	var st Status
	err := tx.StmtContext(ctx, o.status).QueryRowContext(ctx, int64(op)).Scan(&st)
	if errors.Is(err, sql.ErrNoRows) {
		return NotPlaced, nil
	}
	return st, err
}
