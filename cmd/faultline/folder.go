package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/faultline-sim/faultline/reports"
	"github.com/faultline-sim/faultline/reports/result"
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/faultline-sim/faultline/topologies"
)

// plannedScenario is one scenario of a folder run, read and validated.
type plannedScenario struct {
	file string // the scenario file
	dir  string // its output subfolder, relative to --out
	sc   *scenarios.Scenario
}

// runFolder runs every scenario of the folder cfg.Scenario, in file name
// order: every *.yaml file in it but topologies (see isTopology). Every
// scenario is read, has the flags applied and is validated before any
// runs; a problem in any of them is bad input, each reported with its
// file, line and key. Each scenario writes its results and report into its
// own subfolder of the output folder (default out/<folder>-<timestamp>),
// named after the scenario, and index.md and index.html at the top
// summarise them all. A Ctrl-C interrupts the running scenario as for a
// single one, runs no further scenario, and still writes the summary of
// what ran. The exit code is the worst of the scenarios': 3 when any run
// failed, else 1 when any expectation missed, else 0.
func runFolder(ctx context.Context, cfg RunConfig, stdout, stderr io.Writer) int {
	if cfg.Variant != "" {
		fmt.Fprintf(stderr, "faultline run: --variant cannot be used with a folder (%s): its scenarios have different variants\n", cfg.Scenario)
		return ExitBadInput
	}
	plan, err := planFolder(cfg)
	if err != nil {
		printProblems(stderr, err)
		return ExitBadInput
	}
	for _, p := range plan {
		printWarnings(stderr, p.sc.Warnings())
	}
	name := folderName(cfg.Scenario)
	out := cfg.Out
	if out == "" {
		out = filepath.Join("out", fmt.Sprintf("%s-%s", name, time.Now().Format("20060102-150405")))
	}
	r, code := newRunner(cfg, stdout, stderr)
	if r == nil {
		return code
	}
	defer r.close()
	var bmf []*result.Result
	if cfg.Format == FormatBMF {
		r.bmf = &bmf
	}
	summary := &reports.Summary{Title: "faultline summary: " + name}
	codes := map[string]int{}
	for i, p := range plan {
		if ctx.Err() != nil {
			for _, q := range plan[i:] {
				summary.NotRun = append(summary.NotRun, q.sc.Name)
			}
			break
		}
		fmt.Fprintf(r.info, "\n[%d/%d] %s\n", i+1, len(plan), p.file)
		c, res := r.run(ctx, p.file, p.sc, filepath.Join(out, p.dir))
		code = worseExit(code, c)
		codes[p.dir] = c
		if res != nil {
			summary.Runs = append(summary.Runs, reports.SummaryRun{Result: res, Dir: filepath.ToSlash(p.dir)})
		}
	}
	if bmf != nil {
		if err := writeMergedBMF(stdout, bmf); err != nil {
			fmt.Fprintf(stderr, "faultline: %v\n", err)
			code = worseExit(code, ExitRun)
		}
	}
	paths, err := reports.WriteSummary(out, summary)
	if err != nil {
		fmt.Fprintf(stderr, "faultline: writing the summary: %v\n", err)
		return ExitRun
	}
	printFolderOutcome(r.info, out, plan, codes)
	for _, p := range paths {
		fmt.Fprintf(r.info, "summary: %s\n", p)
	}
	if len(summary.NotRun) > 0 {
		fmt.Fprintf(stderr, "faultline: interrupted; not run: %s\n", strings.Join(summary.NotRun, ", "))
	}
	return code
}

// planFolder reads and validates every scenario of the folder, with the
// flags of cfg applied, and names each one's output subfolder. The error
// joins every problem of every file.
func planFolder(cfg RunConfig) ([]plannedScenario, error) {
	dir := cfg.Scenario
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, &topologies.FieldError{File: dir, Msg: "cannot read the folder: " + err.Error(), Err: err}
	}
	var plan []plannedScenario
	var errs []error
	for _, e := range entries { // sorted by file name
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".yaml") {
			continue
		}
		file := filepath.Join(dir, e.Name())
		if isTopology(file) {
			continue
		}
		sc, err := scenarios.ReadFile(file)
		if err == nil {
			err = apply(sc, cfg)
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		plan = append(plan, plannedScenario{file: file, sc: sc})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(plan) == 0 {
		return nil, &topologies.FieldError{File: dir, Msg: "no scenario in this folder (*.yaml files that are not topologies)"}
	}
	used := map[string]bool{}
	for i := range plan {
		plan[i].dir = subfolder(plan[i], used)
	}
	return plan, nil
}

// subfolder names the output folder of p: the scenario's name, or its file
// name when the name is not a plain one; "-2", "-3"... when taken.
func subfolder(p plannedScenario, used map[string]bool) string {
	base := p.sc.Name
	if !topologies.ValidName(base) {
		base = strings.TrimSuffix(filepath.Base(p.file), ".yaml")
	}
	name := base
	for n := 2; used[name]; n++ {
		name = fmt.Sprintf("%s-%d", base, n)
	}
	used[name] = true
	return name
}

// folderName is the name of the folder at path, "." resolved.
func folderName(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	name := filepath.Base(path)
	if name == string(filepath.Separator) || name == "." {
		return "scenarios"
	}
	return name
}

// isDir reports whether path is a folder.
func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

// worseExit combines the exit codes of two runs: a failed run (3) over a
// missed expectation (1) over success (0), and an interrupted run (130)
// over everything.
func worseExit(a, b int) int {
	rank := func(c int) int {
		switch c {
		case ExitOK:
			return 0
		case ExitExpect:
			return 1
		case ExitRun:
			return 3
		case ExitInterrupted:
			return 4
		}
		return 2
	}
	if rank(b) > rank(a) {
		return b
	}
	return a
}

// printFolderOutcome prints one line per scenario of the folder: how it
// ended and where its report is, in out.
func printFolderOutcome(w io.Writer, out string, plan []plannedScenario, codes map[string]int) {
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, p := range plan {
		outcome, report := "not run", "-"
		if c, ok := codes[p.dir]; ok {
			outcome = map[int]string{ExitOK: "ok", ExitExpect: "expectation missed", ExitRun: "run failed", ExitInterrupted: "interrupted"}[c]
			report = filepath.Join(out, p.dir, reports.HTMLFile)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", p.sc.Name, outcome, report)
	}
	tw.Flush()
}

// writeMergedBMF writes the results of several scenarios as one Bencher
// Metric Format document: the benchmarks of all of them.
func writeMergedBMF(w io.Writer, results []*result.Result) error {
	all := map[string]json.RawMessage{}
	for _, res := range results {
		var buf bytes.Buffer
		if err := reports.WriteBMF(&buf, res); err != nil {
			return err
		}
		var one map[string]json.RawMessage
		if err := json.Unmarshal(buf.Bytes(), &one); err != nil {
			return fmt.Errorf("merging BMF of %s: %w", res.Scenario, err)
		}
		maps.Copy(all, one)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(all)
}
