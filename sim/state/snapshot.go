package state

import (
	"context"
	"database/sql"
	"maps"
	"strconv"
	"time"
)

// A snapshot is what a store held at one moment, per operation: read in
// one read transaction, so it is consistent within the store, while writers
// go on. The checker takes one of each store (Check). Times are commit
// times.
//
// Snapshot reads a whole store; Update brings a snapshot read earlier up to
// date by reading only the operations changed since (each snapshot keeps
// the number of the last change it holds: the stores number their changes
// in commit order), so sampling a run every second costs what changed in
// that second, not everything stored.

// OrderState is one order in an OrdersSnapshot.
type OrderState struct {
	Status Status
	// Placed is when the order was placed; At when its status last
	// changed.
	Placed, At time.Time
}

// OrdersSnapshot is the orders store at one moment.
type OrdersSnapshot struct {
	Orders map[uint64]OrderState
	// Rev is the number of the last change held.
	Rev int64
}

// PaymentState is what happened to one operation's money.
type PaymentState struct {
	// Charges and Refunds count the charges and refunds made.
	Charges, Refunds int
	// Net is what was charged less what was refunded, in cents.
	Net int64
	// At is the commit time of the last charge or refund.
	At time.Time
}

// PaymentsSnapshot is the payments store at one moment.
type PaymentsSnapshot struct {
	Ops map[uint64]PaymentState
	// Balance is the account's balance, in cents.
	Balance int64
	// Seq is the number of the last charge or refund held.
	Seq int64
}

// ReservationState is what one operation reserved.
type ReservationState struct {
	// Reservations counts the reservations made (one unit each).
	Reservations int
	// Held is the units reserved and not released.
	Held int64
	// At is the commit time of the last reservation or release.
	At time.Time
}

// InventorySnapshot is the inventory store at one moment.
type InventorySnapshot struct {
	Ops map[uint64]ReservationState
	// Available is each item's stock, by item.
	Available map[int]int64
	// Seq is the number of the last reservation or release held.
	Seq int64
}

// Snapshot reads the orders store.
func (o *Orders) Snapshot(ctx context.Context) (OrdersSnapshot, error) {
	var snap OrdersSnapshot
	return snap, o.Update(ctx, &snap)
}

// Update brings snap up to date (see Snapshot); on an error snap is as it
// was.
func (o *Orders) Update(ctx context.Context, snap *OrdersSnapshot) error {
	changed := map[uint64]OrderState{}
	rev := snap.Rev
	err := o.read(ctx, func(tx *sql.Tx) error {
		return scan(ctx, tx, `SELECT op, status, placed_at, at, rev FROM orders WHERE rev > ?`, []any{snap.Rev},
			func(rows *sql.Rows) error {
				var op, placed, at, r int64
				var st OrderState
				if err := rows.Scan(&op, &st.Status, &placed, &at, &r); err != nil {
					return err
				}
				st.Placed, st.At = fromMicros(placed), fromMicros(at)
				changed[uint64(op)] = st
				rev = max(rev, r)
				return nil
			})
	})
	if err != nil {
		return err
	}
	snap.Orders = merge(snap.Orders, changed)
	snap.Rev = rev
	return nil
}

// Snapshot reads the payments store.
func (p *Payments) Snapshot(ctx context.Context) (PaymentsSnapshot, error) {
	var snap PaymentsSnapshot
	return snap, p.Update(ctx, &snap)
}

// Update brings snap up to date (see Snapshot); on an error snap is as it
// was.
func (p *Payments) Update(ctx context.Context, snap *PaymentsSnapshot) error {
	changed := map[uint64]PaymentState{}
	var balance, seq int64
	err := p.read(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT balance FROM account WHERE id = 1`).Scan(&balance); err != nil {
			return err
		}
		var err error
		seq, err = changedOps(ctx, tx, "payments", "SUM(amount > 0), SUM(amount < 0), SUM(amount)", snap.Seq, changed,
			func(rows *sql.Rows, op, at *int64, st *PaymentState) error {
				return rows.Scan(op, &st.Charges, &st.Refunds, &st.Net, at)
			}, func(st *PaymentState, at time.Time) { st.At = at })
		return err
	})
	if err != nil {
		return err
	}
	snap.Ops = merge(snap.Ops, changed)
	snap.Balance, snap.Seq = balance, seq
	return nil
}

// Snapshot reads the inventory store.
func (inv *Inventory) Snapshot(ctx context.Context) (InventorySnapshot, error) {
	var snap InventorySnapshot
	return snap, inv.Update(ctx, &snap)
}

// Update brings snap up to date (see Snapshot); on an error snap is as it
// was. Every item's stock is read again.
func (inv *Inventory) Update(ctx context.Context, snap *InventorySnapshot) error {
	changed := map[uint64]ReservationState{}
	available := map[int]int64{}
	var seq int64
	err := inv.read(ctx, func(tx *sql.Tx) error {
		err := scan(ctx, tx, `SELECT item, available FROM items`, nil, func(rows *sql.Rows) error {
			var item int
			var n int64
			if err := rows.Scan(&item, &n); err != nil {
				return err
			}
			available[item] = n
			return nil
		})
		if err != nil {
			return err
		}
		seq, err = changedOps(ctx, tx, "reservations", "SUM(units > 0), SUM(units)", snap.Seq, changed,
			func(rows *sql.Rows, op, at *int64, st *ReservationState) error {
				return rows.Scan(op, &st.Reservations, &st.Held, at)
			}, func(st *ReservationState, at time.Time) { st.At = at })
		return err
	})
	if err != nil {
		return err
	}
	snap.Ops = merge(snap.Ops, changed)
	snap.Available, snap.Seq = available, seq
	return nil
}

// changedOps reads, from a table of numbered rows (seq) per operation
// (payments, reservations), the sums cols of every operation with a row
// numbered above since (all operations for 0) into changed, each through
// scanRow (op, then cols, then the last commit time) and setAt; it returns
// the highest row number.
func changedOps[T any](ctx context.Context, tx *sql.Tx, table, cols string, since int64, changed map[uint64]T,
	scanRow func(rows *sql.Rows, op, at *int64, st *T) error, setAt func(st *T, at time.Time),
) (seq int64, err error) {
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM `+table).Scan(&seq); err != nil {
		return 0, err
	}
	err = scan(ctx, tx, `SELECT op, `+cols+`, MAX(at) FROM `+table+` `+changedSince(table, since)+` GROUP BY op`, nil,
		func(rows *sql.Rows) error {
			var op, at int64
			var st T
			if err := scanRow(rows, &op, &at, &st); err != nil {
				return err
			}
			setAt(&st, fromMicros(at))
			changed[uint64(op)] = st
			return nil
		})
	return seq, err
}

// merge adds changed to ops (made when nil) and returns it.
func merge[T any](ops, changed map[uint64]T) map[uint64]T {
	if ops == nil {
		ops = make(map[uint64]T, len(changed))
	}
	maps.Copy(ops, changed)
	return ops
}

// changedSince is the WHERE clause that selects the rows of table's
// operations with a row numbered above seq; none for seq 0 (all rows).
func changedSince(table string, seq int64) string {
	if seq == 0 {
		return ""
	}
	return "WHERE op IN (SELECT op FROM " + table + " WHERE seq > " + strconv.FormatInt(seq, 10) + ")"
}

// scan runs q with args in tx and calls row for each row.
func scan(ctx context.Context, tx *sql.Tx, q string, args []any, row func(*sql.Rows) error) error {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
