package result_test

import (
	"strings"
	"testing"

	"github.com/faultline-sim/faultline/reports/result"
	"github.com/faultline-sim/faultline/reports/result/resulttest"
)

// variant returns the variant of r named name.
func variant(t *testing.T, r *result.Result, name string) *result.Variant {
	t.Helper()
	for i := range r.Variants {
		if r.Variants[i].Name == name {
			return &r.Variants[i]
		}
	}
	t.Fatalf("no variant %s", name)
	return nil
}

func TestParseExpectConsistency(t *testing.T) {
	for _, c := range []struct {
		expr, metric, op string
		threshold        float64
		unit             result.Unit
	}{
		{"violations == 0", "violations", "==", 0, result.UnitCount},
		{"stuck == 0", "stuck", "==", 0, result.UnitCount},
		{"double_charges <= 2", "double_charges", "<=", 2, result.UnitCount},
		{"orphan_charges == 0", "orphan_charges", "==", 0, result.UnitCount},
		{"orphan_reservations < 1", "orphan_reservations", "<", 1, result.UnitCount},
		{"confirmed_unpaid == 0", "confirmed_unpaid", "==", 0, result.UnitCount},
		{"negative_stock == 0", "negative_stock", "==", 0, result.UnitCount},
		{"consistency_p99 < 1s", "consistency_p99", "<", 1000, result.UnitMS},
		{"consistency_p50<250ms", "consistency_p50", "<", 250, result.UnitMS},
	} {
		e, err := result.ParseExpect(c.expr)
		if err != nil {
			t.Errorf("%q: %v", c.expr, err)
			continue
		}
		m := e.Metric
		if m.Name != c.metric || e.Op != c.op || e.Threshold != c.threshold || m.Unit != c.unit || !m.Stateful || m.Events || m.HigherIsBetter {
			t.Errorf("%q = {%s %s %v unit %v stateful %v events %v higher %v}, want {%s %s %v unit %v}, stateful, lower is better",
				c.expr, m.Name, e.Op, e.Threshold, m.Unit, m.Stateful, m.Events, m.HigherIsBetter, c.metric, c.op, c.threshold, c.unit)
		}
	}
	for expr, msg := range map[string]string{
		"consistency_p99 < 300":    "is not a duration",
		"violations < -1":          "not a non-negative number",
		"double_charge == 0":       `unknown metric "double_charge"`,
		"consistency_p90 < 1s":     `unknown metric "consistency_p90"`,
		"faults[0].violations < 1": "after faults[N]. comes one of",
	} {
		if _, err := result.ParseExpect(expr); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%q: error %v, want it to contain %q", expr, err, msg)
		}
	}
	// The list of metrics in the error names them all.
	_, err := result.ParseExpect("colour == 0")
	for _, name := range append([]string{"violations", "consistency_p50", "consistency_p99"}, result.ConsistencyKinds...) {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("unknown metric error %v does not list %s", err, name)
		}
	}
}

// TestConsistencyMetrics reads each consistency metric off the stateful
// fixture: every violation kind is a metric equal to its count, the sum
// is violations, and a variant without a block, or whose stores could not
// be read, has none of them.
func TestConsistencyMetrics(t *testing.T) {
	r := resulttest.Stateful()
	orch, plain := variant(t, r, "orchestrated"), variant(t, r, "stateless")
	if len(result.ConsistencyKinds) != 8 {
		t.Fatalf("%d violation kinds, want 8", len(result.ConsistencyKinds))
	}
	for _, v := range []*result.Variant{orch, variant(t, r, "choreography")} {
		c := v.CheckedConsistency()
		if c == nil {
			t.Fatalf("%s has no consistency block", v.Name)
		}
		sum := int64(0)
		for _, k := range result.ConsistencyKinds {
			n, ok := c.Count(k)
			if !ok {
				t.Fatalf("Count(%q) unknown", k)
			}
			sum += n
			m, err := result.ResolveMetric(k)
			if err != nil {
				t.Fatal(err)
			}
			if x, ok := m.Value(v); !ok || x != float64(n) {
				t.Errorf("%s of %s = %v, %v; want %d", k, v.Name, x, ok, n)
			}
		}
		if sum != c.Violations {
			t.Errorf("%s: kinds sum to %d, violations %d", v.Name, sum, c.Violations)
		}
	}
	if _, ok := (&result.Consistency{}).Count("violations"); ok {
		t.Error(`Count("violations"): the sum is not a kind`)
	}
	for name, want := range map[string]float64{"violations": 14, "stuck": 5, "orphan_charges": 7, "double_charges": 0, "consistency_p50": 12.5, "consistency_p99": 850.25} {
		m, err := result.ResolveMetric(name)
		if err != nil {
			t.Fatal(err)
		}
		if x, ok := m.Value(orch); !ok || x != want {
			t.Errorf("%s of orchestrated = %v, %v; want %v", name, x, ok, want)
		}
		if x, ok := m.Value(plain); ok {
			t.Errorf("%s of a stateless variant = %v, want no value", name, x)
		}
		unread := *orch
		unread.Consistency = &result.Consistency{Error: "payment: open store: permission denied", Violations: 3}
		if x, ok := m.Value(&unread); ok {
			t.Errorf("%s of a variant whose stores could not be read = %v, want no value", name, x)
		}
	}
	// Nothing became consistent: counts, but no time to consistency.
	none := *orch
	none.Consistency = &result.Consistency{Operations: 10, Stuck: 10, Violations: 10}
	for name, has := range map[string]bool{"stuck": true, "violations": true, "consistency_p50": false, "consistency_p99": false} {
		m, _ := result.ResolveMetric(name)
		if _, ok := m.Value(&none); ok != has {
			t.Errorf("%s with nothing consistent: has a value %v, want %v", name, ok, has)
		}
	}
}

