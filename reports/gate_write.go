package reports

import (
	"fmt"
	"io"
	"math"
	"text/tabwriter"
)

// WriteGate writes one line per compared metric: baseline and current
// (median, repetitions), the change, the p-value, the limit and the
// verdict; then how the verdicts were reached.
func WriteGate(w io.Writer, rows []GateRow) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "variant\tmetric\tbaseline\tcurrent\tchange\tp\tlimit\tverdict\t")
	tests := map[string]bool{}
	var order []string
	for _, r := range rows {
		m := r.Limit.Metric
		if r.Skipped != "" {
			fmt.Fprintf(tw, "%s\t%s\t-\t-\t-\t-\t%s\tskipped: %s\t\n", r.Variant, m.Name, r.Limit.Text, r.Skipped)
			continue
		}
		p := "-"
		if !math.IsNaN(r.P) {
			p = fmt.Sprintf("%.3f", r.P)
		}
		verdict := "ok"
		switch {
		case r.Regressed:
			verdict = "REGRESSED"
		case r.Worse > r.Allowed:
			verdict = "ok (within noise)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s (n=%d)\t%s (n=%d)\t%s\t%s\t%s\t%s\t\n", r.Variant, m.Name,
			m.Format(r.BaselineMedian), len(r.Baseline), m.Format(r.CurrentMedian), len(r.Current),
			change(r), p, r.Limit.Text, verdict)
		if !tests[r.Test] {
			tests[r.Test] = true
			order = append(order, r.Test)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, t := range order {
		fmt.Fprintf(w, "compared by: %s\n", t)
	}
	return nil
}

// change is the current median against the baseline's: a percentage, or
// an amount when the baseline is 0 or the metric a share.
func change(r GateRow) string {
	d := r.CurrentMedian - r.BaselineMedian
	switch {
	case r.Limit.Metric.Unit == UnitRatio:
		return fmt.Sprintf("%+.3g pt", 100*d)
	case r.BaselineMedian == 0:
		return fmt.Sprintf("%+g", d)
	}
	return fmt.Sprintf("%+.1f%%", 100*d/r.BaselineMedian)
}
