package scenarios

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faultline-sim/faultline/reports/result"
)

func TestExpectDecodes(t *testing.T) {
	src := plus(
		"faults: [{at: 3s, for: 2s, crash: payment}]", // 16
		"expect:",                               // 17
		"  events: ['lost == 0', 'p99 < 50ms']", // 18
		"  sync:",                               // 19
		"    p99: '< 300ms'",                    // 20
		"    'faults[0].during.availability': '> 50%'", // 21
		"  '*': {availability: '>= 0.999'}",            // 22
	)
	s, err := Parse("q.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		variant, metric, op string
		threshold           float64
		line                int
	}{
		{"events", "lost", "==", 0, 18},
		{"events", "p99", "<", 50, 18},
		{"sync", "p99", "<", 300, 20},
		{"sync", "faults[0].during.availability", ">", 0.5, 21},
		{"*", "availability", ">=", 0.999, 22},
	}
	if len(s.Expect) != len(want) {
		t.Fatalf("got %d expectations, want %d: %+v", len(s.Expect), len(want), s.Expect)
	}
	for i, w := range want {
		g := s.Expect[i]
		if g.Variant != w.variant || g.Expect.Metric.Name != w.metric || g.Expect.Op != w.op || g.Expect.Threshold != w.threshold || g.Line != w.line {
			t.Errorf("expectation %d = {%s %s %s %v line %d}, want %+v", i, g.Variant, g.Expect.Metric.Name, g.Expect.Op, g.Expect.Threshold, g.Line, w)
		}
	}
}

func TestExpectProblems(t *testing.T) {
	for _, c := range []struct {
		name string
		src  string
		want []problem
	}{
		{"unknown variant", plus("expect: {canary: {p99: '< 1s'}}"), []problem{{16, "expect.canary", "unknown key (expected one of: *, sync, events)"}}},
		{"unknown metric", plus("expect: {sync: {p98: '< 1s'}}"), []problem{{16, "expect.sync.p98", `unknown metric "p98"`}}},
		{"no op", plus("expect: {sync: ['p99 300ms']}"), []problem{{16, "expect.sync[0]", "is not an expectation"}}},
		{"not a duration", plus("expect: {sync: {p99: '< 300'}}"), []problem{{16, "expect.sync.p99", `"300" is not a duration`}}},
		{"share over 1", plus("expect: {sync: {availability: '> 1.5'}}"), []problem{{16, "expect.sync.availability", "is not a share"}}},
		{"percent over 100", plus("expect: {sync: {availability: '> 101%'}}"), []problem{{16, "expect.sync.availability", "not a percentage"}}},
		{"negative count", plus("expect: {events: {lost: '<= -1'}}"), []problem{{16, "expect.events.lost", "not a non-negative number"}}},
		{"nested value", plus("expect: {sync: {p99: {lt: 1s}}}"), []problem{{16, "expect.sync.p99", `must be "OP VALUE"`}}},
		{"fault index", plus("expect: {sync: {'faults[0].during.p99': '< 1s'}}"), []problem{{16, "expect.sync.faults[0].during.p99", "the scenario has 0 fault(s)"}}},
		{"fault window metric", plus("faults: [{at: 3s, for: 2s, crash: payment}]", "expect: {sync: {'faults[0].during.lost': '== 0'}}"), []problem{{17, "expect.sync.faults[0].during.lost", "after faults[N].during comes one of availability, p99, throughput"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("q.yaml", []byte(c.src))
			checkProblems(t, "q.yaml", err, c.want...)
		})
	}
}

func TestCheckAppliesStarOnlyWhereMeasured(t *testing.T) {
	src := plus("expect: {sync: {p99: '< 100ms'}, '*': {lost: '== 0', availability: '> 99%'}}")
	s, err := Parse("q.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	r := &result.Result{Variants: []result.Variant{
		{Name: "sync", Requests: result.Requests{Offered: 100, Succeeded: 100}, Availability: 1, LatencyMS: result.Percentiles{P99: 150}},
		{Name: "events", EventDriven: true, Requests: result.Requests{Offered: 100, Succeeded: 98}, Availability: 0.98, Events: result.Events{Lost: 0}},
	}}
	got := s.Check(r)
	type verdict struct {
		variant, metric string
		ok              bool
	}
	want := []verdict{{"sync", "p99", false}, {"events", "lost", true}, {"sync", "availability", true}, {"events", "availability", false}}
	if len(got) != len(want) {
		t.Fatalf("got %d checks, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if g := got[i]; g.Variant != w.variant || g.Metric != w.metric || g.OK != w.ok {
			t.Errorf("check %d = %s %s ok=%v, want %+v", i, g.Variant, g.Metric, g.OK, w)
		}
	}
}

// "*" checks a consistency metric on the stateful variants only: a
// stateless variant has none. A stateful variant whose stores could not be
// read fails it as absent, never passes.
func TestCheckAppliesStarConsistencyToStatefulVariants(t *testing.T) {
	s, err := Parse("q.yaml", []byte(plus("expect: {'*': {violations: '== 0', consistency_p99: '< 1s'}}")))
	if err != nil {
		t.Fatal(err)
	}
	r := &result.Result{Variants: []result.Variant{
		{Name: "sync", Requests: result.Requests{Offered: 100}},
		{Name: "events", EventDriven: true, Requests: result.Requests{Offered: 100},
			Consistency: &result.Consistency{Operations: 100, Consistent: 99, Violations: 1, DoubleCharges: 1, TimeToConsistencyMS: &result.Percentiles{P99: 40}}},
		{Name: "unread", Requests: result.Requests{Offered: 100}, Consistency: &result.Consistency{Error: "disk full"}},
	}}
	got := s.Check(r)
	type verdict struct {
		variant, metric string
		ok, missing     bool
	}
	want := []verdict{{"events", "violations", false, false}, {"unread", "violations", false, true}, {"events", "consistency_p99", true, false}, {"unread", "consistency_p99", false, true}}
	if len(got) != len(want) {
		t.Fatalf("got %d checks, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if g := got[i]; g.Variant != w.variant || g.Metric != w.metric || g.OK != w.ok || g.Missing != w.missing {
			t.Errorf("check %d = %+v, want %+v", i, g, w)
		}
	}
}

