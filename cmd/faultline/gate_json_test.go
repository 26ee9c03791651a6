package main

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/reports/result"
)

// updateGate rewrites the gate's golden files in testdata (go test
// -update-gate); named apart from other golden flags of the package.
var updateGate = flag.Bool("update-gate", false, "rewrite the gate golden files in testdata")

// checkGateGolden compares got with the golden file at path.
func checkGateGolden(t *testing.T, path, got string) {
	t.Helper()
	if *updateGate {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update-gate to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (run go test -update-gate after checking it):\n--- got\n%s--- want\n%s", path, got, want)
	}
}

// gatePair writes a baseline and a current run (p99 +30 ms, availability
// 100% → 70%, five repetitions each) into dir as base.json and cur.json,
// so that relative paths in the outputs stay the same run to run.
func gatePair(t *testing.T, dir string) {
	t.Helper()
	for name, r := range map[string]*result.Result{"base": gateResult(5, 150, 1), "cur": gateResult(5, 180, 0.7)} {
		p, err := result.WriteFile(filepath.Join(dir, name), r)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(p, filepath.Join(dir, name+".json")); err != nil {
			t.Fatal(err)
		}
	}
}

// The verdict is written as JSON (--json) and as Markdown appended to
// $GITHUB_STEP_SUMMARY, per variant and metric, with the text table
// unchanged. Before, gate had no --json and wrote no step summary.
func TestGateWritesJSONAndStepSummary(t *testing.T) {
	dir := t.TempDir()
	gatePair(t, dir)
	testdata, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir) // paths in the outputs are relative, so stable
	summary := filepath.Join(dir, "summary.md")
	if err := os.WriteFile(summary, []byte("earlier step\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(stepSummaryEnv, summary)
	code, stdout, stderr := run(t, "gate", "cur.json", "--baseline", "base.json", "--json", "out/gate.json")
	if code != ExitExpect || !strings.Contains(stdout, "REGRESSED") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	data, err := os.ReadFile("out/gate.json")
	if err != nil {
		t.Fatal(err)
	}
	var v gateVerdict
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	if v.Verdict != verdictFail || v.ExitCode != ExitExpect || v.Regressions == 0 || len(v.Rows) == 0 {
		t.Errorf("decoded: %+v", v)
	}
	checkGateGolden(t, filepath.Join(testdata, "gate.json"), string(data))
	md, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(md), "earlier step\n") {
		t.Errorf("the step summary was overwritten, not appended to:\n%s", md)
	}
	checkGateGolden(t, filepath.Join(testdata, "gate-summary.md"), strings.TrimPrefix(string(md), "earlier step\n"))
}

// Interrupted results, current or baseline, are refused (exit 2) with the
// reason, also in --json. Before, an interrupted current run failed the
// gate (exit 1) and an interrupted baseline was gated against.
func TestGateRefusesInterruptedResults(t *testing.T) {
	for _, side := range []string{"current", "baseline"} {
		cur, base := gateResult(5, 150, 1), gateResult(5, 150, 1)
		map[string]*result.Result{"current": cur, "baseline": base}[side].Interrupted = true
		curPath, basePath := writeGateResult(t, cur), writeGateResult(t, base)
		out := filepath.Join(t.TempDir(), "gate.json")
		code, stdout, stderr := run(t, "gate", curPath, "--baseline", basePath, "--json", out)
		want := map[string]string{"current": curPath, "baseline": basePath}[side] + ": the run was interrupted"
		if code != ExitBadInput || !strings.Contains(stderr, want) {
			t.Errorf("%s interrupted: exit %d, want 2 and %q\nstdout:\n%s\nstderr:\n%s", side, code, want, stdout, stderr)
			continue
		}
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		var v gateVerdict
		if err := json.Unmarshal(data, &v); err != nil {
			t.Fatal(err)
		}
		if v.Verdict != verdictRefused || v.ExitCode != ExitBadInput || len(v.Refused) != 1 || !strings.Contains(v.Refused[0], want) {
			t.Errorf("%s interrupted: json %s", side, data)
		}
	}
}

// gate --update writes the current results as the baseline with the reason,
// date and source recorded; it needs --reason and refuses interrupted or
// failed runs. The next gate prints where the baseline came from.
func TestGateUpdateWritesBaselineWithReason(t *testing.T) {
	dir := t.TempDir()
	cur := writeGateResult(t, gateResult(5, 150, 1))
	base := filepath.Join(dir, "ci", "baseline.json")
	if code, _, stderr := run(t, "gate", cur, "--baseline", base, "--update"); code != ExitBadInput || !strings.Contains(stderr, "--reason is required") {
		t.Errorf("no reason: exit %d, %s", code, stderr)
	}
	if _, err := os.Stat(base); !os.IsNotExist(err) {
		t.Fatalf("written without a reason: %v", err)
	}
	before := time.Now().UTC().Add(-time.Second)
	code, stdout, stderr := run(t, "gate", cur, "--baseline", base, "--update", "--reason", "payment got a cache")
	if code != ExitOK || !strings.Contains(stdout, "baseline: wrote "+base) {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	got, err := result.ReadFile(base)
	if err != nil {
		t.Fatal(err)
	}
	if b := got.Baseline; b == nil || b.Reason != "payment got a cache" || b.Source != cur || b.Date.Before(before) || len(got.Variants) != 10 {
		t.Fatalf("baseline: %+v, %d variants", got.Baseline, len(got.Variants))
	}
	code, stdout, stderr = run(t, "gate", cur, "--baseline", base)
	if code != ExitOK || !strings.Contains(stdout, "from "+cur+": payment got a cache") {
		t.Errorf("gate against the new baseline: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}

	interrupted := gateResult(5, 150, 1)
	interrupted.Interrupted = true
	failed := gateResult(5, 150, 1)
	failed.Variants[2].Error = "broker did not start"
	for name, r := range map[string]*result.Result{"interrupted": interrupted, "failed": failed} {
		code, _, stderr := run(t, "gate", writeGateResult(t, r), "--baseline", base, "--update", "--reason", "x")
		if code != ExitBadInput || !strings.Contains(stderr, "cannot become a baseline") {
			t.Errorf("%s: exit %d, %s", name, code, stderr)
		}
	}
	if got2, err := result.ReadFile(base); err != nil || got2.Baseline.Reason != "payment got a cache" {
		t.Errorf("a refused update changed the baseline: %v", err)
	}
}

// An interrupted run exits 130 (ExitInterrupted), whatever else happened;
// its results are written and marked. Before, it exited 0.
func TestRunInterruptedExits130(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end run")
	}
	out := filepath.Join(t.TempDir(), "out")
	// Cancelled well inside the 5 s load (warm-up included), however slow
	// the machine's start-up: the run cannot finish before it.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	code, stdout, stderr := runCtx(ctx, "run", quickstartNoExpect(t, t.TempDir()), "--duration", "5s", "--rate", "50", "--variant", "sync", "--out", out, "--quiet")
	if code != ExitInterrupted {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, ExitInterrupted, stdout, stderr)
	}
	res, err := result.ReadFile(filepath.Join(out, result.FileName))
	if err != nil || !res.Interrupted {
		t.Errorf("results: %v, interrupted %v", err, res != nil && res.Interrupted)
	}
}

// runCtx is run with a context.
func runCtx(ctx context.Context, args ...string) (code int, stdout, stderr string) {
	var o, e strings.Builder
	code = Main(ctx, args, &o, &e)
	return code, o.String(), e.String()
}
