package reports

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/perf/benchmath"

	"github.com/faultline-sim/faultline/reports/result"
)

// Limit is how much worse a metric may get against a baseline: by a share
// of the baseline (Relative, e.g. 0.15 for +15%) or by an amount in the
// metric's unit (ms, a 0..1 share, a count).
type Limit struct {
	Metric   result.MetricDef
	Amount   float64
	Relative bool
	Text     string // as written, e.g. "+15%"
}

// DefaultLimits are the gate's limits; Limits adds to them or overrides
// them metric by metric. A limit on a metric neither side has (completion
// of a synchronous variant, consistency of a stateless one) gates nothing.
const DefaultLimits = "p99=+15%,availability=-0.1pt,throughput=-5%,completion_p99=+20%,lost=+0," +
	"consistency_p99=+20%,violations=+0"

// Off is the LIMIT that removes a metric's default limit (availability=off).
const Off = "off"

// Limits returns DefaultLimits with over applied metric by metric: each
// "metric=LIMIT" of over replaces that metric's default limit or adds one,
// and "metric=off" removes the metric's default limit, so naming one metric
// never silently stops gating the others. An empty over gives the
// defaults. Removing every limit is an error: nothing would be gated.
func Limits(over string) ([]Limit, error) {
	out, err := ParseLimits(DefaultLimits)
	if err != nil {
		return nil, err
	}
	for _, part := range strings.Split(over, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, val, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("%q: write metric=LIMIT, e.g. p99=+15%%, or metric=off", part)
		}
		m, err := result.ResolveMetric(strings.TrimSpace(name))
		if err != nil {
			return nil, err
		}
		at := slices.IndexFunc(out, func(l Limit) bool { return l.Metric.Name == m.Name })
		if val = strings.TrimSpace(val); val == Off {
			if at < 0 {
				return nil, fmt.Errorf("%s=off: %s has no limit to remove (the defaults are %s)", m.Name, m.Name, DefaultLimits)
			}
			out = slices.Delete(out, at, at+1)
			continue
		}
		l, err := parseLimit(m, val)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", m.Name, err)
		}
		if at >= 0 {
			out[at] = l
		} else {
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("every limit is off: nothing to gate")
	}
	return out, nil
}

// ParseLimits parses "metric=LIMIT,..." where LIMIT is a change in the
// metric's worse direction: "+15%" (relative), "+20ms" (a latency),
// "-0.1pt" or "-0.001" (a share: percentage points or a fraction), "+0"
// (a count). The sign may be left out; when
// written it must point the worse way (p99 worsens by growing,
// availability by falling).
func ParseLimits(s string) ([]Limit, error) {
	var out []Limit
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, val, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("%q: write metric=LIMIT, e.g. p99=+15%%", part)
		}
		m, err := result.ResolveMetric(strings.TrimSpace(name))
		if err != nil {
			return nil, err
		}
		l, err := parseLimit(m, strings.TrimSpace(val))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", m.Name, err)
		}
		out = append(out, l)
	}
	if len(out) == 0 {
		return nil, errors.New("no limits given")
	}
	return out, nil
}

func parseLimit(m result.MetricDef, s string) (Limit, error) {
	l := Limit{Metric: m, Text: s}
	worse := "+"
	if m.HigherIsBetter {
		worse = "-"
	}
	num := s
	if num != "" && (num[0] == '+' || num[0] == '-') {
		if num[:1] != worse {
			return l, fmt.Errorf("%q points the better way: %s gets worse by %s, write %s%s", s, m.Name, map[string]string{"+": "growing", "-": "falling"}[worse], worse, num[1:])
		}
		num = num[1:]
	}
	var err error
	switch {
	case strings.HasSuffix(num, "%"):
		l.Relative = true
		l.Amount, err = strconv.ParseFloat(strings.TrimSuffix(num, "%"), 64)
		l.Amount /= 100
	case strings.HasSuffix(num, "pt") && m.Unit == result.UnitRatio:
		l.Amount, err = strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(num, "pt")), 64)
		l.Amount /= 100
	case m.Unit == result.UnitMS:
		var d time.Duration
		if d, err = time.ParseDuration(num); err == nil {
			l.Amount = float64(d) / float64(time.Millisecond)
		}
	default:
		l.Amount, err = strconv.ParseFloat(num, 64)
	}
	if err != nil || l.Amount < 0 || math.IsNaN(l.Amount) || math.IsInf(l.Amount, 0) {
		return l, fmt.Errorf("%q is not a limit (e.g. +15%%, +20ms for latencies, -0.1pt for availability, +0 for counts)", s)
	}
	return l, nil
}

