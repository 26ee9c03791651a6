package reports

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"unicode"

	"github.com/faultline-sim/faultline/reports/result"
)

// BenchName returns the Go benchmark name of a scenario: "Benchmark" and
// the name in camel case, letters and digits only ("broker-node-loss" →
// "BenchmarkBrokerNodeLoss").
func BenchName(scenario string) string {
	var b strings.Builder
	b.WriteString("Benchmark")
	up := true
	for _, r := range scenario {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if up {
				r = unicode.ToUpper(r)
			}
			b.WriteRune(r)
			up = false
		default:
			up = true
		}
	}
	return b.String()
}

// WriteBenchstat writes r in the Go benchmark format, one line per variant
// and repetition, so that `benchstat old.txt new.txt` compares two runs:
//
//	BenchmarkQuickstart/variant=sync 1 10.9 p50-ms ... 152.2 p99-ms 100 avail-% 200 ok-ops/s
//
// The iteration count is 1: each line is one measured run, not a loop.
func WriteBenchstat(w io.Writer, r *result.Result) error {
	fmt.Fprintf(w, "goos: %s\ngoarch: %s\npkg: faultline/scenarios\n", r.Environment.GOOS, r.Environment.GOARCH)
	if r.Environment.CPUs > 0 {
		fmt.Fprintf(w, "cpu: %d CPUs\n", r.Environment.CPUs)
	}
	name := BenchName(r.Scenario)
	for i := range r.Variants {
		v := &r.Variants[i]
		if v.Error != "" {
			continue // a variant that did not run has nothing to compare
		}
		fmt.Fprintf(w, "%s/variant=%s 1", name, v.Name)
		for _, m := range result.BenchMetrics() {
			if m.Metric.Events && !v.EventDriven {
				continue
			}
			if x, ok := m.Metric.Value(v); ok {
				fmt.Fprintf(w, " %s %s", result.Trim(x*m.Scale), m.Unit)
			}
		}
		if _, err := fmt.Fprintln(w); err != nil {
			return err
		}
	}
	return nil
}

// bmfValue is one measure in Bencher Metric Format.
type bmfValue struct {
	Value      float64  `json:"value"`
	LowerValue *float64 `json:"lower_value,omitempty"`
	UpperValue *float64 `json:"upper_value,omitempty"`
}

// WriteBMF writes r as Bencher Metric Format JSON: one benchmark per
// variant ("quickstart/sync"), one measure per metric. With repetitions the
// value is their median and lower/upper their extremes.
func WriteBMF(w io.Writer, r *result.Result) error {
	out := map[string]map[string]bmfValue{}
	for _, group := range ByVariant(r) {
		measures := map[string]bmfValue{}
		for _, m := range result.BenchMetrics() {
			var xs []float64
			for _, v := range group {
				if m.Metric.Events && !v.EventDriven || v.Error != "" {
					continue
				}
				if x, ok := m.Metric.Value(v); ok {
					xs = append(xs, math.Round(x*m.Scale*1e3)/1e3) // to the microsecond
				}
			}
			if len(xs) == 0 {
				continue
			}
			slices.Sort(xs)
			bv := bmfValue{Value: median(xs)}
			if len(xs) > 1 {
				lo, hi := xs[0], xs[len(xs)-1]
				bv.LowerValue, bv.UpperValue = &lo, &hi
			}
			measures[m.Unit] = bv
		}
		if len(measures) > 0 {
			out[r.Scenario+"/"+group[0].Name] = measures
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// ByVariant groups r's variants by name, repetitions together, in order of
// first appearance.
func ByVariant(r *result.Result) [][]*result.Variant {
	var out [][]*result.Variant
	at := map[string]int{}
	for i := range r.Variants {
		v := &r.Variants[i]
		j, ok := at[v.Name]
		if !ok {
			j = len(out)
			at[v.Name] = j
			out = append(out, nil)
		}
		out[j] = append(out[j], v)
	}
	return out
}

// median of sorted xs; of an even count, the mean of the middle two.
func median(xs []float64) float64 {
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}
