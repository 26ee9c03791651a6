package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/faultline-sim/faultline/reports/result"
)

// writeReps writes a results file of variant "sync" with one repetition
// per p99 value.
func writeReps(t *testing.T, dir string, p99s ...float64) string {
	t.Helper()
	r := &result.Result{Schema: result.Schema, Scenario: "q", Variants: []result.Variant{}}
	for i, p := range p99s {
		r.Variants = append(r.Variants, result.Variant{Name: "sync", Repetition: i + 1,
			Requests: result.Requests{Offered: 100, Succeeded: 100}, Availability: 1, ThroughputRPS: 100,
			LatencyMS: result.Percentiles{P99: p}})
	}
	path, err := result.WriteFile(dir, r)
	if err != nil {
		t.Fatal(err)
	}
	return path
}

func TestGateExitCodes(t *testing.T) {
	base := writeReps(t, t.TempDir(), 150, 152, 149, 151, 150)
	same := writeReps(t, t.TempDir(), 151, 149, 150, 152, 150)
	worse := writeReps(t, t.TempDir(), 300, 310, 305, 298, 302)

	code, stdout, stderr := run(t, "gate", same, "--baseline", base)
	if code != ExitOK || !strings.Contains(stdout, "Mann-Whitney U") {
		t.Errorf("same: exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, stdout, stderr = run(t, "gate", worse, "--baseline", base, "--max", "p99=+15%")
	if code != ExitExpect || !strings.Contains(stdout, "REGRESSED") || !strings.Contains(stderr, "1 metric(s) regressed") {
		t.Errorf("worse: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, args := range [][]string{
		{"gate", worse},                            // no baseline
		{"gate", "--baseline", base},               // no current
		{"gate", worse, "--baseline", "nope.json"}, // unreadable
		{"gate", worse, "--baseline", base, "--max", "p99=-1%"},
		{"gate", worse, "--baseline", base, "--alpha", "2"},
		{"gate", worse, "--baseline", filepath.Join("testdata", "nope")},
	} {
		if code, _, stderr := run(t, args...); code != ExitBadInput || !strings.HasPrefix(stderr, "faultline gate: ") {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
		}
	}
}

func TestReportFormatPrintsBenchstat(t *testing.T) {
	path := writeReps(t, t.TempDir(), 150, 160)
	code, stdout, stderr := run(t, "report", path, "--format", "benchstat")
	if code != ExitOK || strings.Count(stdout, "BenchmarkQ/variant=sync 1 ") != 2 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if code, _, _ := run(t, "report", path, "--format", "xml"); code != ExitBadInput {
		t.Errorf("--format xml: exit %d", code)
	}
}

// The shipped baseline is a results file of schema v1, written before the
// consistency block: gate and report still read it, and a v2 result is
// gated against it.
func TestShippedV1BaselineIsRead(t *testing.T) {
	const shipped = "../../scenarios/quickstart.baseline.json"
	base, err := result.ReadFile(shipped)
	if err != nil {
		t.Fatal(err)
	}
	if base.Schema != result.SchemaV1 {
		t.Fatalf("%s: schema %s, want %s (the test needs a v1 file)", shipped, base.Schema, result.SchemaV1)
	}
	code, stdout, stderr := run(t, "gate", shipped, "--baseline", shipped)
	if code != ExitOK || strings.Contains(stdout+stderr, "schema") {
		t.Errorf("gate v1 against itself: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	cur := *base
	cur.Schema, cur.Baseline = result.Schema, nil
	path, err := result.WriteFile(t.TempDir(), &cur)
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = run(t, "gate", path, "--baseline", shipped)
	if code != ExitOK {
		t.Errorf("gate v2 against the v1 baseline: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	out := t.TempDir()
	if code, _, stderr := run(t, "report", shipped, "--out", out); code != ExitOK {
		t.Errorf("report of the v1 baseline: exit %d: %s", code, stderr)
	}
}
