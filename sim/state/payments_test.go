package state

import (
	"fmt"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/sim/simtest"
)

func TestChargeWithOneKeyChargesOnce(t *testing.T) {
	w := newWorld(t, PaymentsConfig{Balance: 1000, Amount: 300}, InventoryConfig{})
	ctx := simtest.Context(t)
	first := w.do(time.Millisecond, func() (Result, error) { return w.pay.Charge(ctx, 7, Change{Key: "order-7"}) })
	want(t, first, Applied)
	again := w.do(2*time.Millisecond, func() (Result, error) { return w.pay.Charge(ctx, 7, Change{Key: "order-7"}) })
	if !again.Replayed || again.Outcome != Applied || !again.At.Equal(first.At) {
		t.Errorf("retry with the same key: %+v, want the first call's result %+v, replayed", again, first)
	}
	snap, err := w.pay.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := snap.Ops[7]; got.Charges != 1 || got.Net != 300 || !got.At.Equal(first.At) {
		t.Errorf("payments of op 7: %+v, want one charge of 300 at %v", got, first.At)
	}
	if snap.Balance != 700 {
		t.Errorf("balance %d, want 700", snap.Balance)
	}
}

func TestChargeWithoutKeyChargesAgain(t *testing.T) {
	w := newWorld(t, PaymentsConfig{}, InventoryConfig{})
	ctx := simtest.Context(t)
	for range 2 {
		want(t, w.do(0, func() (Result, error) { return w.pay.Charge(ctx, 7, Change{}) }), Applied)
	}
	snap, err := w.pay.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := snap.Ops[7]; got.Charges != 2 || got.Net != 2*DefaultAmount {
		t.Errorf("payments of op 7: %+v, want two charges of %d (at least once)", got, DefaultAmount)
	}
	if snap.Balance != Unlimited-2*DefaultAmount {
		t.Errorf("balance %d, want Unlimited less two charges", snap.Balance)
	}
}

func TestProcessedEventIsNotAppliedAgain(t *testing.T) {
	w := newWorld(t, PaymentsConfig{}, InventoryConfig{})
	ctx := simtest.Context(t)
	want(t, w.do(0, func() (Result, error) { return w.pay.Charge(ctx, 7, Change{Event: 70}) }), Applied)
	// A redelivery, and the same event handed to another method of the
	// store: both recognised.
	if r := w.do(0, func() (Result, error) { return w.pay.Charge(ctx, 7, Change{Event: 70}) }); !r.Replayed || r.Outcome != Applied {
		t.Errorf("redelivered event: %+v, want a replay of Applied", r)
	}
	if r := w.do(0, func() (Result, error) { return w.pay.Refund(ctx, 7, Change{Event: 70}) }); !r.Replayed {
		t.Errorf("refund with a processed event: %+v, want a replay", r)
	}
	// A key is scoped by method: a refund with the charge's key refunds.
	want(t, w.do(0, func() (Result, error) { return w.pay.Charge(ctx, 8, Change{Key: "k"}) }), Applied)
	want(t, w.do(0, func() (Result, error) { return w.pay.Refund(ctx, 8, Change{Key: "k"}) }), Applied)
	snap, err := w.pay.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := snap.Ops[7]; got.Charges != 1 || got.Refunds != 0 {
		t.Errorf("op 7: %+v, want one charge, no refund", got)
	}
	if got := snap.Ops[8]; got.Charges != 1 || got.Refunds != 1 || got.Net != 0 {
		t.Errorf("op 8: %+v, want charged and refunded", got)
	}
}

func TestInsufficientFunds(t *testing.T) {
	w := newWorld(t, PaymentsConfig{Balance: 250}, InventoryConfig{})
	ctx := simtest.Context(t)
	charge := func(op uint64) Result {
		return w.do(0, func() (Result, error) { return w.pay.Charge(ctx, op, Change{Key: fmt.Sprint("k", op)}) })
	}
	want(t, charge(1), Applied)
	want(t, charge(2), Applied)
	r := w.do(0, func() (Result, error) { return w.pay.Charge(ctx, 3, Change{Key: "k3"}) })
	want(t, r, InsufficientFunds)
	if !r.Outcome.Failed() {
		t.Error("InsufficientFunds is not a business failure")
	}
	// Money comes back; a retry of the declined request is still declined
	// (its key replays the first outcome), a new request is not.
	want(t, w.do(0, func() (Result, error) { return w.pay.Refund(ctx, 1, Change{}) }), Applied)
	if r := w.do(0, func() (Result, error) { return w.pay.Charge(ctx, 3, Change{Key: "k3"}) }); !r.Replayed || r.Outcome != InsufficientFunds {
		t.Errorf("retry of a declined charge: %+v, want a replay of InsufficientFunds", r)
	}
	want(t, w.do(0, func() (Result, error) { return w.pay.Charge(ctx, 3, Change{Key: "k3b"}) }), Applied)
	snap, err := w.pay.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Balance != 50 {
		t.Errorf("balance %d, want 250 - 2×100 + 100 - 100 = 50", snap.Balance)
	}
}

func TestRefundGivesBackTheNetOnce(t *testing.T) {
	w := newWorld(t, PaymentsConfig{Balance: 1000}, InventoryConfig{})
	ctx := simtest.Context(t)
	want(t, w.do(0, func() (Result, error) { return w.pay.Refund(ctx, 1, Change{}) }), Unchanged)
	for range 2 {
		want(t, w.do(0, func() (Result, error) { return w.pay.Charge(ctx, 1, Change{}) }), Applied)
	}
	want(t, w.do(time.Second, func() (Result, error) { return w.pay.Refund(ctx, 1, Change{}) }), Applied)
	want(t, w.do(2*time.Second, func() (Result, error) { return w.pay.Refund(ctx, 1, Change{}) }), Unchanged)
	snap, err := w.pay.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := snap.Ops[1]; got.Charges != 2 || got.Refunds != 1 || got.Net != 0 || !got.At.Equal(epoch.Add(time.Second)) {
		t.Errorf("op 1: %+v, want two charges, one refund of both, net 0, last change at 1 s", got)
	}
	if snap.Balance != 1000 {
		t.Errorf("balance %d, want 1000 back", snap.Balance)
	}
}
