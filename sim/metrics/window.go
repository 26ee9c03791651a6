package metrics

import (
	"time"

	"github.com/faultline-sim/faultline/reports/result"
)

// Window summarizes the requests intended within [from, to) of the recorded
// window, rounded outwards to whole seconds of the timeline and clipped to
// it; nil when nothing of it lies inside. Histograms of the seconds are
// merged, never averaged. When consumer lag is sampled, ConsumerLag holds
// the largest and mean per-second sample over the seconds that have one
// (see result.WindowLag). Safe for concurrent use.
func (r *Recorder) Window(from, to time.Duration) *result.WindowStats {
	first := max(int(from/time.Second), 0)
	last := min(secondsIn(to), len(r.seconds)) // exclusive
	if from < 0 && to <= 0 || first >= last {
		return nil
	}
	merged := newHistogram(r.maxUS)
	w := &result.WindowStats{FromS: float64(first), ToS: float64(last)}
	for i := first; i < last; i++ {
		s := &r.seconds[i]
		w.Offered += s.offered.Load()
		w.Succeeded += s.succeeded.Load()
		s.mu.Lock()
		merged.Merge(s.hist)
		s.mu.Unlock()
	}
	if w.Offered > 0 {
		w.Availability = float64(w.Succeeded) / float64(w.Offered)
	}
	w.ThroughputRPS = float64(w.Succeeded) / float64(last-first)
	if r.lagSampled.Load() {
		lag := &result.WindowLag{}
		var sum int64
		for i := first; i < last; i++ {
			s := &r.seconds[i]
			if s.lagSamples.Load() == 0 {
				lag.Missing++
				continue
			}
			v := s.consumerLag.Load()
			lag.Seconds++
			lag.Max = max(lag.Max, v)
			sum += v
		}
		if lag.Seconds > 0 {
			lag.Mean = float64(sum) / float64(lag.Seconds)
		}
		w.ConsumerLag = lag
	}
	pc := percentiles(merged)
	w.P50MS, w.P99MS = pc.P50, pc.P99
	return w
}
