package metrics

import (
	"sync"
	"sync/atomic"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/faultline-sim/faultline/reports/result"
	"github.com/faultline-sim/faultline/topologies"
)

// Rejection is why a call was refused on the caller's side, if it was.
type Rejection uint8

// Rejections. A call is rejected at most once: a rejection is never retried
// and always ends the call.
const (
	NotRejected Rejection = iota
	// RejectedBreaker: the edge's circuit breaker was open.
	RejectedBreaker
	// RejectedBulkhead: no bulkhead slot freed up in time.
	RejectedBulkhead
	// RejectedBudget: a retry was over the retry budget; the call failed
	// with its last attempt's error.
	RejectedBudget
)

// EdgeCall is one call on an edge as the caller saw it, from its start to
// its final outcome.
type EdgeCall struct {
	// Intended is the operation's intended send time: the call is recorded
	// only when it falls in the recorded window.
	Intended time.Time
	// Latency is from the call's start to its final outcome, retries and
	// backoff included.
	Latency time.Duration
	// Attempts counts requests actually sent to the callee; Retries the
	// tries after the first that the retry policy let through (a retry the
	// breaker or bulkhead then refused counts here, not in Attempts);
	// Timeouts the attempts ended by the edge's own timeout.
	Attempts, Retries, Timeouts int
	Rejected                    Rejection
	OK                          bool
}

// Edges collects per-edge call metrics for one variant, keyed by (caller
// service, callee service) and summed over the caller's replicas, over the
// recorded window; and every circuit breaker state change of the variant
// (edges_breakers.go).
//
// Create with NewEdges, get each edge's EdgeStats with Edge while the world
// is built, call Start when the load starts and Fill once it is over.
// All methods are safe for concurrent use; EdgeStats.Record allocates
// nothing.
type Edges struct {
	maxUS int64
	// from and until bound the recorded window in Unix nanoseconds;
	// until is 0 until Start.
	from, until atomic.Int64

	mu    sync.Mutex
	order []*EdgeStats // topology order, then edges not in the topology
	byKey map[edgeKey]*EdgeStats

	breakers breakerLog
}

type edgeKey struct{ from, to string }

// EdgeStats counts the calls on one edge. A nil *EdgeStats records nothing.
type EdgeStats struct {
	edges            *Edges
	from, to, policy string

	requests, attempts, retries, timeouts atomic.Int64
	breakerRej, bulkheadRej, budgetRej    atomic.Int64
	succeeded, failed                     atomic.Int64
	mu                                    sync.Mutex
	latency                               *hdr.Histogram // µs; guarded by mu
}

// GatewayCaller is the caller name of the gateway → entry edge.
const GatewayCaller = "gateway"

// NewEdges returns a collector with one edge per synchronous call edge of
// top: gateway → entry first, then each service's calls in file order (an
// edge that appears twice is one edge, labelled with the policy of its
// first occurrence). maxLatency is the highest trackable call latency
// (DefaultMaxLatency when ≤ 0); larger values are kept at the top. top may
// be nil: edges are then only those asked for with Edge.
func NewEdges(top *topologies.Topology, maxLatency time.Duration) *Edges {
	e := &Edges{maxUS: maxMicros(maxLatency), byKey: map[edgeKey]*EdgeStats{}}
	if top == nil {
		return e
	}
	if top.Entry != "" {
		e.add(GatewayCaller, top.Entry, policyLabel(top.Gateway.Policy))
	}
	for _, s := range top.Services {
		for _, c := range s.Calls {
			e.add(s.Name, c.Service, policyLabel(c.Policy))
		}
	}
	return e
}

// policyLabel is result.Edge.Policy for p.
func policyLabel(p *topologies.Policy) string {
	switch {
	case p == nil:
		return ""
	case p.Name != "":
		return p.Name
	default:
		return "inline"
	}
}

// add returns the edge from → to, creating it with policy if it is new.
func (e *Edges) add(from, to, policy string) *EdgeStats {
	e.mu.Lock()
	defer e.mu.Unlock()
	k := edgeKey{from, to}
	if s := e.byKey[k]; s != nil {
		return s
	}
	s := &EdgeStats{edges: e, from: from, to: to, policy: policy, latency: newHistogram(e.maxUS)}
	e.byKey[k] = s
	e.order = append(e.order, s)
	return s
}

// Edge returns the stats of the edge from caller service from to callee
// service to, adding it (after the topology's edges, with no policy label)
// when the topology has no such edge. On a nil *Edges it returns nil, which
// records nothing.
func (e *Edges) Edge(from, to string) *EdgeStats {
	if e == nil {
		return nil
	}
	return e.add(from, to, "")
}

// Start sets the recorded window: calls whose operation was intended in
// [recordFrom, recordFrom+duration) are counted; calls recorded before
// Start are not. Breaker changes are reported relative to recordFrom.
func (e *Edges) Start(recordFrom time.Time, duration time.Duration) {
	from := recordFrom.UnixNano()
	e.from.Store(from)
	e.until.Store(from + max(int64(duration), 1))
}

// inWindow reports whether t is in the recorded window.
func (e *Edges) inWindow(t time.Time) bool {
	until := e.until.Load()
	if until == 0 {
		return false
	}
	ns := t.UnixNano()
	return ns >= e.from.Load() && ns < until
}

// Record counts one finished call if its operation's intended time is in
// the recorded window. It allocates nothing.
func (s *EdgeStats) Record(c EdgeCall) {
	if s == nil || !s.edges.inWindow(c.Intended) {
		return
	}
	s.requests.Add(1)
	s.attempts.Add(int64(c.Attempts))
	s.retries.Add(int64(c.Retries))
	s.timeouts.Add(int64(c.Timeouts))
	switch c.Rejected {
	case RejectedBreaker:
		s.breakerRej.Add(1)
	case RejectedBulkhead:
		s.bulkheadRej.Add(1)
	case RejectedBudget:
		s.budgetRej.Add(1)
	}
	if c.OK {
		s.succeeded.Add(1)
	} else {
		s.failed.Add(1)
	}
	v := micros(c.Latency, s.edges.maxUS)
	s.mu.Lock()
	_ = s.latency.RecordValue(v) // in range by construction
	s.mu.Unlock()
}

// Fill writes every edge into rv.Edges, in topology order, and every
// breaker state change into rv.Breakers, in time order.
func (e *Edges) Fill(rv *result.Variant) {
	e.mu.Lock()
	order := append([]*EdgeStats(nil), e.order...)
	e.mu.Unlock()
	rv.Edges = make([]result.Edge, 0, len(order))
	for _, s := range order {
		rv.Edges = append(rv.Edges, s.report())
	}
	rv.Breakers = e.breakers.changes(time.Unix(0, e.from.Load()))
}

// report is the edge's entry in result.Variant.Edges.
func (s *EdgeStats) report() result.Edge {
	r := result.Edge{
		From:               s.from,
		To:                 s.to,
		Policy:             s.policy,
		Requests:           s.requests.Load(),
		Attempts:           s.attempts.Load(),
		Retries:            s.retries.Load(),
		Timeouts:           s.timeouts.Load(),
		BreakerRejections:  s.breakerRej.Load(),
		BulkheadRejections: s.bulkheadRej.Load(),
		BudgetRejections:   s.budgetRej.Load(),
		Succeeded:          s.succeeded.Load(),
		Failed:             s.failed.Load(),
	}
	if r.Requests > 0 {
		r.Amplification = float64(r.Attempts) / float64(r.Requests)
	}
	s.mu.Lock()
	r.LatencyMS = percentiles(s.latency)
	s.mu.Unlock()
	return r
}
