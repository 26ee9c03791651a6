package sim

import (
	"context"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// TestLiveMetricsDuringARun scrapes the live collector while the load runs
// and checks it reports the running variant's requests, latency and edges.
func TestLiveMetricsDuringARun(t *testing.T) {
	sc := quickstart(t)
	if err := sc.Only("sync"); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	var (
		once     sync.Once
		families []*dto.MetricFamily
		gerr     error
	)
	_, err := Run(context.Background(), sc, Options{
		Metrics: reg,
		Progress: func(p Progress) {
			if p.Sent > 50 {
				once.Do(func() { families, gerr = reg.Gather() })
			}
		},
	})
	if err != nil || gerr != nil {
		t.Fatal(err, gerr)
	}
	got := map[string]*dto.MetricFamily{}
	for _, f := range families {
		got[f.GetName()] = f
	}
	sent := 0.0
	for _, m := range got["faultline_requests_total"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "stage" && l.GetValue() == "sent" {
				sent = m.GetCounter().GetValue()
			}
		}
	}
	if sent <= 50 {
		t.Errorf("requests sent %v at the scrape, want > 50", sent)
	}
	if h := got["faultline_request_duration_seconds"]; h == nil || h.GetMetric()[0].GetHistogram().GetSampleCount() == 0 {
		t.Errorf("no latency histogram: %v", h)
	} else if hist := h.GetMetric()[0].GetHistogram(); hist.Schema == nil || len(hist.GetPositiveSpan()) == 0 || len(hist.GetBucket()) == 0 {
		t.Errorf("latency histogram not native and classic at once: schema %v, %d spans, %d classic buckets",
			hist.Schema, len(hist.GetPositiveSpan()), len(hist.GetBucket()))
	}
	edges := map[string]bool{}
	for _, m := range got["faultline_edge_calls_total"].GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		if labels["what"] == "requests" && m.GetCounter().GetValue() > 0 {
			edges[labels["from"]+"->"+labels["to"]] = true
		}
	}
	for _, e := range []string{"gateway->order", "order->payment", "payment->inventory"} {
		if !edges[e] {
			t.Errorf("edge %s has no requests in %v", e, edges)
		}
	}
	// After the run the collector is unregistered.
	if after, _ := reg.Gather(); len(after) != 0 {
		t.Errorf("%d metric families left after the run", len(after))
	}
}
