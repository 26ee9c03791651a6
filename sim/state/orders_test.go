package state

import (
	"testing"
	"time"

	"github.com/faultline-sim/faultline/sim/simtest"
)

func TestOrderTransitions(t *testing.T) {
	w := newWorld(t, PaymentsConfig{}, InventoryConfig{})
	ctx := simtest.Context(t)
	o := w.ord
	steps := []struct {
		name string
		do   func() (Result, error)
		want Outcome
	}{
		{"confirm before placing", func() (Result, error) { return o.Confirm(ctx, 1, Change{}) }, Conflict},
		{"cancel before placing", func() (Result, error) { return o.Cancel(ctx, 1, Change{}) }, Conflict},
		{"place", func() (Result, error) { return o.Place(ctx, 1, Change{}) }, Applied},
		{"place again", func() (Result, error) { return o.Place(ctx, 1, Change{}) }, Unchanged},
		{"confirm", func() (Result, error) { return o.Confirm(ctx, 1, Change{}) }, Applied},
		{"confirm again", func() (Result, error) { return o.Confirm(ctx, 1, Change{}) }, Unchanged},
		{"cancel a confirmed order", func() (Result, error) { return o.Cancel(ctx, 1, Change{}) }, Conflict},
		{"place another", func() (Result, error) { return o.Place(ctx, 2, Change{}) }, Applied},
		{"cancel it", func() (Result, error) { return o.Cancel(ctx, 2, Change{}) }, Applied},
		{"cancel it again", func() (Result, error) { return o.Cancel(ctx, 2, Change{}) }, Unchanged},
		{"confirm a cancelled order", func() (Result, error) { return o.Confirm(ctx, 2, Change{}) }, Conflict},
		{"place a cancelled order", func() (Result, error) { return o.Place(ctx, 2, Change{}) }, Unchanged},
	}
	for i, s := range steps {
		r := w.do(epochStep(i), s.do)
		if r.Outcome != s.want || r.Replayed {
			t.Errorf("%s: %v (replayed %v), want %v", s.name, r.Outcome, r.Replayed, s.want)
		}
		if !r.At.Equal(epoch.Add(epochStep(i))) {
			t.Errorf("%s: committed at %v, want the clock's %v", s.name, r.At, epoch.Add(epochStep(i)))
		}
	}
	snap, err := o.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Order 1 was placed at step 2 and confirmed at step 4; order 2 placed
	// at step 7 and cancelled at step 8. Steps that changed nothing wrote
	// no time.
	want := map[uint64]OrderState{
		1: {Status: Confirmed, Placed: epoch.Add(epochStep(2)), At: epoch.Add(epochStep(4))},
		2: {Status: Cancelled, Placed: epoch.Add(epochStep(7)), At: epoch.Add(epochStep(8))},
	}
	for op, ws := range want {
		if got := snap.Orders[op]; !got.Placed.Equal(ws.Placed) || !got.At.Equal(ws.At) || got.Status != ws.Status {
			t.Errorf("order %d: %+v, want %+v", op, got, ws)
		}
	}
	if len(snap.Orders) != len(want) {
		t.Errorf("%d orders, want %d", len(snap.Orders), len(want))
	}
}

// epochStep is the clock offset of step i of a script: i ms.
func epochStep(i int) time.Duration { return time.Duration(i) * time.Millisecond }
