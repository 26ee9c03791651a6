package state

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/sim/simtest"
)

// publish returns a Change.Outbox that writes one message with id on
// subject, and the outcomes it was called with.
func publish(id uint64, subject string, seen *[]Outcome) func(Outcome) []Message {
	return func(o Outcome) []Message {
		*seen = append(*seen, o)
		return []Message{{ID: id, Subject: subject, Payload: []byte(subject)}}
	}
}

func pendingIDs(t *testing.T, s interface {
	PendingOutbox(ctx context.Context, limit int) ([]Outgoing, error)
}) []uint64 {
	t.Helper()
	rows, err := s.PendingOutbox(simtest.Context(t), 100)
	if err != nil {
		t.Fatal(err)
	}
	var ids []uint64
	for _, r := range rows {
		ids = append(ids, r.ID)
	}
	return ids
}

func TestOutboxCommitsWithTheChange(t *testing.T) {
	w := newWorld(t, PaymentsConfig{}, InventoryConfig{Stock: 1})
	ctx := simtest.Context(t)
	var seen []Outcome
	r := w.do(time.Second, func() (Result, error) {
		return w.ord.Place(ctx, 1, Change{Outbox: publish(11, "order.placed", &seen)})
	})
	want(t, r, Applied)
	rows, err := w.ord.PendingOutbox(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].ID != 11 || rows[0].Op != 1 || rows[0].Subject != "order.placed" ||
		string(rows[0].Payload) != "order.placed" || !rows[0].At.Equal(r.At) {
		t.Fatalf("outbox %+v, want message 11 of op 1 on order.placed at %v", rows, r.At)
	}

	// A business failure commits its own event.
	want(t, w.do(0, func() (Result, error) { return w.inv.Reserve(ctx, 1, Change{}) }), Applied)
	r = w.do(0, func() (Result, error) {
		return w.inv.Reserve(ctx, 2, Change{Event: 11, Outbox: publish(21, "inventory.failed", &seen)})
	})
	want(t, r, OutOfStock)
	if got := pendingIDs(t, w.inv); !slices.Equal(got, []uint64{21}) {
		t.Errorf("inventory outbox %v, want [21]", got)
	}
	// A redelivery of the event neither changes anything nor publishes
	// again: the outbox function is not even called.
	r = w.do(0, func() (Result, error) {
		return w.inv.Reserve(ctx, 2, Change{Event: 11, Outbox: publish(22, "inventory.failed", &seen)})
	})
	if !r.Replayed || r.Outcome != OutOfStock {
		t.Errorf("redelivery: %+v, want a replay of OutOfStock", r)
	}
	if got := pendingIDs(t, w.inv); !slices.Equal(got, []uint64{21}) {
		t.Errorf("inventory outbox after the redelivery %v, want [21]", got)
	}
	if !slices.Equal(seen, []Outcome{Applied, OutOfStock}) {
		t.Errorf("outbox called with %v, want [applied out of stock]", seen)
	}

	// Marked sent, a message is no longer pending; marking again, or an
	// unknown id, is harmless.
	for _, id := range []uint64{11, 11, 99} {
		if err := w.ord.MarkSent(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if got := pendingIDs(t, w.ord); len(got) != 0 {
		t.Errorf("order outbox after MarkSent %v, want empty", got)
	}
}

func TestOutboxOldestFirstWithinLimit(t *testing.T) {
	w := newWorld(t, PaymentsConfig{}, InventoryConfig{})
	ctx := simtest.Context(t)
	var seen []Outcome
	for i, id := range []uint64{30, 10, 20} {
		want(t, w.do(0, func() (Result, error) {
			return w.pay.Charge(ctx, uint64(i), Change{Outbox: publish(id, "payment.charged", &seen)})
		}), Applied)
	}
	rows, err := w.pay.PendingOutbox(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].ID != 30 || rows[1].ID != 10 {
		t.Errorf("first two pending %+v, want 30 then 10 (in commit order)", rows)
	}
}

// TestFailedChangeLeavesNeitherStateNorOutbox: the state change and its
// outbox rows commit together or not at all.
func TestFailedChangeLeavesNeitherStateNorOutbox(t *testing.T) {
	w := newWorld(t, PaymentsConfig{Balance: 1000}, InventoryConfig{})
	ctx := simtest.Context(t)
	var seen []Outcome
	want(t, w.do(0, func() (Result, error) {
		return w.pay.Charge(ctx, 1, Change{Key: "c1", Outbox: publish(5, "payment.charged", &seen)})
	}), Applied)
	two := func(id uint64, subject string) func(Outcome) []Message {
		return func(Outcome) []Message {
			return []Message{{ID: 6, Subject: "payment.charged"}, {ID: id, Subject: subject}}
		}
	}
	for _, c := range []struct {
		name, wantErr string
		outbox        func(Outcome) []Message
	}{
		{"second message reuses an id", "UNIQUE constraint failed: outbox.id", two(5, "payment.charged")},
		{"second message has id 0", "CHECK constraint failed", two(0, "payment.charged")},
	} {
		if r, err := w.pay.Charge(ctx, 2, Change{Key: "c2", Event: 77, Outbox: c.outbox}); err == nil ||
			!strings.Contains(err.Error(), c.wantErr) || !strings.Contains(err.Error(), w.pay.Path()) {
			t.Errorf("%s: %+v, %v; want an error naming %s, saying %q", c.name, r, err, w.pay.Path(), c.wantErr)
		}
	}
	snap, err := w.pay.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := snap.Ops[2]; ok || snap.Balance != 900 {
		t.Errorf("after the failed charges: op 2 %+v, balance %d; want no charge and 900", snap.Ops[2], snap.Balance)
	}
	if got := pendingIDs(t, w.pay); !slices.Equal(got, []uint64{5}) {
		t.Errorf("outbox %v, want only [5]", got)
	}
	// Neither the key nor the event was recorded as processed: the retry
	// applies.
	want(t, w.do(0, func() (Result, error) {
		return w.pay.Charge(ctx, 2, Change{Key: "c2", Event: 77, Outbox: publish(6, "payment.charged", &seen)})
	}), Applied)
	if got := pendingIDs(t, w.pay); !slices.Equal(got, []uint64{5, 6}) {
		t.Errorf("outbox after the retry %v, want [5 6]", got)
	}
}

// TestCancelledContextLeavesNothing: a caller that goes away (a crash, a
// timeout) before the commit leaves no trace.
func TestCancelledContextLeavesNothing(t *testing.T) {
	w := newWorld(t, PaymentsConfig{}, InventoryConfig{})
	ctx, cancel := context.WithCancel(simtest.Context(t))
	r, err := w.ord.Place(ctx, 1, Change{Outbox: func(Outcome) []Message {
		cancel() // the caller dies while the transaction is open
		return []Message{{ID: 1, Subject: "order.placed"}}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("placed with a cancelled context: %+v, %v; want context.Canceled", r, err)
	}
	snap, err := w.ord.Snapshot(simtest.Context(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Orders) != 0 || len(pendingIDs(t, w.ord)) != 0 {
		t.Errorf("orders %+v, outbox %v; want both empty", snap.Orders, pendingIDs(t, w.ord))
	}
}
