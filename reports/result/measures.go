package result

import (
	"cmp"
	"fmt"
	"slices"
)

// measure is one measure of a variant and every place it shows: a metric
// that expect: and gate --max name, a row of the terminal table, a row of
// the report's side-by-side summary, a unit of the benchstat and BMF
// output. Each part is optional; adding a measure is one entry of measures.
type measure struct {
	// MetricDef is the metric; Name "" when expectations cannot name it.
	MetricDef
	// table is the row of the terminal table; Name "" for none.
	table TableRow
	// summary is the row of the report's summary; Name "" for none.
	summary Row
	// bench is the unit in benchstat and BMF output; unit "" for none.
	bench benchUnit
}

// TableRow is one row of the terminal table: a measure across variants.
type TableRow struct {
	Name string
	// Cell formats a variant's cell, "-" when the variant lacks the
	// measure; a row whose every cell is "-" is left out.
	Cell func(v *Variant) string
	// When, if set, leaves the row out of tables of results it is false
	// for.
	When func(r *Result) bool
}

// Row is one row of a side-by-side comparison of variants, such as the
// report's summary: a number in a unit, or text.
type Row struct {
	Name string
	Unit Unit
	// Value returns the variant's measure, false when it has none
	// (completion of a synchronous design).
	Value func(v *Variant) (float64, bool)
	// Missing, when set, is the cell of a variant Value has nothing for
	// ("" for the default "-"): NA when the variant has the measure but
	// could not measure it.
	Missing func(v *Variant) string
	// Text, when set, makes the row text: no unit, no difference.
	Text func(v *Variant) string
}

// benchUnit is how a metric is written in the machine formats: as value ×
// scale in the Go benchmark unit, at position at of each line.
type benchUnit struct {
	unit  string
	scale float64
	at    int
}

