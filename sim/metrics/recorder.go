package metrics

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Thresholds for result.Generator.Behind.
const (
	// behindSentRatio: the generator is behind when it sent fewer than this
	// share of the requests it offered.
	behindSentRatio = 0.99
	// behindLagP99: the generator is behind when its send lag p99 exceeds this.
	behindLagP99 = 10 * time.Millisecond
)

// Recorder collects client-side request results over the recorded window
// (the load after warm-up). Offsets ("at") are measured from the start of
// that window; a request is attributed to the second of its intended time.
// Offsets before 0 (warm-up) are ignored; offsets past the window count in
// its last second.
//
// The expected call order per request is Offered, then Sent (unless it is
// dropped), then Record. All methods are safe for concurrent use; Offered,
// Sent, Record, ConsumerLag, InFlight and Progress allocate nothing.
type Recorder struct {
	maxUS   int64
	seconds []second

	lagMu sync.Mutex
	lag   *hdr.Histogram // send lag, µs

	outcomes    [NumOutcomes]atomic.Int64
	sent        atomic.Int64
	succeeded   atomic.Int64
	failed      atomic.Int64
	maxInFlight atomic.Int64
	// lagSampled is set once consumer lag is sampled (or failed to be).
	lagSampled atomic.Bool
	// samples holds the first error message seen per outcome.
	samples [NumOutcomes]atomic.Pointer[string]
}

// second is one timeline entry.
type second struct {
	mu     sync.Mutex
	hist   *hdr.Histogram // latency, µs; guarded by mu
	faults []string       // guarded by mu

	offered     atomic.Int64
	sent        atomic.Int64
	recorded    atomic.Int64
	succeeded   atomic.Int64
	consumerLag atomic.Int64
	lagSamples  atomic.Int64 // consumer-lag samples that succeeded
}

// NewRecorder returns a Recorder for a recorded window of the given length:
// one timeline entry per started second (at least one), with every histogram
// allocated now. maxLatency is the highest trackable latency (default
// [DefaultMaxLatency] when ≤ 0); larger values are recorded as maxLatency,
// never dropped. Memory is about 100–200 KB per second of window.
func NewRecorder(window, maxLatency time.Duration) *Recorder {
	r := &Recorder{maxUS: maxMicros(maxLatency)}
	r.seconds = make([]second, max(secondsIn(window), 1))
	for i := range r.seconds {
		r.seconds[i].hist = newHistogram(r.maxUS)
	}
	r.lag = newHistogram(r.maxUS)
	return r
}

// secondsIn is the number of started seconds in d.
func secondsIn(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	return int((d + time.Second - 1) / time.Second)
}

// second returns the entry for offset at, nil for a negative offset.
func (r *Recorder) second(at time.Duration) *second {
	if at < 0 {
		return nil
	}
	i := min(int(at/time.Second), len(r.seconds)-1)
	return &r.seconds[i]
}

// Offered counts one request scheduled at offset at.
func (r *Recorder) Offered(at time.Duration) {
	if s := r.second(at); s != nil {
		s.offered.Add(1)
	}
}

// Sent counts one request, scheduled at offset at, that left lag after its
// intended time.
func (r *Recorder) Sent(at, lag time.Duration) {
	s := r.second(at)
	if s == nil {
		return
	}
	s.sent.Add(1)
	r.sent.Add(1)
	v := micros(lag, r.maxUS)
	r.lagMu.Lock()
	_ = r.lag.RecordValue(v) // in range by construction
	r.lagMu.Unlock()
}

// Record counts one finished request scheduled at offset at; latency is
// measured from its intended time, so it includes any send lag. Record with
// Dropped is ignored: Fill derives drops from Offered − Sent. An
// out-of-range outcome counts as Other.
func (r *Recorder) Record(at, latency time.Duration, o Outcome) {
	if o == Dropped {
		return
	}
	if o >= NumOutcomes {
		o = Other
	}
	s := r.second(at)
	if s == nil {
		return
	}
	v := micros(latency, r.maxUS)
	s.mu.Lock()
	_ = s.hist.RecordValue(v) // in range by construction
	s.mu.Unlock()
	s.recorded.Add(1)
	r.outcomes[o].Add(1)
	if o == OK {
		s.succeeded.Add(1)
		r.succeeded.Add(1)
	} else {
		r.failed.Add(1)
	}
}

// ConsumerLag records a consumer-lag sample (events pending or unacked) for
// the second containing at; the second keeps its largest sample. Once it
// or ConsumerLagFailed has been called, every second without a sample is
// reported missing (result.Second.LagMissing), not 0.
func (r *Recorder) ConsumerLag(at time.Duration, lag int64) {
	r.lagSampled.Store(true)
	if s := r.second(at); s != nil {
		storeMax(&s.consumerLag, lag)
		s.lagSamples.Add(1)
	}
}

// ConsumerLagFailed records that a consumer-lag sample could not be
// taken: the variant samples lag, so the second it was meant for has no
// value unless another sample of that second succeeds.
func (r *Recorder) ConsumerLagFailed() {
	r.lagSampled.Store(true)
}

// ActiveFault marks the named fault active during the second containing at.
// Each name is listed once per second. It may allocate.
func (r *Recorder) ActiveFault(at time.Duration, name string) {
	s := r.second(at)
	if s == nil {
		return
	}
	s.mu.Lock()
	if !slices.Contains(s.faults, name) {
		s.faults = append(s.faults, name)
	}
	s.mu.Unlock()
}

// InFlight reports the current number of requests in flight; the Recorder
// keeps the largest value reported.
func (r *Recorder) InFlight(n int64) { storeMax(&r.maxInFlight, n) }

// Progress returns what has been recorded so far, for a live display: sent
// requests, and finished ones that succeeded or failed (drops excluded).
func (r *Recorder) Progress() (sent, succeeded, failed int64) {
	return r.sent.Load(), r.succeeded.Load(), r.failed.Load()
}

// storeMax raises a to v if v is larger.
func storeMax(a *atomic.Int64, v int64) {
	for {
		cur := a.Load()
		if v <= cur || a.CompareAndSwap(cur, v) {
			return
		}
	}
}

// Error keeps err's message as the sample of outcome o unless one is kept
// already. Call it for failed requests only; it allocates only for the
// first error of each kind. Safe for concurrent use.
func (r *Recorder) Error(o Outcome, err error) {
	if err == nil || o >= NumOutcomes || r.samples[o].Load() != nil {
		return
	}
	msg := err.Error()
	r.samples[o].CompareAndSwap(nil, &msg)
}