func TestCheckTakesTheMedianOfRepetitions(t *testing.T) {
	s, err := Parse("q.yaml", []byte(plus("expect: {sync: {p99: '< 100ms', availability: '>= 99%'}}")))
	if err != nil {
		t.Fatal(err)
	}
	rep := func(k int, p99, avail float64) result.Variant {
		return result.Variant{Name: "sync", Repetition: k, Requests: result.Requests{Offered: 100}, Availability: avail, LatencyMS: result.Percentiles{P99: p99}}
	}
	for _, c := range []struct {
		name       string
		reps       []result.Variant
		p99, avail float64 // the medians checked
		ok         [2]bool
	}{
		// One bad repetition out of three passes; two fail.
		{"one outlier", []result.Variant{rep(1, 90, 1), rep(2, 500, 0.5), rep(3, 80, 0.995)}, 90, 0.995, [2]bool{true, true}},
		{"two bad", []result.Variant{rep(1, 90, 1), rep(2, 500, 0.5), rep(3, 300, 0.98)}, 300, 0.98, [2]bool{false, false}},
		// Of an even count, the worse middle value.
		{"even", []result.Variant{rep(1, 90, 1), rep(2, 110, 0.98), rep(3, 50, 0.999), rep(4, 120, 0.97)}, 110, 0.98, [2]bool{false, false}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := s.Check(&result.Result{Variants: c.reps})
			if len(got) != 2 {
				t.Fatalf("got %+v", got)
			}
			if got[0].Observed != c.p99 || got[1].Observed != c.avail || got[0].OK != c.ok[0] || got[1].OK != c.ok[1] || got[0].Repetitions != len(c.reps) {
				t.Errorf("got %+v, want p99 %v avail %v ok %v", got, c.p99, c.avail, c.ok)
			}
		})
	}
}

// An expectation whose metric the variant has but did not measure fails as
// absent, on "*" as on a named variant: recovered_after when availability
// never came back, completion_p99 when nothing completed. A metric not
// defined for the variant (completion of a synchronous one) is not checked
// on "*".
func TestCheckFailsOnAbsentMetric(t *testing.T) {
	src := plus(
		"faults: [{at: 3s, for: 2s, crash: payment}]",
		"expect: {'*': {'faults[0].recovered_after': '< 2s', completion_p99: '< 1s'}, sync: {'faults[0].recovered_after': '< 2s'}}",
	)
	s, err := Parse("q.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	never := result.Fault{Name: "crash payment"} // RecoveredAfterS nil: never back
	r := &result.Result{Variants: []result.Variant{
		{Name: "sync", Requests: result.Requests{Offered: 100}, Faults: []result.Fault{never}},
		{Name: "events", EventDriven: true, Requests: result.Requests{Offered: 100}, Faults: []result.Fault{never},
			CompletionMS: &result.Percentiles{}, Completed: 0},
	}}
	got := s.Check(r)
	type verdict struct{ variant, metric string }
	want := []verdict{
		{"sync", "faults[0].recovered_after"}, {"events", "faults[0].recovered_after"},
		{"events", "completion_p99"},
		{"sync", "faults[0].recovered_after"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d checks, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if g := got[i]; g.Variant != w.variant || g.Metric != w.metric || g.OK || !g.Missing {
			t.Errorf("check %d = %s %s ok=%v missing=%v, want %+v failing as absent", i, g.Variant, g.Metric, g.OK, g.Missing, w)
		}
	}
	// Repetitions: absent in one of them is absent.
	rep := r.Variants[1]
	rep.Completed, rep.CompletionMS = 10, &result.Percentiles{P99: 5}
	r.Variants = append(r.Variants, rep)
	for _, g := range s.Check(r) {
		if g.Variant == "events" && g.Metric == "completion_p99" && (g.OK || !g.Missing) {
			t.Errorf("completion_p99 absent in one of two repetitions: ok=%v missing=%v", g.OK, g.Missing)
		}
	}
}

// An expectation names a metric the named variant can have: event metrics
// need events, consistency metrics need state. Checked once the
// topologies are read, with the line and key of the expectation.
func TestExpectRefusesMetricsTheVariantLacks(t *testing.T) {
	top, err := filepath.Abs("../topologies/order-sync.yaml")
	if err != nil {
		t.Fatal(err)
	}
	src := "load: {rate: 10}\n" +
		"variants: [{name: sync, topology: " + top + "}]\n" +
		"expect:\n" +
		"  sync: ['violations == 0']\n" +
		"  '*': ['stuck == 0']\n"
	path := filepath.Join(t.TempDir(), "q.yaml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = ReadFile(path)
	checkProblems(t, path, err, problem{4, "expect.sync.violations", "variant sync has no state"})
	if err != nil && strings.Contains(err.Error(), "stuck") {
		t.Errorf(`"*" applies where measured, and is not refused: %v`, err)
	}
}
