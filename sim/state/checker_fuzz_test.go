package state

import (
	"slices"
	"testing"
	"time"
)

// FuzzCheck checks the checker's bookkeeping on arbitrary snapshots,
// states the stores could not reach included: every operation in exactly
// one category, no operation in flight after the drain, samples within
// bounds and ascending, a time to consistency only for consistent intended
// operations.
func FuzzCheck(f *testing.F) {
	f.Add([]byte{1, 2, 1, 0, 100, 1, 1, 1}, false)
	f.Add([]byte{1, 3, 2, 1, 0, 2, 0, 0, 2, 1, 0, 0, 0, 0, 0, 1}, true)
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0, 7, 1, 9, 9, 9, 9, 9, 9}, true)
	f.Fuzz(func(t *testing.T, data []byte, final bool) {
		in := Input{
			Orders:    OrdersSnapshot{Orders: map[uint64]OrderState{}},
			Payments:  PaymentsSnapshot{Ops: map[uint64]PaymentState{}},
			Inventory: InventorySnapshot{Ops: map[uint64]ReservationState{}, Available: map[int]int64{}},
			Intended:  map[uint64]time.Time{},
			Final:     final,
			Samples:   3,
		}
		at := func(b byte) time.Time { return epoch.Add(time.Duration(b) * time.Millisecond) }
		for len(data) >= 8 {
			op := uint64(data[0] % 16)
			if st := Status(data[1] % 4); st != NotPlaced {
				in.Orders.Orders[op] = OrderState{Status: st, Placed: epoch, At: at(data[7])}
			}
			if data[2]%4 != 0 || data[4] != 0 {
				in.Payments.Ops[op] = PaymentState{Charges: int(data[2] % 4), Refunds: int(data[3] % 3),
					Net: int64(data[4]) - 50, At: at(data[7])}
			}
			if data[5]%4 != 0 || data[6]%3 != 0 {
				in.Inventory.Ops[op] = ReservationState{Reservations: int(data[5] % 4), Held: int64(data[6]%3) - 1, At: at(data[7])}
			}
			if data[3]%5 == 0 {
				in.Intended[op+uint64(data[7]%2)*100] = epoch
			}
			in.Inventory.Available[int(data[6]%4)] = int64(data[7]) - 20
			data = data[8:]
		}
		r := Check(in)
		checkPartition(t, r)
		if final && r.InFlight != 0 {
			t.Errorf("%d in flight in a final check", r.InFlight)
		}
		if r.TimeToConsistency.Count > r.Consistent() {
			t.Errorf("%d times to consistency for %d consistent operations", r.TimeToConsistency.Count, r.Consistent())
		}
		for _, v := range r.Violations {
			if int64(len(v.Samples)) > min(v.Count, 3) || !slices.IsSorted(v.Samples) {
				t.Errorf("%v: count %d, samples %v", v.Kind, v.Count, v.Samples)
			}
		}
		if r.Inconsistent > 0 && r.Violating() < r.Inconsistent {
			t.Errorf("%d inconsistent operations but %d violations", r.Inconsistent, r.Violating())
		}
	})
}
