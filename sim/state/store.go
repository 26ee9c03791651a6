package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver
)

// ErrOpen is matched (errors.Is) by every error of OpenOrders,
// OpenPayments and OpenInventory: the store could not be opened or created
// (a missing folder, no permission, a full disk, a file that is not a
// store). The error names the file.
var ErrOpen = errors.New("state: cannot open store")

// Descriptors bounds the file descriptors the three stores of a variant
// hold open together: per store one writing connection, up to readers
// reading ones and the checkpointer's, each with the database and its
// write-ahead log open, the shared-memory index, and one spare for a
// temporary file of SQLite's. Measured: 27 with every connection open
// (TestStoresDescriptors).
const Descriptors = 3 * ((1+readers+1)*2 + 1 + 1)

// readers bounds the connections that read snapshots.
const readers = 2

// store is what the three stores share: a SQLite database file in WAL mode
// with synchronous=NORMAL (see docs/state.md for why), written through one
// connection and read through others, with the tables every service role
// has: processed (ids of requests and events already applied, with their
// outcome) and outbox.
//
// Every state change is one transaction (change); it commits before the
// method returns, so a caller can place a crash or a timeout between the
// commit and its reply or publish.
type store struct {
	path    string
	w, r    *sql.DB // w has one connection: SQLite has one writer at a time
	cp      *checkpointer
	now     func() time.Time
	stmts   []*sql.Stmt
	prepErr error // of prepare

	closeOnce sync.Once
	closeErr  error

	seen, remember, outboxAdd *sql.Stmt
	markSent                  *sql.Stmt
}

// commonSchema is created in every store.
var commonSchema = []string{
	`CREATE TABLE IF NOT EXISTS processed (
		id TEXT PRIMARY KEY,
		op INTEGER NOT NULL,
		outcome INTEGER NOT NULL,
		at INTEGER NOT NULL
	) WITHOUT ROWID`,
	`CREATE TABLE IF NOT EXISTS outbox (
		seq INTEGER PRIMARY KEY,
		id INTEGER NOT NULL UNIQUE CHECK (id <> 0),
		op INTEGER NOT NULL,
		subject TEXT NOT NULL,
		payload BLOB,
		at INTEGER NOT NULL,
		sent_at INTEGER,
		lease_until INTEGER
	)`,
	`CREATE INDEX IF NOT EXISTS outbox_unsent ON outbox (seq) WHERE sent_at IS NULL`,
}

// uriPath escapes what a SQLite URI file name would read otherwise: the
// start of the query (?), of a fragment (#), and of an escape (%).
var uriPath = strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")

// openStore opens or creates dir/name with the common schema and schema,
// runs seed (which may be nil) in the same transaction, then prep, which
// prepares the store's own statements with s.prepare.
func openStore(dir, name string, now func() time.Time, schema []string,
	seed func(*sql.Tx) error, prep func(s *store),
) (*store, error) {
	path := filepath.Join(dir, name)
	fail := func(err error) error { return fmt.Errorf("%w %s: %w", ErrOpen, path, err) }
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fail(err)
	}
	if !info.IsDir() {
		return nil, fail(fmt.Errorf("%s is not a directory", dir))
	}
	if now == nil {
		now = time.Now
	}
	s := &store{path: path, now: now}
	dsn := "file:" + uriPath.Replace(path) + "?_journal_mode=WAL&_synchronous=NORMAL&_busy_timeout=10000"
	if s.w, err = sql.Open("sqlite", dsn+"&_txlock=immediate&_pragma=wal_autocheckpoint("+strconv.Itoa(autoCheckpointPages)+")"); err != nil {
		return nil, fail(err)
	}
	s.w.SetMaxOpenConns(1)
	s.w.SetMaxIdleConns(1)
	s.w.SetConnMaxIdleTime(0)
	if err := s.init(schema, seed, prep); err != nil {
		return nil, fail(errors.Join(err, s.closeStmts(), s.w.Close()))
	}
	if s.r, err = sql.Open("sqlite", dsn+"&_query_only=1"); err != nil {
		return nil, fail(errors.Join(err, s.closeStmts(), s.w.Close()))
	}
	s.r.SetMaxOpenConns(readers)
	s.r.SetMaxIdleConns(readers)
	if err := s.r.Ping(); err != nil {
		return nil, fail(errors.Join(err, s.close()))
	}
	if s.cp, err = startCheckpointer(dsn); err != nil {
		return nil, fail(errors.Join(err, s.close()))
	}
	return s, nil
}

