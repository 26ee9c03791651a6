package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/reports"
	"github.com/faultline-sim/faultline/reports/result"
)

// gateSchema is the value of the "schema" key of gate --json output.
// Adding fields keeps it; renaming or removing one bumps it.
const gateSchema = "faultline.gate/v1"

// stepSummaryEnv names the environment variable GitHub Actions sets to the
// file a step appends its Markdown summary to.
const stepSummaryEnv = "GITHUB_STEP_SUMMARY"

// Verdicts of a gate.
const (
	verdictPass    = "pass"    // exit 0
	verdictFail    = "fail"    // exit 1: a regression, or a current run unfit to pass
	verdictRefused = "refused" // exit 2: nothing was compared (bad input, configuration differs, interrupted results)
)

// gateVerdict is what `faultline gate` concluded, as written by --json.
type gateVerdict struct {
	Schema string `json:"schema"`
	// Current and BaselineFile are the files compared, as given.
	Current      string `json:"current"`
	BaselineFile string `json:"baseline"`
	// BaselineInfo is why and from what the baseline was written (gate
	// --update); absent for a baseline written otherwise.
	BaselineInfo *result.BaselineInfo `json:"baseline_info,omitempty"`
	Alpha        float64              `json:"alpha"`
	// Verdict is pass, fail or refused; ExitCode the command's exit code.
	Verdict  string `json:"verdict"`
	ExitCode int    `json:"exit_code"`
	// Regressions counts the rows that regressed.
	Regressions int `json:"regressions"`
	// Refused lists why nothing was compared (verdict refused); Failures
	// why the current run cannot pass (verdict fail, beside regressions).
	Refused  []string `json:"refused,omitempty"`
	Failures []string `json:"failures,omitempty"`
	// Warnings are configuration differences allowed by --allow-mismatch;
	// Notes what could not be compared; Added the variants only the
	// current run has (not gated).
	Warnings []string `json:"warnings,omitempty"`
	Notes    []string `json:"notes,omitempty"`
	Added    []string `json:"added,omitempty"`
	// Rows are the verdicts per variant and metric.
	Rows []gateRowJSON `json:"rows"`
	rows []reports.GateRow
}

// gateRowJSON is one variant's metric in gate --json output. Values are in
// the metric's unit (Unit: ms, ratio (0..1), per_second, count or factor).
type gateRowJSON struct {
	Variant string `json:"variant"`
	Metric  string `json:"metric"`
	Unit    string `json:"unit"`
	// Baseline and Current are the medians over the repetitions (absent
	// when skipped), BaselineValues and CurrentValues every repetition's.
	Baseline       *float64  `json:"baseline,omitempty"`
	Current        *float64  `json:"current,omitempty"`
	BaselineValues []float64 `json:"baseline_values"`
	CurrentValues  []float64 `json:"current_values"`
	// Worse is how much worse current is than baseline, in the unit
	// (negative: better); Change the change as the text table prints it.
	Worse  float64 `json:"worse"`
	Change string  `json:"change"`
	// P is the Mann-Whitney U p-value; absent when no test was run. Test
	// says how the verdict was reached.
	P    *float64 `json:"p,omitempty"`
	Test string   `json:"test,omitempty"`
	// Limit is the limit as written (e.g. "+15%"), Allowed the amount it
	// allows in the unit against this baseline, LimitText as printed.
	Limit     string  `json:"limit"`
	Allowed   float64 `json:"allowed"`
	LimitText string  `json:"limit_text"`
	// Verdict is ok, within_noise, regressed or skipped; Skipped why.
	Verdict string `json:"verdict"`
	Skipped string `json:"skipped,omitempty"`
}