// measures lists every measure, in the order of the terminal table and
// the summary. The benchmark formats order theirs by benchUnit.at.
var measures = []measure{
	{table: TableRow{Name: "design", Cell: design}, summary: text("design", design)},
	{summary: text("topology", func(v *Variant) string { return OrDash(v.Topology) })},
	{
		table: TableRow{Name: "seed", Cell: func(v *Variant) string { return fmt.Sprint(v.Seed) },
			When: func(r *Result) bool { return r.Config.SeedPolicy != "" }}, // older results do not record each run's seed
		summary: text("seed", func(v *Variant) string {
			if v.Seed == 0 { // results that predate per-run seeds
				return "-"
			}
			return fmt.Sprint(v.Seed)
		}),
	},
	{summary: text("wire", func(v *Variant) string { return OrDash(v.Wire) })},
	{summary: text("recorded window", func(v *Variant) string { return Trim(v.WindowS) + " s" })},
	{
		table:   TableRow{Name: "offered rate", Cell: func(v *Variant) string { return FormatRate(v.OfferedRPS) }},
		summary: num("offered rate", UnitRate, func(v *Variant) float64 { return v.OfferedRPS }),
	},
	{
		MetricDef: def("achieved_rate", UnitRate, true, "requests sent per second", func(v *Variant) (float64, bool) { return v.AchievedRPS, true }),
		table:     TableRow{Name: "achieved rate", Cell: func(v *Variant) string { return FormatRate(v.AchievedRPS) }},
		summary:   num("achieved rate (sent)", UnitRate, func(v *Variant) float64 { return v.AchievedRPS }),
	},
	{
		MetricDef: def("throughput", UnitRate, true, "successful requests per second", func(v *Variant) (float64, bool) { return v.ThroughputRPS, true }),
		table:     TableRow{Name: "throughput (ok)", Cell: func(v *Variant) string { return FormatRate(v.ThroughputRPS) }},
		summary:   num("throughput (succeeded)", UnitRate, func(v *Variant) float64 { return v.ThroughputRPS }),
		bench:     benchUnit{"ok-ops/s", 1, 6},
	},
	{
		table:   TableRow{Name: "requests", Cell: func(v *Variant) string { return fmt.Sprint(v.Requests.Offered) }},
		summary: num("requests offered", UnitCount, func(v *Variant) float64 { return float64(v.Requests.Offered) }),
	},
	{summary: num("requests succeeded", UnitCount, func(v *Variant) float64 { return float64(v.Requests.Succeeded) })},
	{
		table:   TableRow{Name: "failed", Cell: failed},
		summary: num("requests failed", UnitCount, func(v *Variant) float64 { return float64(v.Requests.Failed) }),
	},
	{summary: text("failed by kind", failureKinds)},
	{
		MetricDef: def("availability", UnitRatio, true, "share of requests that succeeded", func(v *Variant) (float64, bool) { return v.Availability, v.Requests.Offered > 0 }),
		table:     TableRow{Name: "availability", Cell: func(v *Variant) string { return fmt.Sprintf("%.3f%%", 100*v.Availability) }},
		summary:   num("availability", UnitRatio, func(v *Variant) float64 { return v.Availability }),
		bench:     benchUnit{"avail-%", 100, 5},
	},
	latencyMeasure("p50", "p50", "latency p50 (ms), from each request's intended send time", func(p *Percentiles) float64 { return p.P50 }, benchUnit{"p50-ms", 1, 1}),
	latencyMeasure("p90", "p90", "latency p90", func(p *Percentiles) float64 { return p.P90 }, benchUnit{"p90-ms", 1, 2}),
	latencyMeasure("p99", "p99", "latency p99", func(p *Percentiles) float64 { return p.P99 }, benchUnit{"p99-ms", 1, 3}),
	latencyMeasure("p999", "p99.9", "latency p99.9", func(p *Percentiles) float64 { return p.P999 }, benchUnit{"p999-ms", 1, 4}),
	latencyMeasure("max", "max", "latency max", func(p *Percentiles) float64 { return p.Max }, benchUnit{}),
	{table: TableRow{Name: "accepted", Cell: eventCell(func(v *Variant) string { return fmt.Sprint(v.Requests.Succeeded) })}},
	{
		table:   TableRow{Name: "completed", Cell: eventCell(func(v *Variant) string { return fmt.Sprint(v.Completed) })},
		summary: eventNum("operations completed", UnitCount, func(v *Variant) float64 { return float64(v.Completed) }),
	},
	completionMeasure("completion_p50", "p50", "event completion p50: intended send until every subscriber processed", func(p *Percentiles) float64 { return p.P50 }, true, benchUnit{}),
	completionMeasure("", "p90", "", func(p *Percentiles) float64 { return p.P90 }, false, benchUnit{}),
	completionMeasure("completion_p99", "p99", "event completion p99", func(p *Percentiles) float64 { return p.P99 }, true, benchUnit{"completion-p99-ms", 1, 7}),
	completionMeasure("", "p99.9", "", func(p *Percentiles) float64 { return p.P999 }, false, benchUnit{}),
	completionMeasure("", "max", "", func(p *Percentiles) float64 { return p.Max }, false, benchUnit{}),
	eventMeasure("", "events acked*", "", func(e *Events) int64 { return e.Acked }, false, benchUnit{}),
	eventMeasure("", "events processed*", "", func(e *Events) int64 { return e.Processed }, false, benchUnit{}),
	eventMeasure("lost", "lost*", "(event, subscriber) pairs never processed", func(e *Events) int64 { return e.Lost }, true, benchUnit{"lost-events", 1, 8}),
	eventMeasure("pending", "still pending*", "pairs still held by the broker after the drain", func(e *Events) int64 { return e.Pending }, true, benchUnit{}),
	// unknown, publish_retries and broker_duplicates are not Events
	// metrics: expectations on them apply to every variant.
	eventMeasure("unknown", "unknown*", "unprocessed pairs the broker could not be asked about after the drain", func(e *Events) int64 { return e.Unknown }, false, benchUnit{}),
	eventMeasure("duplicates", "duplicates*", "events applied more than once", func(e *Events) int64 { return e.Duplicates }, true, benchUnit{"dup-events", 1, 9}),
	eventMeasure("publish_retries", "publish retries*", "publishes sent again after an attempt failed or timed out", func(e *Events) int64 { return e.PublishRetries }, false, benchUnit{}),
	eventMeasure("broker_duplicates", "broker duplicates*", "retried publishes the broker dropped as duplicates (same Nats-Msg-Id)", func(e *Events) int64 { return e.BrokerDuplicates }, false, benchUnit{}),
	eventMeasure("redelivered", "redelivered*", "deliveries marked as redeliveries", func(e *Events) int64 { return e.Redelivered }, true, benchUnit{}),
	eventMeasure("suppressed", "", "redeliveries recognised by idempotent consumers", func(e *Events) int64 { return e.Suppressed }, true, benchUnit{}),
	eventMeasure("dead_lettered", "", "events moved to the dead-letter stream", func(e *Events) int64 { return e.DeadLettered }, true, benchUnit{"dlq-events", 1, 10}),
	eventMeasure("poisoned", "", "events a subscriber can never process, once per subscriber", func(e *Events) int64 { return e.Poisoned }, true, benchUnit{}),
	eventMeasure("failures", "", "event handlings that failed", func(e *Events) int64 { return e.Failures }, true, benchUnit{}),
	eventMeasure("max_consumer_lag", "max consumer lag", "most events pending on a consumer", func(e *Events) int64 { return e.MaxConsumerLag }, true, benchUnit{}),
	{
		MetricDef: stateful(def("violations", UnitCount, false, "operations that broke a business invariant, summed over the eight kinds below (stateful variants)",
			consistency(func(c *Consistency) int64 { return c.Violations }))),
		table:   TableRow{Name: "violations", Cell: consistencyCell(violations)},
		summary: ConsistencyRow("consistency violations", UnitCount, func(c *Consistency) (float64, bool) { return float64(c.Violations), true }),
		bench:   benchUnit{"violations", 1, 11},
	},
	consistencyMeasure("double_charges", "operations charged more than once", func(c *Consistency) int64 { return c.DoubleCharges }),
	consistencyMeasure("double_reservations", "operations that reserved stock more than once", func(c *Consistency) int64 { return c.DoubleReservations }),
	consistencyMeasure("orphan_charges", "money taken, order not confirmed and never refunded", func(c *Consistency) int64 { return c.OrphanCharges }),
	consistencyMeasure("orphan_reservations", "stock reserved, order not confirmed and never released", func(c *Consistency) int64 { return c.OrphanReservations }),
	consistencyMeasure("confirmed_unpaid", "orders confirmed without a charge", func(c *Consistency) int64 { return c.ConfirmedUnpaid }),
	consistencyMeasure("confirmed_unreserved", "orders confirmed holding no stock", func(c *Consistency) int64 { return c.ConfirmedUnreserved }),
	consistencyMeasure("negative_stock", "items whose stock went below 0", func(c *Consistency) int64 { return c.NegativeStock }),
	consistencyMeasure("stuck", "operations not terminal at the end of the drain", func(c *Consistency) int64 { return c.Stuck }),
	{MetricDef: stateful(def("confirmed", UnitCount, true, "operations confirmed, consistent (stateful variants)", consistency(func(c *Consistency) int64 { return c.Confirmed })))},
	{MetricDef: stateful(def("cancelled", UnitCount, true, "operations cancelled, consistent: compensated or refused (stateful variants)", consistency(func(c *Consistency) int64 { return c.Cancelled })))},
	consistencyTimeMeasure("consistency_p50", "p50", "time to consistency p50: intended send until the operation was consistent and terminal", func(p *Percentiles) float64 { return p.P50 }, benchUnit{}),
	consistencyTimeMeasure("consistency_p99", "p99", "time to consistency p99", func(p *Percentiles) float64 { return p.P99 }, benchUnit{"consistency-p99-ms", 1, 12}),
	{table: TableRow{Name: "sched delay p99", Cell: func(v *Variant) string {
		if v.Harness == nil {
			return "-"
		}
		return FormatMS(v.Harness.SchedLatencyMS.P99)
	}}},
	{table: TableRow{Name: "cpu busy", Cell: func(v *Variant) string {
		if v.Harness == nil {
			return "-"
		}
		if w := v.Harness.CPUWaitShare; w != nil {
			return fmt.Sprintf("%.0f%% (waited %.0f%%)", 100*v.Harness.CPUBusy, 100**w)
		}
		return fmt.Sprintf("%.0f%%", 100*v.Harness.CPUBusy)
	}}},
	{table: TableRow{Name: "generator", Cell: generatorState}, summary: text("load generator", generatorState)},
	{
		MetricDef: def("send_lag_p99", UnitMS, false, "how late the generator sent, p99", func(v *Variant) (float64, bool) { return v.Generator.SendLagMS.P99, true }),
		summary:   num("send lag p99", UnitMS, func(v *Variant) float64 { return v.Generator.SendLagMS.P99 }),
	},
	{summary: num("most requests in flight", UnitCount, func(v *Variant) float64 { return float64(v.Generator.MaxInFlight) })},
	{MetricDef: def("amplification", UnitTimes, false, "attempts at the callee per call, the largest of any edge; amplification(FROM->TO) for one edge", maxAmplification)},
}

