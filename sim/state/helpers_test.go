package state

import (
	"sync"
	"testing"
	"time"
)

// epoch is the start of the tests' fake clock.
var epoch = time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)

// clock is a fake clock: it reads what Set put there.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: epoch} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// At sets the clock to epoch+d.
func (c *clock) At(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = epoch.Add(d)
}

// world is the three stores of one run folder, on one fake clock.
type world struct {
	t     *testing.T
	clock *clock
	ord   *Orders
	pay   *Payments
	inv   *Inventory
}

// newWorld opens the three stores in a temporary folder; they close when
// the test ends.
func newWorld(t *testing.T, pc PaymentsConfig, ic InventoryConfig) *world {
	t.Helper()
	dir := t.TempDir()
	w := &world{t: t, clock: newClock()}
	pc.Now, ic.Now = w.clock.Now, w.clock.Now
	var err error
	if w.ord, err = OpenOrders(dir, OrdersConfig{Now: w.clock.Now}); err != nil {
		t.Fatal(err)
	}
	closeAtEnd(t, w.ord)
	if w.pay, err = OpenPayments(dir, pc); err != nil {
		t.Fatal(err)
	}
	closeAtEnd(t, w.pay)
	if w.inv, err = OpenInventory(dir, ic); err != nil {
		t.Fatal(err)
	}
	closeAtEnd(t, w.inv)
	return w
}

func closeAtEnd(t *testing.T, c interface{ Close() error }) {
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Error(err)
		}
	})
}

// do runs one state change at epoch+at on the world's clock and returns
// its result; a store error fails the test.
func (w *world) do(at time.Duration, f func() (Result, error)) Result {
	w.t.Helper()
	w.clock.At(at)
	r, err := f()
	if err != nil {
		w.t.Fatal(err)
	}
	return r
}

// want is the applied outcome every step of a good saga expects.
func want(t *testing.T, r Result, o Outcome) {
	t.Helper()
	if r.Outcome != o || r.Replayed {
		t.Fatalf("got %v (replayed %v), want %v", r.Outcome, r.Replayed, o)
	}
}
