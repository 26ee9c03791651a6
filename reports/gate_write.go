package reports

import (
	"fmt"
	"io"
	"math"
	"text/tabwriter"

	"github.com/faultline-sim/faultline/reports/result"
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
		fmt.Fprintf(tw, "%s\t%s\t%s (n=%d)\t%s (n=%d)\t%s\t%s\t%s\t%s\t\n", r.Variant, m.Name,
			m.Format(r.BaselineMedian), len(r.Baseline), m.Format(r.CurrentMedian), len(r.Current),
			change(r), p, limitText(r), r.Verdict())
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

// Verdict is the row's verdict as WriteGate prints it: "REGRESSED", "ok
// (within noise)" (worse by more than the limit, but not significantly),
// "ok", or "skipped: " and why.
func (r GateRow) Verdict() string {
	switch {
	case r.Skipped != "":
		return "skipped: " + r.Skipped
	case r.Regressed:
		return "REGRESSED"
	case r.Worse > r.Allowed:
		return "ok (within noise)"
	}
	return "ok"
}

// ChangeText is the change as WriteGate prints it (e.g. "+19.6% (+30 ms)");
// "-" for a skipped row.
func (r GateRow) ChangeText() string {
	if r.Skipped != "" {
		return "-"
	}
	return change(r)
}

// LimitText is the limit as WriteGate prints it, in the change's unit
// (e.g. "+15% (+23 ms)"); the limit as written for a skipped row.
func (r GateRow) LimitText() string {
	if r.Skipped != "" {
		return r.Limit.Text
	}
	return limitText(r)
}

// change is the current value against the baseline's, written as the limit
// is (limitText): in percent of the baseline beside the amount for a
// relative limit, else as an amount in the metric's display unit
// (percentage points for a share, ms for a latency). For a count it is the
// change of the worst repetition, which the verdict compares.
func change(r GateRow) string {
	d := r.CurrentMedian - r.BaselineMedian
	if r.Limit.Metric.Unit == result.UnitCount {
		d = r.Current[len(r.Current)-1] - r.Baseline[len(r.Baseline)-1]
	}
	amount := signedAmount(r.Limit.Metric.Unit, d)
	if r.Limit.Metric.Unit == result.UnitCount {
		amount += " (worst)"
	}
	if !r.Limit.Relative {
		return amount
	}
	if r.BaselineMedian == 0 {
		return "n/a% (" + amount + ")"
	}
	return fmt.Sprintf("%+.1f%% (%s)", 100*d/math.Abs(r.BaselineMedian), amount)
}

// limitText is the limit as the change is written: a relative limit in
// percent beside the amount it allows against this baseline, an absolute
// one as an amount in the metric's display unit. Both carry the sign of
// the worse direction.
func limitText(r GateRow) string {
	m := r.Limit.Metric
	worse := r.Allowed
	if m.HigherIsBetter {
		worse = -worse
	}
	amount := signedAmount(m.Unit, worse)
	if !r.Limit.Relative {
		return amount
	}
	pct := 100 * r.Limit.Amount
	if m.HigherIsBetter {
		pct = -pct
	}
	return fmt.Sprintf("%+g%% (%s)", pct, amount)
}

// signedAmount writes x, a value in unit u, with its sign, in the unit the
// gate prints: ms, percentage points (pt) for a share, /s, a count, ×.
func signedAmount(u result.Unit, x float64) string {
	sign := "+"
	if x < 0 {
		sign, x = "-", -x
	}
	switch u {
	case result.UnitMS:
		return sign + round3(x) + " ms"
	case result.UnitRatio:
		return sign + round3(100*x) + " pt"
	case result.UnitRate:
		return sign + result.Trim(x) + "/s"
	case result.UnitTimes:
		return sign + result.Trim(x) + "×"
	}
	return sign + result.Trim(x)
}

// round3 writes x with about three significant digits (at least one
// decimal below 100), trailing zeros dropped: 0.123, 4.56, 23.6, 154.
func round3(x float64) string {
	switch {
	case x >= 100:
		return fmt.Sprintf("%.0f", x)
	case x >= 10:
		return result.Trim(math.Round(x*10) / 10)
	}
	return result.Trim(math.Round(x*100) / 100)
}
