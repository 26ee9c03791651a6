package reports

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/faultline-sim/faultline/reports/result"
)

// WriteExpectations writes each checked expectation with what was
// observed; nothing when the scenario has none.
func WriteExpectations(w io.Writer, r *result.Result) error {
	if len(r.Expectations) == 0 {
		return nil
	}
	fmt.Fprintf(w, "\nexpectations: %d of %d met\n", len(r.Expectations)-len(result.Missed(r)), len(r.Expectations))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, e := range r.Expectations {
		verdict := "ok"
		if !e.OK {
			verdict = "MISSED"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t\n", verdict, e.Variant, e.Expr, observed(e))
	}
	return tw.Flush()
}

// observed describes the measured value of e with its unit.
func observed(e result.Expectation) string {
	if e.Missing {
		return "metric absent"
	}
	m, err := result.ResolveMetric(e.Metric)
	if err != nil {
		return result.Trim(e.Observed)
	}
	return "observed " + m.Format(e.Observed)
}
