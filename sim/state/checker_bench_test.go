package state

import (
	"fmt"
	"testing"
	"time"
)

// What sampling costs. A run at 2,000 operations/s holds 20,000 after 10 s
// and 120,000 after a minute; a sample every second reads what changed in
// the second (Update) and checks everything (Check).

// benchStores opens the three stores in dir.
func benchStores(b *testing.B) (*Orders, *Payments, *Inventory) {
	dir := b.TempDir()
	ord, err := OpenOrders(dir, OrdersConfig{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ord.Close() }) //nolint:errcheck // benchmark
	pay, err := OpenPayments(dir, PaymentsConfig{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { pay.Close() }) //nolint:errcheck // benchmark
	inv, err := OpenInventory(dir, InventoryConfig{Items: 100})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { inv.Close() }) //nolint:errcheck // benchmark
	return ord, pay, inv
}

// fillConfirmed writes ops [from, to) as confirmed sagas, one transaction
// per store, as the stores' methods would leave them.
func fillConfirmed(b *testing.B, ord *Orders, pay *Payments, inv *Inventory, from, to int64) {
	at := time.Now().UnixMicro()
	fill := func(s *store, q string, args func(op int64) []any) {
		tx, err := s.w.Begin()
		if err != nil {
			b.Fatal(err)
		}
		for op := from; op < to; op++ {
			if _, err := tx.Exec(q, args(op)...); err != nil {
				b.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	fill(ord.store, `INSERT INTO orders (op, status, placed_at, at, rev) VALUES (?, ?, ?, ?, ?)`,
		func(op int64) []any { return []any{op, Confirmed, at, at, op + 1} })
	fill(pay.store, `INSERT INTO payments (op, amount, at) VALUES (?, ?, ?)`,
		func(op int64) []any { return []any{op, DefaultAmount, at} })
	fill(inv.store, `INSERT INTO reservations (op, item, units, at) VALUES (?, ?, 1, ?)`,
		func(op int64) []any { return []any{op, op % 100, at} })
}

// BenchmarkSnapshot reads the three stores whole, 20,000 operations.
func BenchmarkSnapshot(b *testing.B) {
	ord, pay, inv := benchStores(b)
	fillConfirmed(b, ord, pay, inv, 0, 20_000)
	for b.Loop() {
		if _, err := snapshots(b.Context(), ord, pay, inv); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUpdate brings snapshots of 20,000 operations and more up to
// date with 2,000 operations more (a second at 2,000/s).
func BenchmarkUpdate(b *testing.B) {
	ord, pay, inv := benchStores(b)
	fillConfirmed(b, ord, pay, inv, 0, 20_000)
	in, err := snapshots(b.Context(), ord, pay, inv)
	if err != nil {
		b.Fatal(err)
	}
	next := int64(20_000)
	for b.Loop() {
		b.StopTimer()
		fillConfirmed(b, ord, pay, inv, next, next+2000)
		next += 2000
		b.StartTimer()
		if err := update(b.Context(), &in, ord, pay, inv); err != nil {
			b.Fatal(err)
		}
	}
	if got := int64(len(in.Orders.Orders)); got != next {
		b.Fatalf("%d orders, want %d", got, next)
	}
}

// BenchmarkCheck checks snapshots of confirmed operations, every one
// intended.
func BenchmarkCheck(b *testing.B) {
	for _, ops := range []int{20_000, 120_000} {
		b.Run(fmt.Sprint(ops), func(b *testing.B) {
			in := Input{
				Orders:    OrdersSnapshot{Orders: map[uint64]OrderState{}},
				Payments:  PaymentsSnapshot{Ops: map[uint64]PaymentState{}},
				Inventory: InventorySnapshot{Ops: map[uint64]ReservationState{}, Available: map[int]int64{0: 1}},
				Intended:  make(map[uint64]time.Time, ops),
				Final:     true,
			}
			for op := range uint64(ops) {
				in.Intended[op] = epoch
				in.Orders.Orders[op] = OrderState{Status: Confirmed, Placed: epoch, At: epoch.Add(time.Millisecond)}
				in.Payments.Ops[op] = PaymentState{Charges: 1, Net: DefaultAmount, At: epoch}
				in.Inventory.Ops[op] = ReservationState{Reservations: 1, Held: 1, At: epoch}
			}
			for b.Loop() {
				if r := Check(in); r.Confirmed != int64(ops) {
					b.Fatalf("%+v", r)
				}
			}
		})
	}
}
