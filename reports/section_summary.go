package reports

import (
	"fmt"
	"strings"

	"github.com/faultline-sim/faultline/reports/result"
)

// sideBySide renders rows for cols: one column per variant, and after
// each but the first its difference to the first. Rows no column has are
// left out.
func sideBySide(cols []column, rows []result.Row) *table {
	head := []string{"measure"}
	for i, c := range cols {
		head = append(head, c.Label)
		if i > 0 {
			head = append(head, c.Label+" vs "+cols[0].Label)
		}
	}
	t := newTable("l"+strings.Repeat("r", len(head)-1), head...)
	for _, m := range rows {
		cells := []string{m.Name}
		any := false
		for i, c := range cols {
			if m.Text != nil {
				cells = append(cells, m.Text(c.V))
				if i > 0 {
					cells = append(cells, "")
				}
				any = true
				continue
			}
			x, ok := m.Value(c.V)
			cell := "-"
			if ok {
				cell, any = formatValue(m.Unit, x), true
			} else if m.Missing != nil && m.Missing(c.V) != "" {
				cell, any = m.Missing(c.V), true
			}
			cells = append(cells, cell)
			if i > 0 {
				base, baseOK := m.Value(cols[0].V)
				d := "-"
				if ok && baseOK {
					d = formatDiff(m.Unit, base, x)
				}
				cells = append(cells, d)
			}
		}
		if any {
			t.add("", cells...)
		}
	}
	return t
}

func (b *builder) summary() section {
	s := section{ID: "summary", Title: "Variants side by side",
		Window: b.window() + " Latency from each request's intended send time, successes and failures alike; completion: from the intended send time until every subscriber processed every event of the operation."}
	if len(b.cols) == 0 {
		s.Blocks = append(s.Blocks, block{Para: "No variant was run."})
		return s
	}
	t := sideBySide(b.cols, result.SummaryRows())
	for i := range t.Rows {
		if cells := strings.Join(t.Rows[i].Cells, " "); t.Rows[i].Cells[0] == "load generator" && (strings.Contains(cells, "BEHIND") || strings.Contains(cells, "HARNESS")) {
			t.Rows[i].Mark = "warn"
		}
	}
	s.Blocks = append(s.Blocks, block{Table: t})
	var samples []string
	for _, c := range b.cols {
		for _, k := range result.ErrorKinds {
			if msg, ok := c.V.Requests.ErrorSamples[k]; ok {
				samples = append(samples, fmt.Sprintf("%s: first %s error: %s", c.Label, k, msg))
			}
		}
	}
	if len(samples) > 0 {
		s.Blocks = append(s.Blocks, block{List: samples})
	}
	if f, ok := b.figure(plotCompare, "p99 latency, availability and throughput (succeeded requests per second) of each variant over the recorded window."); ok {
		s.Blocks = append(s.Blocks, f)
	}
	return s
}

func (b *builder) expectations() section {
	s := section{ID: "expectations", Title: "Expectations",
		Window: "Each metric over its own window: requests, latency and completion over the recorded window; a fault's before/during/after over those seconds; event counts over the whole run."}
	t := newTable("llrrll", "variant", "expectation", "observed", "threshold", "result", "where")
	for i, r := range b.results {
		for _, e := range r.Expectations {
			observed, threshold := result.Trim(e.Observed), e.Bound(result.Trim)
			if m, err := result.ResolveMetric(e.Metric); err == nil {
				observed, threshold = m.Format(e.Observed), e.Bound(m.Format)
			}
			if e.Missing {
				observed = "metric absent"
			} else if e.Repetitions > 1 {
				observed += fmt.Sprintf(" (median of %d runs)", e.Repetitions)
			}
			verdict, mark := "pass", "ok"
			if !e.OK {
				verdict, mark = "FAIL", "fail"
			}
			where := "-"
			if e.Line > 0 {
				where = fmt.Sprintf("%s:%d", result.OrDash(r.File), e.Line)
			}
			t.add(mark, b.expectationVariant(i, e.Variant), e.Expr, observed, threshold, verdict, where)
		}
	}
	if len(t.Rows) > 0 {
		s.Blocks = append(s.Blocks, block{Table: t})
	}
	return s
}