// latencyMeasure is the request latency quantile f: metric name, table and
// summary row "latency "+label.
func latencyMeasure(name, label, doc string, f func(p *Percentiles) float64, b benchUnit) measure {
	return measure{
		MetricDef: def(name, UnitMS, false, doc, latency(f)),
		table:     TableRow{Name: "latency " + label, Cell: func(v *Variant) string { return FormatMS(f(&v.LatencyMS)) }},
		summary:   num("latency "+label, UnitMS, func(v *Variant) float64 { return f(&v.LatencyMS) }),
		bench:     b,
	}
}

// completionMeasure is the event completion quantile f: a metric when name
// is set, the summary row "completion "+label, and the table row too when
// inTable.
func completionMeasure(name, label, doc string, f func(p *Percentiles) float64, inTable bool, b benchUnit) measure {
	m := measure{summary: completionNum("completion "+label, f), bench: b}
	if name != "" {
		m.MetricDef = def(name, UnitMS, false, doc, completion(f))
		m.Events = true
	}
	if inTable {
		m.table = TableRow{Name: "completion " + label, Cell: eventCell(func(v *Variant) string { return pct(v.Completion(), f) })}
	}
	return m
}

// eventMeasure is the event count f: a metric when name is set (an Events
// metric when only event-driven variants have it), the table row label
// when set.
func eventMeasure(name, label, doc string, f func(e *Events) int64, eventsOnly bool, b benchUnit) measure {
	m := measure{bench: b}
	if name != "" {
		m.MetricDef = def(name, UnitCount, false, doc, events(f))
		m.Events = eventsOnly
	}
	if label != "" {
		m.table = TableRow{Name: label, Cell: eventCell(func(v *Variant) string { return fmt.Sprint(f(&v.Events)) })}
	}
	return m
}

