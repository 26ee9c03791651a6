package result

import "testing"

// TestMeasuresAreConsistent checks the one list of measures: metric names,
// table rows, summary rows and benchmark units each appear once, every
// benchmark unit reads a metric, and every metric resolves by its name to
// the same definition expectations and gates use.
func TestMeasuresAreConsistent(t *testing.T) {
	seen := map[string]bool{}
	once := func(kind, name string) {
		if seen[kind+" "+name] {
			t.Errorf("%s %q appears twice in measures", kind, name)
		}
		seen[kind+" "+name] = true
	}
	for _, m := range measures {
		if m.Name != "" {
			once("metric", m.Name)
			if m.get == nil {
				t.Errorf("metric %q has no value", m.Name)
			}
			d, err := ResolveMetric(m.Name)
			if err != nil || d.Unit != m.Unit || d.Events != m.Events || d.Stateful != m.Stateful {
				t.Errorf("ResolveMetric(%q) = %+v, %v; want the measure's definition", m.Name, d, err)
			}
		}
		if m.table.Name != "" {
			once("table row", m.table.Name)
			if m.table.Cell == nil {
				t.Errorf("table row %q has no cell", m.table.Name)
			}
		}
		if m.summary.Name != "" {
			once("summary row", m.summary.Name)
			if (m.summary.Value == nil) == (m.summary.Text == nil) {
				t.Errorf("summary row %q needs a value or a text, not both", m.summary.Name)
			}
		}
		if m.bench.unit != "" {
			once("bench unit", m.bench.unit)
			if m.Name == "" {
				t.Errorf("bench unit %q reads no metric", m.bench.unit)
			}
		}
	}
	if len(metrics) == 0 || len(tableRows) == 0 || len(summaryRows) == 0 || len(benchMetrics) == 0 {
		t.Fatalf("a view of measures is empty: %d metrics, %d table rows, %d summary rows, %d bench units",
			len(metrics), len(tableRows), len(summaryRows), len(benchMetrics))
	}
}