func jsonRow(r reports.GateRow) gateRowJSON {
	j := gateRowJSON{Variant: r.Variant, Metric: r.Limit.Metric.Name, Unit: unitName(r.Limit.Metric.Unit),
		BaselineValues: nonNil(r.Baseline), CurrentValues: nonNil(r.Current),
		Worse: r.Worse, Change: r.ChangeText(), Test: r.Test,
		Limit: r.Limit.Text, Allowed: r.Allowed, LimitText: r.LimitText(), Skipped: r.Skipped}
	switch {
	case r.Skipped != "":
		j.Verdict = "skipped"
		return j
	case r.Regressed:
		j.Verdict = "regressed"
	case r.Worse > r.Allowed:
		j.Verdict = "within_noise"
	default:
		j.Verdict = "ok"
	}
	b, c := r.BaselineMedian, r.CurrentMedian
	j.Baseline, j.Current = &b, &c
	if !math.IsNaN(r.P) {
		p := r.P
		j.P = &p
	}
	return j
}

// unitName names a metric's unit in gate --json output.
func unitName(u result.Unit) string {
	switch u {
	case result.UnitMS:
		return "ms"
	case result.UnitRatio:
		return "ratio"
	case result.UnitRate:
		return "per_second"
	case result.UnitTimes:
		return "factor"
	}
	return "count"
}

func nonNil(xs []float64) []float64 {
	if xs == nil {
		return []float64{}
	}
	return xs
}

// writeGateJSON writes v as indented JSON to path.
func writeGateJSON(path string, v *gateVerdict) error {
	if v.Rows == nil {
		v.Rows = []gateRowJSON{}
	}
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

// appendStepSummary appends v as Markdown to the file at path (GitHub's
// step summary), creating it.
func appendStepSummary(path string, v *gateVerdict) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	err = writeGateMarkdown(f, v)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// writeGateMarkdown writes the verdict as a heading, the reasons and a
// table of every compared metric.
func writeGateMarkdown(w io.Writer, v *gateVerdict) error {
	var b strings.Builder
	fmt.Fprintf(&b, "### faultline gate: %s\n\n", strings.ToUpper(v.Verdict))
	fmt.Fprintf(&b, "`%s` against baseline `%s` (alpha %g)", mdEscape(v.Current), mdEscape(v.BaselineFile), v.Alpha)
	if bi := v.BaselineInfo; bi != nil {
		fmt.Fprintf(&b, "; baseline written %s from `%s`: %s", bi.Date.Format(time.DateOnly), mdEscape(bi.Source), mdEscape(bi.Reason))
	}
	b.WriteString("\n\n")
	bullets := false
	for _, l := range []struct {
		prefix string
		items  []string
	}{{"**Refused:** ", v.Refused}, {"**Failed:** ", v.Failures}, {"Warning: ", v.Warnings}, {"Note: ", v.Notes}, {"", v.Added}} {
		for _, x := range l.items {
			fmt.Fprintf(&b, "- %s%s\n", l.prefix, mdEscape(strings.ReplaceAll(x, "\n", " ")))
			bullets = true
		}
	}
	if bullets && len(v.Rows) > 0 {
		b.WriteString("\n")
	}
	if len(v.Rows) > 0 {
		b.WriteString("| variant | metric | baseline | current | change | p | limit | verdict |\n|---|---|---:|---:|---:|---:|---:|---|\n")
		for i, r := range v.rows {
			j := v.Rows[i]
			base, cur, p := "-", "-", "-"
			if j.Baseline != nil {
				m := r.Limit.Metric
				base = fmt.Sprintf("%s (n=%d)", m.Format(*j.Baseline), len(r.Baseline))
				cur = fmt.Sprintf("%s (n=%d)", m.Format(*j.Current), len(r.Current))
			}
			if j.P != nil {
				p = fmt.Sprintf("%.3f", *j.P)
			}
			verdict := r.Verdict()
			if r.Regressed {
				verdict = "**REGRESSED**"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", mdEscape(j.Variant), j.Metric, base, cur, j.Change, p, j.LimitText, mdEscape(verdict))
		}
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// mdEscape keeps s from breaking a Markdown table cell.
func mdEscape(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
