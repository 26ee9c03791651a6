package scenarios

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/faultline-sim/faultline/reports/result"
	"github.com/faultline-sim/faultline/topologies"
)

// Expectation is one expectation of a scenario's expect block, for one
// variant or for every variant ("*") that has the metric. Per variant, a
// mapping of metric to "OP VALUE", or a list of "METRIC OP VALUE":
//
//	expect:
//	  sync:   {p99: "< 300ms", availability: ">= 99.9%"}
//	  events: ["completion_p99 < 1s", "p99 < 50ms"]
//	  "*":    {lost: "== 0"}
type Expectation struct {
	Variant string
	Expect  result.Expect
	Line    int
}

// AllVariants is the expect key that applies to every variant.
const AllVariants = "*"

// decodeExpect decodes the expect mapping, in file order.
func decodeExpect(d *topologies.Decoder, n topologies.Node, variants []Variant) []Expectation {
	known := []string{AllVariants}
	for _, v := range variants {
		if v.Name != "" {
			known = append(known, v.Name)
		}
	}
	m, ok := d.Mapping(n, known...)
	if !ok {
		return nil
	}
	var out []Expectation
	for _, k := range n.Value.Content {
		if vn, ok := m[k.Value]; ok && k.Kind == yaml.ScalarNode {
			out = append(out, decodeVariantExpect(d, vn, k.Value)...)
		}
	}
	return out
}

// decodeVariantExpect decodes one variant's expectations: a mapping of
// metric to "OP VALUE" or a list of "METRIC OP VALUE".
func decodeVariantExpect(d *topologies.Decoder, n topologies.Node, variant string) []Expectation {
	var out []Expectation
	add := func(at topologies.Node, expr string) {
		e, err := result.ParseExpect(expr)
		if err != nil {
			d.Errorf(at, "%v", err)
			return
		}
		out = append(out, Expectation{Variant: variant, Expect: e, Line: at.Line})
	}
	if n.IsMapping() {
		c := n.Value.Content
		for i := 0; i+1 < len(c); i += 2 {
			k, v := c[i], c[i+1]
			at := topologies.Node{Value: v, Path: n.Path + "." + k.Value, Line: k.Line}
			if k.Kind != yaml.ScalarNode || v.Kind != yaml.ScalarNode {
				d.Errorf(at, `must be "OP VALUE", e.g. "< 300ms"`)
				continue
			}
			add(at, k.Value+" "+v.Value)
		}
		return out
	}
	for _, item := range d.List(n) {
		if s, ok := d.String(item); ok {
			add(item, s)
		}
	}
	return out
}

// Check evaluates the scenario's expectations on a result, in order: each
// named variant's, and the "*" ones on every variant the metric is defined
// for (see appliesTo: event metrics on event-driven variants, an edge's
// amplification on variants with that edge). A metric that is defined for
// the variant but was not measured (recovered_after when availability never
// came back, completion_p99 when nothing completed) fails as "metric
// absent" (Missing), for "*" as for a named variant: it never passes.
// When the result holds several repetitions of a variant, an expectation
// is checked once against the median over them (of an even count, the
// worse of the two middle values), so one noisy repetition neither passes
// nor fails it alone. Expectations of variants not in the result (see Only)
// are skipped.
func (s *Scenario) Check(r *result.Result) []result.Expectation {
	var names []string
	reps := map[string][]*result.Variant{}
	for i := range r.Variants {
		v := &r.Variants[i]
		if reps[v.Name] == nil {
			names = append(names, v.Name)
		}
		reps[v.Name] = append(reps[v.Name], v)
	}
	out := []result.Expectation{}
	for _, e := range s.Expect {
		for _, name := range names {
			if e.Variant != AllVariants && e.Variant != name {
				continue
			}
			if e.Variant == AllVariants && !s.appliesTo(e.Expect.Metric, reps[name][0]) {
				continue // not a metric of this kind of variant
			}
			c := checkMedian(e.Expect, reps[name])
			c.Line = e.Line
			out = append(out, c)
		}
	}
	return out
}

