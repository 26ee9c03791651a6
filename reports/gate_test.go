package reports

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/faultline-sim/faultline/reports/result"
)

// reps builds a result of one variant "sync" with a repetition per p99.
func reps(p99s ...float64) *result.Result {
	r := &result.Result{Scenario: "q"}
	for i, p := range p99s {
		r.Variants = append(r.Variants, result.Variant{Name: "sync", Repetition: i + 1, Requests: result.Requests{Offered: 1000, Succeeded: 1000}, Availability: 1, ThroughputRPS: 200, LatencyMS: result.Percentiles{P99: p}})
	}
	return r
}

// noisy returns n p99 values around center, spread ±spread, from seed.
func noisy(seed uint64, n int, center, spread float64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 0))
	out := make([]float64, n)
	for i := range out {
		out[i] = center + spread*(2*rng.Float64()-1)
	}
	return out
}

func gateP99(t *testing.T, cur, base *result.Result, limit string) GateRow {
	t.Helper()
	limits, err := ParseLimits(limit)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := Gate(cur, base, limits, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 {
		t.Fatalf("rows %+v", rows)
	}
	return rows[0]
}

func TestGateIdenticalDistributionsPass(t *testing.T) {
	for seed := range uint64(20) {
		r := gateP99(t, reps(noisy(seed, 6, 150, 30)...), reps(noisy(seed+100, 6, 150, 30)...), "p99=+5%")
		if r.Regressed {
			t.Errorf("seed %d: same distribution regressed: %+v", seed, r)
		}
	}
}

func TestGateClearShiftFails(t *testing.T) {
	r := gateP99(t, reps(noisy(1, 6, 300, 10)...), reps(noisy(2, 6, 150, 10)...), "p99=+15%")
	if !r.Regressed || !(r.P < 0.05) || r.Test != "Mann-Whitney U" {
		t.Fatalf("a doubled p99 passed: %+v", r)
	}
}

func TestGateShiftWithinNoisePasses(t *testing.T) {
	// Medians 20% apart but the spread is far wider: not significant.
	cur := reps(100, 400, 160, 250, 120, 330)
	base := reps(380, 110, 300, 140, 220, 90)
	r := gateP99(t, cur, base, "p99=+5%")
	if r.Worse <= r.Allowed {
		t.Fatalf("test setup: current median not worse beyond the limit: %+v", r)
	}
	if r.Regressed || !(r.P >= 0.05) {
		t.Fatalf("noise failed the gate: %+v", r)
	}
}

func TestGateWithinLimitPasses(t *testing.T) {
	r := gateP99(t, reps(noisy(3, 6, 160, 2)...), reps(noisy(4, 6, 150, 2)...), "p99=+15%")
	if r.Regressed {
		t.Fatalf("+7%% against a +15%% limit regressed: %+v", r)
	}
}

func TestGateWithoutRepetitionsComparesMedians(t *testing.T) {
	r := gateP99(t, reps(200), reps(150), "p99=+15%")
	if !r.Regressed || !strings.Contains(r.Test, "no test") {
		t.Fatalf("%+v", r)
	}
	r = gateP99(t, reps(160), reps(150), "p99=+15%")
	if r.Regressed {
		t.Fatalf("%+v", r)
	}
}

func TestGateCountsUseTheWorstRepetition(t *testing.T) {
	lost := func(ls ...int64) *result.Result {
		r := reps(make([]float64, len(ls))...)
		for i, l := range ls {
			r.Variants[i].EventDriven = true
			r.Variants[i].Events.Lost = l
		}
		return r
	}
	limits, _ := ParseLimits("lost=+0")
	rows, err := Gate(lost(0, 0, 1, 0, 0), lost(0, 0, 0, 0, 0), limits, 0.05)
	if err != nil || len(rows) != 1 || !rows[0].Regressed {
		t.Fatalf("one lost event passed: %+v %v", rows, err)
	}
}

func TestGateAvailabilityFallsTheWorseWay(t *testing.T) {
	avail := func(as ...float64) *result.Result {
		r := reps(make([]float64, len(as))...)
		for i, a := range as {
			r.Variants[i].Availability = a
		}
		return r
	}
	limits, _ := ParseLimits("availability=-0.001")
	rows, _ := Gate(avail(0.99, 0.991, 0.989, 0.99, 0.992), avail(1, 0.9999, 1, 0.9998, 1), limits, 0.05)
	if !rows[0].Regressed {
		t.Fatalf("availability 99%% against 100%% passed: %+v", rows[0])
	}
	rows, _ = Gate(avail(1, 1, 1, 1, 1), avail(0.99, 0.991, 0.989, 0.99, 0.992), limits, 0.05)
	if rows[0].Regressed {
		t.Fatalf("an improvement regressed: %+v", rows[0])
	}
}

func TestParseLimits(t *testing.T) {
	ls, err := ParseLimits("p99=+15%, availability=-0.001,lost=0,p50=+20ms")
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		metric   string
		amount   float64
		relative bool
	}{{"p99", 0.15, true}, {"availability", 0.001, false}, {"lost", 0, false}, {"p50", 20, false}}
	for i, w := range want {
		if l := ls[i]; l.Metric.Name != w.metric || l.Amount != w.amount || l.Relative != w.relative {
			t.Errorf("limit %d = %+v, want %+v", i, l, w)
		}
	}
	for in, msg := range map[string]string{
		"p99=-15%":           "points the better way",
		"availability=+0.01": "points the better way",
		"p98=+1%":            "unknown metric",
		"p99":                "write metric=LIMIT",
		"p99=+fast":          "is not a limit",
		"":                   "no limits",
		"p99=+-1%":           "is not a limit",
	} {
		if _, err := ParseLimits(in); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%q: error %v, want %q", in, err, msg)
		}
	}
}

