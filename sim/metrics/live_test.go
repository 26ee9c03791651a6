package metrics

import (
	"testing"
	"time"
)

func TestLatencyBucketsCountsCumulatively(t *testing.T) {
	r := NewRecorder(2*time.Second, time.Minute)
	for _, l := range []time.Duration{500 * time.Microsecond, 3 * time.Millisecond, 40 * time.Millisecond, 2 * time.Second} {
		r.Offered(time.Second)
		r.Sent(time.Second, 0)
		r.Record(time.Second, l, OK)
	}
	counts, total, sum := r.LatencyBuckets([]float64{1, 10, 100, 1000})
	want := []uint64{1, 2, 3, 3}
	for i := range want {
		if counts[i] != want[i] {
			t.Errorf("bucket %d: %d, want %d (all %v)", i, counts[i], want[i], counts)
		}
	}
	if total != 4 || sum < 2043 || sum > 2046 {
		t.Errorf("total %d sum %vms", total, sum)
	}
}
