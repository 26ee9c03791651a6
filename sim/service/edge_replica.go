package service

import (
	"time"

	"github.com/faultline-sim/faultline/sim/metrics"
	"github.com/faultline-sim/faultline/topologies"
)

// newCallEdges builds a replica's edges, one per entry of its service's
// calls, in order. A call without a policy but with a timeout gets a policy
// of that timeout alone.
func newCallEdges(name string, cfg Config) []*Edge {
	onBreaker := BreakerRecorder(cfg.Edges, cfg.OnBreaker)
	edges := make([]*Edge, len(cfg.Service.Calls))
	for i, call := range cfg.Service.Calls {
		p := call.Policy
		if p == nil && call.Timeout > 0 {
			p = &topologies.Policy{Timeout: call.Timeout}
		}
		edges[i] = NewEdge(EdgeConfig{
			Caller:    name,
			Callee:    call.Service,
			Policy:    p,
			Seed:      cfg.Seed,
			Stats:     cfg.Edges.Edge(cfg.Service.Name, call.Service),
			OnBreaker: onBreaker,
		})
	}
	return edges
}

// BreakerRecorder returns a BreakerFunc that records each change in edges
// (when not nil), then tells also (when set); nil when there is neither.
func BreakerRecorder(edges *metrics.Edges, also BreakerFunc) BreakerFunc {
	if edges == nil {
		return also
	}
	return func(caller, callee, from, to string, at time.Time) {
		edges.BreakerChanged(caller, callee, from, to, at)
		if also != nil {
			also(caller, callee, from, to, at)
		}
	}
}
