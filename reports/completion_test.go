package reports_test

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/faultline-sim/faultline/reports"
	"github.com/faultline-sim/faultline/reports/result"
	"github.com/faultline-sim/faultline/reports/result/resulttest"
)

// noCompletion is the fixture with its event-driven variant having
// completed nothing, as a results.json written before completion_ms was
// left out in that case carries it: percentiles of zeros and completed 0.
func noCompletion() *result.Result {
	r := resulttest.Fixture()
	v := &r.Variants[1]
	v.Completed = 0
	v.CompletionMS = &result.Percentiles{}
	v.Histograms.Completion = ""
	return r
}

// With no operation completed, completion reads n/a, never 0.00ms: in the
// terminal table, the report's sections, the summary index and as a metric.
func TestNoCompletionIsNotZero(t *testing.T) {
	for _, name := range []string{"old file (zeros)", "new file (absent)"} {
		t.Run(name, func(t *testing.T) {
			r := noCompletion()
			if name == "new file (absent)" {
				r.Variants[1].CompletionMS = nil
			}
			var table bytes.Buffer
			if err := reports.WriteTable(&table, r); err != nil {
				t.Fatal(err)
			}
			for _, row := range []string{"completion p50", "completion p99"} {
				line := regexp.MustCompile(`(?m)^\s*` + row + `\s.*$`).FindString(table.String())
				if !strings.HasSuffix(strings.TrimSpace(line), result.NA) {
					t.Errorf("table row %q = %q, want it to end in %s:\n%s", row, line, result.NA, table.String())
				}
			}

			rep, err := reports.NewReport(r)
			if err != nil {
				t.Fatal(err)
			}
			var md bytes.Buffer
			if err := rep.WriteMarkdown(&md); err != nil {
				t.Fatal(err)
			}
			line := regexp.MustCompile(`(?m)^\| completion p99 \|.*$`).FindString(md.String())
			if !strings.Contains(line, result.NA) || strings.Contains(line, "0.00") {
				t.Errorf("markdown completion p99 row = %q, want %s", line, result.NA)
			}

			sum := &reports.Summary{Title: "s", Runs: []reports.SummaryRun{{Result: r, Dir: "q"}}}
			var idx bytes.Buffer
			if err := sum.WriteMarkdown(&idx); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(idx.String(), "completion p99 "+result.NA) {
				t.Errorf("summary lacks %q:\n%s", "completion p99 "+result.NA, idx.String())
			}

			m, err := result.ResolveMetric("completion_p99")
			if err != nil {
				t.Fatal(err)
			}
			if x, ok := m.Value(&r.Variants[1]); ok {
				t.Errorf("completion_p99 = %v, want absent", x)
			}
		})
	}
	// With completions, the figures stay.
	r := resulttest.Fixture()
	if p := r.Variants[1].Completion(); p == nil || p.P99 != 180.25 {
		t.Errorf("Completion() = %+v, want p99 180.25", p)
	}
}
