package state

import (
	"context"
	"database/sql"
	"time"
)

// DefaultAmount is the amount of a charge, in cents, when
// PaymentsConfig.Amount is 0.
const DefaultAmount = 100

// Unlimited is the opening balance of an account whose PaymentsConfig
// leaves Balance 0, and the stock of an item whose InventoryConfig leaves
// Stock 0: more than a run can take.
const Unlimited = int64(1) << 60

// PaymentsConfig configures OpenPayments.
type PaymentsConfig struct {
	// Balance is the account's opening balance, in cents; Unlimited when 0.
	// A charge the balance cannot cover fails with InsufficientFunds.
	Balance int64
	// Amount is what one charge takes, in cents; DefaultAmount when 0.
	Amount int64
	// Now is the clock commit times are read from; time.Now when nil.
	Now func() time.Time
}

// PaymentsFile is the file name of the payments store in its folder.
const PaymentsFile = "payments.db"

// Payments is the store of the payment role: one account, charged a fixed
// amount per operation and refunded. It keeps every charge and refund, so
// a double charge stays visible after a refund. Besides its own methods it
// has those every store has: PendingOutbox, MarkSent, Path and Close.
type Payments struct {
	*store
	amount                  int64
	debit, credit, net, add *sql.Stmt
}

var paymentsSchema = []string{
	`CREATE TABLE IF NOT EXISTS account (
		id INTEGER PRIMARY KEY CHECK (id = 1),
		balance INTEGER NOT NULL
	)`,
	// One row per charge (amount > 0) and per refund (amount < 0).
	`CREATE TABLE IF NOT EXISTS payments (
		seq INTEGER PRIMARY KEY,
		op INTEGER NOT NULL,
		amount INTEGER NOT NULL,
		at INTEGER NOT NULL
	)`,
	`CREATE INDEX IF NOT EXISTS payments_op ON payments (op)`,
}

// OpenPayments opens the payments store in dir, creating it with its schema
// and cfg's opening balance if it does not exist (an existing store keeps
// its balance). The error matches ErrOpen and names the file.
func OpenPayments(dir string, cfg PaymentsConfig) (*Payments, error) {
	p := &Payments{amount: cfg.Amount}
	if p.amount == 0 {
		p.amount = DefaultAmount
	}
	balance := cfg.Balance
	if balance == 0 {
		balance = Unlimited
	}
	seed := func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT OR IGNORE INTO account (id, balance) VALUES (1, ?)`, balance)
		return err
	}
	s, err := openStore(dir, PaymentsFile, cfg.Now, paymentsSchema, seed, func(s *store) {
		p.debit = s.prepare(`UPDATE account SET balance = balance - ?1 WHERE id = 1 AND balance >= ?1`)
		p.credit = s.prepare(`UPDATE account SET balance = balance + ? WHERE id = 1`)
		p.net = s.prepare(`SELECT COALESCE(SUM(amount), 0) FROM payments WHERE op = ?`)
		p.add = s.prepare(`INSERT INTO payments (op, amount, at) VALUES (?, ?, ?)`)
	})
	if err != nil {
		return nil, err
	}
	p.store = s
	return p, nil
}

// Amount returns what one charge takes, in cents.
func (p *Payments) Amount() int64 { return p.amount }

// Charge takes the amount of one charge from the account for operation op:
// Applied, or InsufficientFunds (nothing taken). It charges whatever was
// charged for op before: only ch's Key or Event make a retry or a
// redelivery harmless.
func (p *Payments) Charge(ctx context.Context, op uint64, ch Change) (Result, error) {
	return p.change(ctx, op, "charge", ch, func(tx *sql.Tx, at int64) (Outcome, error) {
		res, err := tx.StmtContext(ctx, p.debit).ExecContext(ctx, p.amount)
		if err != nil {
			return 0, err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return InsufficientFunds, err
		}
		_, err = tx.StmtContext(ctx, p.add).ExecContext(ctx, int64(op), p.amount, at)
		return Applied, err
	})
}

// Refund gives back everything charged for operation op and not refunded
// yet: Applied, or Unchanged when that is nothing. A refund never gives
// back more than was charged, so replaying one is harmless.
func (p *Payments) Refund(ctx context.Context, op uint64, ch Change) (Result, error) {
	return p.change(ctx, op, "refund", ch, func(tx *sql.Tx, at int64) (Outcome, error) {
		var net int64
		if err := tx.StmtContext(ctx, p.net).QueryRowContext(ctx, int64(op)).Scan(&net); err != nil {
			return 0, err
		}
		if net <= 0 {
			return Unchanged, nil
		}
		if _, err := tx.StmtContext(ctx, p.credit).ExecContext(ctx, net); err != nil {
			return 0, err
		}
		_, err := tx.StmtContext(ctx, p.add).ExecContext(ctx, int64(op), -net, at)
		return Applied, err
	})
}
