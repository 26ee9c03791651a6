package state

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	bolt "go.etcd.io/bbolt"
	_ "modernc.org/sqlite"
)

// This file holds the two candidate engines of the store comparison
// (store_bench_test.go): the same domain transaction, a payment charge with
// an idempotency check, written once for SQLite and once for bbolt.

// charger commits one charge per call: in one transaction it looks the
// idempotency key up, and only if it is new records the charge and debits
// the account. It is called from many goroutines at once.
type charger interface {
	charge(ctx context.Context, n uint64) (charged bool, err error)
	close() error
}

// benchAmount is what a charge takes.
const benchAmount = 100

// engines are the configurations compared, by name.
var engines = []struct {
	name string
	open func(dir string) (charger, error)
}{
	{"sqlite-wal-full", func(dir string) (charger, error) { return openSQLiteCharger(dir, "FULL") }},
	{"sqlite-wal-normal", func(dir string) (charger, error) { return openSQLiteCharger(dir, "NORMAL") }},
	{"bbolt", func(dir string) (charger, error) { return openBoltCharger(dir, false) }},
	{"bbolt-batch", func(dir string) (charger, error) { return openBoltCharger(dir, true) }},
	// Payments is the store this package chose, doing what the payment
	// role will: a charge with an idempotency key and an outbox message.
	{"state.Payments", openPaymentsCharger},
	// fsync appends a record to a file and syncs it, under a lock: what
	// one durable commit at a time costs on this disk, the floor of the
	// engines that sync every commit.
	{"fsync", openSyncCharger},
	// none stores nothing: the harness's own cost (load generator,
	// histograms), to subtract from the CPU time of the others.
	{"none", func(string) (charger, error) { return noCharger{}, nil }},
}

type syncCharger struct {
	mu sync.Mutex
	f  *os.File
}

