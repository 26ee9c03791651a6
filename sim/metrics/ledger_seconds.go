package metrics

import (
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/faultline-sim/faultline/reports/result"
)

// PerSecond makes the ledger keep, besides its overall completion
// histogram, one per second of a recorded window of the given length: an
// operation's completion counts in the second of its intended send time
// (from the Start time; operations intended past the window count in its
// last second, as the Recorder's requests do), so any window of seconds can
// be summarized afterwards (CompletionWindow) and the timeline carries a
// completion p99 per second. Call it before Start; window ≤ 0 keeps none.
// A second's histogram is allocated at its first completion (about as much
// memory as one of the Recorder's per-second histograms), so memory is
// bounded by the window's seconds. Safe for concurrent use.
func (l *Ledger) PerSecond(window time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seconds = make([]*hdr.Histogram, secondsIn(window))
}

// recordSecond adds c to the histogram of its intended second, when
// PerSecond and Start were called and c is in the recorded window. l.mu is
// held.
func (l *Ledger) recordSecond(c completion, us int64) {
	if len(l.seconds) == 0 || !l.started {
		return
	}
	at := c.intended.Sub(l.recordFrom)
	if at < 0 {
		return
	}
	i := min(int(at/time.Second), len(l.seconds)-1)
	if l.seconds[i] == nil {
		l.seconds[i] = newHistogram(l.maxUS)
	}
	_ = l.seconds[i].RecordValue(us) // in range by construction
}

// CompletionWindow summarizes the completions of the operations intended
// within [from, to) of the recorded window (offsets from the Start time),
// rounded outwards to whole seconds and clipped to the window given to
// PerSecond, as Recorder.Window rounds: the seconds' histograms are
// merged, never averaged. It returns nil when PerSecond was not called or
// nothing of [from, to) lies inside the window; with no completion in it,
// Completed is 0 and the percentiles nil. Safe for concurrent use.
func (l *Ledger) CompletionWindow(from, to time.Duration) *result.WindowCompletion {
	l.mu.Lock()
	defer l.mu.Unlock()
	first := max(int(from/time.Second), 0)
	last := min(secondsIn(to), len(l.seconds)) // exclusive
	if from < 0 && to <= 0 || first >= last {
		return nil
	}
	merged := newHistogram(l.maxUS)
	for _, h := range l.seconds[first:last] {
		if h != nil {
			merged.Merge(h)
		}
	}
	return windowCompletion(merged, last-first)
}

// windowCompletion summarizes h, the completions of secs seconds.
func windowCompletion(h *hdr.Histogram, secs int) *result.WindowCompletion {
	w := &result.WindowCompletion{Completed: h.TotalCount()}
	if secs > 0 {
		w.CompletedRPS = float64(w.Completed) / float64(secs)
	}
	if w.Completed == 0 {
		return w // no completion: n/a, not 0 ms
	}
	p := percentiles(h)
	w.P50MS, w.P99MS, w.MaxMS = &p.P50, &p.P99, &p.Max
	return w
}

// fillSeconds writes each second's completions into the timeline v.Timeline
// (whose entry i is second i of the recorded window). l.mu is held.
func (l *Ledger) fillSeconds(v *result.Variant) {
	for i := range v.Timeline {
		s := &v.Timeline[i]
		if s.Second < 0 || s.Second >= len(l.seconds) || l.seconds[s.Second] == nil {
			continue
		}
		h := l.seconds[s.Second]
		if s.Completed = h.TotalCount(); s.Completed > 0 {
			p99 := percentiles(h).P99
			s.CompletionP99MS = &p99
		}
	}
}
