package reports

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/reports/result"
)

// File names of a summary in its output folder.
const (
	SummaryMarkdownFile = "index.md"
	SummaryHTMLFile     = "index.html"
)

// Summary is the index of several scenario runs, such as the scenarios of
// one folder: one row per scenario with its description, variants,
// expectations met, the key figures of every variant and links to its own
// report. It renders as GitHub-flavoured Markdown (WriteMarkdown) and as a
// self-contained HTML page (WriteHTML). Rendering reads only the Summary:
// no files, no network.
type Summary struct {
	// Title heads the page, e.g. "faultline summary: scenarios".
	Title string
	// Runs are the scenarios that ran, in the order shown.
	Runs []SummaryRun
	// NotRun names scenarios that were to run but did not (the run was
	// interrupted before them).
	NotRun []string
}

// SummaryRun is one scenario of a Summary.
type SummaryRun struct {
	Result *result.Result
	// Dir is the folder holding the scenario's report.html and report.md,
	// relative to the summary's folder, with forward slashes ("" for the
	// same folder).
	Dir string
}

// Verdicts of a summary row.
const (
	verdictPass  = "pass"
	verdictFail  = "FAIL"
	verdictError = "ERROR"
	verdictNone  = "no expectations"
)

// summaryRow is one scenario, as every rendering shows it.
type summaryRow struct {
	Name, Description string
	Variants          string
	// Expect is "met/total met: verdict", or verdictNone, with what
	// went wrong with the run.
	Expect string
	// Verdict is one of the verdict constants.
	Verdict string
	// Mark is the HTML highlight: "ok", "warn" or "fail".
	Mark string
	// Figures has one line per variant.
	Figures []summaryFigures
	// HTML and Markdown are the relative links to the scenario's report.
	HTML, Markdown string
}

// summaryFigures are the key figures of one variant.
type summaryFigures struct {
	Variant string
	Text    string
}

// summaryDoc is a Summary ready to render.
type summaryDoc struct {
	Title string
	Intro []string
	Rows  []summaryRow
	Notes []string
}

// doc builds what both renderings show, or fails on a run without result.
func (s *Summary) doc() (summaryDoc, error) {
	d := summaryDoc{Title: s.Title}
	if d.Title == "" {
		d.Title = "faultline summary"
	}
	var pass, fail, errs, none int
	var started, finished time.Time
	for i, run := range s.Runs {
		r := run.Result
		if r == nil {
			return d, fmt.Errorf("reports: summary run %d has no result", i)
		}
		row := summaryRowOf(run)
		switch row.Verdict {
		case verdictError:
			errs++
		case verdictFail:
			fail++
		case verdictNone:
			none++
		default:
			pass++
		}
		d.Rows = append(d.Rows, row)
		if !r.StartedAt.IsZero() && (started.IsZero() || r.StartedAt.Before(started)) {
			started = r.StartedAt
		}
		if r.FinishedAt.After(finished) {
			finished = r.FinishedAt
		}
	}
	intro := fmt.Sprintf("%d scenario(s): %d passed, %d failed an expectation, %d could not run, %d without expectations.",
		len(s.Runs), pass, fail, errs, none)
	if !started.IsZero() && finished.After(started) {
		intro += fmt.Sprintf(" Started %s, took %s.", stamp(started), finished.Sub(started).Round(time.Second))
	}
	d.Intro = append(d.Intro, intro)
	if len(s.NotRun) > 0 {
		d.Intro = append(d.Intro, fmt.Sprintf("Interrupted: not run: %s.", strings.Join(s.NotRun, ", ")))
	}
	d.Notes = []string{
		"availability: succeeded / offered over the recorded window; p99: client latency from each request's intended send time; " +
			"completion p99 (event-driven variants): until every subscriber processed every event of the operation; " +
			"lost: acknowledged (event, subscriber) pairs never processed, warm-up included.",
		"A variant that ran several times (--repeat) shows the median over its repetitions. Every scenario's report has the full numbers.",
	}
	if slices.ContainsFunc(s.Runs, func(run SummaryRun) bool {
		return slices.ContainsFunc(run.Result.Variants, func(v result.Variant) bool { return v.Consistency != nil })
	}) {
		d.Notes = slices.Insert(d.Notes, 1, "violations (stateful variants): operations the stores, read back after the drain, show broken, every kind summed; "+
			"consistency p99: from the intended send time until the operation was consistent and terminal.")
	}
	return d, nil
}

