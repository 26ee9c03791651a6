package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/reports"
	"github.com/faultline-sim/faultline/reports/result"
)

// tinyFolder writes a folder of scenarios on the one-hop topology, each
// given as name and extra lines (expect, duration), plus a topology file
// and a file that is no scenario, which a folder run must skip. It returns
// the folder.
func tinyFolder(t *testing.T, scenarios ...[2]string) string {
	t.Helper()
	dir := t.TempDir()
	topo, err := filepath.Abs("../../topologies/one-hop.yaml")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(topo)
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, "one-hop-topology.yaml", string(data))
	write(t, dir, "notes.txt", "not a scenario\n")
	for _, s := range scenarios {
		write(t, dir, s[0]+".yaml", "name: "+s[0]+"\ndescription: tiny "+s[0]+"\nwarmup: 0s\ndrain: 1s\nload: {rate: 50}\n"+
			"variants: [{name: a, topology: "+topo+"}]\n"+s[1])
	}
	return dir
}

func TestRunFolder(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end run")
	}
	dir := tinyFolder(t,
		[2]string{"beta", "duration: 1s\nexpect:\n  a: {p99: '< 0s'}\n"}, // misses
		[2]string{"alpha", "duration: 2s\nexpect:\n  a: {availability: '>= 0%'}\n"},
	)
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := run(t, "run", dir, "--out", out, "--duration", "1s", "--seed", "3")
	if code != ExitExpect {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, ExitExpect, stdout, stderr)
	}
	// Sorted by file name, each in its own subfolder.
	if a, b := strings.Index(stdout, "faultline: alpha"), strings.Index(stdout, "faultline: beta"); a < 0 || b < a {
		t.Errorf("alpha should run before beta:\n%s", stdout)
	}
	for _, name := range []string{"alpha", "beta"} {
		res, err := result.ReadFile(filepath.Join(out, name, result.FileName))
		if err != nil {
			t.Fatal(err)
		}
		if res.Config.DurationS != 1 || res.Seed != 3 {
			t.Errorf("%s: duration %v s, seed %d; want the flags' 1 s and 3", name, res.Config.DurationS, res.Seed)
		}
		if want := "faultline run " + filepath.Join(dir, name+".yaml") + " --duration 1s --seed 3"; res.Command != want {
			t.Errorf("%s: command %q, want %q", name, res.Command, want)
		}
		for _, f := range []string{reports.HTMLFile, reports.MarkdownFile} {
			if _, err := os.Stat(filepath.Join(out, name, f)); err != nil {
				t.Error(err)
			}
		}
	}
	md := read(t, filepath.Join(out, reports.SummaryMarkdownFile))
	page := read(t, filepath.Join(out, reports.SummaryHTMLFile))
	for _, w := range []string{"| alpha | tiny alpha | a | 1/1 met: pass |", "| beta | tiny beta | a | 0/1 met: FAIL |",
		"(alpha/report.html)", "(beta/report.md)", "2 scenario(s): 1 passed, 1 failed"} {
		if !strings.Contains(md, w) {
			t.Errorf("index.md lacks %q:\n%s", w, md)
		}
	}
	for _, w := range []string{`href="alpha/report.html"`, `href="beta/report.md"`, "availability "} {
		if !strings.Contains(page, w) {
			t.Errorf("index.html lacks %q", w)
		}
	}
	for _, w := range []string{"summary: " + filepath.Join(out, reports.SummaryHTMLFile), "expectation missed"} {
		if !strings.Contains(stdout, w) {
			t.Errorf("stdout lacks %q:\n%s", w, stdout)
		}
	}
	if !strings.Contains(stderr, "beta.yaml:") {
		t.Errorf("stderr does not name the missed expectation's file:\n%s", stderr)
	}
}

func TestRunFolderInterrupted(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end run")
	}
	dir := tinyFolder(t, [2]string{"first", "duration: 4s\n"}, [2]string{"second", "duration: 1s\n"})
	out := filepath.Join(t.TempDir(), "out")
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	var o, e bytes.Buffer
	code := Main(ctx, []string{"run", dir, "--out", out}, &o, &e)
	if code != ExitInterrupted {
		t.Fatalf("exit %d, want %d (interrupted)\nstderr:\n%s", code, ExitInterrupted, e.String())
	}
	md := read(t, filepath.Join(out, reports.SummaryMarkdownFile))
	if !strings.Contains(md, "not run: second") || !strings.Contains(md, "| first |") {
		t.Errorf("index.md:\n%s", md)
	}
	if _, err := os.Stat(filepath.Join(out, "second")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("second ran after the interrupt: %v", err)
	}
	if !strings.Contains(e.String(), "not run: second") {
		t.Errorf("stderr:\n%s", e.String())
	}
}

func TestRunFolderBadInput(t *testing.T) {
	good := [2]string{"good", "duration: 1s\n"}
	cases := []struct {
		name string
		dir  string
		args []string
		want []string
	}{
		{"invalid scenario", tinyFolder(t, good, [2]string{"bad", "duration: 1s\nfaults: [{at: 5s, for: 1s, crash: a}]\n"}),
			nil, []string{"bad.yaml:8: faults[0]"}},
		{"flags make one invalid", tinyFolder(t, good, [2]string{"late", "duration: 9s\nfaults: [{at: 5s, for: 1s, crash: a}]\n"}),
			[]string{"--duration", "2s"}, []string{"late.yaml:8: faults[0]"}},
		{"variant", tinyFolder(t, good), []string{"--variant", "a"}, []string{"--variant cannot be used with a folder"}},
		{"empty", t.TempDir(), nil, []string{"no scenario in this folder"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			code, stdout, stderr := run(t, append([]string{"run", c.dir, "--out", out}, c.args...)...)
			if code != ExitBadInput {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, ExitBadInput, stdout, stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("something ran before the input was checked: %v", err)
			}
		})
	}
}

func TestWorseExit(t *testing.T) {
	for _, c := range [][3]int{
		{ExitOK, ExitOK, ExitOK}, {ExitOK, ExitExpect, ExitExpect}, {ExitExpect, ExitOK, ExitExpect},
		{ExitExpect, ExitRun, ExitRun}, {ExitRun, ExitExpect, ExitRun}, {ExitOK, ExitRun, ExitRun},
		{ExitRun, ExitInterrupted, ExitInterrupted}, {ExitInterrupted, ExitExpect, ExitInterrupted},
	} {
		if got := worseExit(c[0], c[1]); got != c[2] {
			t.Errorf("worseExit(%d, %d) = %d, want %d", c[0], c[1], got, c[2])
		}
	}
}

func TestMergedBMFIsOneDocument(t *testing.T) {
	var b bytes.Buffer
	if err := writeMergedBMF(&b, []*result.Result{sampleResult("quickstart"), sampleResult("partition")}); err != nil {
		t.Fatal(err)
	}
	var doc map[string]map[string]any
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("%v:\n%s", err, b.String())
	}
	for _, k := range []string{"quickstart/sync", "quickstart/events", "partition/sync", "partition/events"} {
		if doc[k]["p99-ms"] == nil {
			t.Errorf("no p99 of %s in %s", k, b.String())
		}
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
