package result

import (
	"strings"
	"testing"
)

func TestParseExpect(t *testing.T) {
	for _, c := range []struct {
		expr, metric, op string
		threshold        float64
	}{
		{"p99 < 300ms", "p99", "<", 300},
		{"p99<1.5s", "p99", "<", 1500},
		{"availability >= 99.9%", "availability", ">=", 0.999},
		{"availability>=0.5", "availability", ">=", 0.5},
		{"throughput > 5000/s", "throughput", ">", 5000},
		{"lost == 0", "lost", "==", 0},
		{"duplicates != 3", "duplicates", "!=", 3},
		{"amplification <= 4x", "amplification", "<=", 4},
		{"amplification(order->payment)<2", "amplification(order->payment)", "<", 2},
		{"amplification(gateway->order) > 1.5", "amplification(gateway->order)", ">", 1.5},
		{"faults[3].during.availability < 50%", "faults[3].during.availability", "<", 0.5},
		{"faults[0].after.p99 < 200ms", "faults[0].after.p99", "<", 200},
		{"faults[1].publishable_after < 10s", "faults[1].publishable_after", "<", 10000},
	} {
		e, err := ParseExpect(c.expr)
		if err != nil {
			t.Errorf("%q: %v", c.expr, err)
			continue
		}
		if e.Metric.Name != c.metric || e.Op != c.op || e.Threshold != c.threshold {
			t.Errorf("%q = {%s %s %v}, want {%s %s %v}", c.expr, e.Metric.Name, e.Op, e.Threshold, c.metric, c.op, c.threshold)
		}
	}
}

func TestParseExpectRejects(t *testing.T) {
	for expr, msg := range map[string]string{
		"":                             "is not an expectation",
		"p99":                          "is not an expectation",
		"p99 <":                        "missing value",
		"p98 < 1s":                     `unknown metric "p98"`,
		"p99 < 300":                    "is not a duration",
		"availability > 2":             "is not a share",
		"availability > -1%":           "not a percentage",
		"lost < -1":                    "not a non-negative number",
		"faults[0].during.lost == 0":   "after faults[N].during comes one of",
		"faults[0].lost == 0":          "after faults[N]. comes one of publishable_after, caught_up_after",
		"amplification(order) < 2":     "unknown metric",
		"faults[99999].after.p99 < 1s": "out of range",
		"availability in 99%":          "is not an interval",
		"availability in [99%]":        "is not an interval",
		"availability in [99%, 98%]":   "low end above its high end",
		"availability in [99%, 2]":     "high end: \"2\" is not a share",
		"p99 in [1s, x]":               "high end: \"x\" is not a duration",
		"p98 in [1s, 2s]":              `unknown metric "p98"`,
	} {
		_, err := ParseExpect(expr)
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%q: error %v, want it to contain %q", expr, err, msg)
		}
	}
}

func TestExpectCheck(t *testing.T) {
	v := &Variant{
		Name: "sync", Requests: Requests{Offered: 10, Succeeded: 9}, Availability: 0.9,
		LatencyMS: Percentiles{P99: 250},
		Edges:     []Edge{{From: "order", To: "payment", Requests: 10, Attempts: 30, Amplification: 3}},
		Faults:    []Fault{{During: &WindowStats{Offered: 5, Availability: 0.4}}},
	}
	for expr, ok := range map[string]bool{
		"p99 < 300ms":                         true,
		"p99 < 250ms":                         false,
		"p99 <= 250ms":                        true,
		"availability >= 90%":                 true,
		"availability > 90%":                  false,
		"amplification(order->payment) < 4":   true,
		"amplification < 3":                   false,
		"faults[0].during.availability < 50%": true,
		"faults[0].after.availability > 0":    false, // no after window: not measured
		"completion_p99 < 1s":                 false, // no completion: not measured
		"amplification(order->bank) < 4":      false, // no such edge
		// Two-sided: too high fails as too low does; ends included.
		"availability in [85%, 95%]":                  true,
		"availability in [0.9, 0.9]":                  true,
		"availability in [91%, 99%]":                  false,
		"availability in [80%, 89.9%]":                false,
		"amplification(order->payment) in [2.9, 3.1]": true,
		"amplification(order->payment) in [1, 2.5x]":  false,
		"completion_p99 in [0s, 1s]":                  false, // not measured
	} {
		e, err := ParseExpect(expr)
		if err != nil {
			t.Fatalf("%q: %v", expr, err)
		}
		if got := e.Check(v); got.OK != ok {
			t.Errorf("%q on %+v: ok = %v, want %v (%+v)", expr, v.LatencyMS, got.OK, ok, got)
		}
	}
}

func TestMetricFormat(t *testing.T) {
	for _, c := range []struct {
		name string
		x    float64
		want string
	}{
		{"p99", 152.2, "152.2ms"},
		{"availability", 0.999, "99.9%"},
		{"throughput", 200, "200/s"},
		{"lost", 3, "3"},
		{"amplification", 3.5, "3.5x"},
	} {
		m, err := ResolveMetric(c.name)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Format(c.x); got != c.want {
			t.Errorf("%s.Format(%v) = %q, want %q", c.name, c.x, got, c.want)
		}
	}
}

// FuzzParseExpect: any expression parses or is refused, never panics, and
// what parses has a known metric and an operator.
func FuzzParseExpect(f *testing.F) {
	for _, s := range []string{"p99 < 300ms", "availability >= 99.9%", "amplification(a->b)<2", "faults[0].during.p99 < 1s", "lost == 0", ")", "->", "faults[9999999999999999999].after.p99 < 1s",
		"availability in [99.65%, 99.95%]", "amplification(a->b) in [1.2, 1.3x]", "p99 in [", "in [1,2]", "p99 in [1s,]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseExpect(s)
		if err != nil {
			return
		}
		if e.Metric.Name == "" || e.Metric.get == nil || e.Op == "" || e.Op == OpIn && !(e.Threshold <= e.High) {
			t.Fatalf("%q parsed to %+v", s, e)
		}
		e.Check(&Variant{})
	})
}

func TestExpectationBound(t *testing.T) {
	e, err := ParseExpect("availability in [99.65%, 99.95%]")
	if err != nil {
		t.Fatal(err)
	}
	c := e.CheckValue("sync", 0.999)
	if got := c.Bound(e.Metric.Format); got != "in [99.65%, 99.95%]" || !c.OK || c.High != 0.9995 {
		t.Errorf("bound %q, %+v", got, c)
	}
	if got := (Expectation{Op: "<", Threshold: 2}).Bound(Trim); got != "< 2" {
		t.Errorf("bound %q, want < 2", got)
	}
}
