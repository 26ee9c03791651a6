package scenarios

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// shaped returns valid with the load's arrival line (8) replaced by lines.
func shaped(lines ...string) string { return with(8, lines...) }

func TestParseLoadShapes(t *testing.T) {
	cases := []struct {
		name string
		src  string
		want Load
	}{
		{"ramp", shaped("  arrival: ramp", "  to: 2000"),
			Load{Arrival: ArrivalRamp, Rate: 200, To: 2000}},
		{"steps", shaped("  arrival: steps", "  steps: [{at: 5s, rate: 500}, {at: 10s, rate: 1000}]"),
			Load{Arrival: ArrivalSteps, Rate: 200, Steps: []Step{{5 * time.Second, 500, 9}, {10 * time.Second, 1000, 9}}}},
		{"steps block", shaped("  arrival: steps", "  steps:", "    - at: 0s", "      rate: 5", "    - {at: 21.5s, rate: 0.5}"),
			Load{Arrival: ArrivalSteps, Rate: 200, Steps: []Step{{0, 5, 10}, {21500 * time.Millisecond, 0.5, 12}}}},
		{"burst", shaped("  arrival: burst", "  burst: {at: 8s, for: 5s, rate: 2000}"),
			Load{Arrival: ArrivalBurst, Rate: 200, Burst: &Burst{8 * time.Second, 5 * time.Second, 2000, 9}}},
		{"burst to the end", shaped("  arrival: burst", "  burst: {at: 17s, for: 5s, rate: 2000}"),
			Load{Arrival: ArrivalBurst, Rate: 200, Burst: &Burst{17 * time.Second, 5 * time.Second, 2000, 9}}},
		{"burst from 0", shaped("  arrival: burst", "  burst:", "    at: 0s", "    for: 22s", "    rate: 1"),
			Load{Arrival: ArrivalBurst, Rate: 200, Burst: &Burst{0, 22 * time.Second, 1, 9}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := Parse("q.yaml", []byte(c.src))
			if err != nil {
				t.Fatal(err)
			}
			c.want.Timeout, c.want.Line = 5*time.Second, 7
			if !reflect.DeepEqual(s.Load, c.want) {
				t.Errorf("load = %+v, want %+v", s.Load, c.want)
				if s.Load.Burst != nil {
					t.Errorf("burst = %+v", *s.Load.Burst)
				}
			}
		})
	}
}

