package state

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// openDescriptors counts the process's open file descriptors on files
// under dir (so that what other tests open or close meanwhile does not
// count).
func openDescriptors(t *testing.T, dir string) int {
	t.Helper()
	es, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("cannot count descriptors: %v", err)
	}
	n := 0
	for _, e := range es {
		if target, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name())); err == nil && strings.HasPrefix(target, dir+string(filepath.Separator)) {
			n++
		}
	}
	return n
}

// The three stores, written, snapshotted and their outboxes read at once
// from several goroutines (so every reading connection opens), hold at
// most Descriptors open, and none once closed: the budget the world's
// descriptor estimate counts for a stateful variant.
func TestStoresDescriptors(t *testing.T) {
	dir := t.TempDir()
	o, err := OpenOrders(dir, OrdersConfig{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := OpenPayments(dir, PaymentsConfig{})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := OpenInventory(dir, InventoryConfig{Items: 10, Stock: 100})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for op := uint64(g * 100); op < uint64(g*100+25); op++ {
				o.Place(ctx, op, Change{})     //nolint:errcheck // counted below
				p.Charge(ctx, op, Change{})    //nolint:errcheck
				inv.Reserve(ctx, op, Change{}) //nolint:errcheck
				o.Snapshot(ctx)                //nolint:errcheck
				p.PendingOutbox(ctx, 1)        //nolint:errcheck
				inv.Snapshot(ctx)              //nolint:errcheck
			}
		})
	}
	wg.Wait()
	if n := openDescriptors(t, dir); n > Descriptors {
		t.Errorf("the stores hold %d descriptors, over Descriptors = %d", n, Descriptors)
	} else {
		t.Logf("%d descriptors (budget %d)", n, Descriptors)
	}
	for _, c := range []interface{ Close() error }{o, p, inv} {
		if err := c.Close(); err != nil {
			t.Error(err)
		}
	}
	if n := openDescriptors(t, dir); n > 0 {
		t.Errorf("%d descriptors left open after Close", n)
	}
}
