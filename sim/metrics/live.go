package metrics

// LatencyBuckets reads the recorded latencies for a live exporter: how
// many requests took at most each of upper (milliseconds, ascending,
// cumulative counts), how many in all and their sum in milliseconds. It
// walks every second's histogram, so it suits occasional scrapes, not the
// hot path.
func (r *Recorder) LatencyBuckets(upper []float64) (counts []uint64, total uint64, sumMS float64) {
	counts = make([]uint64, len(upper))
	for i := range r.seconds {
		s := &r.seconds[i]
		s.mu.Lock()
		for _, b := range s.hist.Distribution() {
			if b.Count == 0 {
				continue
			}
			ms := usToMS(b.To)
			total += uint64(b.Count)
			sumMS += ms * float64(b.Count)
			for j, u := range upper {
				if ms <= u {
					counts[j] += uint64(b.Count)
				}
			}
		}
		s.mu.Unlock()
	}
	return counts, total, sumMS
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