// Every case reports exactly the problems it lists.
func TestParseLoadShapeProblems(t *testing.T) {
	cases := []struct {
		name string
		src  string
		want []problem
	}{
		{"unknown arrival", shaped("  arrival: spike"), []problem{{8, "load.arrival", `unknown arrival "spike" (constant, poisson, ramp, steps, burst)`}}},
		{"unknown load key", shaped("  arrival: ramp", "  to: 5", "  too: 5"), []problem{{10, "load.too", "unknown key (expected one of: arrival, rate, timeout, max_in_flight, to, steps, burst)"}}},

		{"ramp without to", shaped("  arrival: ramp"), []problem{{7, "load.to", "required: the rate reached at the end of the load (warmup+duration)"}}},
		{"ramp to 0", shaped("  arrival: ramp", "  to: 0"), []problem{{9, "load.to", "must be positive, got 0"}}},
		{"ramp to negative", shaped("  arrival: ramp", "  to: -5"), []problem{{9, "load.to", "must be positive, got -5"}}},
		{"ramp to text", shaped("  arrival: ramp", "  to: fast"), []problem{{9, "load.to", `"fast" is not a finite number`}}},
		{"ramp to inf", shaped("  arrival: ramp", "  to: .inf"), []problem{{9, "load.to", "not a finite number"}}},
		{"ramp rate nan", with(9, "  rate: .nan", "  to: 5"), []problem{{9, "load.rate", "not a finite number"}, {10, "load.to", "is for arrival ramp, not constant"}}},

		{"to on constant", shaped("  arrival: constant", "  to: 2000"), []problem{{9, "load.to", "is for arrival ramp, not constant"}}},
		{"to on default arrival", shaped("  to: 2000"), []problem{{8, "load.to", "is for arrival ramp, not constant"}}},
		{"to 0 on poisson", shaped("  arrival: poisson", "  to: 0"), []problem{{9, "load.to", "is for arrival ramp, not poisson"}}},
		{"steps on burst", shaped("  arrival: burst", "  burst: {at: 1s, for: 1s, rate: 5}", "  steps: [{at: 1s, rate: 5}]"),
			[]problem{{10, "load.steps", "is for arrival steps, not burst"}}},
		{"burst on steps", shaped("  arrival: steps", "  steps: [{at: 1s, rate: 5}]", "  burst: {at: 1s, for: 1s, rate: 5}"),
			[]problem{{10, "load.burst", "is for arrival burst, not steps"}}},
		{"everything on ramp", shaped("  arrival: ramp", "  to: 9", "  steps: []", "  burst: ~"),
			[]problem{{10, "load.steps", "is for arrival steps, not ramp"}, {11, "load.burst", "is for arrival burst, not ramp"}}},
		{"no other-arrival noise for an unknown arrival", shaped("  arrival: spike", "  to: 9"), []problem{{8, "load.arrival", "unknown arrival"}}},

		{"steps missing", shaped("  arrival: steps"), []problem{{7, "load.steps", "required: the rate changes, a list of {at, rate}"}}},
		{"steps empty", shaped("  arrival: steps", "  steps: []"), []problem{{9, "load.steps", "must not be empty"}}},
		{"steps null", shaped("  arrival: steps", "  steps:"), []problem{{9, "load.steps", "must not be empty"}}},
		{"steps not a list", shaped("  arrival: steps", "  steps: 5s"), []problem{{9, "load.steps", "must be a list, got"}}},
		{"step not a mapping", shaped("  arrival: steps", "  steps: [5s]"), []problem{{9, "load.steps[0]", "must be a mapping"}}},
		{"step unknown key", shaped("  arrival: steps", "  steps: [{at: 1s, rate: 5, for: 2s}]"), []problem{{9, "load.steps[0].for", "unknown key (expected one of: at, rate)"}}},
		{"step at missing", shaped("  arrival: steps", "  steps:", "    - rate: 5"),
			[]problem{{10, "load.steps[0].at", "required: when the rate changes, from the start of the load (warm-up included)"}}},
		{"step rate missing", shaped("  arrival: steps", "  steps:", "    - at: 1s"), []problem{{10, "load.steps[0].rate", "required: operations per second from at"}}},
		{"step at negative", shaped("  arrival: steps", "  steps: [{at: -1s, rate: 5}]"), []problem{{9, "load.steps[0].at", "must not be negative, got -1s"}}},
		{"step at text", shaped("  arrival: steps", "  steps: [{at: soon, rate: 5}]"), []problem{{9, "load.steps[0].at", `"soon" is not a duration`}}},
		{"step rate 0", shaped("  arrival: steps", "  steps:", "    - at: 1s", "      rate: 0"), []problem{{11, "load.steps[0].rate", "must be positive, got 0"}}},
		{"step rate text", shaped("  arrival: steps", "  steps: [{at: 1s, rate: many}]"), []problem{{9, "load.steps[0].rate", `"many" is not a finite number`}}},
		{"steps same at", shaped("  arrival: steps", "  steps:", "    - {at: 5s, rate: 500}", "    - {at: 5s, rate: 600}"),
			[]problem{{11, "load.steps[1].at", "must be after the previous step's (5s), got 5s"}}},
		{"steps backwards", shaped("  arrival: steps", "  steps:", "    - {at: 5s, rate: 500}", "    - {at: 8s, rate: 600}", "    - {at: 7s, rate: 700}"),
			[]problem{{12, "load.steps[2].at", "must be after the previous step's (8s), got 7s"}}},
		{"step at the end", shaped("  arrival: steps", "  steps:", "    - {at: 5s, rate: 500}", "    - {at: 22s, rate: 600}"),
			[]problem{{11, "load.steps[1].at", "must be before the end of the load (warmup+duration = 22s), got 22s"}}},

		{"burst missing", shaped("  arrival: burst"), []problem{{7, "load.burst", "required: the burst window {at, for, rate}"}}},
		{"burst not a mapping", shaped("  arrival: burst", "  burst: [8s]"), []problem{{9, "load.burst", "must be a mapping, got a list"}}},
		{"burst unknown key", shaped("  arrival: burst", "  burst: {at: 1s, for: 1s, rate: 5, to: 9}"), []problem{{9, "load.burst.to", "unknown key (expected one of: at, for, rate)"}}},
		{"burst empty", shaped("  arrival: burst", "  burst: {}"), []problem{
			{9, "load.burst.at", "required: when the burst starts"},
			{9, "load.burst.for", "required: how long the burst lasts"},
			{9, "load.burst.rate", "required: operations per second during the burst"}}},
		{"burst at negative", shaped("  arrival: burst", "  burst: {at: -1s, for: 1s, rate: 5}"), []problem{{9, "load.burst.at", "must not be negative, got -1s"}}},
		{"burst for 0", shaped("  arrival: burst", "  burst:", "    at: 1s", "    for: 0s", "    rate: 5"), []problem{{11, "load.burst.for", "must be positive, got 0s"}}},
		{"burst rate negative", shaped("  arrival: burst", "  burst:", "    at: 1s", "    for: 1s", "    rate: -5"), []problem{{12, "load.burst.rate", "must be positive, got -5"}}},
		{"burst after the load", shaped("  arrival: burst", "  burst:", "    at: 20s", "    for: 3s", "    rate: 2000"),
			[]problem{{11, "load.burst.for", "burst ends after the load (at+for = 23s > warmup+duration = 22s)"}}},
		{"burst for text", shaped("  arrival: burst", "  burst: {at: 1s, for: long, rate: 5}"), []problem{{9, "load.burst.for", `"long" is not a duration`}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := Parse("q.yaml", []byte(c.src))
			if s != nil {
				t.Error("Parse returned a scenario with an error")
			}
			checkProblems(t, "q.yaml", err, c.want...)
			if n := strings.Count(err.Error(), "\n") + 1; n != len(c.want) {
				t.Errorf("got %d problems, want %d:\n%v", n, len(c.want), err)
			}
		})
	}
}

