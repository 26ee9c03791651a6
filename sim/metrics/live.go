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
