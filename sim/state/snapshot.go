package state

import (
	"context"
	"database/sql"
	"time"
)

// A snapshot is what a store held at one moment, per operation: read in
// one read transaction, so it is consistent within the store, while writers
// go on. The checker takes one of each store (Check). Times are commit
// times.

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
}

// Snapshot reads the orders store.
func (o *Orders) Snapshot(ctx context.Context) (OrdersSnapshot, error) {
	snap := OrdersSnapshot{Orders: map[uint64]OrderState{}}
	err := o.read(ctx, func(tx *sql.Tx) error {
		return scan(ctx, tx, `SELECT op, status, placed_at, at FROM orders`, func(rows *sql.Rows) error {
			var op, placed, at int64
			var st OrderState
			if err := rows.Scan(&op, &st.Status, &placed, &at); err != nil {
				return err
			}
			st.Placed, st.At = fromMicros(placed), fromMicros(at)
			snap.Orders[uint64(op)] = st
			return nil
		})
	})
	return snap, err
}

// Snapshot reads the payments store.
func (p *Payments) Snapshot(ctx context.Context) (PaymentsSnapshot, error) {
	snap := PaymentsSnapshot{Ops: map[uint64]PaymentState{}}
	err := p.read(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT balance FROM account WHERE id = 1`).Scan(&snap.Balance); err != nil {
			return err
		}
		return scan(ctx, tx, `SELECT op, SUM(amount > 0), SUM(amount < 0), SUM(amount), MAX(at)
			FROM payments GROUP BY op`, func(rows *sql.Rows) error {
			var op, at int64
			var st PaymentState
			if err := rows.Scan(&op, &st.Charges, &st.Refunds, &st.Net, &at); err != nil {
				return err
			}
			st.At = fromMicros(at)
			snap.Ops[uint64(op)] = st
			return nil
		})
	})
	return snap, err
}

// Snapshot reads the inventory store.
func (inv *Inventory) Snapshot(ctx context.Context) (InventorySnapshot, error) {
	snap := InventorySnapshot{Ops: map[uint64]ReservationState{}, Available: map[int]int64{}}
	err := inv.read(ctx, func(tx *sql.Tx) error {
		err := scan(ctx, tx, `SELECT item, available FROM items`, func(rows *sql.Rows) error {
			var item int
			var n int64
			if err := rows.Scan(&item, &n); err != nil {
				return err
			}
			snap.Available[item] = n
			return nil
		})
		if err != nil {
			return err
		}
		return scan(ctx, tx, `SELECT op, SUM(units > 0), SUM(units), MAX(at)
			FROM reservations GROUP BY op`, func(rows *sql.Rows) error {
			var op, at int64
			var st ReservationState
			if err := rows.Scan(&op, &st.Reservations, &st.Held, &at); err != nil {
				return err
			}
			st.At = fromMicros(at)
			snap.Ops[uint64(op)] = st
			return nil
		})
	})
	return snap, err
}

// scan runs q in tx and calls row for each row.
func scan(ctx context.Context, tx *sql.Tx, q string, row func(*sql.Rows) error) error {
	rows, err := tx.QueryContext(ctx, q)
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