func (s *store) init(schema []string, seed func(*sql.Tx) error, prep func(*store)) error {
	tx, err := s.w.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	for _, q := range append(append([]string(nil), commonSchema...), schema...) {
		if _, err := tx.Exec(q); err != nil {
			return err
		}
	}
	if seed != nil {
		if err := seed(tx); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	s.seen = s.prepare(`SELECT outcome, at FROM processed WHERE id = ?`)
	s.remember = s.prepare(`INSERT INTO processed (id, op, outcome, at) VALUES (?, ?, ?, ?)`)
	s.outboxAdd = s.prepare(`INSERT INTO outbox (id, op, subject, payload, at) VALUES (?, ?, ?, ?, ?)`)
	s.markSent = s.prepare(`UPDATE outbox SET sent_at = ? WHERE id = ? AND sent_at IS NULL`)
	if prep != nil {
		prep(s)
	}
	return s.prepErr
}

// prepare prepares q on the writing connection. An error is kept in
// prepErr, so a store's statements are prepared in a list without a check
// after each.
func (s *store) prepare(q string) *sql.Stmt {
	st, err := s.w.Prepare(q)
	if err != nil {
		s.prepErr = errors.Join(s.prepErr, fmt.Errorf("%s: %w", q, err))
		return nil
	}
	s.stmts = append(s.stmts, st)
	return st
}

func (s *store) closeStmts() error {
	var errs []error
	for _, st := range s.stmts {
		errs = append(errs, st.Close())
	}
	s.stmts = nil
	return errors.Join(errs...)
}

// Path returns the store's database file.
func (s *store) Path() string { return s.path }

// Close closes the store; the last connection to close checkpoints the WAL
// into the database file. Nothing may use the store after Close; closing
// again returns the first Close's error.
func (s *store) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.close() })
	return s.closeErr
}

func (s *store) close() error {
	var err error
	if s.cp != nil {
		err = s.cp.close()
	}
	err = errors.Join(err, s.closeStmts())
	if s.r != nil {
		err = errors.Join(err, s.r.Close())
	}
	err = errors.Join(err, s.w.Close())
	if err != nil {
		return fmt.Errorf("state: close %s: %w", s.path, err)
	}
	return nil
}

// Outcome is the business outcome of a state change. Failures of the store
// itself (I/O, a cancelled context) are errors, never outcomes.
type Outcome uint8

// Outcomes.
const (
	// Applied: the change was made.
	Applied Outcome = iota + 1
	// Unchanged: there was nothing to do (a refund of nothing, a release of
	// nothing, an order already in the state asked for, placing an order
	// that exists).
	Unchanged
	// Conflict: the change is not allowed from the current state (confirming
	// a cancelled order, cancelling a confirmed one, either of an order
	// never placed).
	Conflict
	// OutOfStock: the item has no unit left to reserve.
	OutOfStock
	// InsufficientFunds: the account cannot pay the charge.
	InsufficientFunds
)

var outcomeNames = [...]string{
	Applied: "applied", Unchanged: "unchanged", Conflict: "conflict",
	OutOfStock: "out of stock", InsufficientFunds: "insufficient funds",
}

func (o Outcome) String() string {
	if int(o) < len(outcomeNames) && outcomeNames[o] != "" {
		return outcomeNames[o]
	}
	return "outcome(" + strconv.Itoa(int(o)) + ")"
}

// Failed reports whether o is a business failure (OutOfStock,
// InsufficientFunds): the saga must compensate.
func (o Outcome) Failed() bool { return o == OutOfStock || o == InsufficientFunds }

