package service_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/faultline-sim/faultline/reports/result"
	"github.com/faultline-sim/faultline/sim/metrics"
	"github.com/faultline-sim/faultline/sim/rpc/simv1"
	"github.com/faultline-sim/faultline/sim/service"
	"github.com/faultline-sim/faultline/topologies"
)

// callee is a real Connect server whose answers a test scripts: answer is
// given the 1-based number of each request it receives and its context, and
// returns the request's error (nil: success). It records when each request
// arrived and the deadline it carried.
type callee struct {
	answer func(ctx context.Context, n int) error

	mu        sync.Mutex
	arrivals  []time.Time
	deadlines []time.Duration // deadline − arrival; 0 without a deadline
	entered   chan int        // each request's number, when set
}

func (c *callee) Handle(ctx context.Context, _ *connect.Request[simv1.HandleRequest]) (*connect.Response[simv1.HandleResponse], error) {
	now := time.Now()
	var left time.Duration
	if d, ok := ctx.Deadline(); ok {
		left = d.Sub(now)
	}
	c.mu.Lock()
	c.arrivals = append(c.arrivals, now)
	c.deadlines = append(c.deadlines, left)
	n := len(c.arrivals)
	c.mu.Unlock()
	if c.entered != nil {
		c.entered <- n
	}
	if c.answer != nil {
		if err := c.answer(ctx, n); err != nil {
			return nil, err
		}
	}
	return connect.NewResponse(&simv1.HandleResponse{Service: "callee", Hops: 1}), nil
}

// received returns how many requests reached the callee.
func (c *callee) received() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.arrivals)
}

// gaps returns the time between consecutive arrivals.
func (c *callee) gaps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []time.Duration
	for i := 1; i < len(c.arrivals); i++ {
		out = append(out, c.arrivals[i].Sub(c.arrivals[i-1]))
	}
	return out
}

// failWith answers every request with code.
func failWith(code connect.Code) func(context.Context, int) error {
	return func(context.Context, int) error { return connect.NewError(code, nil) }
}

// waitDone blocks until the request's context ends.
func waitDone(ctx context.Context, _ int) error {
	<-ctx.Done()
	return connect.NewError(connect.CodeDeadlineExceeded, ctx.Err())
}

// edgeRig is an edge from "caller#0" to a real callee, with stats.
type edgeRig struct {
	callee *callee
	caller *service.Caller
	edge   *service.Edge
	edges  *metrics.Edges

	mu      sync.Mutex
	changes []string // "from>to"
	changed chan string
}

// newEdgeRig starts c as service "callee" and an edge to it under p.
func newEdgeRig(t *testing.T, c *callee, p *topologies.Policy) *edgeRig {
	t.Helper()
	_, caller := serve(t, c, "callee", topologies.Wire{Protocol: topologies.ProtocolConnect, HTTP: topologies.H2C})
	r := &edgeRig{callee: c, caller: caller, edges: metrics.NewEdges(nil, time.Minute), changed: make(chan string, 64)}
	r.edges.Start(time.Now().Add(-time.Hour), 2*time.Hour)
	r.edge = service.NewEdge(service.EdgeConfig{
		Caller: "caller#0",
		Callee: "callee",
		Policy: p,
		Seed:   7,
		Stats:  r.edges.Edge("caller", "callee"),
		OnBreaker: func(caller, callee, from, to string, _ time.Time) {
			if caller != "caller#0" || callee != "callee" {
				t.Errorf("breaker change named %s → %s", caller, callee)
			}
			r.mu.Lock()
			r.changes = append(r.changes, from+">"+to)
			r.mu.Unlock()
			r.changed <- from + ">" + to
		},
	})
	t.Cleanup(r.edge.Close)
	return r
}

// call makes one call on the edge.
func (r *edgeRig) call(ctx context.Context) (*simv1.HandleResponse, error) {
	return r.edge.Do(ctx, func(ctx context.Context, n int) (*simv1.HandleResponse, error) {
		return r.caller.Call(ctx, "callee", &simv1.HandleRequest{OpId: 1, IntendedUnixNano: time.Now().UnixNano(), Attempt: uint32(n)})
	})
}

// stats returns the edge's report.
func (r *edgeRig) stats() result.Edge {
	var rv result.Variant
	r.edges.Fill(&rv)
	return rv.Edges[0]
}

// waitChange waits for the breaker's next state change.
func (r *edgeRig) waitChange(t *testing.T, want string) {
	t.Helper()
	select {
	case got := <-r.changed:
		if got != want {
			t.Fatalf("breaker changed %s, want %s", got, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("no breaker change %s within 10s", want)
	}
}
