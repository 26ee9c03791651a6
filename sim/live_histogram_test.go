package sim

import (
	"math"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/faultline-sim/faultline/sim/metrics"
)

// The exported latency histogram is native (schema set, sparse buckets
// that decode to the recorded latencies, each in the bucket whose bounds
// hold it) and keeps its classic buckets for scrapers without native
// support. Before, it had only the 13 classic buckets, 1 ms to 10 s.
func TestLatencyHistogramIsNative(t *testing.T) {
	lat := []time.Duration{300 * time.Microsecond, 3 * time.Millisecond, 3 * time.Millisecond, 41 * time.Millisecond, 2 * time.Second}
	rec := metrics.NewRecorder(2*time.Second, time.Minute)
	for _, l := range lat {
		rec.Offered(time.Second)
		rec.Sent(time.Second, 0)
		rec.Record(time.Second, l, metrics.OK)
	}
	desc := prometheus.NewDesc("h", "h", []string{"variant"}, nil)
	var m dto.Metric
	if err := latencyHistogram(desc, rec, "sync").Write(&m); err != nil {
		t.Fatal(err)
	}
	h := m.GetHistogram()
	if h.Schema == nil || h.GetSchema() != latencySchema {
		t.Fatalf("schema %v: not a native histogram", h.Schema)
	}
	if h.GetSampleCount() != uint64(len(lat)) || len(h.GetBucket()) != len(latencyBounds) {
		t.Errorf("count %d, %d classic buckets", h.GetSampleCount(), len(h.GetBucket()))
	}
	// Decode the spans and deltas into bucket index -> count.
	got := map[int]int64{}
	idx, count := 0, int64(0)
	d := h.GetPositiveDelta()
	for k, s := range h.GetPositiveSpan() {
		idx += int(s.GetOffset())
		if k > 0 {
			idx++ // the offset counts from the bucket after the previous span
		}
		for j := uint32(0); j < s.GetLength(); j++ {
			if j > 0 {
				idx++
			}
			count += d[0]
			d = d[1:]
			got[idx] = count
		}
	}
	total := int64(h.GetZeroCount())
	for i, n := range got {
		total += n
		lo, hi := math.Pow(2, float64(i-1)/8), math.Pow(2, float64(i)/8)
		found := false
		for _, l := range lat {
			// The recorder keeps about 3 significant digits: allow 1%.
			if s := l.Seconds(); s > lo*0.99 && s <= hi*1.01 {
				found = true
			}
		}
		if !found {
			t.Errorf("bucket %d (%gs, %gs] holds %d, but no latency lies there", i, lo, hi, n)
		}
	}
	if total != int64(len(lat)) || got[nativeIndex(0.003)] != 2 {
		t.Errorf("native buckets %v (zero %d): %d observations, want %d, 2 at 3ms", got, h.GetZeroCount(), total, len(lat))
	}
}

func TestNativeSpans(t *testing.T) {
	spans, deltas := nativeSpans(map[int]int64{-3: 2, -2: 5, 4: 1})
	if len(spans) != 2 || spans[0].GetOffset() != -3 || spans[0].GetLength() != 2 || spans[1].GetOffset() != 5 || spans[1].GetLength() != 1 {
		t.Errorf("spans %v", spans)
	}
	if want := []int64{2, 3, -4}; len(deltas) != 3 || deltas[0] != want[0] || deltas[1] != want[1] || deltas[2] != want[2] {
		t.Errorf("deltas %v, want %v", deltas, want)
	}
}
