package load

import (
	"errors"
	"fmt"
	"time"
)

// Shape is the offered load: an arrival process and how its rate changes
// over the load, offsets counting from the start of the load (warm-up
// included). Fields another arrival uses are ignored.
type Shape struct {
	// Arrival is one of ArrivalConstant, ArrivalPoisson, ArrivalRamp,
	// ArrivalSteps or ArrivalBurst.
	Arrival string
	// Rate is the base rate, requests per second: the whole load's for
	// constant and poisson, where a ramp starts, the rate until the first
	// step, the rate outside the burst.
	Rate float64
	// To is the rate a ramp reaches at End.
	To float64
	// End is when a ramp reaches To: the end of the load (warm-up plus
	// duration). The rate stays To after it.
	End time.Duration
	// Steps are the rate changes of a steps load, by strictly increasing At.
	Steps []Step
	// Burst is the window of a burst load.
	Burst Burst
}

// Step sets the rate from At on, until the next step.
type Step struct {
	At   time.Duration
	Rate float64
}

// Burst is a window of For from At in which the rate is Rate instead of the
// base rate.
type Burst struct {
	At, For time.Duration
	Rate    float64
}

// ErrInvalidShape is returned by NewPacer for a ramp, steps or burst whose
// times do not fit (a ramp without an end, steps out of order, a burst of
// no length), matched with errors.Is.
var ErrInvalidShape = errors.New("load: invalid load shape")

// Peak returns the highest rate the shape calls for at any time, requests
// per second: what a bound on requests in flight must allow for.
func (s Shape) Peak() float64 {
	peak := s.Rate
	switch s.Arrival {
	case ArrivalRamp:
		peak = max(peak, s.To)
	case ArrivalSteps:
		for _, st := range s.Steps {
			peak = max(peak, st.Rate)
		}
	case ArrivalBurst:
		peak = max(peak, s.Burst.Rate)
	}
	return peak
}

// rates checks a ramp, steps or burst shape and returns its rate function.
func (s Shape) rates() (*rateFunc, error) {
	f := &rateFunc{}
	f.add(0, s.Rate, 0)
	switch s.Arrival {
	case ArrivalRamp:
		if !validRate(s.To) {
			return nil, fmt.Errorf("%w: ramp to %v", ErrInvalidRate, s.To)
		}
		if s.End <= 0 {
			return nil, fmt.Errorf("%w: a ramp must end after its start, got end %s", ErrInvalidShape, s.End)
		}
		f.pieces[0].slope = (s.To - s.Rate) / s.End.Seconds()
		f.add(s.End, s.To, 0)
	case ArrivalSteps:
		if len(s.Steps) == 0 {
			return nil, fmt.Errorf("%w: steps without a step", ErrInvalidShape)
		}
		for i, st := range s.Steps {
			switch {
			case !validRate(st.Rate):
				return nil, fmt.Errorf("%w: step %d rate %v", ErrInvalidRate, i, st.Rate)
			case st.At < 0 || i > 0 && st.At <= s.Steps[i-1].At:
				return nil, fmt.Errorf("%w: step %d at %s: steps must start at 0 or later, each after the previous", ErrInvalidShape, i, st.At)
			}
			f.add(st.At, st.Rate, 0)
		}
	case ArrivalBurst:
		b := s.Burst
		switch {
		case !validRate(b.Rate):
			return nil, fmt.Errorf("%w: burst rate %v", ErrInvalidRate, b.Rate)
		case b.At < 0 || b.For <= 0 || b.At > never-b.For:
			return nil, fmt.Errorf("%w: burst at %s for %s", ErrInvalidShape, b.At, b.For)
		}
		f.add(b.At, b.Rate, 0)
		f.add(b.At+b.For, s.Rate, 0)
	default:
		return nil, fmt.Errorf("%w %q: not a shaped arrival", ErrUnknownArrival, s.Arrival)
	}
	return f, nil
}
