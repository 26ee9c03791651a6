package metrics

import (
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/faultline-sim/faultline/reports/result"
)

// DefaultMaxLatency is the highest trackable latency when a constructor is
// given a non-positive one.
const DefaultMaxLatency = time.Minute

// sigFigs is the precision of every histogram: 3 significant digits.
const sigFigs = 3

// maxMicros converts a highest trackable duration into histogram units
// (microseconds), applying DefaultMaxLatency and the histogram's minimum.
func maxMicros(d time.Duration) int64 {
	if d <= 0 {
		d = DefaultMaxLatency
	}
	us := int64(d / time.Microsecond)
	return max(us, 2)
}

// newHistogram allocates a microsecond histogram up to maxUS.
func newHistogram(maxUS int64) *hdr.Histogram {
	return hdr.New(1, maxUS, sigFigs)
}

// micros converts d to microseconds clamped to [0, maxUS]: values above the
// range are kept at its top rather than dropped.
func micros(d time.Duration, maxUS int64) int64 {
	us := int64(d / time.Microsecond)
	return min(max(us, 0), maxUS)
}

// usToMS converts histogram units to milliseconds.
func usToMS(us int64) float64 { return float64(us) / 1e3 }

// percentiles reads p50, p90, p99, p99.9 and max in milliseconds; all zero
// for an empty histogram.
func percentiles(h *hdr.Histogram) result.Percentiles {
	if h.TotalCount() == 0 {
		return result.Percentiles{}
	}
	return result.Percentiles{
		P50:  usToMS(h.ValueAtQuantile(50)),
		P90:  usToMS(h.ValueAtQuantile(90)),
		P99:  usToMS(h.ValueAtQuantile(99)),
		P999: usToMS(h.ValueAtQuantile(99.9)),
		Max:  usToMS(h.Max()),
	}
}

// encode returns h in HdrHistogram V2 compressed form, base64, as
// hdrhistogram-go's Encode returns it; "" if it cannot be encoded.
func encode(h *hdr.Histogram) string {
	b, err := h.Encode(hdr.V2CompressedEncodingCookieBase)
	if err != nil {
		return ""
	}
	return string(b)
}

// HistogramPercentiles reads p50, p90, p99, p99.9 and max of h (in µs) in
// milliseconds, as every percentile of the results is written.
func HistogramPercentiles(h *hdr.Histogram) result.Percentiles { return percentiles(h) }

// EncodeHistogram returns h as the results file holds histograms (see
// result.Histograms).
func EncodeHistogram(h *hdr.Histogram) string { return encode(h) }