// TestExpectConsistency checks expectations on consistency metrics: a
// double charge misses "double_charges == 0"; a stateless variant has no
// value, so the expectation fails as absent, as completion_p99 on a
// synchronous variant does.
func TestExpectConsistency(t *testing.T) {
	r := resulttest.Stateful()
	for _, c := range []struct {
		variant, expr string
		ok, missing   bool
		observed      float64
	}{
		{"choreography", "double_charges == 0", false, false, 1},
		{"choreography", "violations <= 1", true, false, 1},
		{"orchestrated", "stuck == 0", false, false, 5},
		{"orchestrated", "consistency_p99 < 1s", true, false, 850.25},
		{"orchestrated", "consistency_p50 in [10ms, 15ms]", true, false, 12.5},
		{"stateless", "violations == 0", false, true, 0},
		{"stateless", "consistency_p99 < 1s", false, true, 0},
	} {
		e, err := result.ParseExpect(c.expr)
		if err != nil {
			t.Fatal(err)
		}
		got := e.Check(variant(t, r, c.variant))
		if got.OK != c.ok || got.Missing != c.missing || got.Observed != c.observed {
			t.Errorf("%s: %q = %+v, want ok %v missing %v observed %v", c.variant, c.expr, got, c.ok, c.missing, c.observed)
		}
	}
}

// TestConsistencyRows checks the table and summary rows of the consistency
// measures: the violations with their kinds, "-" for a stateless variant,
// n/a for one whose stores could not be read; results without stateful
// variants show "-" throughout, so tables leave the rows out.
func TestConsistencyRows(t *testing.T) {
	r := resulttest.Stateful()
	plain := variant(t, r, "stateless")
	broken := *plain
	broken.Consistency = &result.Consistency{Error: "inventory: open store: disk full"}
	cells := map[string][]string{}
	for _, row := range result.TableRows() {
		for _, v := range []*result.Variant{variant(t, r, "orchestrated"), variant(t, r, "choreography"), plain, &broken} {
			cells[row.Name] = append(cells[row.Name], row.Cell(v))
		}
	}
	for name, want := range map[string][]string{
		"violations":      {"14 (orphan_charges 7, orphan_reservations 2, stuck 5)", "1 (double_charges 1)", "-", result.NA},
		"consistency p50": {"12.5ms", "20.0ms", "-", result.NA},
		"consistency p99": {"850.2ms", "300.0ms", "-", result.NA},
	} {
		if got := cells[name]; strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("table row %q = %q, want %q", name, got, want)
		}
	}
	for _, v := range resulttest.Fixture().Variants {
		for _, name := range []string{"violations", "consistency p50", "consistency p99"} {
			for _, row := range result.TableRows() {
				if row.Name == name && row.Cell(&v) != "-" {
					t.Errorf("table row %q of stateless variant %s = %q, want -", name, v.Name, row.Cell(&v))
				}
			}
		}
	}
	found := 0
	for _, row := range result.SummaryRows() {
		switch row.Name {
		case "consistency violations", "time to consistency p50", "time to consistency p99":
			found++
			if _, ok := row.Value(plain); ok || row.Missing(plain) != "" {
				t.Errorf("summary row %q of a stateless variant has a value", row.Name)
			}
			if _, ok := row.Value(&broken); ok || row.Missing(&broken) != result.NA {
				t.Errorf("summary row %q of a variant whose stores could not be read: want %s", row.Name, result.NA)
			}
		}
	}
	if found != 3 {
		t.Errorf("%d consistency summary rows, want 3", found)
	}
}