// summaryRowOf describes one run.
func summaryRowOf(run SummaryRun) summaryRow {
	r := run.Result
	row := summaryRow{Name: r.Scenario, Description: r.Description, Mark: "ok"}
	if row.Name == "" {
		row.Name = "run"
	}
	var names []string
	failed := false
	for _, reps := range ByVariant(r) {
		names = append(names, reps[0].Name)
		row.Figures = append(row.Figures, summaryFigures{Variant: reps[0].Name, Text: keyFigures(reps)})
		for _, v := range reps {
			failed = failed || v.Error != ""
		}
	}
	row.Variants = result.OrDash(strings.Join(names, ", "))
	total, missed := len(r.Expectations), len(result.Missed(r))
	switch {
	case total == 0:
		row.Verdict, row.Expect = verdictNone, verdictNone
	case missed > 0:
		row.Verdict, row.Mark = verdictFail, "fail"
		row.Expect = fmt.Sprintf("%d/%d met: %s", total-missed, total, verdictFail)
	default:
		row.Verdict = verdictPass
		row.Expect = fmt.Sprintf("%d/%d met: %s", total, total, verdictPass)
	}
	switch {
	case failed:
		row.Verdict, row.Mark = verdictError, "fail"
		row.Expect = "run failed: " + verdictError + "; " + row.Expect
	case r.Interrupted:
		row.Expect += " (interrupted)"
		if row.Mark == "ok" {
			row.Mark = "warn"
		}
	}
	row.HTML, row.Markdown = relLink(run.Dir, HTMLFile), relLink(run.Dir, MarkdownFile)
	return row
}

// keyFigures describes one variant, the median over its repetitions:
// availability, latency p99, completion p99 and lost when event-driven,
// violations and time to consistency p99 when stateful.
func keyFigures(reps []*result.Variant) string {
	var errs []string
	for _, v := range reps {
		if v.Error != "" {
			errs = append(errs, v.Error)
		}
	}
	if len(errs) == len(reps) {
		return "could not run: " + strings.Join(errs, "; ")
	}
	med := func(f func(v *result.Variant) float64) float64 {
		xs := make([]float64, 0, len(reps))
		for _, v := range reps {
			if v.Error == "" {
				xs = append(xs, f(v))
			}
		}
		slices.Sort(xs)
		return median(xs)
	}
	first := reps[0]
	parts := []string{
		"availability " + percent(med(func(v *result.Variant) float64 { return v.Availability })),
		"p99 " + result.FormatMS(med(func(v *result.Variant) float64 { return v.LatencyMS.P99 })),
	}
	if first.EventDriven {
		if first.Completion() != nil {
			parts = append(parts, "completion p99 "+result.FormatMS(med(func(v *result.Variant) float64 {
				if v.Completion() == nil {
					return 0
				}
				return v.Completion().P99
			})))
		} else {
			parts = append(parts, "completion p99 "+result.NA)
		}
		parts = append(parts, fmt.Sprintf("lost %.0f", med(func(v *result.Variant) float64 { return float64(v.Events.Lost) })))
	}
	if first.Consistency != nil {
		parts = append(parts, consistencyFigures(reps)...)
	}
	text := strings.Join(parts, ", ")
	if n := len(reps) - len(errs); n > 1 {
		text += fmt.Sprintf(" (median of %d)", n)
	}
	if len(errs) > 0 {
		text += fmt.Sprintf("; %d repetition(s) could not run: %s", len(errs), strings.Join(errs, "; "))
	}
	return text
}

