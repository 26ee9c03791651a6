package scenarios

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// Scale shrinks or stretches s in time and in load, keeping its shape, so
// that a scenario can run briefly (tests, smoke runs) or longer:
//
//   - timeFactor multiplies every time of the scenario: duration, warm-up,
//     drain, every fault's at and for (a reset has no for), and the load's
//     steps (at) and burst (at and for);
//   - rateFactor multiplies every rate of the load: the rate, a ramp's to,
//     every step's and the burst's.
//
// Scale(1, 1) changes nothing. What is not a time on the scenario's
// timeline stays: the request timeout, max_in_flight, and what the faults
// do (a latency's mean, a bandwidth, a slow-down factor). Expectations are
// not scaled either: a threshold on a count or on a time after a fault
// (recovered_after) may not hold at another scale.
//
// Times are scaled as points on the timeline, rounded to the nanosecond:
// a fault's end is its at+for scaled, and the load's end its
// warmup+duration scaled, so a fault that ended within the load still
// does. Scale validates the result (see Validate) and returns the problems
// found, for instance a fault so short it scales to nothing or two steps
// that meet; then, or when a factor is not positive and finite, s is left
// unchanged.
func (s *Scenario) Scale(timeFactor, rateFactor float64) error {
	for _, f := range []float64{timeFactor, rateFactor} {
		if !(f > 0) || math.IsInf(f, 0) {
			return fmt.Errorf("scenarios: scale %s: factors must be positive and finite, got %v and %v", s.Name, timeFactor, rateFactor)
		}
	}
	var overflow bool
	at := func(d time.Duration) time.Duration {
		x := math.Round(float64(d) * timeFactor)
		if math.Abs(x) >= math.MaxInt64 {
			overflow = true
			return 0
		}
		return time.Duration(x)
	}
	// span scales the interval [from, from+length) as two points and returns
	// its new start and length.
	span := func(from, length time.Duration) (time.Duration, time.Duration) {
		start := at(from)
		return start, at(addSat(from, length)) - start
	}

	c := *s
	c.Warmup, c.Duration = span(s.Warmup, s.Duration)
	c.Drain = at(s.Drain)
	c.Faults = slices.Clone(s.Faults)
	for i := range c.Faults {
		f := &c.Faults[i]
		if f.For == 0 {
			f.At = at(f.At) // a reset: instantaneous
			continue
		}
		f.At, f.For = span(f.At, f.For)
	}
	l := &c.Load
	l.Rate *= rateFactor
	l.To *= rateFactor
	l.Steps = slices.Clone(s.Load.Steps)
	for i := range l.Steps {
		l.Steps[i].At = at(l.Steps[i].At)
		l.Steps[i].Rate *= rateFactor
	}
	if b := s.Load.Burst; b != nil {
		nb := *b
		nb.At, nb.For = span(b.At, b.For)
		nb.Rate *= rateFactor
		l.Burst = &nb
	}
	if overflow {
		return fmt.Errorf("scenarios: scale %s: a time scaled by %v overflows", s.Name, timeFactor)
	}
	if err := c.Validate(); err != nil {
		return errors.Join(fmt.Errorf("scenarios: scale %s by %v in time and %v in rate:", s.Name, timeFactor, rateFactor), err)
	}
	*s = c
	return nil
}
