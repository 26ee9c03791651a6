package result

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Unit is how a metric is measured, and so how its thresholds are written.
type Unit int

const (
	UnitMS    Unit = iota // milliseconds; thresholds are durations (200ms, 1s)
	UnitRatio             // 0..1; thresholds are percentages (99.9%) or fractions
	UnitRate              // per second; thresholds are numbers or "N/s"
	UnitCount             // events or requests; thresholds are numbers
	UnitTimes             // a factor (amplification); thresholds are numbers
)

// MetricDef describes one metric of a variant that expectations and gates
// can name.
type MetricDef struct {
	Name string
	Unit Unit
	// HigherIsBetter orients comparisons with a baseline.
	HigherIsBetter bool
	Doc            string
	get            func(v *Variant) (float64, bool)
	// Events is true for metrics only event-driven variants have;
	// Stateful for those only stateful variants have (a consistency
	// block, Variant.Consistency).
	Events   bool
	Stateful bool
	// Edge names the edge of amplification(FROM->TO); Fault is the index
	// of faults[N]... metrics, -1 otherwise.
	Edge  [2]string
	Fault int
}

func def(name string, u Unit, higher bool, doc string, get func(v *Variant) (float64, bool)) MetricDef {
	return MetricDef{Name: name, Unit: u, HigherIsBetter: higher, Doc: doc, get: get, Fault: -1}
}

func latency(f func(p *Percentiles) float64) func(v *Variant) (float64, bool) {
	return func(v *Variant) (float64, bool) { return f(&v.LatencyMS), v.Requests.Offered > 0 }
}

func completion(f func(p *Percentiles) float64) func(v *Variant) (float64, bool) {
	return func(v *Variant) (float64, bool) {
		p := v.Completion()
		if p == nil {
			return 0, false
		}
		return f(p), true
	}
}

func events(f func(e *Events) int64) func(v *Variant) (float64, bool) {
	return func(v *Variant) (float64, bool) { return float64(f(&v.Events)), v.EventDriven }
}

// stateful marks d a metric only stateful variants have.
func stateful(d MetricDef) MetricDef {
	d.Stateful = true
	return d
}

// consistency reads count f of v's consistency block: none for a
// stateless variant, nor for one whose stores could not be read.
func consistency(f func(c *Consistency) int64) func(v *Variant) (float64, bool) {
	return func(v *Variant) (float64, bool) {
		c := v.CheckedConsistency()
		if c == nil {
			return 0, false
		}
		return float64(f(c)), true
	}
}

// consistencyTime reads quantile f of v's time to consistency: none
// without a consistency block, nor when no operation became consistent.
func consistencyTime(f func(p *Percentiles) float64) func(v *Variant) (float64, bool) {
	return func(v *Variant) (float64, bool) {
		c := v.CheckedConsistency()
		if c == nil || c.TimeToConsistencyMS == nil {
			return 0, false
		}
		return f(c.TimeToConsistencyMS), true
	}
}

func maxAmplification(v *Variant) (float64, bool) {
	best, ok := 0.0, false
	for _, e := range v.Edges {
		if e.Requests > 0 {
			best, ok = max(best, e.Amplification), true
		}
	}
	return best, ok
}

// windowMetrics are the metrics of a fault's before, during and after
// windows: faults[N].during.availability.
var windowMetrics = []MetricDef{
	def("availability", UnitRatio, true, "", nil),
	def("p99", UnitMS, false, "", nil),
	def("throughput", UnitRate, true, "", nil),
	// Event-driven variants only: the operations intended in the window
	// (absent when none completed) and the consumer backlog (absent when
	// no second of the window has a lag sample).
	def("completion_p50", UnitMS, false, "", nil),
	def("completion_p99", UnitMS, false, "", nil),
	def("completed_rate", UnitRate, true, "", nil),
	def("consumer_lag_max", UnitCount, false, "", nil),
	def("consumer_lag_mean", UnitCount, false, "", nil),
}

// faultMetrics are a fault's own measurements: faults[N].publishable_after.
var faultMetrics = []MetricDef{
	def("publishable_after", UnitMS, false, "broker crash until a publish was acked again", nil),
	def("caught_up_after", UnitMS, false, "broker node restart until it caught up", nil),
	def("recovered_after", UnitMS, false, "fault end until availability was back (1 s resolution)", nil),
	{Name: "amplification", Unit: UnitTimes, Doc: "attempts per call while the fault was applied, the largest of any edge", Fault: -1},
	def("registry_left", UnitCount, false, "replicas that left the service registry during the fault (heartbeats stopped)", nil),
	def("registry_back_after", UnitMS, false, "fault end until the last replica that left was registered again", nil),
}

func init() {
	for i := range windowMetrics {
		m := &windowMetrics[i]
		switch m.Name {
		case "completion_p50", "completion_p99", "completed_rate", "consumer_lag_max", "consumer_lag_mean":
			m.Events = true
		}
	}
}

// Metrics returns the plain metric definitions, for documentation.
func Metrics() []MetricDef { return append([]MetricDef(nil), metrics...) }

