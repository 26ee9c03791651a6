package reports

import (
	"fmt"
	"slices"
	"strings"
)

// measure is one row of a side-by-side table: a number in a unit, or text.
type measure struct {
	name string
	unit Unit
	// value returns the measure of a column, false when the column has
	// none (completion of a synchronous design).
	value func(c column) (float64, bool)
	// missing, when set, is the cell of a column value has nothing for
	// ("" for the default "-"): NA when the column has the measure but
	// could not measure it.
	missing func(c column) string
	// text, when set, makes the row text: no unit, no difference.
	text func(c column) string
}

func num(name string, u Unit, f func(v *Variant) float64) measure {
	return measure{name: name, unit: u, value: func(c column) (float64, bool) { return f(c.V), true }}
}

// eventNum is a measure only event-driven variants have.
func eventNum(name string, u Unit, f func(v *Variant) float64) measure {
	return measure{name: name, unit: u, value: func(c column) (float64, bool) { return f(c.V), c.V.EventDriven }}
}

func completionNum(name string, f func(p *Percentiles) float64) measure {
	return measure{name: name, unit: UnitMS, value: func(c column) (float64, bool) {
		p := c.V.Completion()
		if p == nil {
			return 0, false
		}
		return f(p), true
	}, missing: func(c column) string {
		if c.V.EventDriven {
			return NA
		}
		return ""
	}}
}

func text(name string, f func(v *Variant) string) measure {
	return measure{name: name, text: func(c column) string { return f(c.V) }}
}

func generatorState(v *Variant) string {
	switch {
	case v.Error != "":
		return "FAILED"
	case v.HarnessFailed():
		return "HARNESS"
	case v.Generator.Behind:
		return "BEHIND"
	}
	return "on schedule"
}

// failureKinds lists the failures of v by kind, "none" without failures.
func failureKinds(v *Variant) string {
	var parts, other []string
	for _, k := range ErrorKinds {
		if n := v.Requests.Errors[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", k, n))
		}
	}
	for k, n := range v.Requests.Errors { // kinds this version does not know
		if n > 0 && !slices.Contains(ErrorKinds, k) {
			other = append(other, fmt.Sprintf("%s %d", k, n))
		}
	}
	slices.Sort(other)
	if parts = append(parts, other...); len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// sideBySide renders measures for cols: one column per variant, and after
// each but the first its difference to the first. Rows no column has are
// left out.
func sideBySide(cols []column, measures []measure) *table {
	head := []string{"measure"}
	for i, c := range cols {
		head = append(head, c.Label)
		if i > 0 {
			head = append(head, c.Label+" vs "+cols[0].Label)
		}
	}
	t := newTable("l"+strings.Repeat("r", len(head)-1), head...)
	for _, m := range measures {
		cells := []string{m.name}
		any := false
		for i, c := range cols {
			if m.text != nil {
				cells = append(cells, m.text(c))
				if i > 0 {
					cells = append(cells, "")
				}
				any = true
				continue
			}
			x, ok := m.value(c)
			cell := "-"
			if ok {
				cell, any = formatValue(m.unit, x), true
			} else if m.missing != nil && m.missing(c) != "" {
				cell, any = m.missing(c), true
			}
			cells = append(cells, cell)
			if i > 0 {
				base, baseOK := m.value(cols[0])
				d := "-"
				if ok && baseOK {
					d = formatDiff(m.unit, base, x)
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
	t := sideBySide(b.cols, summaryMeasures)
	for i := range t.Rows {
		if cells := strings.Join(t.Rows[i].Cells, " "); t.Rows[i].Cells[0] == "load generator" && (strings.Contains(cells, "BEHIND") || strings.Contains(cells, "HARNESS")) {
			t.Rows[i].Mark = "warn"
		}
	}
	s.Blocks = append(s.Blocks, block{Table: t})
	var samples []string
	for _, c := range b.cols {
		for _, k := range ErrorKinds {
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
			observed, threshold := trim(e.Observed), e.Bound(trim)
			if m, err := ResolveMetric(e.Metric); err == nil {
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
				where = fmt.Sprintf("%s:%d", orDash(r.File), e.Line)
			}
			t.add(mark, b.expectationVariant(i, e.Variant), e.Expr, observed, threshold, verdict, where)
		}
	}
	if len(t.Rows) > 0 {
		s.Blocks = append(s.Blocks, block{Table: t})
	}
	return s
}
