package sim

import (
	"math"
	"runtime/metrics"

	"github.com/faultline-sim/faultline/reports/result"
)

// The process's own health over a recorded window, from runtime/metrics:
// how long runnable goroutines waited for a CPU, how long the GC stopped
// the world, and how busy the CPUs were. Everything in a variant shares
// these cores, so this is the harness's own share of every latency: an
// injected delay, a send and an answer all wait for the scheduler.
const (
	mSched    = "/sched/latencies:seconds"
	mGCPause  = "/sched/pauses/total/gc:seconds"
	mGCCycles = "/gc/cycles/total:gc-cycles"
	mCPUTotal = "/cpu/classes/total:cpu-seconds"
	mCPUIdle  = "/cpu/classes/idle:cpu-seconds"
)

// runtimeSample is one reading of the runtime's metrics.
type runtimeSample struct {
	s []metrics.Sample
	// osRun and osWait are the process's threads' time on a CPU and
	// waiting for one (osCPUTimes); osOK is false when not reported.
	osRun, osWait uint64
	osOK          bool
}

func readRuntime() runtimeSample {
	s := []metrics.Sample{{Name: mSched}, {Name: mGCPause}, {Name: mGCCycles}, {Name: mCPUTotal}, {Name: mCPUIdle}}
	metrics.Read(s)
	// Histograms are owned by the runtime only until the next Read with
	// the same slice; this slice is never read again, so they are ours.
	r := runtimeSample{s: s}
	r.osRun, r.osWait, r.osOK = osCPUTimes()
	return r
}

func (r runtimeSample) hist(i int) *metrics.Float64Histogram {
	if r.s == nil || r.s[i].Value.Kind() != metrics.KindFloat64Histogram {
		return nil
	}
	return r.s[i].Value.Float64Histogram()
}

func (r runtimeSample) u64(i int) uint64 {
	if r.s == nil || r.s[i].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return r.s[i].Value.Uint64()
}

func (r runtimeSample) f64(i int) float64 {
	if r.s == nil || r.s[i].Value.Kind() != metrics.KindFloat64 {
		return 0
	}
	return r.s[i].Value.Float64()
}

// harnessSince reports what happened between from and to.
func harnessSince(from, to runtimeSample) *result.Harness {
	if from.s == nil || to.s == nil {
		return nil
	}
	h := &result.Harness{
		SchedLatencyMS: histDelta(from.hist(0), to.hist(0)),
		GCPauseMS:      histDelta(from.hist(1), to.hist(1)),
		GCCycles:       int64(to.u64(2) - from.u64(2)),
	}
	if total := to.f64(3) - from.f64(3); total > 0 {
		h.CPUBusy = 1 - (to.f64(4)-from.f64(4))/total
	}
	if from.osOK && to.osOK && to.osRun >= from.osRun && to.osWait >= from.osWait {
		run, wait := float64(to.osRun-from.osRun), float64(to.osWait-from.osWait)
		if run+wait > 0 {
			w := wait / (run + wait)
			h.CPUWaitShare = &w
		}
	}
	return h
}

// histDelta returns percentiles of the observations between a and b (the
// same histogram read twice), each the upper bound of its bucket, so never
// below the truth.
func histDelta(a, b *metrics.Float64Histogram) result.Percentiles {
	var p result.Percentiles
	if a == nil || b == nil || len(a.Counts) != len(b.Counts) {
		return p
	}
	counts := make([]uint64, len(b.Counts))
	var total uint64
	for i := range counts {
		counts[i] = b.Counts[i] - a.Counts[i]
		total += counts[i]
	}
	if total == 0 {
		return p
	}
	at := func(q float64) float64 {
		want := uint64(math.Ceil(q * float64(total)))
		var seen uint64
		for i, c := range counts {
			seen += c
			if c > 0 && seen >= want {
				return bucketTop(b.Buckets, i)
			}
		}
		return bucketTop(b.Buckets, len(counts)-1)
	}
	p.P50, p.P90, p.P99, p.P999, p.Max = at(0.50), at(0.90), at(0.99), at(0.999), at(1)
	return p
}

// bucketTop is bucket i's upper bound in milliseconds; for the unbounded
// last bucket, its lower bound.
func bucketTop(b []float64, i int) float64 {
	top := b[i+1]
	if math.IsInf(top, 1) {
		top = b[i]
	}
	return top * 1e3
}
