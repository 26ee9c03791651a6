package metrics

import (
	"sync"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/reports/result"
	"github.com/faultline-sim/faultline/topologies"
)

// edgeTopology: gateway → order (policy "gw"), order → payment (named),
// order → inventory (inline), order → payment again (one edge),
// payment → inventory (none).
func edgeTopology() *topologies.Topology {
	named := &topologies.Policy{Name: "std"}
	return &topologies.Topology{
		Entry:   "order",
		Gateway: topologies.Gateway{Policy: &topologies.Policy{Name: "gw"}},
		Services: []topologies.Service{
			{Name: "order", Calls: []topologies.Call{
				{Service: "payment", Policy: named},
				{Service: "inventory", Policy: &topologies.Policy{Timeout: time.Second}},
				{Service: "payment"},
			}},
			{Name: "payment", Calls: []topologies.Call{{Service: "inventory"}}},
			{Name: "inventory"},
		},
	}
}

func TestEdgesOrderAndPolicyLabels(t *testing.T) {
	e := NewEdges(edgeTopology(), time.Minute)
	var rv result.Variant
	e.Fill(&rv)
	want := []struct{ from, to, policy string }{
		{"gateway", "order", "gw"},
		{"order", "payment", "std"},
		{"order", "inventory", "inline"},
		{"payment", "inventory", ""},
	}
	if len(rv.Edges) != len(want) {
		t.Fatalf("edges = %+v, want %d", rv.Edges, len(want))
	}
	for i, w := range want {
		g := rv.Edges[i]
		if g.From != w.from || g.To != w.to || g.Policy != w.policy {
			t.Errorf("edge %d = %s → %s (%q), want %s → %s (%q)", i, g.From, g.To, g.Policy, w.from, w.to, w.policy)
		}
		if g.Requests != 0 || g.Amplification != 0 {
			t.Errorf("edge %d has counts before any call: %+v", i, g)
		}
	}
	if e.Edge("order", "payment") != e.Edge("order", "payment") {
		t.Error("Edge returns different stats for the same edge")
	}
	extra := e.Edge("x", "y")
	e.Fill(&rv)
	if len(rv.Edges) != 5 || rv.Edges[4].From != "x" || extra == nil {
		t.Errorf("an edge not in the topology is not appended: %+v", rv.Edges)
	}
}

func TestEdgesCountsAndWindow(t *testing.T) {
	e := NewEdges(edgeTopology(), time.Minute)
	start := time.Unix(1000, 0)
	s := e.Edge("order", "payment")
	s.Record(EdgeCall{Intended: start, Attempts: 1, OK: true}) // before Start: ignored
	e.Start(start, 10*time.Second)

	in := start.Add(time.Second)
	s.Record(EdgeCall{Intended: in, Latency: 10 * time.Millisecond, Attempts: 1, OK: true})
	s.Record(EdgeCall{Intended: in, Latency: 30 * time.Millisecond, Attempts: 3, Retries: 2, Timeouts: 2, OK: true})
	s.Record(EdgeCall{Intended: in, Latency: 5 * time.Millisecond, Attempts: 2, Retries: 2, Rejected: RejectedBreaker})
	s.Record(EdgeCall{Intended: in, Attempts: 0, Rejected: RejectedBulkhead})
	s.Record(EdgeCall{Intended: in, Attempts: 2, Retries: 1, Rejected: RejectedBudget})
	s.Record(EdgeCall{Intended: start.Add(-time.Nanosecond), Attempts: 9})   // warm-up
	s.Record(EdgeCall{Intended: start.Add(10 * time.Second), Attempts: 9})   // after the window
	s.Record(EdgeCall{Intended: start.Add(10*time.Second - 1), Attempts: 1}) // last instant in it
	e.Edge("gateway", "order").Record(EdgeCall{Intended: in, Attempts: 1, OK: true})

	var rv result.Variant
	e.Fill(&rv)
	g := rv.Edges[1]
	want := result.Edge{
		From: "order", To: "payment", Policy: "std",
		Requests: 6, Attempts: 9, Amplification: 1.5, Retries: 5, Timeouts: 2,
		BreakerRejections: 1, BulkheadRejections: 1, BudgetRejections: 1,
		Succeeded: 2, Failed: 4,
	}
	lat := g.LatencyMS
	g.LatencyMS = result.Percentiles{}
	if g != want {
		t.Errorf("edge =\n %+v\nwant\n %+v", g, want)
	}
	if lat.Max < 29.9 || lat.Max > 30.1 || lat.P50 > 10.1 {
		t.Errorf("latency = %+v, want max 30ms, p50 ≤ 10ms", lat)
	}
	if rv.Edges[0].Requests != 1 || rv.Edges[0].Amplification != 1 {
		t.Errorf("gateway edge = %+v", rv.Edges[0])
	}
	if rv.Edges[2].Requests != 0 {
		t.Errorf("order → inventory counted calls of another edge: %+v", rv.Edges[2])
	}
}

func TestEdgesNilSafe(t *testing.T) {
	var e *Edges
	s := e.Edge("a", "b")
	s.Record(EdgeCall{Intended: time.Now(), Attempts: 1}) // must not panic
}

func TestEdgesBreakerChanges(t *testing.T) {
	e := NewEdges(nil, 0)
	start := time.Unix(2000, 0)
	e.Start(start, time.Minute)
	e.BreakerChanged("order#0", "payment", BreakerStateOpen, BreakerStateHalfOpen, start.Add(1500*time.Millisecond))
	e.BreakerChanged("order#0", "payment", BreakerStateClosed, BreakerStateOpen, start.Add(time.Second))
	e.BreakerChanged("order#1", "payment", BreakerStateClosed, BreakerStateOpen, start.Add(-time.Second))
	var rv result.Variant
	e.Fill(&rv)
	want := []result.BreakerChange{
		{AtS: -1, Caller: "order#1", To: "payment", From: "closed", State: "open"},
		{AtS: 1, Caller: "order#0", To: "payment", From: "closed", State: "open"},
		{AtS: 1.5, Caller: "order#0", To: "payment", From: "open", State: "half_open"},
	}
	if len(rv.Breakers) != len(want) {
		t.Fatalf("breakers = %+v", rv.Breakers)
	}
	for i := range want {
		if rv.Breakers[i] != want[i] {
			t.Errorf("breaker change %d = %+v, want %+v", i, rv.Breakers[i], want[i])
		}
	}
}

func TestEdgesConcurrentRecord(t *testing.T) {
	e := NewEdges(edgeTopology(), time.Minute)
	now := time.Now()
	e.Start(now, time.Hour)
	s := e.Edge("payment", "inventory")
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i := range 1000 {
				s.Record(EdgeCall{Intended: now, Latency: time.Duration(i) * time.Microsecond, Attempts: 2, OK: i%2 == 0})
			}
		})
	}
	wg.Go(func() {
		for range 10 {
			var rv result.Variant
			e.Fill(&rv)
		}
	})
	wg.Wait()
	var rv result.Variant
	e.Fill(&rv)
	g := rv.Edges[3]
	if g.Requests != 8000 || g.Attempts != 16000 || g.Amplification != 2 || g.Succeeded != 4000 || g.Failed != 4000 {
		t.Errorf("edge = %+v", g)
	}
}
