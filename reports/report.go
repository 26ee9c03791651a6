package reports

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/faultline-sim/faultline/reports/result"
)

// File names of a report in its output folder.
const (
	MarkdownFile = "report.md"
	HTMLFile     = "report.html"
)

// Report is the human report of one or more results: the variants side by
// side, plots, faults, call edges, breakers, the event ledger,
// expectations, harness health and the environment, with every number's
// unit and window. It renders as GitHub-flavoured Markdown (WriteMarkdown)
// that refers to its plots by file name, and as one self-contained HTML page
// (WriteHTML) with the plots embedded.
//
//	results ──NewReport──► document + plots ──► report.md (+ *.png)
//	                                        └─► report.html (PNGs inline)
//
// Several results become one comparison: each result's variants are
// columns, labelled run/variant. A Report is immutable once built and safe
// for concurrent use. Building one reads only its arguments: no files, no
// network, no goroutines.
type Report struct {
	doc   document
	plots []Plot
}

// Plot is one chart of a report.
type Plot struct {
	// File is the PNG's file name, by which report.md refers to it.
	File string
	// Title says what the plot shows.
	Title string
	// PNG is the encoded image.
	PNG []byte
}

// column is one variant of one result: a column of the tables and a line
// of the plots.
type column struct {
	Label string
	Run   *result.Result
	V     *result.Variant
}

// NewReport builds the report of results (at least one), in the order
// given; the first column is the baseline that differences are taken to.
// A variant's histogram that cannot be decoded is noted in the report, not
// an error; an error means a plot could not be drawn.
func NewReport(results ...*result.Result) (*Report, error) {
	if len(results) == 0 {
		return nil, errors.New("reports: no result to report")
	}
	for i, r := range results {
		if r == nil {
			return nil, fmt.Errorf("reports: result %d is nil", i)
		}
	}
	runs := runLabels(results)
	cols := columnsOf(results, runs)
	plots, notes, err := drawPlots(cols)
	if err != nil {
		return nil, err
	}
	b := &builder{results: results, runs: runs, cols: cols, plots: plots, notes: notes}
	return &Report{doc: b.document(), plots: plots}, nil
}

// Plots returns the report's plots, in the order the report shows them.
// Plots with nothing to draw (no event-driven variant: no completion or
// consumer lag plot) are left out.
func (r *Report) Plots() []Plot { return append([]Plot(nil), r.plots...) }

// WriteReport builds the report of results and writes report.md,
// report.html and every plot as a PNG into dir, creating dir. It returns
// the paths written, report.md and report.html first. Each file appears
// whole or not at all; a plot file of a previous report in dir that this
// report has no data for is removed, so report.md never sits next to a
// stale plot.
func WriteReport(dir string, results ...*result.Result) ([]string, error) {
	rep, err := NewReport(results...)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var md, page bytes.Buffer
	if err := rep.WriteMarkdown(&md); err != nil {
		return nil, err
	}
	if err := rep.WriteHTML(&page); err != nil {
		return nil, err
	}
	files := []struct {
		name string
		data []byte
	}{{MarkdownFile, md.Bytes()}, {HTMLFile, page.Bytes()}}
	written := map[string]bool{}
	for _, p := range rep.plots {
		files = append(files, struct {
			name string
			data []byte
		}{p.File, p.PNG})
		written[p.File] = true
	}
	var paths []string
	for _, f := range files {
		path := filepath.Join(dir, f.name)
		if err := writeAtomic(path, f.data); err != nil {
			return paths, err
		}
		paths = append(paths, path)
	}
	for _, name := range plotFiles {
		if !written[name] {
			if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return paths, err
			}
		}
	}
	return paths, nil
}

// writeAtomic writes data to path through a temporary file and a rename.
func writeAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// columnsOf returns one column per variant of every result. With one
// result a column is labelled by its variant; with several, run/variant,
// where runs[i] labels results[i].
func columnsOf(results []*result.Result, runs []string) []column {
	var cols []column
	seen := map[string]int{}
	for i, r := range results {
		for j := range r.Variants {
			v := &r.Variants[j]
			label := v.Label()
			if len(results) > 1 {
				label = runs[i] + "/" + label
			}
			seen[label]++
			if n := seen[label]; n > 1 {
				label = fmt.Sprintf("%s (%d)", label, n)
			}
			cols = append(cols, column{Label: label, Run: r, V: v})
		}
	}
	return cols
}

// runLabels names each result: its scenario, and when two results share a
// scenario name its start time (UTC), and then its position.
func runLabels(results []*result.Result) []string {
	count := func(f func(r *result.Result) string) map[string]int {
		m := map[string]int{}
		for _, r := range results {
			m[f(r)]++
		}
		return m
	}
	name := func(r *result.Result) string {
		if r.Scenario == "" {
			return "run"
		}
		return r.Scenario
	}
	byName := count(name)
	withTime := func(r *result.Result) string {
		if byName[name(r)] == 1 {
			return name(r)
		}
		return name(r) + "@" + r.StartedAt.UTC().Format("2006-01-02T15:04:05Z")
	}
	byTime := count(withTime)
	out := make([]string, len(results))
	for i, r := range results {
		out[i] = withTime(r)
		if byTime[out[i]] > 1 {
			out[i] = fmt.Sprintf("%s#%d", out[i], i+1)
		}
	}
	return out
}

// commandOf returns the command that reproduces r.
func commandOf(r *result.Result) string {
	if r.Command != "" {
		return r.Command
	}
	file := r.File
	if file == "" {
		file = r.Scenario + ".yaml"
	}
	return fmt.Sprintf("faultline run %s --seed %d", shellQuote(file), r.Seed)
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=+,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