// Change accompanies one state change: how to recognise a replay of it, and
// what to publish with it.
//
// With neither Key nor Event, the change is applied at least once: a
// replayed charge charges again, a replayed reservation reserves again.
type Change struct {
	// Key is the request's idempotency key ("" for none): a second call of
	// the same method with the same key, on the same store, changes nothing
	// and returns the first call's outcome with Replayed set. It is
	// recorded in the change's transaction, whatever the outcome.
	Key string
	// Event is the id of the event being consumed (0 for none): an
	// effectively-once consumer. It is recorded as processed in the
	// change's transaction, whatever the outcome; an event already
	// processed, by any method of the store, changes nothing and returns
	// the first outcome with Replayed set.
	Event uint64
	// Outbox, when not nil, is called inside the transaction with the
	// outcome (so a business failure can publish its own event) and the
	// messages it returns are written to the outbox in that same
	// transaction: the transactional outbox. It is not called on a replay
	// (the first call wrote them). It must not block.
	Outbox func(Outcome) []Message
}

// Result is what a state change did.
type Result struct {
	Outcome Outcome
	// Replayed: the change's Key or Event had been applied before; nothing
	// changed and Outcome is the first call's.
	Replayed bool
	// At is the commit time of the change (the first call's, on a replay).
	At time.Time
}

// change runs apply and the bookkeeping of ch in one transaction. action
// scopes ch.Key (a key used for a charge does not make a later refund with
// the same key a replay). apply gets the commit time, in µs since the Unix
// epoch, to record with its rows.
func (s *store) change(ctx context.Context, op uint64, action string, ch Change,
	apply func(tx *sql.Tx, at int64) (Outcome, error),
) (Result, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return Result{}, s.fail(action, op, err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	var ids []string
	if ch.Key != "" {
		ids = append(ids, action+"/key/"+ch.Key)
	}
	if ch.Event != 0 {
		ids = append(ids, "event/"+strconv.FormatUint(ch.Event, 10))
	}
	seen := tx.StmtContext(ctx, s.seen)
	for _, id := range ids {
		var o Outcome
		var at int64
		switch err := seen.QueryRowContext(ctx, id).Scan(&o, &at); {
		case err == nil:
			return Result{Outcome: o, Replayed: true, At: fromMicros(at)}, nil
		case !errors.Is(err, sql.ErrNoRows):
			return Result{}, s.fail(action, op, err)
		}
	}
	now := s.now()
	at := now.UnixMicro()
	o, err := apply(tx, at)
	if err != nil {
		return Result{}, s.fail(action, op, err)
	}
	remember := tx.StmtContext(ctx, s.remember)
	for _, id := range ids {
		if _, err := remember.ExecContext(ctx, id, int64(op), o, at); err != nil {
			return Result{}, s.fail(action, op, err)
		}
	}
	if ch.Outbox != nil {
		add := tx.StmtContext(ctx, s.outboxAdd)
		for _, m := range ch.Outbox(o) {
			if _, err := add.ExecContext(ctx, int64(m.ID), int64(op), m.Subject, m.Payload, at); err != nil {
				return Result{}, s.fail(action, op, fmt.Errorf("outbox message %d: %w", m.ID, err))
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return Result{}, s.fail(action, op, err)
	}
	return Result{Outcome: o, At: fromMicros(at)}, nil
}

func (s *store) fail(action string, op uint64, err error) error {
	return fmt.Errorf("state: %s of operation %d in %s: %w", action, op, s.path, err)
}

// read runs fn in one read transaction: every query in it sees the same
// committed state, while writers go on.
func (s *store) read(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("state: read %s: %w", s.path, err)
	}
	defer tx.Rollback() //nolint:errcheck // read only
	if err := fn(tx); err != nil {
		return fmt.Errorf("state: read %s: %w", s.path, err)
	}
	return nil
}

// fromMicros is the time of at µs since the Unix epoch; 0 is the zero time.
func fromMicros(at int64) time.Time {
	if at == 0 {
		return time.Time{}
	}
	return time.UnixMicro(at)
}