// Overrides applied after parsing (--duration) are checked at the lines of
// the file.
func TestValidateLoadAfterOverride(t *testing.T) {
	s, err := Parse("q.yaml", []byte(shaped("  arrival: steps", "  steps:", "    - {at: 5s, rate: 500}", "    - {at: 15s, rate: 600}")))
	if err != nil {
		t.Fatal(err)
	}
	s.Duration = 10 * time.Second
	checkProblems(t, "q.yaml", s.Validate(), problem{11, "load.steps[1].at", "must be before the end of the load (warmup+duration = 12s), got 15s"})

	s, err = Parse("q.yaml", []byte(shaped("  arrival: burst", "  burst: {at: 8s, for: 5s, rate: 2000}")))
	if err != nil {
		t.Fatal(err)
	}
	s.Duration = 10 * time.Second
	checkProblems(t, "q.yaml", s.Validate(), problem{9, "load.burst.for", "burst ends after the load (at+for = 13s > warmup+duration = 12s)"})
	s.Load.Rate = 5000 // --rate sets the base rate
	s.Duration = 20 * time.Second
	if err := s.Validate(); err != nil {
		t.Error(err)
	}
}

// Scenarios built in code are located by Load.Line, Step.Line and
// Burst.Line; a shape key is given when it has a value.
func TestValidateLoadBuiltInCode(t *testing.T) {
	base := func(l Load) *Scenario {
		l.Timeout, l.Line = time.Second, 3
		return &Scenario{
			File: "code.yaml", Duration: 10 * time.Second, Seed: 1, Load: l,
			Variants: []Variant{{Name: "a", TopologyPath: "a.yaml"}},
			Broker:   BrokerSpec{Nodes: 1, Replicas: 1},
		}
	}
	cases := []struct {
		name string
		load Load
		want []problem
	}{
		{"ramp", Load{Arrival: ArrivalRamp, Rate: 1, To: 2}, nil},
		{"ramp without to", Load{Arrival: ArrivalRamp, Rate: 1}, []problem{{3, "load.to", "required"}}},
		{"steps without steps", Load{Arrival: ArrivalSteps, Rate: 1}, []problem{{3, "load.steps", "required"}}},
		{"steps", Load{Arrival: ArrivalSteps, Rate: 1, Steps: []Step{{0, 1, 4}, {time.Second, 2, 5}}}, nil},
		{"steps out of order", Load{Arrival: ArrivalSteps, Rate: 1, Steps: []Step{{2 * time.Second, 1, 4}, {time.Second, 2, 5}}},
			[]problem{{5, "load.steps[1].at", "must be after the previous step's (2s), got 1s"}}},
		{"burst without burst", Load{Arrival: ArrivalBurst, Rate: 1}, []problem{{3, "load.burst", "required"}}},
		{"burst of no length", Load{Arrival: ArrivalBurst, Rate: 1, Burst: &Burst{At: time.Second, Rate: 5, Line: 6}},
			[]problem{{6, "load.burst.for", "must be positive, got 0s"}}},
		{"burst on constant", Load{Arrival: ArrivalConstant, Rate: 1, Burst: &Burst{}}, []problem{{3, "load.burst", "is for arrival burst, not constant"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := base(c.load).Validate()
			if len(c.want) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			checkProblems(t, "code.yaml", err, c.want...)
			if n := strings.Count(err.Error(), "\n") + 1; n != len(c.want) {
				t.Errorf("got %d problems, want %d:\n%v", n, len(c.want), err)
			}
		})
	}
}

// checkAcceptedLoad fails when a load that passed validation has a shape
// the engine could not pace: only the arrival's own keys, positive finite
// rates, times inside the load.
func checkAcceptedLoad(t *testing.T, s *Scenario) {
	t.Helper()
	l, end := s.Load, s.Warmup+s.Duration
	ok := validRate(l.Rate) && (l.Arrival == ArrivalRamp) == (l.To != 0) &&
		(l.Arrival == ArrivalSteps) == (len(l.Steps) > 0) && (l.Arrival == ArrivalBurst) == (l.Burst != nil)
	if l.Arrival == ArrivalRamp {
		ok = ok && validRate(l.To)
	}
	for i, st := range l.Steps {
		ok = ok && validRate(st.Rate) && st.At >= 0 && st.At < end && (i == 0 || st.At > l.Steps[i-1].At)
	}
	if b := l.Burst; b != nil {
		ok = ok && validRate(b.Rate) && b.At >= 0 && b.For > 0 && b.At+b.For <= end
	}
	if !ok {
		t.Fatalf("Parse accepted load %+v (burst %+v)", l, l.Burst)
	}
}
