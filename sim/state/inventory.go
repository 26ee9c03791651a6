package state

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// InventoryConfig configures OpenInventory.
type InventoryConfig struct {
	// Items is the number of items; operation op reserves one unit of item
	// op % Items. 1 when 0.
	Items int
	// Stock is each item's opening stock, in units; Unlimited when 0. A
	// reservation of an item with no unit left fails with OutOfStock.
	Stock int64
	// Now is the clock commit times are read from; time.Now when nil.
	Now func() time.Time
}

// InventoryFile is the file name of the inventory store in its folder.
const InventoryFile = "inventory.db"

// Inventory is the store of the inventory role: a finite stock per item,
// from which an operation reserves one unit and to which it releases what
// it holds. The business rule that stock never goes negative is enforced in
// the reservation's transaction. Besides its own methods it has those every
// store has: PendingOutbox, MarkSent, Path and Close.
type Inventory struct {
	*store
	items                         int
	available, held, add, restock *sql.Stmt
}

var inventorySchema = []string{
	`CREATE TABLE IF NOT EXISTS items (
		item INTEGER PRIMARY KEY,
		available INTEGER NOT NULL
	)`,
	// One row per reservation (units > 0) and per release (units < 0).
	`CREATE TABLE IF NOT EXISTS reservations (
		seq INTEGER PRIMARY KEY,
		op INTEGER NOT NULL,
		item INTEGER NOT NULL,
		units INTEGER NOT NULL,
		at INTEGER NOT NULL
	)`,
	`CREATE INDEX IF NOT EXISTS reservations_op ON reservations (op)`,
}

// OpenInventory opens the inventory store in dir, creating it with its
// schema and cfg's stock if it does not exist (an existing store keeps its
// stock). The error matches ErrOpen and names the file.
func OpenInventory(dir string, cfg InventoryConfig) (*Inventory, error) {
	inv := &Inventory{items: max(cfg.Items, 1)}
	stock := cfg.Stock
	if stock == 0 {
		stock = Unlimited
	}
	seed := func(tx *sql.Tx) error {
		for item := range inv.items {
			if _, err := tx.Exec(`INSERT OR IGNORE INTO items (item, available) VALUES (?, ?)`, item, stock); err != nil {
				return err
			}
		}
		return nil
	}
	s, err := openStore(dir, InventoryFile, cfg.Now, inventorySchema, seed, func(s *store) {
		inv.available = s.prepare(`SELECT available FROM items WHERE item = ?`)
		inv.held = s.prepare(`SELECT item, SUM(units) FROM reservations WHERE op = ? GROUP BY item HAVING SUM(units) > 0`)
		inv.add = s.prepare(`INSERT INTO reservations (op, item, units, at) VALUES (?, ?, ?, ?)`)
		inv.restock = s.prepare(`UPDATE items SET available = available + ? WHERE item = ?`)
	})
	if err != nil {
		return nil, err
	}
	inv.store = s
	return inv, nil
}

// Item returns the item operation op reserves.
func (inv *Inventory) Item(op uint64) int { return int(op % uint64(inv.items)) }

// Reserve takes one unit of op's item for operation op: Applied, or
// OutOfStock (nothing taken). It reserves whatever op holds already: only
// ch's Key or Event make a retry or a redelivery harmless.
func (inv *Inventory) Reserve(ctx context.Context, op uint64, ch Change) (Result, error) {
	return inv.change(ctx, op, "reserve", ch, func(tx *sql.Tx, at int64) (Outcome, error) {
		item := inv.Item(op)
		var available int64
		if err := tx.StmtContext(ctx, inv.available).QueryRowContext(ctx, item).Scan(&available); err != nil {
			return 0, err
		}
		if available < 1 {
			return OutOfStock, nil
		}
		return Applied, inv.move(ctx, tx, op, item, 1, at)
	})
}

// Release puts back every unit operation op holds, to the item it was
// taken from: Applied, or Unchanged
// when it holds none. Replaying a release is harmless.
func (inv *Inventory) Release(ctx context.Context, op uint64, ch Change) (Result, error) {
	return inv.change(ctx, op, "release", ch, func(tx *sql.Tx, at int64) (Outcome, error) {
		rows, err := tx.StmtContext(ctx, inv.held).QueryContext(ctx, int64(op))
		if err != nil {
			return 0, err
		}
		type hold struct{ item, units int64 }
		var holds []hold
		for rows.Next() {
			var h hold
			if err := rows.Scan(&h.item, &h.units); err != nil {
				rows.Close()
				return 0, err
			}
			holds = append(holds, h)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return 0, err
		}
		if len(holds) == 0 {
			return Unchanged, nil
		}
		for _, h := range holds {
			if err := inv.move(ctx, tx, op, int(h.item), -h.units, at); err != nil {
				return 0, err
			}
		}
		return Applied, nil
	})
}

// move records units taken (positive) or put back (negative) by op and
// updates the item's stock.
func (inv *Inventory) move(ctx context.Context, tx *sql.Tx, op uint64, item int, units, at int64) error {
	if _, err := tx.StmtContext(ctx, inv.add).ExecContext(ctx, int64(op), item, units, at); err != nil {
		return err
	}
	_, err := tx.StmtContext(ctx, inv.restock).ExecContext(ctx, -units, item)
	return err
}