// consistencyMeasure is the violation count f of stateful variants: a
// metric only (the table shows them beside the sum, the report's
// consistency section each).
func consistencyMeasure(name, doc string, f func(c *Consistency) int64) measure {
	return measure{MetricDef: stateful(def(name, UnitCount, false, doc, consistency(f)))}
}

// consistencyTimeMeasure is the time-to-consistency quantile f of stateful
// variants: a metric, a table row and a summary row "time to consistency
// "+label.
func consistencyTimeMeasure(name, label, doc string, f func(p *Percentiles) float64, b benchUnit) measure {
	m := measure{MetricDef: stateful(def(name, UnitMS, false, doc, consistencyTime(f))), bench: b}
	m.table = TableRow{Name: "consistency " + label, Cell: consistencyCell(func(c *Consistency) string { return pct(c.TimeToConsistencyMS, f) })}
	m.summary = ConsistencyRow("time to consistency "+label, UnitMS, func(c *Consistency) (float64, bool) {
		if c.TimeToConsistencyMS == nil {
			return 0, false
		}
		return f(c.TimeToConsistencyMS), true
	})
	return m
}

// parts returns, in the order of measures, part of every measure that has
// it.
func parts[T any](part func(m measure) (T, bool)) []T {
	var out []T
	for _, m := range measures {
		if p, ok := part(m); ok {
			out = append(out, p)
		}
	}
	return out
}

// metrics lists the plain metrics of a variant, in the order of measures.
var metrics = parts(func(m measure) (MetricDef, bool) { return m.MetricDef, m.Name != "" })

// summaryRows are the rows of the report's side-by-side summary.
var summaryRows = parts(func(m measure) (Row, bool) { return m.summary, m.summary.Name != "" })

// tableRows are the rows of the terminal table after the variant labels.
var tableRows = parts(func(m measure) (TableRow, bool) { return m.table, m.table.Name != "" })

// BenchMetric is one value written per variant in the machine formats
// (benchstat and BMF): the metric's value × Scale, in the Go benchmark
// unit Unit ("p99-ms").
type BenchMetric struct {
	Metric MetricDef
	Unit   string
	Scale  float64
}

// benchMetrics are the metrics of the machine formats, in their order.
var benchMetrics = func() []BenchMetric {
	in := parts(func(m measure) (measure, bool) { return m, m.bench.unit != "" })
	slices.SortStableFunc(in, func(a, b measure) int { return cmp.Compare(a.bench.at, b.bench.at) })
	out := make([]BenchMetric, len(in))
	for i, m := range in {
		out[i] = BenchMetric{Metric: m.MetricDef, Unit: m.bench.unit, Scale: m.bench.scale}
	}
	return out
}()

// TableRows returns the rows of the terminal table after the variant
// labels, in order: the measures that have one.
func TableRows() []TableRow { return slices.Clone(tableRows) }

// SummaryRows returns the rows of the report's side-by-side summary, in
// order: the measures that have one.
func SummaryRows() []Row { return slices.Clone(summaryRows) }

// BenchMetrics returns the metrics of the benchstat and BMF output, in the
// order of each line: the measures that have a benchmark unit.
func BenchMetrics() []BenchMetric { return slices.Clone(benchMetrics) }
