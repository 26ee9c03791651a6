package reports

import (
	"path/filepath"
	"testing"

	"github.com/faultline-sim/faultline/reports/result"
	"github.com/faultline-sim/faultline/reports/result/resulttest"
)

// gateRows gates cur against base with the default limits and returns the
// rows by variant and metric.
func gateRows(t *testing.T, cur, base *result.Result, over string) map[[2]string]GateRow {
	t.Helper()
	limits, err := Limits(over)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := Gate(cur, base, limits, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	out := map[[2]string]GateRow{}
	for _, r := range rows {
		out[[2]string{r.Variant, r.Limit.Metric.Name}] = r
	}
	return out
}

// TestGateConsistencyCounts: one double charge where the baseline had none
// fails the default gate, as one lost event does, on violations (and on
// double_charges when it is named); the other kinds, unchanged, pass; a
// stateless variant gets no consistency rows.
func TestGateConsistencyCounts(t *testing.T) {
	base, cur := resulttest.Stateful(), resulttest.Stateful()
	for i := range base.Variants {
		if c := base.Variants[i].Consistency; c != nil && c.DoubleCharges > 0 {
			c.Violations -= c.DoubleCharges
			c.DoubleCharges = 0
		}
	}
	every := ""
	for _, k := range result.ConsistencyKinds {
		every += "," + k + "=+0"
	}
	rows := gateRows(t, cur, base, every[1:])
	for _, name := range []string{"double_charges", "violations"} {
		r, ok := rows[[2]string{"choreography", name}]
		if !ok || !r.Regressed || r.Worse != 1 || r.Allowed != 0 {
			t.Errorf("choreography %s, 1 against 0: %+v (present %v), want regressed by 1 over a limit of 0", name, r, ok)
		}
	}
	for key, r := range rows {
		if r.Regressed && key[0] != "choreography" {
			t.Errorf("%v regressed: %+v", key, r)
		}
		if key[0] == "stateless" && r.Limit.Metric.Stateful {
			t.Errorf("stateless variant gated on %s: %+v", key[1], r)
		}
	}
	for _, k := range append([]string{"violations", "consistency_p99"}, result.ConsistencyKinds...) {
		if r, ok := rows[[2]string{"orchestrated", k}]; !ok || r.Regressed || r.Skipped != "" {
			t.Errorf("orchestrated %s against itself: %+v (present %v), want compared and ok", k, r, ok)
		}
	}
	// A count compares the worst repetition, as lost does.
	if r := rows[[2]string{"orchestrated", "stuck"}]; r.Test != "worst repetition, no test (a count is not noise)" {
		t.Errorf("stuck compared by %q", r.Test)
	}
	// By default violations fails alone; with violations allowed +1, nothing does.
	rows = gateRows(t, cur, base, "")
	if !rows[[2]string{"choreography", "violations"}].Regressed {
		t.Errorf("default limits: 1 violation against 0 passed")
	}
	if _, ok := rows[[2]string{"choreography", "double_charges"}]; ok {
		t.Errorf("default limits gate double_charges on its own: one violation would fail twice")
	}
	rows = gateRows(t, cur, base, "violations=+1")
	if Regressions(mapRows(rows)) > 0 {
		t.Errorf("violations=+1: %d regressions", Regressions(mapRows(rows)))
	}
}

func mapRows(m map[[2]string]GateRow) []GateRow {
	var out []GateRow
	for _, r := range m {
		out = append(out, r)
	}
	return out
}

// TestGateReadsV1Baselines gates a result against a v1 baseline, as read
// from a file: it has no consistency block, so consistency rows are
// skipped as measured on one side only, and nothing fails for it.
func TestGateReadsV1Baselines(t *testing.T) {
	old := resulttest.Stateful()
	old.Schema = result.SchemaV1
	for i := range old.Variants {
		old.Variants[i].Consistency = nil
		old.Variants[i].Histograms.TimeToConsistency = ""
	}
	path, err := result.WriteFile(filepath.Join(t.TempDir(), "v1"), old)
	if err != nil {
		t.Fatal(err)
	}
	base, err := result.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rows := gateRows(t, resulttest.Stateful(), base, "")
	for key, r := range rows {
		if r.Limit.Metric.Stateful && r.Skipped != "measured on one side only" {
			t.Errorf("%v against a v1 baseline: %+v, want skipped", key, r)
		}
		if r.Regressed {
			t.Errorf("%v regressed: %+v", key, r)
		}
	}
	if _, ok := rows[[2]string{"choreography", "violations"}]; !ok {
		t.Errorf("no violations row for choreography: the skip should be shown")
	}
	// The shipped baseline is v1 and gates against itself.
	shipped, err := result.ReadFile("../scenarios/quickstart.baseline.json")
	if err != nil {
		t.Fatal(err)
	}
	if rows := gateRows(t, shipped, shipped, ""); len(rows) == 0 || Regressions(mapRows(rows)) != 0 {
		t.Errorf("the shipped v1 baseline against itself: %d rows, %d regressions", len(rows), Regressions(mapRows(rows)))
	}
}
