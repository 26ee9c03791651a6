package metrics

// LatencyBuckets reads the recorded latencies for a live exporter: how
// many requests took at most each of upper (milliseconds, ascending,
// cumulative counts), how many in all and their sum in milliseconds. It
// walks every second's histogram, so it suits occasional scrapes, not the
// hot path.
func (r *Recorder) LatencyBuckets(upper []float64) (counts []uint64, total uint64, sumMS float64) {
	counts = make([]uint64, len(upper))
	r.EachLatency(func(ms float64, n int64) {
		total += uint64(n)
		sumMS += ms * float64(n)
		for j, u := range upper {
			if ms <= u {
				counts[j] += uint64(n)
			}
		}
	})
	return counts, total, sumMS
}

// EachLatency calls f with every non-empty bucket of the recorded latency
// distribution so far: the bucket's upper bound in ms (the recorder's
// resolution) and its count. For a live exporter; call it from one
// goroutine at a time; it holds each second's lock while it reads it.
func (r *Recorder) EachLatency(f func(ms float64, n int64)) {
	for i := range r.seconds {
		s := &r.seconds[i]
		s.mu.Lock()
		for _, b := range s.hist.Distribution() {
			if b.Count != 0 {
				f(usToMS(b.To), b.Count)
			}
		}
		s.mu.Unlock()
	}
}

// EachCount calls f with every edge's counters so far, in topology order:
// requests, attempts, retries, timeouts, breaker_rejections,
// bulkhead_rejections, budget_rejections, succeeded, failed. For a live
// exporter; it allocates nothing per edge.
func (e *Edges) EachCount(f func(from, to, what string, n int64)) {
	if e == nil {
		return
	}
	e.mu.Lock()
	order := e.order
	e.mu.Unlock()
	for _, s := range order {
		for _, c := range [...]struct {
			what string
			n    int64
		}{
			{"requests", s.requests.Load()}, {"attempts", s.attempts.Load()}, {"retries", s.retries.Load()},
			{"timeouts", s.timeouts.Load()}, {"breaker_rejections", s.breakerRej.Load()},
			{"bulkhead_rejections", s.bulkheadRej.Load()}, {"budget_rejections", s.budgetRej.Load()},
			{"succeeded", s.succeeded.Load()}, {"failed", s.failed.Load()},
		} {
			f(s.from, s.to, c.what, c.n)
		}
	}
}