// consistencyFigures are the key figures of a stateful variant, the
// median over the repetitions whose stores were read: violations and time
// to consistency p99; n/a when none was read (or nothing became
// consistent).
func consistencyFigures(reps []*result.Variant) []string {
	var read []*result.Consistency
	for _, v := range reps {
		if c := v.CheckedConsistency(); c != nil && v.Error == "" {
			read = append(read, c)
		}
	}
	if len(read) == 0 {
		return []string{"violations " + result.NA + " (stores not read)"}
	}
	med := func(f func(c *result.Consistency) float64) float64 {
		xs := make([]float64, len(read))
		for i, c := range read {
			xs[i] = f(c)
		}
		slices.Sort(xs)
		return median(xs)
	}
	out := []string{fmt.Sprintf("violations %.0f", med(func(c *result.Consistency) float64 { return float64(c.Violations) }))}
	if slices.ContainsFunc(read, func(c *result.Consistency) bool { return c.TimeToConsistencyMS == nil }) {
		return append(out, "consistency p99 "+result.NA)
	}
	return append(out, "consistency p99 "+result.FormatMS(med(func(c *result.Consistency) float64 { return c.TimeToConsistencyMS.P99 })))
}

// relLink is the URL path of file in dir, both relative, each segment
// escaped; parentheses too, so the link also holds in Markdown.
func relLink(dir, file string) string {
	var segs []string
	for _, s := range strings.Split(strings.Trim(filepath.ToSlash(dir), "/"), "/") {
		if s != "" && s != "." {
			segs = append(segs, url.PathEscape(s))
		}
	}
	segs = append(segs, url.PathEscape(file))
	return strings.NewReplacer("(", "%28", ")", "%29").Replace(strings.Join(segs, "/"))
}

// WriteMarkdown writes the summary as GitHub-flavoured Markdown: one table
// row per scenario, with links to each scenario's report.
func (s *Summary) WriteMarkdown(w io.Writer) error {
	d, err := s.doc()
	if err != nil {
		return err
	}
	m := &mdWriter{w: w}
	m.printf("# %s\n\n", mdText(d.Title))
	for _, p := range d.Intro {
		m.printf("%s\n\n", mdText(p))
	}
	m.printf("| scenario | description | variants | expectations | key figures | report |\n")
	m.printf("| --- | --- | --- | --- | --- | --- |\n")
	for _, r := range d.Rows {
		var figs []string
		for _, f := range r.Figures {
			figs = append(figs, mdCell(f.Variant+": "+f.Text))
		}
		m.printf("| %s | %s | %s | %s | %s | [report.html](%s) · [report.md](%s) |\n",
			mdCell(r.Name), mdCell(result.OrDash(r.Description)), mdCell(r.Variants), mdCell(r.Expect),
			result.OrDash(strings.Join(figs, "<br>")), r.HTML, r.Markdown)
	}
	m.printf("\n")
	for _, n := range d.Notes {
		m.printf("%s\n\n", mdText(n))
	}
	return m.err
}

// WriteSummary writes the summary as index.md and index.html into dir,
// creating dir, and returns their paths. Each file appears whole or not at
// all.
func WriteSummary(dir string, s *Summary) ([]string, error) {
	if s == nil {
		return nil, errors.New("reports: no summary")
	}
	var md, page bytes.Buffer
	if err := s.WriteMarkdown(&md); err != nil {
		return nil, err
	}
	if err := s.WriteHTML(&page); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var paths []string
	for _, f := range []struct {
		name string
		data []byte
	}{{SummaryMarkdownFile, md.Bytes()}, {SummaryHTMLFile, page.Bytes()}} {
		path := filepath.Join(dir, f.name)
		if err := writeAtomic(path, f.data); err != nil {
			return paths, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}
