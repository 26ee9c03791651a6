package gateway

import (
	"github.com/faultline-sim/faultline/sim/metrics"
	"github.com/faultline-sim/faultline/sim/service"
)

// newEdge builds the gateway's edge to cfg.Entry under cfg.Policy; its
// caller is Name.
func newEdge(cfg Config) *service.Edge {
	return service.NewEdge(service.EdgeConfig{
		Caller:    Name,
		Callee:    cfg.Entry,
		Policy:    cfg.Policy,
		Seed:      cfg.Seed,
		Stats:     cfg.Edges.Edge(metrics.GatewayCaller, cfg.Entry),
		OnBreaker: service.BreakerRecorder(cfg.Edges, cfg.OnBreaker),
	})
}
