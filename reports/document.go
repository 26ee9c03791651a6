package reports

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/reports/result"
)

// document is a report independent of its format: the Markdown and HTML
// writers render the same one, so both say the same thing.
type document struct {
	Title string
	// Warnings are what makes numbers of the report untrustworthy or
	// incomplete (a generator that fell behind, an interrupt, a variant or
	// a fault that failed); shown first, under the title.
	Warnings []string
	// Intro are paragraphs after the warnings: what ran, how, and the
	// verdict.
	Intro    []string
	Sections []section
}

// section is one titled part of the report.
type section struct {
	// ID is the section's anchor; Title its heading.
	ID, Title string
	// Window says which window the section's numbers cover.
	Window string
	Blocks []block
}

// block is one element of a section; exactly one field is set.
type block struct {
	Para   string
	List   []string
	Table  *table
	Figure *figure
	// Code is a shell command, shown verbatim.
	Code string
}

// figure is a plot placed in the report.
type figure struct {
	Plot    *Plot
	Caption string
}

// table is a table of text cells.
type table struct {
	Head []string
	// Align has one byte per column: 'l' for text, 'r' for numbers.
	Align string
	Rows  []row
}

// row is one table row.
type row struct {
	Cells []string
	// Mark is how HTML highlights the row: "", "ok", "warn" or "fail". The
	// cells say the same in words.
	Mark string
}

func newTable(align string, head ...string) *table { return &table{Head: head, Align: align} }

func (t *table) add(mark string, cells ...string) {
	t.Rows = append(t.Rows, row{Cells: cells, Mark: mark})
}

// align returns the alignment of column i: 'l' or 'r'.
func (t *table) align(i int) byte {
	if i < len(t.Align) {
		return t.Align[i]
	}
	return 'r'
}

// builder assembles the document of a report.
type builder struct {
	results []*result.Result
	runs    []string // runs[i] labels results[i]
	cols    []column
	plots   []Plot
	notes   []string // problems met while drawing the plots
}

// document returns the whole document, sections in reading order.
func (b *builder) document() document {
	d := document{Title: b.title(), Intro: b.intro(), Warnings: b.warnings()}
	for _, s := range []section{
		b.summary(), b.expectations(), b.latency(), b.overTime(), b.faults(),
		b.edges(), b.breakers(), b.events(), b.consistency(), b.harness(), b.environment(), b.reproduce(),
	} {
		if len(s.Blocks) > 0 {
			d.Sections = append(d.Sections, s)
		}
	}
	return d
}

func (b *builder) title() string {
	var names []string
	seen := map[string]bool{}
	for _, r := range b.results {
		if !seen[r.Scenario] {
			seen[r.Scenario] = true
			names = append(names, r.Scenario)
		}
	}
	if len(b.results) == 1 {
		return "faultline report: " + b.results[0].Scenario
	}
	return fmt.Sprintf("faultline report: %d runs of %s", len(b.results), strings.Join(names, ", "))
}

// multi reports whether the report compares several results.
func (b *builder) multi() bool { return len(b.results) > 1 }

// runName returns the label of results[i] followed by ": " when the report
// holds several results, "" otherwise.
func (b *builder) runName(i int) string {
	if !b.multi() {
		return ""
	}
	return b.runs[i] + ": "
}

func (b *builder) intro() []string {
	var out []string
	for i, r := range b.results {
		if r.Description != "" {
			out = append(out, b.runName(i)+r.Description)
		}
		c := r.Config
		took := ""
		if !r.StartedAt.IsZero() && r.FinishedAt.After(r.StartedAt) {
			took = ", took " + r.FinishedAt.Sub(r.StartedAt).Round(time.Second).String()
		}
		file := r.File
		if file == "" {
			file = "(not recorded)"
		}
		p := fmt.Sprintf("%sScenario %s (file %s), seed %d, started %s%s. Load: %s arrivals at %s, %s s recorded after %s s of warm-up, then a drain of up to %s s; request timeout %s; at most %d requests in flight.",
			b.runName(i), r.Scenario, file, r.Seed, stamp(r.StartedAt), took,
			result.OrDash(c.Arrival), result.FormatRate(c.RateRPS), result.Trim(c.DurationS), result.Trim(c.WarmupS), result.Trim(c.DrainS), result.FormatMS(c.TimeoutMS), c.MaxInFlight)
		if c.Repeat > 1 {
			p += fmt.Sprintf(" Every variant ran %d times.", c.Repeat)
		}
		out = append(out, p)
	}
	total, missed := 0, 0
	for _, r := range b.results {
		total += len(r.Expectations)
		missed += len(result.Missed(r))
	}
	if total > 0 {
		out = append(out, fmt.Sprintf("Expectations: %d of %d met.", total-missed, total))
	}
	if len(b.cols) > 1 {
		out = append(out, fmt.Sprintf("Differences are to the first column, %s: the absolute difference, then the relative one.", b.cols[0].Label))
	}
	return out
}

