package load

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// Pacer gives the intended offset of request n (0-based) from the start of
// the load. Offsets are non-decreasing in n. A Pacer is called from one
// goroutine with n in order, is not safe for concurrent use, and allocates
// nothing in At.
type Pacer interface {
	At(n uint64) time.Duration
}

// Arrival processes accepted by NewPacer.
const (
	ArrivalConstant = "constant"
	ArrivalPoisson  = "poisson"
	// ArrivalRamp changes the rate linearly from Shape.Rate to Shape.To.
	ArrivalRamp = "ramp"
	// ArrivalSteps changes the rate at each of Shape.Steps.
	ArrivalSteps = "steps"
	// ArrivalBurst raises the rate for the window of Shape.Burst.
	ArrivalBurst = "burst"
)

// Errors returned by NewPacer, matched with errors.Is.
var (
	ErrUnknownArrival = errors.New("load: unknown arrival process")
	ErrInvalidRate    = errors.New("load: rate must be a positive finite number")
)

// NewPacer returns the pacer of shape s; seed drives the random ones.
// constant and poisson run at s.Rate throughout (see Constant and Poisson).
// ramp, steps and burst are as regular as constant: request n is at the
// offset where the requests due so far, the integral of the rate, reach n.
// The error matches ErrUnknownArrival, ErrInvalidRate or ErrInvalidShape.
func NewPacer(s Shape, seed uint64) (Pacer, error) {
	if !validRate(s.Rate) {
		return nil, fmt.Errorf("%w: %v", ErrInvalidRate, s.Rate)
	}
	switch s.Arrival {
	case ArrivalConstant:
		return Constant(s.Rate), nil
	case ArrivalPoisson:
		return Poisson(s.Rate, seed), nil
	case ArrivalRamp, ArrivalSteps, ArrivalBurst:
		return newShaped(s)
	default:
		return nil, fmt.Errorf("%w %q (want one of %s, %s, %s, %s, %s)", ErrUnknownArrival, s.Arrival,
			ArrivalConstant, ArrivalPoisson, ArrivalRamp, ArrivalSteps, ArrivalBurst)
	}
}

func validRate(rate float64) bool {
	return rate > 0 && !math.IsInf(rate, 0) && !math.IsNaN(rate)
}

// never is the offset a pacer gives when it schedules nothing more.
const never = time.Duration(math.MaxInt64)

// toDuration rounds ns to a Duration, saturating at never.
func toDuration(ns float64) time.Duration {
	if !(ns < float64(math.MaxInt64)) { // also NaN
		return never
	}
	return time.Duration(math.Round(ns))
}

// constant is n/rate seconds, each offset computed from n alone.
type constant struct{ rate float64 }

// Constant returns a pacer with evenly spaced requests at rate per second:
// request n is at n/rate seconds, computed from n (no accumulated error), so
// rates that divide a second evenly give exact offsets. A rate that is not
// positive and finite schedules nothing (every offset is the largest
// Duration). Safe for concurrent use.
func Constant(rate float64) Pacer { return constant{rate} }

// At returns n/rate seconds, rounded to the nanosecond.
func (c constant) At(n uint64) time.Duration {
	if !validRate(c.rate) {
		return never
	}
	return toDuration(float64(n) * 1e9 / c.rate)
}

// poisson accumulates exponential inter-arrival times.
type poisson struct {
	rate float64
	seed uint64
	pcg  *rand.PCG
	rng  *rand.Rand
	next uint64  // index of the next arrival to draw
	ns   float64 // offset of arrival next-1, in ns
	last time.Duration
}

// Poisson returns a pacer of a Poisson process at rate per second: the gaps
// between requests are exponential, drawn from a PCG generator seeded with
// seed, so the same seed gives the same schedule. Request 0 is one gap after
// the start. A rate that is not positive and finite schedules nothing. At is
// cheapest called with n in order; an earlier n replays from the seed.
func Poisson(rate float64, seed uint64) Pacer {
	p := &poisson{rate: rate, seed: seed, pcg: rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)}
	p.rng = rand.New(p.pcg)
	return p
}

// At returns the offset of request n.
func (p *poisson) At(n uint64) time.Duration {
	if !validRate(p.rate) {
		return never
	}
	if n+1 < p.next { // going back: replay from the seed
		p.pcg.Seed(p.seed, p.seed^0x9e3779b97f4a7c15)
		p.next, p.ns = 0, 0
	}
	for p.next <= n {
		p.ns += p.rng.ExpFloat64() * 1e9 / p.rate
		p.next++
		p.last = toDuration(p.ns)
	}
	return p.last
}
