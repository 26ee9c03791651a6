package metrics

import (
	"time"

	"github.com/faultline-sim/faultline/reports/result"
)

// Fill writes the recorded requests into v: Requests, Availability, the
// rates, LatencyMS, Generator, Timeline and Histograms.Latency. window is the
// recorded length actually run (an interrupt can shorten it); rates are per
// second of it and the timeline has one entry per started second of it.
//
// Every scheduled request is accounted for, so Succeeded + Failed = Offered:
// requests offered but never sent count as "dropped", and requests sent but
// not finished when Fill runs count as "aborted". Errors holds every kind
// name, zero or not. Call Fill after the generator's Wait; it is safe for
// concurrent use but a concurrent Record may or may not be included.
func (r *Recorder) Fill(v *result.Variant, window time.Duration) {
	merged := newHistogram(r.maxUS)
	n := min(secondsIn(window), len(r.seconds))
	v.Timeline = make([]result.Second, 0, n)

	var offered, sent, recorded, succeeded int64
	for i := range r.seconds {
		s := &r.seconds[i]
		so, ss, sr, su := s.offered.Load(), s.sent.Load(), s.recorded.Load(), s.succeeded.Load()
		offered += so
		sent += ss
		recorded += sr
		succeeded += su

		s.mu.Lock()
		merged.Merge(s.hist)
		if i < n {
			p := percentiles(s.hist)
			faults := make([]string, len(s.faults))
			copy(faults, s.faults)
			v.Timeline = append(v.Timeline, result.Second{
				Second:       i,
				Offered:      so,
				Succeeded:    su,
				Failed:       max(so-su, 0),
				P50MS:        p.P50,
				P99MS:        p.P99,
				ConsumerLag:  s.consumerLag.Load(),
				LagMissing:   r.lagSampled.Load() && s.lagSamples.Load() == 0,
				ActiveFaults: faults,
			})
		}
		s.mu.Unlock()
	}

	errs := make(map[string]int64, NumOutcomes-1)
	for o := OK + 1; o < NumOutcomes; o++ {
		errs[o.String()] = r.outcomes[o].Load()
	}
	errs[Dropped.String()] += max(offered-sent, 0)
	errs[Aborted.String()] += max(sent-recorded, 0)
	var failed int64
	for _, c := range errs {
		failed += c
	}
	v.Requests = result.Requests{
		Offered:   offered,
		Sent:      sent,
		Succeeded: succeeded,
		Failed:    failed,
		Errors:    errs,
	}
	for o := Outcome(0); o < NumOutcomes; o++ {
		if msg := r.samples[o].Load(); msg != nil {
			if v.Requests.ErrorSamples == nil {
				v.Requests.ErrorSamples = map[string]string{}
			}
			v.Requests.ErrorSamples[o.String()] = *msg
		}
	}

	v.Availability = 0
	if offered > 0 {
		v.Availability = float64(succeeded) / float64(offered)
	}
	v.OfferedRPS, v.AchievedRPS, v.ThroughputRPS = 0, 0, 0
	if secs := window.Seconds(); secs > 0 {
		v.OfferedRPS = float64(offered) / secs
		v.AchievedRPS = float64(sent) / secs
		v.ThroughputRPS = float64(succeeded) / secs
	}
	v.LatencyMS = percentiles(merged)
	v.Histograms.Latency = encode(merged)

	r.lagMu.Lock()
	lag := percentiles(r.lag)
	r.lagMu.Unlock()
	v.Generator = result.Generator{
		Behind: float64(sent) < behindSentRatio*float64(offered) ||
			lag.P99 > float64(behindLagP99)/float64(time.Millisecond),
		SendLagMS:   lag,
		MaxInFlight: r.maxInFlight.Load(),
	}
}
