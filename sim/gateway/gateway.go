// Package gateway is the API gateway and load balancer in front of a
// variant: the load generator calls it over real Connect, and it forwards
// each request to a replica of the entry service found in the registry,
// picked by the topology's discovery (balancer, cached list, outlier
// ejection).
package gateway

import (
	"context"
	"errors"
	"time"

	"connectrpc.com/connect"

	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/sim/metrics"
	"github.com/faultline-sim/faultline/sim/registry"
	"github.com/faultline-sim/faultline/sim/rpc/simv1"
	"github.com/faultline-sim/faultline/sim/service"
	"github.com/faultline-sim/faultline/topologies"
)

// Name is the gateway's endpoint name in links and in the registry.
const Name = "gateway"

// Gateway forwards client requests to the entry service. Create with New,
// Start, Close. Safe for concurrent use.
type Gateway struct {
	entry  string
	reg    *registry.Registry
	net    *faults.Net // listens and dials through the fault layer
	caller *service.Caller
	edge   *service.Edge // gateway → entry (edge.go)
	srv    *service.Server
	sess   *registry.Session
}

// Config configures a Gateway. Entry, Registry and Net are required.
type Config struct {
	// Entry is the service the gateway forwards every request to.
	Entry string
	// Wire is the protocol and HTTP version of its calls to Entry. A zero
	// field is the topology's default: Connect, h2c.
	Wire topologies.Wire
	// Registry is where the gateway registers itself and finds Entry's
	// replicas.
	Registry *registry.Registry
	// Net is the fault layer the gateway listens and dials through.
	Net *faults.Net
	// Discovery is how the gateway picks Entry's replicas: balancer, cache
	// refresh and outlier ejection. The zero value (the default) is round
	// robin over the registry as it is, without ejection.
	Discovery topologies.Discovery
	// Seed is the scenario's seed: with the gateway's name it seeds the
	// random choices of p2c, and the retry jitter of its edge to Entry is
	// drawn from it. Default 0.
	Seed uint64
	// Policy applies to the gateway → Entry edge (topology.Gateway.Policy);
	// nil (the default): none.
	Policy *topologies.Policy
	// Edges records the edge's calls and its breaker's state changes; nil
	// (the default): none.
	Edges *metrics.Edges
	// OnBreaker, when set, also hears of every state change of the edge's
	// breaker (after Edges records it); nil (the default): none.
	OnBreaker service.BreakerFunc
}

// New returns an unstarted gateway configured by cfg. It has no side
// effects.
func New(cfg Config) *Gateway {
	caller := service.NewCaller(service.CallerConfig{From: Name, Wire: cfg.Wire, Registry: cfg.Registry, Net: cfg.Net,
		Discovery: cfg.Discovery, Seed: cfg.Seed})
	return &Gateway{entry: cfg.Entry, reg: cfg.Registry, net: cfg.Net, caller: caller, edge: newEdge(cfg)}
}

// Start listens on a loopback port and registers the gateway as service
// "gateway", replica 0.
func (g *Gateway) Start(context.Context) error {
	// Through the fault layer's listener, so accepts failing for want of
	// descriptors are counted as the harness's.
	ln, err := g.net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv, err := service.NewServer(service.ServerConfig{Handler: g, Listener: ln})
	if err != nil {
		ln.Close()
		return err
	}
	g.srv = srv
	g.sess = g.reg.Join(registry.Endpoint{Service: Name, Addr: srv.Addr()})
	return nil
}

// Handle forwards one request; the entry service's error code is passed on.
// Each attempt of the gateway's edge carries its number, at the hop
// ChildHop(the client's hop, the client's attempt, 0).
func (g *Gateway) Handle(ctx context.Context, req *connect.Request[simv1.HandleRequest]) (*connect.Response[simv1.HandleResponse], error) {
	in := req.Msg
	hop := service.ChildHop(in.Hop, uint64(in.Attempt), 0)
	res, err := g.edge.DoAt(ctx, time.Unix(0, in.IntendedUnixNano), func(ctx context.Context, n int) (*simv1.HandleResponse, error) {
		// Each attempt is a new request to the entry service, numbered.
		out := &simv1.HandleRequest{OpId: in.OpId, IntendedUnixNano: in.IntendedUnixNano, IdempotencyKey: in.IdempotencyKey,
			Payload: in.Payload, Attempt: uint32(n), Hop: hop}
		return g.caller.Call(ctx, g.entry, out)
	})
	if err != nil {
		var ce *connect.Error
		if errors.As(err, &ce) {
			if metrics.IsHarness(err) {
				// Connect sends no metadata of an error that came from
				// the wire: the same code and message in a new error,
				// which keeps the harness's mark.
				return nil, metrics.MarkHarness(connect.NewError(ce.Code(), &harnessError{msg: ce.Message(), err: err}), err)
			}
			return nil, ce // the entry service's code and message, as they came
		}
		return nil, metrics.MarkHarness(connect.NewError(connect.CodeOf(err), err), err)
	}
	return connect.NewResponse(res), nil
}

// Close deregisters the gateway and closes its server, waiting for in-flight
// requests (cancelled after a grace period). Idempotent.
func (g *Gateway) Close() error {
	if g.sess != nil {
		g.sess.Leave()
	}
	g.caller.Close()
	g.edge.Close()
	if g.srv == nil {
		return nil
	}
	return g.srv.Close()
}

// Ejections returns how many times the gateway has ejected a replica of the
// entry service from its choices (passive outlier detection).
func (g *Gateway) Ejections() uint64 { return g.caller.Ejections() }

// harnessError is an error of the harness passed on with its message as it
// came; it wraps the error it came from, for errors.Is in this process.
type harnessError struct {
	msg string
	err error
}

func (e *harnessError) Error() string { return e.msg }
func (e *harnessError) Unwrap() error { return e.err }
