package sim

import (
	"errors"
	"fmt"
	"strings"

	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/faultline-sim/faultline/sim/state"
	"github.com/faultline-sim/faultline/topologies"
)

// FDBudget is the estimate of the file descriptors one variant's world holds
// at once, by term. Every part of the world lives in this process, so a
// loopback connection costs two descriptors: the end that dialed and the
// end that accepted. The estimate is a floor for what a run needs under
// its load: HTTP/1.1 opens one more connection per call running at the same
// time on the same (caller, callee) pair, which depends on latency and is
// not counted (see FDBudget.Pools). A zero value is an empty world.
type FDBudget struct {
	// Base: standard input, output and error, the runtime's netpoller
	// (epoll descriptor and its wake-up eventfd), the load generator's
	// timerfd and a few the process keeps open (binary, /dev/urandom).
	Base int
	// Listeners: one per replica and one for the gateway; the registry's
	// heartbeat listener when the topology has a detection delay.
	Listeners int
	// Pools: the Connect connections callers keep, both ends. Every caller
	// (the load client, the gateway, each replica) keeps one connection to
	// every replica of every service it calls, for as long as it runs: its
	// balancer spreads calls over all of them and the idle timeout (30 s)
	// outlives a run's gaps. h2c multiplexes a caller's calls to a replica
	// on one connection (a server allows 1,000 streams on it); HTTP/1.1
	// opens one per concurrent call, of which this counts one.
	Pools int
	// Heartbeats: with a detection delay, each replica keeps one connection
	// to the registry for its heartbeats, both ends.
	Heartbeats int
	// NATS: each replica that publishes or consumes keeps one connection to
	// the broker, both ends, plus the broker's admin connection.
	NATS int
	// Broker: the broker's own listeners (client port; with a cluster also
	// the route port of every node and one route proxy listener per
	// ordered pair of nodes) and its route connections: each ordered pair
	// of nodes holds a pool of routes (nats-server's default pool of 3),
	// and each route passes a proxy, so four descriptors per route
	// (node → proxy, proxy's accepted end, proxy → node, node's accepted
	// end).
	Broker int
	// Store: JetStream's file store, per node holding a stream: the
	// stream's open message block and index, and one state file per
	// durable consumer while it is written.
	Store int
	// State: a stateful topology's three stores (state.Descriptors).
	State int
	// Timers: with a link fault in the scenario, every wrapped connection a
	// fault delays gets a timerfd per direction (faults' alarm), counted
	// for every dialed connection of the world.
	Timers int
	// Margin: 10% of the rest plus 64, for what the terms miss (a
	// connection redialed while the old one closes, an HTTP/1.1 call in
	// parallel, files nats-server opens briefly).
	Margin int
}

// Total is the sum of every term.
func (b FDBudget) Total() int {
	return b.Base + b.Listeners + b.Pools + b.Heartbeats + b.NATS + b.Broker + b.Store + b.State + b.Timers + b.Margin
}

// String lists the terms that are not zero, e.g. "listeners 501, pools
// 45,000, ... margin 4,620".
func (b FDBudget) String() string {
	var parts []string
	for _, t := range []struct {
		name string
		n    int
	}{{"base", b.Base}, {"listeners", b.Listeners}, {"connection pools", b.Pools}, {"heartbeats", b.Heartbeats},
		{"nats connections", b.NATS}, {"broker", b.Broker}, {"jetstream store", b.Store}, {"business state", b.State}, {"fault timers", b.Timers}, {"margin", b.Margin}} {
		if t.n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", t.name, t.n))
		}
	}
	return strings.Join(parts, ", ")
}

// Constants of the estimate; see FDBudget's terms.
const (
	fdBase          = 16
	fdRoutePool     = 3 // nats-server's default route pool size
	fdPerRoute      = 4
	fdPerStream     = 2
	fdPerConsumer   = 1
	fdMarginFixed   = 64
	fdMarginPercent = 10
)

