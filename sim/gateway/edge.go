package gateway

import (
	"github.com/faultline-sim/faultline/sim/metrics"
	"github.com/faultline-sim/faultline/sim/service"
	"github.com/faultline-sim/faultline/topologies"
)

// Option configures the gateway's edge to the entry service.
type Option func(*edgeOptions)

type edgeOptions struct {
	policy    *topologies.Policy
	seed      uint64
	edges     *metrics.Edges
	onBreaker service.BreakerFunc
}

// WithPolicy applies p (topology.Gateway.Policy; nil: none) to the gateway
// → entry edge; seed is the scenario's seed, from which its retry jitter is
// drawn.
func WithPolicy(p *topologies.Policy, seed uint64) Option {
	return func(o *edgeOptions) { o.policy, o.seed = p, seed }
}

// WithEdges records the edge's calls and its breaker's state changes in e.
func WithEdges(e *metrics.Edges) Option {
	return func(o *edgeOptions) { o.edges = e }
}

// WithBreakerFunc also tells f of every state change of the edge's breaker.
func WithBreakerFunc(f service.BreakerFunc) Option {
	return func(o *edgeOptions) { o.onBreaker = f }
}

// newEdge builds the gateway's edge to entry; its caller is Name.
func newEdge(entry string, opts []Option) *service.Edge {
	var o edgeOptions
	for _, opt := range opts {
		opt(&o)
	}
	return service.NewEdge(service.EdgeConfig{
		Caller:    Name,
		Callee:    entry,
		Policy:    o.policy,
		Seed:      o.seed,
		Stats:     o.edges.Edge(metrics.GatewayCaller, entry),
		OnBreaker: service.BreakerRecorder(o.edges, o.onBreaker),
	})
}
