package load

import "time"

// shaped paces requests by a rate that changes over time: request n is at
// the offset t where the requests due so far, N(t) = ∫₀ᵗ r, reach n. Within
// a constant piece that is n/rate from the piece's start, as Constant; within
// a linear one it is the root of a quadratic.
type shaped struct {
	f *rateFunc
	i int // piece of the last request asked for
}

// newShaped returns the pacer of s, an arrival ramp, steps or burst.
func newShaped(s Shape) (Pacer, error) {
	f, err := s.rates()
	if err != nil {
		return nil, err
	}
	return &shaped{f: f}, nil
}

// At returns the offset of request n, rounded to the nanosecond. It is
// O(1) amortised with n asked in order (it moves forward from the piece of
// the last request) and allocates nothing; an earlier n starts the search
// over.
func (p *shaped) At(n uint64) time.Duration {
	x, pieces := float64(n), p.f.pieces
	if x < pieces[p.i].n0 {
		p.i = 0
	}
	for p.i+1 < len(pieces) && x >= pieces[p.i+1].n0 {
		p.i++
	}
	return toDuration(pieces[p.i].invert(x, p.f.end(p.i)) * 1e9)
}
