package state

import (
	"testing"

	"github.com/faultline-sim/faultline/sim/simtest"
)

func TestStockNeverGoesNegative(t *testing.T) {
	w := newWorld(t, PaymentsConfig{}, InventoryConfig{Items: 1, Stock: 2})
	ctx := simtest.Context(t)
	reserve := func(op uint64) Result {
		return w.do(0, func() (Result, error) { return w.inv.Reserve(ctx, op, Change{}) })
	}
	want(t, reserve(1), Applied)
	want(t, reserve(2), Applied)
	r := reserve(3)
	want(t, r, OutOfStock)
	if !r.Outcome.Failed() {
		t.Error("OutOfStock is not a business failure")
	}
	snap, err := w.inv.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Available[0] != 0 {
		t.Errorf("stock %d after the failed reservation, want 0", snap.Available[0])
	}
	if _, ok := snap.Ops[3]; ok {
		t.Errorf("the failed reservation left %+v", snap.Ops[3])
	}
	want(t, w.do(0, func() (Result, error) { return w.inv.Release(ctx, 1, Change{}) }), Applied)
	want(t, w.do(0, func() (Result, error) { return w.inv.Release(ctx, 1, Change{}) }), Unchanged)
	want(t, reserve(3), Applied)
}

func TestReservationsByItem(t *testing.T) {
	w := newWorld(t, PaymentsConfig{}, InventoryConfig{Items: 3, Stock: 5})
	ctx := simtest.Context(t)
	for op := uint64(0); op < 7; op++ {
		want(t, w.do(0, func() (Result, error) { return w.inv.Reserve(ctx, op, Change{}) }), Applied)
	}
	// A retry with a key reserves once.
	want(t, w.do(0, func() (Result, error) { return w.inv.Reserve(ctx, 9, Change{Key: "r9"}) }), Applied)
	if r := w.do(0, func() (Result, error) { return w.inv.Reserve(ctx, 9, Change{Key: "r9"}) }); !r.Replayed {
		t.Errorf("retry of reservation 9 with its key: %+v, want a replay", r)
	}
	// Release twice with no key: the second finds nothing held.
	want(t, w.do(0, func() (Result, error) { return w.inv.Release(ctx, 4, Change{}) }), Applied)
	want(t, w.do(0, func() (Result, error) { return w.inv.Release(ctx, 4, Change{}) }), Unchanged)
	snap, err := w.inv.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Ops 0..6 and 9 on items op%3: item 0 ← 0, 3, 6, 9; item 1 ← 1, 4
	// (released); item 2 ← 2, 5.
	wantStock := map[int]int64{0: 1, 1: 4, 2: 3}
	for item, n := range wantStock {
		if snap.Available[item] != n {
			t.Errorf("item %d: stock %d, want %d", item, snap.Available[item], n)
		}
	}
	if got := snap.Ops[4]; got.Reservations != 1 || got.Held != 0 {
		t.Errorf("op 4: %+v, want reserved once and released", got)
	}
	for _, op := range []uint64{6, 9} {
		if got := snap.Ops[op]; got.Reservations != 1 || got.Held != 1 {
			t.Errorf("op %d: %+v, want one unit held", op, got)
		}
	}
	if w.inv.Item(6) != 0 || w.inv.Item(5) != 2 {
		t.Errorf("Item(6), Item(5) = %d, %d; want 0, 2", w.inv.Item(6), w.inv.Item(5))
	}
}
