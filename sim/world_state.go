package sim

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/faultline-sim/faultline/sim/service"
	"github.com/faultline-sim/faultline/sim/state"
	"github.com/faultline-sim/faultline/topologies"
)

// ErrState marks a stateful variant whose stores could not be opened or
// read: nothing is reported as consistent that was not read.
var ErrState = errors.New("business state")

// stateWorld is the business state of a stateful variant: the stores of
// its three roles in the variant's folder, and the operations the load
// intended, for the checker.
type stateWorld struct {
	dir    string
	remove bool // dir is a temporary folder of the run's own
	stores *service.Stores

	mu      sync.Mutex
	intents map[uint64]time.Time // op → intended send time

	// snapMu guards the snapshots, brought up to date by each check.
	snapMu    sync.Mutex
	orders    state.OrdersSnapshot
	payments  state.PaymentsSnapshot
	inventory state.InventorySnapshot
}

// openState opens the stores of top's roles in a new folder: under dir
// (named after label, replacing one of that name) when dir is set, else a
// temporary one removed by close. Nil without state.
func openState(top *topologies.Topology, dir, label string, rate float64, span time.Duration) (*stateWorld, error) {
	st := top.State
	if st == nil {
		return nil, nil
	}
	s := &stateWorld{stores: &service.Stores{}}
	var err error
	if dir == "" {
		s.remove = true
		s.dir, err = os.MkdirTemp("", "faultline-state-")
	} else {
		// A folder a previous run into the same output left is replaced:
		// its stores hold that run's operations, under the same ids.
		s.dir = filepath.Join(dir, fileName(label))
		if err = os.RemoveAll(s.dir); err == nil {
			err = os.MkdirAll(s.dir, 0o755)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%w: a folder for the stores: %w", ErrState, err)
	}
	fail := func(err error) (*stateWorld, error) {
		return nil, fmt.Errorf("%w: %w", ErrState, errors.Join(err, s.close()))
	}
	if s.stores.Orders, err = state.OpenOrders(s.dir, state.OrdersConfig{}); err != nil {
		return fail(err)
	}
	if s.stores.Payments, err = state.OpenPayments(s.dir, state.PaymentsConfig{Balance: int64(st.Balance), Amount: int64(st.Amount)}); err != nil {
		return fail(err)
	}
	if s.stores.Inventory, err = state.OpenInventory(s.dir, state.InventoryConfig{Items: st.Items, Stock: int64(st.Stock)}); err != nil {
		return fail(err)
	}
	// Room for every operation of the run, so recording one does not grow
	// the map on the load's path (bounded: a guess, not a limit).
	s.intents = make(map[uint64]time.Time, min(int(rate*span.Seconds()*1.1)+16, 1<<22))
	return s, nil
}

// fileName is label as a folder name: "sync #2" → "sync-2".
func fileName(label string) string {
	out := make([]rune, 0, len(label))
	for _, c := range label {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.':
			out = append(out, c)
		case c == ' ':
			out = append(out, '-')
		}
	}
	return string(out)
}

// intend records an operation the load sends, with its intended time.
func (s *stateWorld) intend(op uint64, at time.Time) {
	s.mu.Lock()
	s.intents[op] = at
	s.mu.Unlock()
}

// check reads the three stores and runs the checker: final after the
// drain, a sample during the run otherwise. The orders are read first:
// every change an order's status depends on (its charge, refund,
// reservation, release) commits before that status, so the later reads of
// payments and inventory hold them, and a sample never shows a terminal
// order's steps as missing.
func (s *stateWorld) check(ctx context.Context, final bool) (state.Report, error) {
	s.snapMu.Lock()
	defer s.snapMu.Unlock()
	if err := s.stores.Orders.Update(ctx, &s.orders); err != nil {
		return state.Report{}, fmt.Errorf("%w: %w", ErrState, err)
	}
	if err := s.stores.Payments.Update(ctx, &s.payments); err != nil {
		return state.Report{}, fmt.Errorf("%w: %w", ErrState, err)
	}
	if err := s.stores.Inventory.Update(ctx, &s.inventory); err != nil {
		return state.Report{}, fmt.Errorf("%w: %w", ErrState, err)
	}
	s.mu.Lock()
	intended := maps.Clone(s.intents)
	s.mu.Unlock()
	return state.Check(state.Input{Orders: s.orders, Payments: s.payments, Inventory: s.inventory, Intended: intended, Final: final}), nil
}

// settled reports whether no saga is in flight: no order pending and no
// outbox message unsent, in any store.
func (s *stateWorld) settled(ctx context.Context) bool {
	s.snapMu.Lock()
	err := s.stores.Orders.Update(ctx, &s.orders)
	pending := false
	for _, o := range s.orders.Orders {
		if o.Status == state.Pending {
			pending = true
			break
		}
	}
	s.snapMu.Unlock()
	if err != nil || pending {
		return false
	}
	for _, box := range []interface {
		PendingOutbox(context.Context, int) ([]state.Outgoing, error)
	}{s.stores.Orders, s.stores.Payments, s.stores.Inventory} {
		if m, err := box.PendingOutbox(ctx, 1); err != nil || len(m) > 0 {
			return false
		}
	}
	return true
}

// waitSettled waits until settled or ctx is done.
func (s *stateWorld) waitSettled(ctx context.Context) {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for !s.settled(ctx) {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// close closes the stores, and removes a temporary folder.
func (s *stateWorld) close() error {
	var errs []error
	if s.stores.Orders != nil {
		errs = append(errs, s.stores.Orders.Close())
	}
	if s.stores.Payments != nil {
		errs = append(errs, s.stores.Payments.Close())
	}
	if s.stores.Inventory != nil {
		errs = append(errs, s.stores.Inventory.Close())
	}
	if s.remove {
		errs = append(errs, os.RemoveAll(s.dir))
	}
	return errors.Join(errs...)
}