var (
	edgeMetric  = regexp.MustCompile(`^amplification\(([a-z0-9_.-]+)->([a-z0-9_.-]+)\)$`)
	faultMetric = regexp.MustCompile(`^faults\[(\d+)\]\.(?:(before|during|after)\.)?([a-z_0-9]+)$`)
)

// ResolveMetric checks a metric name and returns its definition.
func ResolveMetric(name string) (MetricDef, error) {
	for _, m := range metrics {
		if m.Name == name {
			return m, nil
		}
	}
	if m := edgeMetric.FindStringSubmatch(name); m != nil {
		from, to := m[1], m[2]
		return MetricDef{Name: name, Unit: UnitTimes, Edge: [2]string{from, to}, Fault: -1, get: func(v *Variant) (float64, bool) {
			for _, e := range v.Edges {
				if e.From == from && e.To == to {
					return e.Amplification, e.Requests > 0
				}
			}
			return 0, false
		}}, nil
	}
	if m := faultMetric.FindStringSubmatch(name); m != nil {
		i, err := strconv.Atoi(m[1])
		if err != nil || i > 1000 {
			return MetricDef{}, fmt.Errorf("%q: fault index out of range", name)
		}
		return faultMetricDef(name, i, m[2], m[3])
	}
	return MetricDef{}, fmt.Errorf("unknown metric %q (one of: %s, amplification(FROM->TO), faults[N].before|during|after.availability|p99|throughput|completion_p50|completion_p99|completed_rate|consumer_lag_max|consumer_lag_mean, faults[N].publishable_after|caught_up_after|recovered_after|amplification|registry_left|registry_back_after)", name, strings.Join(metricNames(), ", "))
}

func faultMetricDef(name string, i int, window, what string) (MetricDef, error) {
	defs := faultMetrics
	if window != "" {
		defs = windowMetrics
	}
	for _, d := range defs {
		if d.Name != what {
			continue
		}
		d.Name, d.Fault = name, i
		d.get = func(v *Variant) (float64, bool) {
			if i >= len(v.Faults) {
				return 0, false
			}
			f := &v.Faults[i]
			if window == "" {
				p := f.PublishableAfterMS
				switch what {
				case "amplification":
					best, ok := 0.0, false
					for _, e := range f.Edges {
						best, ok = max(best, e.Amplification), true
					}
					return best, ok
				case "caught_up_after":
					p = f.CaughtUpAfterMS
				case "registry_left":
					return float64(len(f.Registry)), !f.Started.IsZero()
				case "registry_back_after":
					worst, ok := 0.0, len(f.Registry) > 0
					for _, c := range f.Registry {
						if c.BackAfterS == nil {
							return 0, false
						}
						worst = max(worst, *c.BackAfterS*1e3)
					}
					return worst, ok
				case "recovered_after":
					if f.RecoveredAfterS == nil {
						return 0, false
					}
					return *f.RecoveredAfterS * 1e3, true
				}
				if p == nil {
					return 0, false
				}
				return *p, true
			}
			w := map[string]*WindowStats{"before": f.Before, "during": f.During, "after": f.After}[window]
			if w == nil {
				return 0, false
			}
			c, lag := w.Completion, w.ConsumerLag
			switch what {
			case "availability":
				return w.Availability, w.Offered > 0
			case "p99":
				return w.P99MS, w.Offered > 0
			case "completion_p50":
				if c == nil || c.P50MS == nil {
					return 0, false
				}
				return *c.P50MS, true
			case "completion_p99":
				if c == nil || c.P99MS == nil {
					return 0, false
				}
				return *c.P99MS, true
			case "completed_rate":
				if c == nil {
					return 0, false
				}
				return c.CompletedRPS, true
			case "consumer_lag_max":
				return float64(lagMax(lag)), lag != nil && lag.Seconds > 0
			case "consumer_lag_mean":
				if lag == nil || lag.Seconds == 0 {
					return 0, false
				}
				return lag.Mean, true
			}
			return w.ThroughputRPS, true
		}
		return d, nil
	}
	var names []string
	for _, d := range defs {
		names = append(names, d.Name)
	}
	return MetricDef{}, fmt.Errorf("unknown metric %q: after faults[N].%s comes one of %s", name, window, strings.Join(names, ", "))
}

func metricNames() []string {
	out := make([]string, len(metrics))
	for i, m := range metrics {
		out[i] = m.Name
	}
	return out
}

// Value returns the metric's value for v, and false when v does not have it
// (e.g. completion for a synchronous variant, a fault index v lacks).
func (m MetricDef) Value(v *Variant) (float64, bool) { return m.get(v) }

// Format writes value x of the metric with its unit.
func (m MetricDef) Format(x float64) string {
	switch m.Unit {
	case UnitMS:
		return FormatMS(x)
	case UnitRatio:
		return Trim(100*x) + "%"
	case UnitRate:
		return Trim(x) + "/s"
	case UnitTimes:
		return Trim(x) + "x"
	}
	return Trim(x)
}

// lagMax is lag's Max, 0 for nil.
func lagMax(lag *WindowLag) int64 {
	if lag == nil {
		return 0
	}
	return lag.Max
}
