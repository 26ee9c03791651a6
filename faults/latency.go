package faults

import (
	"math"
	"math/rand/v2"
	"time"
)

// sampler draws injected delays for one direction of one connection. Its
// source is a PCG seeded from the Net's seed, the link, the connection's
// ordinal on that link and the direction, so the same run dialing the same
// links in the same order draws the same delays (chunk boundaries of reads
// still follow the kernel's segmentation). Not safe for concurrent use; a
// line guards it with its mutex.
type sampler struct {
	pcg rand.PCG
	rng *rand.Rand
}

// newSampler returns the sampler of direction d of the nth connection
// dialed on link under seed.
func newSampler(seed uint64, link Link, nth uint64, d Direction) *sampler {
	s := &sampler{}
	s.pcg.Seed(seed, streamID(link, nth, d))
	s.rng = rand.New(&s.pcg)
	return s
}

// streamID hashes (link, nth, d) with FNV-1a: stable across processes,
// unlike maphash, so a seed replays.
func streamID(link Link, nth uint64, d Direction) uint64 {
	const prime = 1099511628211
	h := uint64(14695981039346656037)
	mix := func(b byte) { h ^= uint64(b); h *= prime }
	for i := 0; i < len(link.From); i++ {
		mix(link.From[i])
	}
	mix(0)
	for i := 0; i < len(link.To); i++ {
		mix(link.To[i])
	}
	mix(0)
	for i := 0; i < 8; i++ {
		mix(byte(nth >> (8 * i)))
	}
	mix(byte(d))
	return h
}

// draw returns one delay for spec; see LatencySpec for the distributions.
// An unknown Dist is treated as the default. Draws never go below 0.
func (s *sampler) draw(spec LatencySpec) time.Duration {
	mean, jit := float64(spec.Mean), float64(spec.Jitter)
	dist := spec.Dist
	switch {
	case jit == 0:
		dist = DistFixed
	case dist != DistFixed && dist != DistNormal && dist != DistLognormal:
		dist = DistUniform
	}
	var d float64
	switch dist {
	case DistFixed:
		d = mean
	case DistUniform:
		d = mean + jit*(2*s.rng.Float64()-1)
	case DistNormal:
		d = mean + jit*s.rng.NormFloat64()
	case DistLognormal:
		if mean > 0 {
			sigma := math.Log((mean + jit) / mean)
			d = mean * math.Exp(sigma*s.rng.NormFloat64())
		}
	}
	if d < 0 {
		return 0
	}
	return time.Duration(d)
}

// lost reports whether a segment is lost under loss share p; it draws once
// whatever p, so the draws that follow do not depend on p's value.
func (s *sampler) lost(p float64) bool { return s.rng.Float64() < p }

// delay returns the total delay of one chunk under every latency in lat,
// drawn in rule order.
func (s *sampler) delay(lat []LatencySpec) time.Duration {
	var d time.Duration
	for _, spec := range lat {
		d += s.draw(spec)
	}
	return d
}
