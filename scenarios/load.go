package scenarios

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/topologies"
)

// Step is one rate change of a steps load.
type Step struct {
	// At is when the rate changes, from the start of the load (warm-up
	// included).
	At time.Duration
	// Rate is the operations per second from At until the next step.
	Rate float64
	// Line is where the step is declared in the scenario file.
	Line int
}

// Burst is the window of a burst load in which the rate is Rate instead of
// the base rate.
type Burst struct {
	// At is when the burst starts, from the start of the load (warm-up
	// included); For is how long it lasts.
	At, For time.Duration
	// Rate is the operations per second during the burst.
	Rate float64
	// Line is where burst is declared in the scenario file.
	Line int
}

var (
	arrivals  = []string{ArrivalConstant, ArrivalPoisson, ArrivalRamp, ArrivalSteps, ArrivalBurst}
	stepKeys  = []string{"at", "rate"}
	burstKeys = []string{"at", "for", "rate"}
	// shapeKeys are the load keys that belong to one arrival each.
	shapeKeys = []struct{ key, arrival string }{{"to", ArrivalRamp}, {"steps", ArrivalSteps}, {"burst", ArrivalBurst}}
)

// decodeLoad decodes the load mapping n into l, which holds the defaults.
func decodeLoad(d *topologies.Decoder, n topologies.Node, l *Load) {
	l.Line = n.Line
	m, _ := d.Mapping(n, loadKeys...)
	topologies.Set(d.String, m, "arrival", &l.Arrival)
	topologies.Set(d.Float, m, "rate", &l.Rate)
	topologies.Set(d.Duration, m, "timeout", &l.Timeout)
	topologies.Set(d.Int, m, "max_in_flight", &l.MaxInFlight)
	topologies.Set(d.Float, m, "to", &l.To)
	for _, item := range d.List(m["steps"]) {
		st := Step{Line: item.Line}
		sm, _ := d.Mapping(item, stepKeys...)
		topologies.Set(d.Duration, sm, "at", &st.At)
		topologies.Set(d.Float, sm, "rate", &st.Rate)
		l.Steps = append(l.Steps, st)
	}
	if bn, ok := m["burst"]; ok {
		b := &Burst{Line: bn.Line}
		bm, _ := d.Mapping(bn, burstKeys...)
		topologies.Set(d.Duration, bm, "at", &b.At)
		topologies.Set(d.Duration, bm, "for", &b.For)
		topologies.Set(d.Float, bm, "rate", &b.Rate)
		l.Burst = b
	}
}

// validRate reports whether r is a usable rate: positive and finite.
func validRate(r float64) bool { return r > 0 && !math.IsInf(r, 0) }

// validateLoad checks the load: a known arrival, positive finite rates, a
// positive timeout, and the keys of the arrival's shape, only its own, with
// their times inside the load (warmup+duration).
func (s *Scenario) validateLoad(fail failFunc) {
	l := s.Load
	if !slices.Contains(arrivals, l.Arrival) {
		fail(s.line(l.Line, "load.arrival"), "load.arrival", "unknown arrival %q (%s)", l.Arrival, strings.Join(arrivals, ", "))
	}
	s.rate(fail, l.Line, "load.rate", l.Rate, "operations per second")
	if l.Timeout <= 0 {
		fail(s.line(l.Line, "load.timeout"), "load.timeout", "must be positive, got %s", l.Timeout)
	}
	if l.MaxInFlight < 0 {
		fail(s.line(l.Line, "load.max_in_flight"), "load.max_in_flight", "must not be negative (0 means derived), got %d", l.MaxInFlight)
	}

	given := map[string]bool{"to": l.To != 0, "steps": len(l.Steps) > 0, "burst": l.Burst != nil}
	if s.lines != nil {
		for key := range given {
			given[key] = s.lines["load."+key] > 0
		}
	}
	for _, k := range shapeKeys {
		if given[k.key] && k.arrival != l.Arrival && slices.Contains(arrivals, l.Arrival) {
			fail(s.line(l.Line, "load."+k.key), "load."+k.key, "is for arrival %s, not %s", k.arrival, l.Arrival)
		}
	}
	end, timed := addSat(s.Warmup, s.Duration), s.Duration > 0 && s.Warmup >= 0
	switch l.Arrival {
	case ArrivalRamp:
		if !given["to"] {
			fail(s.line(l.Line), "load.to", "required: the rate reached at the end of the load (warmup+duration), operations per second")
		} else {
			s.rate(fail, l.Line, "load.to", l.To, "")
		}
	case ArrivalSteps:
		switch {
		case !given["steps"]:
			fail(s.line(l.Line), "load.steps", "required: the rate changes, a list of {at, rate}")
		case len(l.Steps) == 0:
			fail(s.line(l.Line, "load.steps"), "load.steps", "must not be empty: list the rate changes as {at, rate}")
		}
		for i, st := range l.Steps {
			id := fmt.Sprintf("load.steps[%d]", i)
			line := s.line(st.Line, id+".at", id)
			switch {
			case s.lines != nil && s.lines[id+".at"] == 0:
				fail(line, id+".at", "required: when the rate changes, from the start of the load (warm-up included)")
			case st.At < 0:
				fail(line, id+".at", "must not be negative, got %s", st.At)
			case i > 0 && st.At <= l.Steps[i-1].At:
				fail(line, id+".at", "must be after the previous step's (%s), got %s", l.Steps[i-1].At, st.At)
			case timed && st.At >= end:
				fail(line, id+".at", "must be before the end of the load (warmup+duration = %s), got %s", end, st.At)
			}
			s.rate(fail, st.Line, id+".rate", st.Rate, "operations per second from at")
		}
	case ArrivalBurst:
		b := l.Burst
		if b == nil {
			fail(s.line(l.Line), "load.burst", "required: the burst window {at, for, rate}")
			break
		}
		missing := func(key string) bool { return s.lines != nil && s.lines["load.burst."+key] == 0 }
		line := func(key string) int { return s.line(b.Line, "load.burst."+key, "load.burst") }
		switch {
		case missing("at"):
			fail(line("at"), "load.burst.at", "required: when the burst starts, from the start of the load (warm-up included)")
		case b.At < 0:
			fail(line("at"), "load.burst.at", "must not be negative, got %s", b.At)
		}
		switch {
		case missing("for"):
			fail(line("for"), "load.burst.for", "required: how long the burst lasts")
		case b.For <= 0:
			fail(line("for"), "load.burst.for", "must be positive, got %s", b.For)
		case b.At >= 0 && timed && addSat(b.At, b.For) > end:
			fail(line("for"), "load.burst.for", "burst ends after the load (at+for = %s > warmup+duration = %s)", addSat(b.At, b.For), end)
		}
		s.rate(fail, b.Line, "load.burst.rate", b.Rate, "operations per second during the burst")
	}
}

// rate reports a rate at key that is missing (when what, its meaning, is
// given), not positive or not finite; fallback is the line of the mapping
// holding key.
func (s *Scenario) rate(fail failFunc, fallback int, key string, r float64, what string) {
	switch {
	case what != "" && r == 0 && s.lines != nil && s.lines[key] == 0:
		fail(s.line(fallback), key, "required: %s", what)
	case !validRate(r):
		fail(s.line(fallback, key), key, "must be positive, got %v", r)
	}
}
