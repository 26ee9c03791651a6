package load

import (
	"math"
	"time"
)

// rateFunc is a piecewise-linear rate function r(t) of the offset from the
// start of the load, in requests per second, with its integral
// N(t) = ∫₀ᵗ r: the number of requests due before t. Each piece lasts from
// its start to the next one's; the last lasts for ever, so it is flat.
// Every rate is positive, so N is strictly increasing.
type rateFunc struct {
	pieces []piece
}

// piece is one piece of a rateFunc: from t0 the rate is r0 + slope·(t−t0).
type piece struct {
	t0    float64 // start, seconds from the start of the load
	r0    float64 // rate at t0, requests per second
	slope float64 // change of the rate per second; 0 for a constant piece
	n0    float64 // N(t0): requests due before t0
}

// add appends a piece starting at t (not before the last piece's start)
// with rate r0 and slope. A piece starting where the last one starts
// replaces it.
func (f *rateFunc) add(t time.Duration, r0, slope float64) {
	p := piece{t0: t.Seconds(), r0: r0, slope: slope}
	if k := len(f.pieces); k > 0 {
		last := f.pieces[k-1]
		if p.t0 <= last.t0 {
			p.n0 = last.n0
			f.pieces[k-1] = p
			return
		}
		p.n0 = last.count(p.t0)
	}
	f.pieces = append(f.pieces, p)
}

// count returns N(t) for t at or after p's start and before the next
// piece's.
func (p *piece) count(t float64) float64 {
	d := t - p.t0
	return p.n0 + p.r0*d + p.slope*d*d/2
}

// find returns the index of the piece holding offset t.
func (f *rateFunc) find(t float64) int {
	i := 0
	for i+1 < len(f.pieces) && f.pieces[i+1].t0 <= t {
		i++
	}
	return i
}

// rate returns r(t), requests per second, for t ≥ 0.
func (f *rateFunc) rate(t time.Duration) float64 {
	p := &f.pieces[f.find(t.Seconds())]
	return p.r0 + p.slope*(t.Seconds()-p.t0)
}

// count returns N(t), the requests due before offset t ≥ 0.
func (f *rateFunc) count(t time.Duration) float64 {
	return f.pieces[f.find(t.Seconds())].count(t.Seconds())
}

// end returns the end of piece i in seconds: the next piece's start, or
// +Inf for the last.
func (f *rateFunc) end(i int) float64 {
	if i+1 < len(f.pieces) {
		return f.pieces[i+1].t0
	}
	return math.Inf(1)
}

// invert returns the offset in seconds at which N reaches n ≥ p.n0, within
// piece p that ends at end: the root of n0 + r0·τ + slope·τ²/2 = n, in the
// form 2m / (r0 + √(r0² + 2·slope·m)) that stays exact for a flat piece and
// loses no precision when the slope is small, capped at the piece's end
// against rounding.
func (p *piece) invert(n, end float64) float64 {
	m := n - p.n0
	var tau float64
	if p.slope == 0 {
		tau = m / p.r0
	} else {
		tau = 2 * m / (p.r0 + math.Sqrt(max(p.r0*p.r0+2*p.slope*m, 0)))
	}
	return min(p.t0+tau, end)
}