// EstimateFDs estimates the descriptors the world of topology top needs
// under the broker bs, with timerfds counted when linkFaults (the scenario
// has a fault on links). A pure function of its arguments.
func EstimateFDs(top *topologies.Topology, bs scenarios.BrokerSpec, linkFaults bool) FDBudget {
	var b FDBudget
	b.Base = fdBase
	replicas := 0
	clients := 0 // replicas connected to the broker
	for i := range top.Services {
		s := &top.Services[i]
		n := max(s.Replicas, 1)
		replicas += n
		if len(s.Publish) > 0 || len(s.Consume) > 0 {
			clients += n
		}
	}
	b.Listeners = replicas + 1 // every replica, the gateway
	if top.Discovery.DetectionDelay > 0 {
		b.Listeners++ // the registry
		b.Heartbeats = 2 * replicas
	}

	// Connection pools: (caller, callee replica) pairs, both ends.
	pairs := 1 // the load client → the gateway
	if e := top.Service(top.Entry); e != nil {
		pairs += max(e.Replicas, 1) // the gateway → each entry replica
	}
	for i := range top.Services {
		s := &top.Services[i]
		seen := map[string]bool{}
		for _, c := range s.Calls {
			callee := top.Service(c.Service)
			if callee == nil || seen[c.Service] {
				continue
			}
			seen[c.Service] = true // one pool per callee, however many calls name it
			pairs += max(s.Replicas, 1) * max(callee.Replicas, 1)
		}
	}
	b.Pools = 2 * pairs

	dialed := pairs
	if subjects := top.Subjects(); len(subjects) > 0 || clients > 0 {
		b.NATS = 2*clients + 2 // each broker client, the admin connection
		dialed += clients
		nodes := max(bs.Nodes, 1)
		streamNodes := min(max(bs.Replicas, 1), nodes) // nodes holding each stream
		b.Broker = nodes                               // client listeners
		if nodes > 1 {
			ordered := nodes * (nodes - 1)
			b.Broker += nodes + ordered // route listeners, route proxies
			b.Broker += ordered * fdRoutePool * fdPerRoute
			dialed += ordered * fdRoutePool
		}
		streams := len(subjects)
		if needsDeadLetterStream(top) {
			streams++
		}
		consumers := 0
		for _, groups := range top.Subscribers() {
			consumers += len(groups)
		}
		b.Store = streamNodes * (fdPerStream*streams + fdPerConsumer*consumers)
	}
	if top.State != nil {
		b.State = state.Descriptors
	}
	if linkFaults {
		b.Timers = 2 * dialed
	}
	rest := b.Total()
	b.Margin = fdMarginFixed + rest*fdMarginPercent/100
	return b
}

// needsDeadLetterStream reports whether a consume entry of top dead-letters.
func needsDeadLetterStream(top *topologies.Topology) bool {
	for _, s := range top.Services {
		for _, c := range s.Consume {
			if c.DeadLetter {
				return true
			}
		}
	}
	return false
}

// hasLinkFaults reports whether a fault of the timeline delays or holds
// bytes on links (faults.Traits.Delays), which takes the fault layer's
// timers.
func hasLinkFaults(fs []faults.Fault) bool {
	for _, f := range fs {
		if f.Traits().Delays {
			return true
		}
	}
	return false
}

// ErrTooManyFDs marks a scenario whose world would not fit in the process's
// open-file limit.
var ErrTooManyFDs = errors.New("world needs more file descriptors than the limit allows")

// CheckFDs checks every variant of sc against limit, the soft
// RLIMIT_NOFILE the run will have (see RaiseFDLimit); limit ≤ 0 checks
// nothing. Each variant that does not fit is one error naming the scenario
// file, the variant's line, the estimate by term and the limit; they are
// joined, each wrapping ErrTooManyFDs.
func CheckFDs(sc *scenarios.Scenario, limit int64) error {
	if limit <= 0 {
		return nil
	}
	var errs []error
	lf := hasLinkFaults(sc.Faults)
	for _, v := range sc.Variants {
		if v.Topology == nil {
			continue
		}
		b := EstimateFDs(v.Topology, sc.Broker, lf)
		if int64(b.Total()) > limit {
			at := sc.File
			if v.Line > 0 {
				at = fmt.Sprintf("%s:%d", at, v.Line)
			}
			errs = append(errs, fmt.Errorf("%s: variant %s: %w: estimated %d (%s), limit %d (RLIMIT_NOFILE); use fewer replicas or raise the hard limit (ulimit -Hn)",
				at, v.Name, ErrTooManyFDs, b.Total(), b, limit))
		}
	}
	return errors.Join(errs...)
}