// appliesTo reports whether metric m is defined for variant v, whether or
// not it was measured: metrics of events (and of a broker fault's
// recovery) only for event-driven variants, consistency metrics only for
// stateful variants (those with a consistency block, read or not),
// amplification(FROM->TO) only for variants whose topology has that edge.
func (s *Scenario) appliesTo(m result.MetricDef, v *result.Variant) bool {
	if (m.Events || brokerFaultMetric(m.Name)) && !v.EventDriven {
		return false
	}
	if m.Stateful && v.Consistency == nil {
		return false
	}
	if m.Edge[0] == "" {
		return true
	}
	for _, sv := range s.Variants {
		if sv.Name == v.Name && sv.Topology != nil {
			return hasEdge(sv.Topology, m.Edge[0], m.Edge[1])
		}
	}
	return true
}

// brokerFaultMetric reports whether name is a fault metric measured on the
// broker (faults[N].publishable_after, faults[N].caught_up_after), which
// only event-driven variants have.
func brokerFaultMetric(name string) bool {
	return strings.HasSuffix(name, ".publishable_after") || strings.HasSuffix(name, ".caught_up_after")
}

// checkMedian checks e against the median of its metric over vs, the
// repetitions of one variant.
func checkMedian(e result.Expect, vs []*result.Variant) result.Expectation {
	if len(vs) == 1 {
		return e.Check(vs[0])
	}
	xs := make([]float64, 0, len(vs))
	for _, v := range vs {
		c := e.Check(v)
		if c.Missing {
			return c
		}
		xs = append(xs, c.Observed)
	}
	slices.Sort(xs)
	med := xs[len(xs)/2] // of an even count, the upper middle
	if len(xs)%2 == 0 && e.Metric.HigherIsBetter {
		med = xs[len(xs)/2-1]
	}
	c := e.CheckValue(vs[0].Name, med)
	c.Repetitions = len(xs)
	return c
}

// validateExpect checks that each expectation can be measured: a fault
// index the scenario has, and — once topologies are loaded — an event
// metric only on variants with events, an edge the variant calls.
func (s *Scenario) validateExpect(fail failFunc) {
	for _, e := range s.Expect {
		m := e.Expect.Metric
		key := "expect." + e.Variant + "." + m.Name
		if m.Fault >= len(s.Faults) {
			fail(e.Line, key, "the scenario has %d fault(s), numbered from 0", len(s.Faults))
		}
	}
	s.expectMetricProblems(fail)
}

// expectMetricProblems reports each expectation of a named variant whose
// metric that variant cannot have: event metrics without events,
// consistency metrics without state, an edge the topology lacks. Variants
// whose topology is not loaded are skipped (ReadFile checks them once it
// has read them, checkExpectMetrics).
func (s *Scenario) expectMetricProblems(fail failFunc) {
	for _, e := range s.Expect {
		m := e.Expect.Metric
		key := "expect." + e.Variant + "." + m.Name
		if e.Variant == AllVariants {
			continue
		}
		for _, v := range s.Variants {
			if v.Name != e.Variant || v.Topology == nil {
				continue
			}
			switch {
			case m.Events && len(v.Topology.Subjects()) == 0:
				fail(e.Line, key, "variant %s publishes no events, so it has no %s", v.Name, m.Name)
			case m.Stateful && v.Topology.State == nil:
				fail(e.Line, key, "variant %s has no state (topology %s has no state: block), so it has no %s", v.Name, v.Topology.Name, m.Name)
			case m.Edge[0] != "" && !hasEdge(v.Topology, m.Edge[0], m.Edge[1]):
				fail(e.Line, key, "variant %s has no call edge %s->%s", v.Name, m.Edge[0], m.Edge[1])
			}
		}
	}
}

// checkExpectMetrics is expectMetricProblems once the topologies are read:
// the problems match topologies.ErrInvalid.
func (s *Scenario) checkExpectMetrics() error {
	var errs []error
	s.expectMetricProblems(func(line int, key, format string, args ...any) {
		errs = append(errs, &topologies.FieldError{File: s.File, Line: line, Key: key, Msg: fmt.Sprintf(format, args...)})
	})
	return errors.Join(errs...)
}

// hasEdge reports whether from calls to in t; the gateway calls the entry.
func hasEdge(t *topologies.Topology, from, to string) bool {
	if from == "gateway" {
		return to == t.Entry
	}
	if s := t.Service(from); s != nil {
		for _, c := range s.Calls {
			if c.Service == to {
				return true
			}
		}
	}
	return false
}
