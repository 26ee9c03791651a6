package sim

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/faultline-sim/faultline/sim/metrics"
)

// live exports a run's measurements to Prometheus while it runs: it reads
// the engine's own counters at scrape time, so the hot path pays nothing.
// Every variant (and repetition) run so far stays exported with its last
// values, labelled variant="sync" or "sync #2".
type live struct {
	mu       sync.Mutex
	variants []*liveVariant
}

// liveVariant is what one variant exposes.
type liveVariant struct {
	label string
	rec   *metrics.Recorder
	mon   *monitor
	tl    *timeline
	edges *metrics.Edges
}

var (
	descRequests = prometheus.NewDesc("faultline_requests_total",
		"Client requests of the recorded window by stage: sent, succeeded, failed.", []string{"variant", "stage"}, nil)
	descLatency = prometheus.NewDesc("faultline_request_duration_seconds",
		"Client latency from each request's intended send time, recorded window; native buckets (schema 3) and classic ones (1ms-10s).", []string{"variant"}, nil)
	descLag = prometheus.NewDesc("faultline_consumer_lag",
		"Events pending or unacknowledged on the durable consumers, last sample.", []string{"variant"}, nil)
	descFault = prometheus.NewDesc("faultline_fault_active",
		"1 while the named fault is applied.", []string{"variant", "fault"}, nil)
	descEdgeCalls = prometheus.NewDesc("faultline_edge_calls_total",
		"Synchronous calls on an edge by what happened: requests, attempts, retries, timeouts, breaker_rejections, bulkhead_rejections, budget_rejections, succeeded, failed.",
		[]string{"variant", "from", "to", "what"}, nil)
)

func (l *live) add(v *liveVariant) {
	l.mu.Lock()
	l.variants = append(l.variants, v)
	l.mu.Unlock()
}

// Describe implements prometheus.Collector.
func (l *live) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descRequests, descLatency, descLag, descFault, descEdgeCalls} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (l *live) Collect(ch chan<- prometheus.Metric) {
	l.mu.Lock()
	vs := append([]*liveVariant(nil), l.variants...)
	l.mu.Unlock()
	for _, v := range vs {
		sent, ok, failed := v.rec.Progress()
		for stage, n := range map[string]int64{"sent": sent, "succeeded": ok, "failed": failed} {
			ch <- prometheus.MustNewConstMetric(descRequests, prometheus.CounterValue, float64(n), v.label, stage)
		}
		ch <- latencyHistogram(descLatency, v.rec, v.label)
		if v.mon != nil && v.mon.w.broker != nil {
			ch <- prometheus.MustNewConstMetric(descLag, prometheus.GaugeValue, float64(v.mon.lastLag.Load()), v.label)
		}
		if v.tl != nil {
			for name, on := range v.tl.activeNames() {
				val := 0.0
				if on {
					val = 1
				}
				ch <- prometheus.MustNewConstMetric(descFault, prometheus.GaugeValue, val, v.label, name)
			}
		}
		if v.edges != nil {
			collectEdges(ch, v.label, v.edges)
		}
	}
}

// collectEdges sends every edge's counters of one variant.
func collectEdges(ch chan<- prometheus.Metric, label string, e *metrics.Edges) {
	e.EachCount(func(from, to, what string, n int64) {
		ch <- prometheus.MustNewConstMetric(descEdgeCalls, prometheus.CounterValue, float64(n), label, from, to, what)
	})
}
