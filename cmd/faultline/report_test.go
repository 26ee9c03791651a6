package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/reports"
	"github.com/faultline-sim/faultline/reports/result"
)

// sampleResult is a small result of two variants with a timeline and a fault.
func sampleResult(scenario string) *result.Result {
	second := func(i int) result.Second {
		return result.Second{Second: i, Offered: 100, Succeeded: 99, Failed: 1, P50MS: 2, P99MS: 20, ConsumerLag: int64(i)}
	}
	v := func(name string, events bool) result.Variant {
		return result.Variant{
			Name: name, EventDriven: events, WindowS: 3,
			Requests:     result.Requests{Offered: 300, Sent: 300, Succeeded: 297, Failed: 3, Errors: map[string]int64{"timeout": 3}},
			Availability: 0.99, OfferedRPS: 100, AchievedRPS: 100, ThroughputRPS: 99,
			LatencyMS: result.Percentiles{P50: 2, P90: 5, P99: 20, P999: 30, Max: 40},
			Timeline:  []result.Second{second(0), second(1), second(2)},
			Faults:    []result.Fault{{Name: "crash payment", Kind: "crash", AtS: 2, ForS: 1}},
		}
	}
	return &result.Result{
		Schema: result.Schema, Scenario: scenario, File: "scenarios/" + scenario + ".yaml", Seed: 7,
		StartedAt: time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC),
		Config:    result.RunConfig{Arrival: "constant", RateRPS: 100, DurationS: 3, WarmupS: 1, DrainS: 1, TimeoutMS: 1000},
		Variants:  []result.Variant{v("sync", false), v("events", true)},
	}
}

func writeResult(t *testing.T, dir string, r *result.Result) string {
	t.Helper()
	path, err := result.WriteFile(dir, r)
	if err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReportWritesNextToTheResults(t *testing.T) {
	dir := t.TempDir()
	path := writeResult(t, dir, sampleResult("quickstart"))
	code, stdout, stderr := run(t, "report", path)
	if code != ExitOK {
		t.Fatalf("exit %d\nstderr:\n%s", code, stderr)
	}
	for _, name := range []string{reports.MarkdownFile, reports.HTMLFile, "p99-over-time.png", "consumer-lag.png"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("report file: %v", err)
		}
	}
	for _, want := range []string{"report: " + filepath.Join(dir, reports.HTMLFile), "report: " + filepath.Join(dir, reports.MarkdownFile)} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
}

func TestReportComparesSeveralFiles(t *testing.T) {
	a := writeResult(t, filepath.Join(t.TempDir(), "a"), sampleResult("quickstart"))
	b := writeResult(t, filepath.Join(t.TempDir(), "b"), sampleResult("partition"))
	out := filepath.Join(t.TempDir(), "cmp")
	code, _, stderr := run(t, "report", a, "--out", out, b)
	if code != ExitOK {
		t.Fatalf("exit %d\nstderr:\n%s", code, stderr)
	}
	md, err := os.ReadFile(filepath.Join(out, reports.MarkdownFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"quickstart/sync", "partition/events", "partition/sync vs quickstart/sync"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
}

func TestReportBadInputExitsTwo(t *testing.T) {
	dir := t.TempDir()
	good := writeResult(t, filepath.Join(dir, "good"), sampleResult("quickstart"))
	other := sampleResult("quickstart")
	other.Schema = "faultline.result/v0"
	oldSchema := writeResult(t, filepath.Join(dir, "old"), other)
	for _, c := range []struct {
		name string
		args []string
		want []string // substrings of stderr
	}{
		{"no file", []string{"report"}, []string{"no results file given", "usage"}},
		{"bad flag", []string{"report", "--colour", good}, []string{"colour", "usage"}},
		{"missing file", []string{"report", filepath.Join(dir, "nope.json")}, []string{"nope.json: no such file"}},
		{"not JSON", []string{"report", write(t, dir, "scenario.yaml", "name: quickstart\n")}, []string{"scenario.yaml", "not a results file"}},
		{"unknown field", []string{"report", write(t, dir, "other.json", `{"schema": "`+result.Schema+`", "colour": 1}`)}, []string{"other.json", "colour"}},
		{"wrong schema", []string{"report", oldSchema}, []string{oldSchema, "faultline.result/v0", result.Schema}},
		{"a directory", []string{"report", dir}, []string{dir}},
		{"one bad of two", []string{"report", good, filepath.Join(dir, "gone.json")}, []string{"gone.json: no such file"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := run(t, c.args...)
			if code != ExitBadInput {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, ExitBadInput, stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
		})
	}
	// Nothing is written when any input is bad.
	if _, err := os.Stat(filepath.Join(filepath.Dir(good), reports.MarkdownFile)); err == nil {
		t.Error("a report was written although an input was bad")
	}
}

func TestRunWritesReport(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end run")
	}
	out := t.TempDir()
	code, stdout, stderr := run(t, "run", quickstartNoExpect(t, t.TempDir()), "--duration", "1s", "--rate", "50", "--variant", "events", "--out", out)
	if code != ExitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "report: "+filepath.Join(out, reports.HTMLFile)) {
		t.Errorf("stdout does not name the report:\n%s", stdout)
	}
	for _, name := range []string{result.FileName, reports.MarkdownFile, reports.HTMLFile, "latency-percentiles.png", "completion-percentiles.png"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("after run: %v", err)
		}
	}
}
