package faults

import "sync"

// LinkRule is an active link fault. Match selects connections by the
// Matches rule: bytes flowing From→To are the writes of a connection whose
// link is (From, To) and the reads of a connection whose link is (To, From).
// When Match.Both, bytes flowing To→From are affected too.
//
// Rules add up: the latencies of every rule that selects a direction are
// drawn and summed, the lowest Bandwidth wins, and any Blackhole holds.
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
}

// rule is a LinkRule or a partition, as held by a Net.
type rule struct {
	LinkRule
	groups [][]string // non-nil: a partition; Match is unused
}

// affects reports whether bytes flowing from endpoint from to endpoint to
// are selected by r.
func (r *rule) affects(from, to string) bool {
	if r.groups != nil {
		return Cuts(r.groups, Link{From: from, To: to})
	}
	m := r.Match
	return Matches(m.From, from) && Matches(m.To, to) ||
		m.Both && Matches(m.To, from) && Matches(m.From, to)
}

// shape is what the active rules do to one direction of one connection.
type shape struct {
	lat  []LatencySpec
	rate int64
	hold bool
}

// empty reports whether the shape leaves bytes alone.
func (s *shape) empty() bool { return len(s.lat) == 0 && s.rate == 0 && !s.hold }

// shapeOf combines the rules that select bytes flowing from → to.
func shapeOf(rules []*rule, from, to string) shape {
	var s shape
	for _, r := range rules {
		if !r.affects(from, to) {
			continue
		}
		if r.Latency.Mean != 0 || r.Latency.Jitter != 0 {
			s.lat = append(s.lat, r.Latency)
		}
		if r.Bandwidth > 0 && (s.rate == 0 || r.Bandwidth < s.rate) {
			s.rate = r.Bandwidth
		}
		s.hold = s.hold || r.Blackhole
	}
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
		if r.Blackhole && (r.affects(link.From, link.To) || r.affects(link.To, link.From)) {
			return true
		}
	}
	return false
}
