package state

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/sim/simtest"
)

// TestSnapshotsWhileWritersRun runs orchestrated sagas from several
// goroutines on the three stores while a sampler checks snapshots and a
// relay drains the outbox, as a run would: no sample may see a violation
// (every saga here is correct), and the final check sees every operation
// consistent and terminal.
func TestSnapshotsWhileWritersRun(t *testing.T) {
	const (
		writers = 4
		ops     = 60 * writers
	)
	dir := t.TempDir()
	ctx := simtest.Context(t)
	ord, err := OpenOrders(dir, OrdersConfig{})
	if err != nil {
		t.Fatal(err)
	}
	closeAtEnd(t, ord)
	pay, err := OpenPayments(dir, PaymentsConfig{})
	if err != nil {
		t.Fatal(err)
	}
	closeAtEnd(t, pay)
	// Less stock than orders: some sagas compensate.
	inv, err := OpenInventory(dir, InventoryConfig{Items: 4, Stock: ops / 4 * 3 / 4})
	if err != nil {
		t.Fatal(err)
	}
	closeAtEnd(t, inv)

	intended := make([]time.Time, ops)
	var writing sync.WaitGroup
	for g := range writers {
		writing.Go(func() {
			for op := uint64(g); op < ops; op += writers {
				intended[op] = time.Now()
				if err := saga(ctx, ord, pay, inv, op); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	var done atomic.Bool
	var background sync.WaitGroup
	var samples, sent atomic.Int64
	var sampled Input      // brought up to date by each sample
	background.Go(func() { // the sampler
		for !done.Load() {
			if err := update(ctx, &sampled, ord, pay, inv); err != nil {
				t.Error(err)
				return
			}
			r := Check(sampled)
			checkPartition(t, r)
			if r.Violating() > 0 {
				t.Errorf("a sample saw violations: %+v", r.Violations)
			}
			samples.Add(1)
		}
	})
	background.Go(func() { // the relay
		for !done.Load() {
			rows, err := ord.PendingOutbox(ctx, 16)
			if err != nil {
				t.Error(err)
				return
			}
			for _, m := range rows {
				if err := ord.MarkSent(ctx, m.ID); err != nil {
					t.Error(err)
					return
				}
				sent.Add(1)
			}
		}
	})
	writing.Wait()
	done.Store(true)
	background.Wait()

	in, err := snapshots(ctx, ord, pay, inv)
	if err != nil {
		t.Fatal(err)
	}
	if err := update(ctx, &sampled, ord, pay, inv); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(sampled, in) {
		t.Errorf("snapshots brought up to date differ from snapshots read whole")
	}
	in.Intended, in.Final = map[uint64]time.Time{}, true
	for op, at := range intended {
		in.Intended[uint64(op)] = at
	}
	r := Check(in)
	checkPartition(t, r)
	if r.Ops != ops || r.Consistent() != ops || r.Cancelled == 0 || r.Confirmed == 0 || r.TimeToConsistency.Count != ops {
		t.Errorf("final check %+v: want all %d operations consistent, some cancelled, each with a time", r, ops)
	}
	for item, n := range in.Inventory.Available {
		if n != 0 {
			t.Errorf("item %d: %d left, want every unit reserved", item, n)
		}
	}
	pending, err := ord.PendingOutbox(ctx, ops)
	if err != nil {
		t.Fatal(err)
	}
	if sent.Load()+int64(len(pending)) != ops {
		t.Errorf("%d messages sent and %d pending, want %d in all", sent.Load(), len(pending), ops)
	}
	t.Logf("%d samples while writing", samples.Load())
}

// saga is the orchestrated saga of one operation, with idempotency keys
// and an outbox message for the placed order.
func saga(ctx context.Context, ord *Orders, pay *Payments, inv *Inventory, op uint64) error {
	key := Change{Key: fmt.Sprint("order-", op)}
	placed := func(Outcome) []Message { return []Message{{ID: op + 1, Subject: "order.placed"}} }
	if _, err := ord.Place(ctx, op, Change{Key: key.Key, Outbox: placed}); err != nil {
		return err
	}
	paid, err := pay.Charge(ctx, op, key)
	if err != nil {
		return err
	}
	if paid.Outcome.Failed() {
		_, err := ord.Cancel(ctx, op, Change{})
		return err
	}
	held, err := inv.Reserve(ctx, op, key)
	if err != nil {
		return err
	}
	if held.Outcome.Failed() {
		if _, err := pay.Refund(ctx, op, Change{}); err != nil {
			return err
		}
		_, err := ord.Cancel(ctx, op, Change{})
		return err
	}
	_, err = ord.Confirm(ctx, op, Change{})
	return err
}

// update brings the snapshots of in up to date, orders first (see Check).
func update(ctx context.Context, in *Input, ord *Orders, pay *Payments, inv *Inventory) error {
	return errors.Join(ord.Update(ctx, &in.Orders), pay.Update(ctx, &in.Payments), inv.Update(ctx, &in.Inventory))
}

// snapshots reads the three stores, orders first (see Check).
func snapshots(ctx context.Context, ord *Orders, pay *Payments, inv *Inventory) (Input, error) {
	var in Input
	var err error
	if in.Orders, err = ord.Snapshot(ctx); err != nil {
		return in, err
	}
	if in.Payments, err = pay.Snapshot(ctx); err != nil {
		return in, err
	}
	in.Inventory, err = inv.Snapshot(ctx)
	return in, err
}
