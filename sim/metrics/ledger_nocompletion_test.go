package metrics

import (
	"testing"
	"time"

	"github.com/faultline-sim/faultline/reports/result"
)

// Events published but none processed: no operation completed, so there
// are no completion percentiles (nil), rather than percentiles of 0 ms.
func TestLedgerNothingCompleted(t *testing.T) {
	l := NewLedger(map[string][]string{"orders": {"billing"}}, 0)
	l.Start(time.Time{})
	for id := uint64(1); id <= 3; id++ {
		l.Publishing(id, id, time.Now(), "orders")
		l.Acked(id)
	}
	var v result.Variant
	v.EventDriven = true
	l.Fill(&v)
	if v.Events.Published != 3 || v.Completed != 0 {
		t.Fatalf("published %d, completed %d; want 3, 0", v.Events.Published, v.Completed)
	}
	if v.CompletionMS != nil || v.Histograms.Completion != "" {
		t.Errorf("completion = %+v, histogram %q; want none", v.CompletionMS, v.Histograms.Completion)
	}
}