func openSyncCharger(dir string) (charger, error) {
	f, err := os.OpenFile(filepath.Join(dir, "log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	return &syncCharger{f: f}, err
}

func (c *syncCharger) charge(_ context.Context, n uint64) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := c.f.WriteString(benchKey(n) + "\n"); err != nil {
		return false, err
	}
	return true, c.f.Sync()
}

func (c *syncCharger) close() error { return c.f.Close() }

type noCharger struct{}

func (noCharger) charge(context.Context, uint64) (bool, error) { return true, nil }
func (noCharger) close() error                                 { return nil }

// sqliteCharger writes through one connection (SQLite has one writer at a
// time; database/sql queues the callers in Go rather than in SQLite's busy
// handler, which sleeps in steps of up to 100 ms).
type sqliteCharger struct {
	db             *sql.DB
	lookup, insert *sql.Stmt
	debit          *sql.Stmt
}

func openSQLiteCharger(dir, synchronous string) (charger, error) {
	dsn := "file:" + filepath.Join(dir, "payments.db") +
		"?_journal_mode=WAL&_synchronous=" + synchronous + "&_busy_timeout=10000&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetConnMaxIdleTime(0)
	c := &sqliteCharger{db: db}
	if err := c.init(); err != nil {
		return nil, errors.Join(err, db.Close())
	}
	return c, nil
}

func (c *sqliteCharger) init() error {
	for _, s := range []string{
		`CREATE TABLE charges (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, amount INTEGER NOT NULL, at INTEGER NOT NULL)`,
		`CREATE TABLE account (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL)`,
		`INSERT INTO account (id, balance) VALUES (1, 9000000000000000000)`,
	} {
		if _, err := c.db.Exec(s); err != nil {
			return err
		}
	}
	var err error
	if c.lookup, err = c.db.Prepare(`SELECT 1 FROM charges WHERE key = ?`); err != nil {
		return err
	}
	if c.insert, err = c.db.Prepare(`INSERT INTO charges (key, amount, at) VALUES (?, ?, unixepoch('subsec') * 1000000)`); err != nil {
		return err
	}
	c.debit, err = c.db.Prepare(`UPDATE account SET balance = balance - ? WHERE id = 1`)
	return err
}

func (c *sqliteCharger) charge(ctx context.Context, n uint64) (bool, error) {
	key, amount := benchKey(n), int64(benchAmount)
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	var one int
	switch err := tx.StmtContext(ctx, c.lookup).QueryRowContext(ctx, key).Scan(&one); {
	case err == nil:
		return false, tx.Commit()
	case !errors.Is(err, sql.ErrNoRows):
		return false, err
	}
	if _, err := tx.StmtContext(ctx, c.insert).ExecContext(ctx, key, amount); err != nil {
		return false, err
	}
	if _, err := tx.StmtContext(ctx, c.debit).ExecContext(ctx, amount); err != nil {
		return false, err
	}
	return true, tx.Commit()
}

func (c *sqliteCharger) close() error {
	return errors.Join(c.lookup.Close(), c.insert.Close(), c.debit.Close(), c.db.Close())
}

// boltCharger commits with bbolt's defaults: an fsync of the data and one of
// the meta page per commit. batch uses DB.Batch, which folds concurrent
// calls into one commit.
type boltCharger struct {
	db    *bolt.DB
	batch bool
}

var (
	boltCharges = []byte("charges")
	boltAccount = []byte("account")
	boltBalance = []byte("balance")
)

func openBoltCharger(dir string, batch bool) (charger, error) {
	db, err := bolt.Open(filepath.Join(dir, "payments.bolt"), 0o600, nil)
	if err != nil {
		return nil, err
	}
	err = db.Update(func(tx *bolt.Tx) error {
		if _, err := tx.CreateBucket(boltCharges); err != nil {
			return err
		}
		acc, err := tx.CreateBucket(boltAccount)
		if err != nil {
			return err
		}
		return acc.Put(boltBalance, binary.BigEndian.AppendUint64(nil, 9000000000000000000))
	})
	if err != nil {
		return nil, errors.Join(err, db.Close())
	}
	return &boltCharger{db: db, batch: batch}, nil
}

func (c *boltCharger) charge(_ context.Context, n uint64) (bool, error) {
	key, amount := benchKey(n), uint64(benchAmount)
	var charged bool
	fn := func(tx *bolt.Tx) error {
		charged = false
		charges := tx.Bucket(boltCharges)
		k := []byte(key)
		if charges.Get(k) != nil {
			return nil
		}
		if err := charges.Put(k, binary.BigEndian.AppendUint64(nil, amount)); err != nil {
			return err
		}
		acc := tx.Bucket(boltAccount)
		bal := binary.BigEndian.Uint64(acc.Get(boltBalance))
		if err := acc.Put(boltBalance, binary.BigEndian.AppendUint64(nil, bal-amount)); err != nil {
			return err
		}
		charged = true
		return nil
	}
	var err error
	if c.batch {
		err = c.db.Batch(fn)
	} else {
		err = c.db.Update(fn)
	}
	return charged, err
}

func (c *boltCharger) close() error { return c.db.Close() }

type paymentsCharger struct{ *Payments }

func openPaymentsCharger(dir string) (charger, error) {
	p, err := OpenPayments(dir, PaymentsConfig{Amount: benchAmount})
	return paymentsCharger{p}, err
}

func (c paymentsCharger) charge(ctx context.Context, n uint64) (bool, error) {
	r, err := c.Charge(ctx, n, Change{Key: benchKey(n), Outbox: func(Outcome) []Message {
		return []Message{{ID: n + 1, Subject: "payment.charged", Payload: []byte(benchKey(n))}}
	}})
	return r.Outcome == Applied && !r.Replayed, err
}

func (c paymentsCharger) close() error { return c.Close() }

// dirSize returns the total size of the files in dir.
func dirSize(dir string) (int64, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	var n int64
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			return 0, err
		}
		n += info.Size()
	}
	return n, nil
}

// benchKey is the idempotency key of charge n.
func benchKey(n uint64) string { return "order-" + strconv.FormatUint(n, 10) }
