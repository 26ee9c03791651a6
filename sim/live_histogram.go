package sim

import (
	"math"
	"slices"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/faultline-sim/faultline/sim/metrics"
)

// The latency histogram is exported both ways at once, as client_golang
// does for a histogram with Buckets and NativeHistogramBucketFactor set:
//   - native (sparse) buckets of schema latencySchema, read by a Prometheus
//     that scrapes native histograms (protobuf exposition);
//   - classic buckets at latencyBounds (1 ms–10 s), which a scraper without
//     native-histogram support (or the text format) still gets.

// latencySchema is the native histogram's schema: bucket bounds grow by
// 2^(2^-3) ≈ 1.09, so a quantile read from it is within about 4.5% of the
// recorded value (client_golang's NativeHistogramBucketFactor 1.1 picks the
// same schema).
const latencySchema = 3

// latencyBounds are the classic buckets' upper bounds in seconds.
var latencyBounds = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// nativeIndex is the native bucket of v > 0 seconds at latencySchema:
// bucket i holds (2^((i-1)/8), 2^(i/8)].
func nativeIndex(v float64) int {
	return int(math.Ceil(math.Log2(v) * (1 << latencySchema)))
}

// latencyHistogram reads rec's latency distribution into one metric with
// classic and native buckets.
func latencyHistogram(desc *prometheus.Desc, rec *metrics.Recorder, label string) prometheus.Metric {
	classic := make([]uint64, len(latencyBounds))
	native := map[int]int64{}
	var total, zero uint64
	var sum float64
	rec.EachLatency(func(ms float64, n int64) {
		s := ms / 1e3
		total += uint64(n)
		sum += s * float64(n)
		for i, b := range latencyBounds {
			if s <= b {
				classic[i] += uint64(n)
			}
		}
		if s <= prometheus.DefNativeHistogramZeroThreshold {
			zero += uint64(n)
		} else {
			native[nativeIndex(s)] += n
		}
	})
	buckets := make(map[float64]uint64, len(classic))
	for i, c := range classic {
		buckets[latencyBounds[i]] = c
	}
	h := hybridHistogram{Metric: prometheus.MustNewConstHistogram(desc, total, sum, buckets, label), zero: zero}
	h.spans, h.deltas = nativeSpans(native)
	return h
}

// nativeSpans encodes sparse bucket counts as a native histogram's spans
// (runs of consecutive indexes, each offset from the previous run's end)
// and deltas (each count minus the previous one).
func nativeSpans(counts map[int]int64) ([]*dto.BucketSpan, []int64) {
	idx := make([]int, 0, len(counts))
	for i := range counts {
		idx = append(idx, i)
	}
	slices.Sort(idx)
	var spans []*dto.BucketSpan
	var deltas []int64
	var prev int64
	for k, i := range idx {
		switch {
		case k == 0:
			spans = append(spans, &dto.BucketSpan{Offset: proto32(int32(i)), Length: proto32u(1)})
		case i == idx[k-1]+1:
			*spans[len(spans)-1].Length++
		default:
			spans = append(spans, &dto.BucketSpan{Offset: proto32(int32(i - idx[k-1] - 1)), Length: proto32u(1)})
		}
		deltas = append(deltas, counts[i]-prev)
		prev = counts[i]
	}
	return spans, deltas
}

func proto32(x int32) *int32    { return &x }
func proto32u(x uint32) *uint32 { return &x }

// hybridHistogram is a classic const histogram with native buckets added.
type hybridHistogram struct {
	prometheus.Metric
	zero   uint64
	spans  []*dto.BucketSpan
	deltas []int64
}

// Write implements prometheus.Metric: the classic histogram plus the
// native schema, zero bucket and positive buckets.
func (h hybridHistogram) Write(m *dto.Metric) error {
	if err := h.Metric.Write(m); err != nil {
		return err
	}
	hist := m.Histogram
	schema, zt, zero := int32(latencySchema), prometheus.DefNativeHistogramZeroThreshold, h.zero
	hist.Schema, hist.ZeroThreshold, hist.ZeroCount = &schema, &zt, &zero
	hist.PositiveSpan, hist.PositiveDelta = h.spans, h.deltas
	if len(h.spans) == 0 {
		// No observation yet: an empty span still marks the histogram
		// native, as client_golang does.
		hist.PositiveSpan = []*dto.BucketSpan{{Offset: proto32(0), Length: proto32u(0)}}
	}
	return nil
}
