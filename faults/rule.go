package faults

import (
	"sync"
	"time"
)

// LinkRule is an active link fault. Match selects connections by the
// Endpoint.Matches rule: bytes flowing From→To are the writes of a connection whose
// link is (From, To) and the reads of a connection whose link is (To, From)
// — whichever side dialed. When Match.Both, bytes flowing To→From are
// affected too. When Match.RequestsOnly, only the writes of connections
// whose link is (From, To) are: bytes From sends on connections it dialed,
// not the replies it sends on connections To dialed to it.
//
// Rules add up: the latencies of every rule that selects a direction are
// drawn and summed, the lowest Bandwidth wins, losses combine as
// independent (1 − Π(1 − Loss)), and any Blackhole holds.
type LinkRule struct {
	Match LinkSpec
	// Latency delays each chunk by a draw from it, counted from when the
	// chunk was written (or read off the real connection). Order is kept:
	// a chunk is never delivered before the one ahead of it. Zero Mean and
	// Jitter: no delay.
	Latency LatencySpec
	// Bandwidth paces a direction to this many bytes per second with a
	// burst of 20 ms worth of bytes. 0: unlimited.
	Bandwidth int64
	// Blackhole holds bytes — neither lost nor delivered — until the rule
	// is removed, then lets them flow in order. The peer's EOF is held too.
	// At most 4 MiB per direction are held; a writer then blocks (honouring
	// its write deadline) and reading from the real connection stops.
	Blackhole bool
	// Loss is the share of segments (each Write, or each chunk read off
	// the real connection) lost, in [0, 1]. TCP hides a loss as delay, so
	// a lost segment is delivered after a retransmission timeout: minRTO
	// (200 ms, Linux's minimum) for a first loss, doubling on each
	// consecutive loss of the same direction of the connection (up to
	// maxRTO), back to minRTO after a segment that is not lost. Later
	// bytes wait behind it (in-order delivery). Draws derive from the
	// Net's seed as latency's do. 0: none.
	Loss float64
}

// Distributions of injected latency.
const (
	DistFixed     = "fixed"
	DistUniform   = "uniform"
	DistNormal    = "normal"
	DistLognormal = "lognormal"
)

// LatencySpec is added delay: Mean, with Jitter spread by Dist (default
// fixed when Jitter is 0, uniform otherwise). Uniform spans Mean±Jitter;
// normal has standard deviation Jitter; lognormal has median Mean and
// Mean+Jitter at one standard deviation. Draws never go below 0.
type LatencySpec struct {
	Mean, Jitter time.Duration
	Dist         string
}

// rule is a LinkRule or a partition, as held by a Net.
type rule struct {
	LinkRule
	groups [][]string // non-nil: a partition; Match is unused
}

// affects reports whether bytes flowing from endpoint from to endpoint to
// are selected by r; fromDialed tells whether they flow on a connection
// from dialed (a request) rather than one to dialed (a reply).
func (r *rule) affects(from, to string, fromDialed bool) bool {
	if r.groups != nil {
		return Cuts(r.groups, Link{From: from, To: to})
	}
	if r.Match.RequestsOnly && !fromDialed {
		return false
	}
	return r.Match.flows(from, to)
}

// shape is what the active rules do to one direction of one connection.
type shape struct {
	lat  []LatencySpec
	rate int64
	hold bool
	loss float64 // share of segments lost
}

// empty reports whether the shape leaves bytes alone.
func (s *shape) empty() bool { return len(s.lat) == 0 && s.rate == 0 && !s.hold && s.loss == 0 }

// shapeOf combines the rules that select bytes flowing from → to, on a
// connection from dialed when fromDialed.
func shapeOf(rules []*rule, from, to string, fromDialed bool) shape {
	var s shape
	kept := 1.0 // probability a segment survives every rule
	for _, r := range rules {
		if !r.affects(from, to, fromDialed) {
			continue
		}
		if r.Latency.Mean != 0 || r.Latency.Jitter != 0 {
			s.lat = append(s.lat, r.Latency)
		}
		if r.Bandwidth > 0 && (s.rate == 0 || r.Bandwidth < s.rate) {
			s.rate = r.Bandwidth
		}
		s.hold = s.hold || r.Blackhole
		if r.Loss > 0 {
			kept *= 1 - min(r.Loss, 1)
		}
	}
	s.loss = 1 - kept
	return s
}

// Apply activates r on every connection it selects, existing and future,
// before it returns; bytes already delayed keep their delivery time. The
// returned remove deactivates it (held bytes then flow in order); calling
// remove more than once is a no-op. Safe for concurrent use.
func (n *Net) Apply(r LinkRule) (remove func()) {
	return n.add(&rule{LinkRule: r})
}

// add activates ru and returns its idempotent removal.
func (n *Net) add(ru *rule) (remove func()) {
	n.mu.Lock()
	n.rules = append(n.rules, ru)
	evs := n.changedLocked()
	n.mu.Unlock()
	n.emit(evs)
	var once sync.Once
	return func() {
		once.Do(func() {
			n.mu.Lock()
			for i, x := range n.rules {
				if x == ru {
					n.rules = append(n.rules[:i:i], n.rules[i+1:]...)
					break
				}
			}
			evs := n.changedLocked()
			n.mu.Unlock()
			n.emit(evs)
		})
	}
}

// changedLocked reshapes every connection after a change of n.rules and
// wakes dials waiting for a link to open. It returns the events to emit
// once n.mu is released.
func (n *Net) changedLocked() []Event {
	var evs []Event
	for c := range n.conns {
		evs = c.reshape(n.rules, evs)
	}
	close(n.changed)
	n.changed = make(chan struct{})
	return evs
}

// blockedLocked reports whether a blackhole selects either direction of
// link, so that a handshake could not complete.
func (n *Net) blockedLocked(link Link) bool {
	for _, r := range n.rules {
		if r.Blackhole && (r.affects(link.From, link.To, true) || r.affects(link.To, link.From, false)) {
			return true
		}
	}
	return false
}
