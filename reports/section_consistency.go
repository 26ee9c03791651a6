package reports

import (
	"fmt"
	"slices"
	"strings"

	"github.com/faultline-sim/faultline/reports/result"
)

// checkedCount is a count of a consistency block.
func checkedCount(name string, f func(c *result.Consistency) int64) result.Row {
	return result.ConsistencyRow(name, result.UnitCount, func(c *result.Consistency) (float64, bool) { return float64(f(c)), true })
}

// checkedTime is a quantile of the time to consistency; none when no
// operation became consistent.
func checkedTime(name string, f func(p *result.Percentiles) float64) result.Row {
	return result.ConsistencyRow(name, result.UnitMS, func(c *result.Consistency) (float64, bool) {
		if c.TimeToConsistencyMS == nil {
			return 0, false
		}
		return f(c.TimeToConsistencyMS), true
	})
}

// kindDocs says what each violation kind (result.ConsistencyKinds) counts.
var kindDocs = map[string]string{
	"double_charges":       "double charges: operations charged more than once",
	"double_reservations":  "double reservations: operations that reserved stock more than once",
	"confirmed_unreserved": "confirmed unreserved: orders confirmed holding no stock",
	"orphan_charges":       "orphan charges: money taken, the order not confirmed and never refunded",
	"orphan_reservations":  "orphan reservations: stock reserved, the order not confirmed and never released",
	"confirmed_unpaid":     "confirmed unpaid: orders confirmed without a charge",
	"negative_stock":       "negative stock: items whose stock went below 0 (counted per item)",
	"stuck":                "stuck: operations not terminal (neither confirmed nor cancelled) at the end of the drain",
}

// violationCounts are the violation rows of the consistency table by
// label: the sum, then each kind.
var violationCounts = func() map[string]func(c *result.Consistency) int64 {
	m := map[string]func(c *result.Consistency) int64{
		violationsLabel: func(c *result.Consistency) int64 { return c.Violations },
	}
	for _, k := range result.ConsistencyKinds {
		m[kindLabel(k)] = func(c *result.Consistency) int64 { n, _ := c.Count(k); return n }
	}
	return m
}()

const violationsLabel = "violations (sum of the kinds below)"

// consistencyMeasures are the rows of the consistency table.
var consistencyMeasures = func() []result.Row {
	rows := []result.Row{
		checkedCount("operations (orders placed)", func(c *result.Consistency) int64 { return c.Operations }),
		checkedCount("confirmed", func(c *result.Consistency) int64 { return c.Confirmed }),
		checkedCount("cancelled", func(c *result.Consistency) int64 { return c.Cancelled }),
		checkedCount("consistent and terminal", func(c *result.Consistency) int64 { return c.Consistent }),
		checkedCount(violationsLabel, violationCounts[violationsLabel]),
	}
	for _, k := range result.ConsistencyKinds {
		rows = append(rows, checkedCount(kindLabel(k), violationCounts[kindLabel(k)]))
	}
	return append(rows,
		checkedTime("time to consistency p50", func(p *result.Percentiles) float64 { return p.P50 }),
		checkedTime("time to consistency p99", func(p *result.Percentiles) float64 { return p.P99 }),
		checkedTime("time to consistency max", func(p *result.Percentiles) float64 { return p.Max }),
	)
}()

// kindLabel is the row label of violation kind k: "double charges".
func kindLabel(k string) string { return strings.ReplaceAll(k, "_", " ") }

func (b *builder) consistency() section {
	s := section{ID: "consistency", Title: "Consistency",
		Window: "After the drain, every store of a stateful variant and the ledger read back, and each operation the stores know of (an order placed) judged: " +
			"consistent and terminal (confirmed with exactly one charge and one reservation, or cancelled with a net charge of 0 and nothing reserved), or counted under each invariant it broke. " +
			"Time to consistency: from the operation's intended send time until it was consistent and terminal, read off an HdrHistogram, never averaged. " +
			"Over time: the checker's sample of the stores each second during the run (x: seconds from the end of warm-up)."}
	var cols []column
	for _, c := range b.cols {
		if c.V.Consistency != nil {
			cols = append(cols, c)
		}
	}
	if len(cols) == 0 {
		return s
	}
	t := sideBySide(cols, consistencyMeasures)
	for i := range t.Rows { // a violation any variant has is marked
		count, ok := violationCounts[t.Rows[i].Cells[0]]
		if ok && slices.ContainsFunc(cols, func(c column) bool { cc := c.V.CheckedConsistency(); return cc != nil && count(cc) > 0 }) {
			t.Rows[i].Mark = "fail"
		}
	}
	s.Blocks = append(s.Blocks, block{Table: t})
	var docs []string
	for _, k := range result.ConsistencyKinds {
		docs = append(docs, kindDocs[k])
	}
	s.Blocks = append(s.Blocks, block{Para: "Violations by kind (their sum counts an operation once per kind it broke; stuck is left out of the samples over time, since an operation under way is not yet final):"}, block{List: docs})
	var notes, samples []string
	for _, c := range cols {
		cc := c.V.Consistency
		if cc.Error != "" {
			notes = append(notes, fmt.Sprintf("%s: the stores could not be read (%s): nothing is claimed about its consistency.", c.Label, cc.Error))
			continue
		}
		for _, k := range result.ConsistencyKinds {
			if ids := cc.Samples[k]; len(ids) > 0 {
				samples = append(samples, fmt.Sprintf("%s, %s: %s", c.Label, kindLabel(k), sampleIDs(cc, k)))
			}
		}
	}
	if len(notes) > 0 {
		s.Blocks = append(s.Blocks, block{List: notes})
	}
	if len(samples) > 0 {
		s.Blocks = append(s.Blocks, block{Para: "Sample operations of each violation, by operation id, to look up in the stores:"}, block{List: samples})
	}
	for _, f := range []struct{ file, caption string }{
		{plotConsistency, "Violations the checker saw in each sample of the stores during the run (top; stuck excluded) and the operations not yet terminal (bottom), per stateful variant. Shaded: each fault, from when it was applied to when it was removed."},
		{plotConsistPct, "Time to consistency by percentile, stateful variants: from an operation's intended send time until it was consistent and terminal."},
	} {
		if fig, ok := b.figure(f.file, f.caption); ok {
			s.Blocks = append(s.Blocks, fig)
		}
	}
	return s
}

// sampleIDs lists the sample operation ids of kind k, saying when they
// are only some of them: "5012, 5013 (2 of 7)".
func sampleIDs(c *result.Consistency, k string) string {
	ids := c.Samples[k]
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprint(id)
	}
	s := strings.Join(parts, ", ")
	if n, _ := c.Count(k); n > int64(len(ids)) {
		s += fmt.Sprintf(" (%d of %d)", len(ids), n)
	}
	return s
}