func TestGateNeedsACommonVariant(t *testing.T) {
	other := reps(1)
	other.Variants[0].Name = "events"
	limits, _ := ParseLimits("p99=+1%")
	if _, err := Gate(reps(1), other, limits, 0.05); err == nil || !strings.Contains(err.Error(), "no variant in common") {
		t.Fatalf("err %v", err)
	}
}

func TestUTestMinSamples(t *testing.T) {
	if n := uTestMinSamples(0.05); n != 4 {
		t.Errorf("alpha 0.05: %d repetitions, want 4", n)
	}
	if n := uTestMinSamples(0.01); n != 5 {
		t.Errorf("alpha 0.01: %d repetitions, want 5", n)
	}
}

// FuzzParseLimits: any --max value parses or is refused, never panics.
func FuzzParseLimits(f *testing.F) {
	for _, s := range []string{DefaultLimits, "p99=+15%", "availability=-0.001", "p50=+20ms", "=", ",,", "amplification(a->b)=+1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ls, err := ParseLimits(s)
		if err == nil && len(ls) == 0 {
			t.Fatalf("%q: no error and no limits", s)
		}
	})
}

func TestLimitsMergeWithTheDefaults(t *testing.T) {
	byName := func(ls []Limit) map[string]Limit {
		m := map[string]Limit{}
		for _, l := range ls {
			m[l.Metric.Name] = l
		}
		return m
	}
	defaults, err := Limits("")
	if err != nil || len(defaults) != 7 {
		t.Fatalf("defaults %+v %v", defaults, err)
	}
	if a := byName(defaults)["availability"]; a.Amount != 0.001 || a.Relative {
		t.Errorf("default availability limit %+v, want 0.1 pt = 0.001", a)
	}
	ls, err := Limits("p99=+20ms, p50=+5%, availability=off")
	if err != nil {
		t.Fatal(err)
	}
	m := byName(ls)
	if p := m["p99"]; p.Amount != 20 || p.Relative {
		t.Errorf("p99 %+v, want +20ms", p)
	}
	if p := m["p50"]; p.Amount != 0.05 || !p.Relative {
		t.Errorf("p50 %+v, want +5%%", p)
	}
	if _, ok := m["availability"]; ok || len(ls) != 7 {
		t.Errorf("limits %v: want availability removed, throughput, completion_p99, lost and the consistency limits kept", m)
	}
	if l, ok := m["violations"]; !ok || l.Amount != 0 || l.Relative {
		t.Errorf("default limit of violations %+v, want +0 (as lost)", l)
	}
	if l := m["consistency_p99"]; l.Amount != 0.2 || !l.Relative {
		t.Errorf("default limit of consistency_p99 %+v, want +20%% (as completion_p99)", l)
	}
	var allOff []string
	for _, l := range defaults {
		allOff = append(allOff, l.Metric.Name+"=off")
	}
	for in, msg := range map[string]string{
		"p50=off":                 "no limit to remove",
		"availability=+0.1pt":     "points the better way",
		"p99":                     "metric=LIMIT",
		strings.Join(allOff, ","): "nothing to gate",
	} {
		if _, err := Limits(in); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%q: error %v, want %q", in, err, msg)
		}
	}
}

func TestCompareConfigSameRunHasNoMismatch(t *testing.T) {
	r := reps(150, 151)
	r.Config = result.RunConfig{Arrival: "constant", RateRPS: 200, SeedPolicy: result.SeedPerRepetition, FaultsSHA256: "x"}
	for i := range r.Variants {
		r.Variants[i].TopologySHA256 = "t"
	}
	if ms := CompareConfig(r, r); len(ms) != 0 {
		t.Errorf("a run against itself: %+v", ms)
	}
	other := *r
	other.Config.FaultsSHA256 = "y"
	ms := CompareConfig(&other, r)
	if len(ms) != 1 || ms[0].Key != "faults" || ms[0].Unknown || !strings.Contains(ms[0].Text, "parameters differ") {
		t.Errorf("faults with other parameters: %+v", ms)
	}
}
