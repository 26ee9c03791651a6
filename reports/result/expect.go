package result

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Expect is a parsed expectation: Metric Op Threshold, e.g. "p99 < 300ms",
// "availability >= 99.9%", "lost == 0", "amplification(order->payment) < 2",
// or a two-sided one, Metric in [Threshold, High], e.g.
// "availability in [99.65%, 99.95%]" (both ends included), which fails
// when the value is too high as well as too low.
type Expect struct {
	Expr      string
	Metric    MetricDef
	Op        string
	Threshold float64
	// High is the upper end of an "in" interval (Op OpIn); 0 otherwise.
	High float64
}

// OpIn is the operator of a two-sided expectation: METRIC in [LOW, HIGH].
const OpIn = "in"

var ops = []string{"<=", ">=", "==", "!=", "<", ">"}

// ParseExpect parses expr. Thresholds carry the metric's unit: a duration
// for latencies (300ms, 1.5s), a percentage or a fraction for availability
// (99.9% or 0.999), a number (optionally N/s) for rates, a number for
// counts, a number (optionally Nx) for amplification.
//
// "METRIC in [LOW, HIGH]" holds when LOW <= value <= HIGH; both ends carry
// the metric's unit and LOW must not exceed HIGH.
func ParseExpect(expr string) (Expect, error) {
	e := Expect{Expr: strings.TrimSpace(expr)}
	// The metric ends at its closing parenthesis if it has one, since
	// "->" inside it holds a ">".
	start := 0
	if i := strings.IndexByte(e.Expr, ')'); i >= 0 {
		start = i + 1
	}
	if i := strings.Index(e.Expr[start:], " in "); i >= 0 {
		return parseInterval(e, strings.TrimSpace(e.Expr[:start+i]), strings.TrimSpace(e.Expr[start+i+len(" in "):]))
	}
	at, op := -1, ""
	for i := start; i < len(e.Expr) && at < 0; i++ {
		for _, o := range ops {
			if strings.HasPrefix(e.Expr[i:], o) {
				at, op = i, o
				break
			}
		}
	}
	if at < 0 {
		return e, fmt.Errorf("%q is not an expectation: write METRIC OP VALUE, e.g. \"p99 < 300ms\" (OP one of < <= > >= == !=)", expr)
	}
	name := strings.TrimSpace(e.Expr[:at])
	value := strings.TrimSpace(e.Expr[at+len(op):])
	m, err := ResolveMetric(name)
	if err != nil {
		return e, err
	}
	x, err := parseThreshold(m.Unit, value)
	if err != nil {
		return e, fmt.Errorf("%s: %w", name, err)
	}
	e.Metric, e.Op, e.Threshold = m, op, x
	return e, nil
}

// parseInterval parses the "[LOW, HIGH]" of "name in [LOW, HIGH]" into e.
func parseInterval(e Expect, name, value string) (Expect, error) {
	m, err := ResolveMetric(name)
	if err != nil {
		return e, err
	}
	inner, ok := strings.CutPrefix(value, "[")
	if ok {
		inner, ok = strings.CutSuffix(inner, "]")
	}
	lo, hi, comma := strings.Cut(inner, ",")
	if !ok || !comma {
		return e, fmt.Errorf("%s: %q is not an interval: write METRIC in [LOW, HIGH], e.g. \"availability in [99.5%%, 99.9%%]\"", name, value)
	}
	x, err := parseThreshold(m.Unit, strings.TrimSpace(lo))
	if err != nil {
		return e, fmt.Errorf("%s: low end: %w", name, err)
	}
	y, err := parseThreshold(m.Unit, strings.TrimSpace(hi))
	if err != nil {
		return e, fmt.Errorf("%s: high end: %w", name, err)
	}
	if x > y {
		return e, fmt.Errorf("%s: interval %s has its low end above its high end", name, value)
	}
	e.Metric, e.Op, e.Threshold, e.High = m, OpIn, x, y
	return e, nil
}

func parseThreshold(u Unit, s string) (float64, error) {
	if s == "" {
		return 0, errors.New("missing value")
	}
	switch u {
	case UnitMS:
		d, err := time.ParseDuration(s)
		if err != nil {
			return 0, fmt.Errorf("%q is not a duration (e.g. 300ms, 1.5s)", s)
		}
		return float64(d) / float64(time.Millisecond), nil
	case UnitRatio:
		if p, ok := strings.CutSuffix(s, "%"); ok {
			// Scaled in decimal, so 99.9% is the float nearest 0.999.
			x, err := strconv.ParseFloat(p+"e-2", 64)
			if err != nil || x < 0 || x > 1 || strings.ContainsAny(p, "eE") {
				return 0, fmt.Errorf("%q is not a percentage from 0%% to 100%%", s)
			}
			return x, nil
		}
		x, err := strconv.ParseFloat(s, 64)
		if err != nil || x < 0 || x > 1 {
			return 0, fmt.Errorf("%q is not a share: write a percentage (99.9%%) or a fraction from 0 to 1", s)
		}
		return x, nil
	case UnitRate:
		s = strings.TrimSuffix(s, "/s")
	case UnitTimes:
		s = strings.TrimSuffix(s, "x")
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || x < 0 {
		return 0, fmt.Errorf("%q is not a non-negative number", s)
	}
	return x, nil
}

// Check evaluates e on v.
func (e Expect) Check(v *Variant) Expectation {
	got, ok := e.Metric.Value(v)
	if !ok {
		return Expectation{Variant: v.Name, Expr: e.Expr, Metric: e.Metric.Name, Op: e.Op, Threshold: e.Threshold, High: e.High, Missing: true}
	}
	return e.CheckValue(v.Name, got)
}

// CheckValue evaluates e on an observed value of variant.
func (e Expect) CheckValue(variant string, got float64) Expectation {
	ok := compare(got, e.Op, e.Threshold)
	if e.Op == OpIn {
		ok = got >= e.Threshold && got <= e.High
	}
	return Expectation{Variant: variant, Expr: e.Expr, Metric: e.Metric.Name, Op: e.Op, Threshold: e.Threshold, High: e.High,
		Observed: got, OK: ok}
}

// Bound returns the expectation's threshold as written, formatted by
// format: "< 300ms", or "in [99.5%, 99.9%]".
func (e Expectation) Bound(format func(float64) string) string {
	if e.Op == OpIn {
		return OpIn + " [" + format(e.Threshold) + ", " + format(e.High) + "]"
	}
	return e.Op + " " + format(e.Threshold)
}

// Missed returns the expectations of r that were not met.
func Missed(r *Result) []Expectation {
	var out []Expectation
	for _, e := range r.Expectations {
		if !e.OK {
			out = append(out, e)
		}
	}
	return out
}

func compare(a float64, op string, b float64) bool {
	switch op {
	case "<":
		return a < b
	case "<=":
		return a <= b
	case ">":
		return a > b
	case ">=":
		return a >= b
	case "==":
		return a == b
	case "!=":
		return a != b
	}
	return false
}