// GateRow is the verdict on one metric of one variant.
type GateRow struct {
	Variant string
	Limit   Limit
	// Baseline and Current are the values per repetition, sorted, and
	// their medians.
	Baseline, Current             []float64
	BaselineMedian, CurrentMedian float64
	// Worse is how much worse the current median is than the baseline's,
	// in the metric's unit (negative: better); Allowed the limit in the
	// same unit.
	Worse, Allowed float64
	// P is the Mann-Whitney U test's p-value (NaN when no test was run);
	// Test says how the verdict was reached.
	P    float64
	Test string
	// Regressed is the verdict.
	Regressed bool
	// Skipped says why the metric was not compared ("" when it was).
	Skipped string
}

// Gate compares current to baseline, variant by variant (matched by name),
// on each limit. With repetitions on both sides large enough for the
// U-test to reach alpha, a metric regresses only when its median got worse
// by more than the limit AND the difference is significant (p < alpha), so
// noise alone does not fail the gate. With fewer repetitions the medians
// are compared directly (the row says so). Counts (lost, duplicates,
// violations, stuck, ...) are not noise: the worst repetition is compared, without a test.
func Gate(current, baseline *result.Result, limits []Limit, alpha float64) ([]GateRow, error) {
	base := map[string][]*result.Variant{}
	for _, g := range ByVariant(baseline) {
		base[g[0].Name] = g
	}
	var rows []GateRow
	matched := false
	for _, cur := range ByVariant(current) {
		b, ok := base[cur[0].Name]
		if !ok {
			continue
		}
		matched = true
		for _, l := range limits {
			if r := gateRow(cur, b, l, alpha); len(r.Current)+len(r.Baseline) > 0 {
				rows = append(rows, r) // else: not a metric of this variant
			}
		}
	}
	if !matched {
		return nil, fmt.Errorf("no variant in common (current: %s; baseline: %s)", variantNames(current), variantNames(baseline))
	}
	return rows, nil
}

func variantNames(r *result.Result) string {
	var names []string
	for _, g := range ByVariant(r) {
		names = append(names, g[0].Name)
	}
	return strings.Join(names, ", ")
}

func values(vs []*result.Variant, m result.MetricDef) []float64 {
	var xs []float64
	for _, v := range vs {
		if v.Error != "" {
			continue
		}
		if x, ok := m.Value(v); ok {
			xs = append(xs, x)
		}
	}
	slices.Sort(xs)
	return xs
}

func gateRow(cur, base []*result.Variant, l Limit, alpha float64) GateRow {
	r := GateRow{Variant: cur[0].Name, Limit: l, P: math.NaN()}
	r.Current, r.Baseline = values(cur, l.Metric), values(base, l.Metric)
	if len(r.Current) == 0 || len(r.Baseline) == 0 {
		r.Skipped = "measured on one side only"
		return r
	}
	r.CurrentMedian, r.BaselineMedian = median(r.Current), median(r.Baseline)
	sign := 1.0
	if l.Metric.HigherIsBetter {
		sign = -1
	}
	r.Allowed = l.Amount
	if l.Relative {
		r.Allowed = l.Amount * math.Abs(r.BaselineMedian)
	}
	if l.Metric.Unit == result.UnitCount {
		worst := func(xs []float64) float64 { return xs[len(xs)-1] }
		r.Worse = worst(r.Current) - worst(r.Baseline)
		r.Regressed = r.Worse > r.Allowed
		r.Test = "worst repetition, no test (a count is not noise)"
		return r
	}
	r.Worse = sign * (r.CurrentMedian - r.BaselineMedian)
	exceeds := r.Worse > r.Allowed
	if need := uTestMinSamples(alpha); len(r.Current) < need || len(r.Baseline) < need {
		r.Regressed = exceeds
		r.Test = fmt.Sprintf("medians, no test (needs >= %d repetitions per side)", need)
		return r
	}
	th := benchmath.DefaultThresholds
	th.CompareAlpha = alpha
	c := benchmath.AssumeNothing.Compare(benchmath.NewSample(slices.Clone(r.Baseline), &th), benchmath.NewSample(slices.Clone(r.Current), &th))
	r.P = c.P
	r.Test = "Mann-Whitney U"
	r.Regressed = exceeds && c.P < alpha
	return r
}

// uTestMinSamples is the fewest repetitions per side with which the
// Mann-Whitney U test can reach alpha: the smallest p-value it can give
// for n against n is 2/C(2n, n).
func uTestMinSamples(alpha float64) int {
	for n := 2; n < 50; n++ {
		if 2/binomial(2*n, n) <= alpha {
			return n
		}
	}
	return 50
}

func binomial(n, k int) float64 {
	r := 1.0
	for i := 1; i <= k; i++ {
		r = r * float64(n-k+i) / float64(i)
	}
	return r
}

// Regressions counts the rows that regressed.
func Regressions(rows []GateRow) int {
	n := 0
	for _, r := range rows {
		if r.Regressed {
			n++
		}
	}
	return n
}