func (b *builder) warnings() []string {
	var out []string
	for i, r := range b.results {
		if r.Interrupted {
			var parts []string
			for _, v := range r.Variants {
				parts = append(parts, fmt.Sprintf("%s %s s", v.Label(), result.Trim(v.WindowS)))
			}
			out = append(out, fmt.Sprintf("%sThe run was interrupted: the numbers cover only what was measured until then (recorded: %s of %s s each); variants not reached are missing.",
				b.runName(i), result.OrDash(strings.Join(parts, ", ")), result.Trim(r.Config.DurationS)))
		}
	}
	for _, c := range b.cols {
		v := c.V
		if v.Error != "" {
			out = append(out, fmt.Sprintf("%s could not be run: %s. Its numbers are incomplete or zero.", c.Label, v.Error))
		}
		if v.HarnessFailed() {
			out = append(out, harnessNote(v, c.Label))
		}
		if v.Consistency != nil && v.Consistency.Error != "" {
			out = append(out, fmt.Sprintf("%s: the consistency checker could not read the stores: %s. Nothing is claimed about its consistency.", c.Label, v.Consistency.Error))
		}
		if v.Generator.Behind {
			out = append(out, fmt.Sprintf("%s: the load generator fell behind its schedule (sent %s of %s offered, send lag p99 %s): the machine, not the design, set the pace, and its latencies include that delay.%s",
				c.Label, result.FormatRate(v.AchievedRPS), result.FormatRate(v.OfferedRPS), result.FormatMS(v.Generator.SendLagMS.P99), stalledBy(v.Harness)))
		}
		for _, f := range v.Faults {
			if f.Error != "" {
				out = append(out, fmt.Sprintf("%s: fault %q failed: %s. The numbers around it do not show that fault.", c.Label, f.Name, f.Error))
			}
		}
	}
	return out
}

// window says over which window request measurements were taken, per run
// when runs differ.
func (b *builder) window() string {
	var parts []string
	same := true
	for i, r := range b.results {
		w := windowOf(r)
		same = same && w == windowOf(b.results[0])
		parts = append(parts, b.runName(i)+w)
	}
	if same {
		return "The recorded window, " + windowOf(b.results[0]) + "."
	}
	return "The recorded windows, " + strings.Join(parts, "; ") + "."
}

// windowOf describes r's recorded window.
func windowOf(r *result.Result) string {
	w := fmt.Sprintf("%s s of load after %s s of warm-up", result.Trim(r.Config.DurationS), result.Trim(r.Config.WarmupS))
	if r.Interrupted {
		var parts []string
		for _, v := range r.Variants {
			parts = append(parts, fmt.Sprintf("%s %s s", v.Label(), result.Trim(v.WindowS)))
		}
		w += ", cut short by an interrupt (" + strings.Join(parts, ", ") + ")"
	}
	return w
}

// figure returns a block showing the plot named file, or false when the
// report has no such plot (nothing to draw).
func (b *builder) figure(file, caption string) (block, bool) {
	for i := range b.plots {
		if b.plots[i].File == file {
			return block{Figure: &figure{Plot: &b.plots[i], Caption: caption}}, true
		}
	}
	return block{}, false
}

// expectationVariant labels the variant an expectation of results[i]
// names, as its column is labelled.
func (b *builder) expectationVariant(i int, name string) string {
	if !b.multi() {
		return name
	}
	return b.runs[i] + "/" + name
}

// stamp formats a time in UTC to the second.
func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// percent formats a 0..1 ratio as a percentage, 3 decimals.
func percent(x float64) string { return fmt.Sprintf("%.3f%%", 100*x) }

// formatValue formats x in unit u, as the report's tables show it.
func formatValue(u result.Unit, x float64) string {
	switch u {
	case result.UnitMS:
		return result.FormatMS(x)
	case result.UnitRatio:
		return percent(x)
	case result.UnitRate:
		return result.FormatRate(x)
	case result.UnitTimes:
		return fmt.Sprintf("%.2fx", x)
	}
	return fmt.Sprintf("%.0f", x)
}

// formatDiff formats x − base in unit u, then relative to base when base
// is not zero: "+12.5ms (+40.0%)", "-0.867 pp (-0.9%)".
func formatDiff(u result.Unit, base, x float64) string {
	d := x - base
	var s string
	switch u {
	case result.UnitMS:
		s = result.FormatMS(math.Abs(d))
	case result.UnitRatio:
		s = fmt.Sprintf("%.3f pp", math.Abs(100*d))
	case result.UnitRate:
		s = fmt.Sprintf("%.1f/s", math.Abs(d))
	case result.UnitTimes:
		s = fmt.Sprintf("%.2fx", math.Abs(d))
	default:
		s = fmt.Sprintf("%.0f", math.Abs(d))
	}
	s = signed(d, s)
	if base != 0 {
		r := 100 * d / math.Abs(base)
		s += " (" + signed(r, fmt.Sprintf("%.1f%%", math.Abs(r))) + ")"
	}
	return s
}

// signed prefixes abs, the formatted magnitude of x, with x's sign; a
// magnitude that shows as zero gets "+", never "-0".
func signed(x float64, abs string) string {
	if x < 0 && strings.ContainsAny(abs, "123456789") {
		return "-" + abs
	}
	return "+" + abs
}
