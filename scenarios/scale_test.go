package scenarios_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/scenarios"
)

const scaleSrc = `name: s
duration: 9s
warmup: 3s
drain: 6s
load: {arrival: burst, rate: 200, timeout: 2s, max_in_flight: 300, burst: {at: 4s, for: 8s, rate: 1000}}
variants: [{name: a, topology: a.yaml}]
faults:
  - {at: 4s, for: 3s, latency: {from: a, to: b, mean: 50ms}}
  - {at: 6s, reset: {from: "*", to: a}}
  - {at: 2s, for: 10s, crash: a}
`

func parse(t *testing.T, src string) *scenarios.Scenario {
	t.Helper()
	s, err := scenarios.Parse("scale.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestScaleTimesAndRates(t *testing.T) {
	s := parse(t, scaleSrc)
	orig := parse(t, scaleSrc)
	if err := s.Scale(0.1, 0.5); err != nil {
		t.Fatal(err)
	}
	ms := time.Millisecond
	if s.Duration != 900*ms || s.Warmup != 300*ms || s.Drain != 600*ms {
		t.Errorf("duration %s warmup %s drain %s", s.Duration, s.Warmup, s.Drain)
	}
	l := s.Load
	if l.Rate != 100 || *l.Burst != (scenarios.Burst{At: 400 * ms, For: 800 * ms, Rate: 500, Line: l.Burst.Line}) {
		t.Errorf("load rate %v burst %+v", l.Rate, *l.Burst)
	}
	if l.Timeout != 2*time.Second || l.MaxInFlight != 300 {
		t.Errorf("timeout %s, max in flight %d: want them unchanged", l.Timeout, l.MaxInFlight)
	}
	want := [][2]time.Duration{{400 * ms, 300 * ms}, {600 * ms, 0}, {200 * ms, time.Second}}
	for i, f := range s.Faults {
		if [2]time.Duration{f.At, f.For} != want[i] {
			t.Errorf("fault %d: at %s for %s, want %s", i, f.At, f.For, want[i])
		}
	}
	if l := s.Faults[0].Kind.(*faults.Latency); l.Delay.Mean != 50*ms {
		t.Errorf("latency mean %s, want it unchanged", l.Delay.Mean)
	}
	// The scenario it was copied from shares nothing it changed.
	if other := parse(t, scaleSrc); !reflect.DeepEqual(orig, other) {
		t.Error("parsing twice differs")
	}
}

func TestScaleDoesNotTouchOtherCopies(t *testing.T) {
	s := parse(t, scaleSrc)
	c := *s
	if err := c.Scale(0.5, 2); err != nil {
		t.Fatal(err)
	}
	if s.Faults[0].At != 4*time.Second || s.Load.Burst.At != 4*time.Second || s.Load.Rate != 200 {
		t.Errorf("scaling a copy changed the original: fault at %s, burst at %s, rate %v", s.Faults[0].At, s.Load.Burst.At, s.Load.Rate)
	}
}

func TestScaleByOneChangesNothing(t *testing.T) {
	s := parse(t, scaleSrc)
	if err := s.Scale(1, 1); err != nil {
		t.Fatal(err)
	}
	if want := parse(t, scaleSrc); !reflect.DeepEqual(s, want) {
		t.Errorf("Scale(1, 1) changed the scenario:\n%+v\nwant\n%+v", s, want)
	}
}

// A fault or a step at the very end of the load stays inside it whatever
// the rounding.
func TestScaleKeepsEndsInside(t *testing.T) {
	for _, f := range []float64{1.0 / 3, 0.1, 0.25, 0.7, 1.0 / 7, 3.3} {
		s := parse(t, `duration: 10s
warmup: 2s
load: {arrival: steps, rate: 100, steps: [{at: 1s, rate: 300}, {at: 11900ms, rate: 50}]}
variants: [{name: a, topology: a.yaml}]
faults: [{at: 2s, for: 10s, latency: {from: gateway, to: a, mean: 20ms}}]
`)
		if err := s.Scale(f, 0.5); err != nil {
			t.Errorf("Scale(%v): %v", f, err)
			continue
		}
		if end := s.Warmup + s.Duration; s.Faults[0].At+s.Faults[0].For != end || s.Load.Steps[1].At >= end {
			t.Errorf("Scale(%v): fault ends at %s, last step at %s, load at %s", f, s.Faults[0].At+s.Faults[0].For, s.Load.Steps[1].At, end)
		}
		if s.Load.Steps[0].Rate != 150 {
			t.Errorf("Scale(%v): step rate %v, want 150", f, s.Load.Steps[0].Rate)
		}
	}
}

func TestScaleRampRate(t *testing.T) {
	s := parse(t, "load: {arrival: ramp, rate: 10, to: 400}\nvariants: [{name: a, topology: a.yaml}]\n")
	if err := s.Scale(0.5, 0.25); err != nil {
		t.Fatal(err)
	}
	if s.Load.Rate != 2.5 || s.Load.To != 100 || s.Duration != 10*time.Second {
		t.Errorf("rate %v to %v duration %s", s.Load.Rate, s.Load.To, s.Duration)
	}
}

func TestScaleRejects(t *testing.T) {
	cases := []struct {
		name       string
		src        string
		time, rate float64
	}{
		{"zero time", scaleSrc, 0, 1},
		{"negative rate", scaleSrc, 1, -1},
		{"infinite", scaleSrc, 1, inf()},
		{"NaN", scaleSrc, nan(), 1},
		{"fault scaled to nothing", "duration: 1s\nload: {rate: 10}\nvariants: [{name: a, topology: a.yaml}]\nfaults: [{at: 1s, for: 1ns, crash: a}]\n", 0.1, 1},
		{"overflow", scaleSrc, 1e12, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := parse(t, c.src)
			if err := s.Scale(c.time, c.rate); err == nil {
				t.Fatal("no error")
			} else {
				t.Log(err)
			}
			if want := parse(t, c.src); !reflect.DeepEqual(s, want) {
				t.Error("a failed Scale changed the scenario")
			}
		})
	}
}

func inf() float64 { z := 0.0; return 1 / z }
func nan() float64 { z := 0.0; return z / z }
