// Package faults is the fault layer every connection of a variant goes
// through. Each connection is a *Conn that knows its link (from → to), so
// faults act on real bytes of real connections between named endpoints.
//
//	caller ──Dial(link)──► Net ──net.Dialer──► 127.0.0.1:port
//	                        │
//	                        ├─ tracks every live *Conn by link
//	                        └─ rules (Apply, Partition) shape each direction:
//
//	no fault:  Write ─────────────────────────────► real conn   (pass-through)
//	fault:     Write ─► line ─► out pump ─────────► real conn
//	           Read  ◄─ line ◄─ in pump  ◄───────── real conn
//
// A line holds bytes with their delivery time (latency), paces them
// (bandwidth) and holds them (blackhole); its pump starts when a fault first
// selects the direction and stops once no fault selects it and it is empty.
//
// This package never imports the engine (sim); the engine dials through it.
package faults

import (
	"context"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Link names the two ends of a connection: a caller ("order#0", "gateway",
// "client") and a callee ("payment#1", "broker").
type Link struct {
	From, To string
}

// String returns "from->to".
func (l Link) String() string { return l.From + "->" + l.To }

// Net dials and tracks the connections of one variant and applies link
// faults to them. The zero value is not usable; call NewNet. Safe for
// concurrent use.
type Net struct {
	dialer  net.Dialer
	onEvent atomic.Pointer[EventFunc]

	mu      sync.Mutex
	conns   map[*Conn]struct{}
	rules   []*rule
	changed chan struct{} // closed and replaced when rules change
	seed    uint64
	nth     map[Link]uint64 // connections dialed so far per link
	limit   int             // bytes a line holds per direction
	late    lateness
	harness atomic.Int64 // harness errors counted (see CountHarnessErr)
}

// DefaultDialTimeout bounds a dial whose context has no deadline, including
// the time it hangs on a partitioned link.
const DefaultDialTimeout = 2 * time.Second

// lineLimit is how many bytes a direction holds (see LinkRule.Blackhole).
const lineLimit = 4 << 20

// NewNet returns a Net with no connections, no rules and seed 0. It has no
// side effects.
func NewNet() *Net {
	return &Net{
		dialer:  net.Dialer{Timeout: DefaultDialTimeout, KeepAlive: -1},
		conns:   make(map[*Conn]struct{}),
		changed: make(chan struct{}),
		nth:     make(map[Link]uint64),
		limit:   lineLimit,
	}
}

// SetSeed sets the seed of latency jitter for connections dialed after it
// (default 0). A connection's draws derive from the seed, its link, how many
// connections were dialed on that link before it, and the direction, so a
// run replays. Safe for concurrent use.
func (n *Net) SetSeed(seed uint64) {
	n.mu.Lock()
	n.seed = seed
	n.mu.Unlock()
}

// Dial opens a connection to addr for link and returns it wrapped, with
// the active rules already applied. It blocks until connected, ctx is done,
// or DefaultDialTimeout passes. While a blackhole cuts the link it hangs as
// a dropped handshake would, then fails with a timeout *net.OpError
// wrapping ctx.Err() (or context.DeadlineExceeded); once the link heals it
// dials for real.
func (n *Net) Dial(ctx context.Context, link Link, network, addr string) (net.Conn, error) {
	if err := n.waitLink(ctx, link); err != nil {
		return nil, &net.OpError{Op: "dial", Net: network, Err: err}
	}
	raw, err := n.dialer.DialContext(ctx, network, addr)
	if err != nil {
		n.CountHarnessErr(err)
		return nil, err
	}
	return n.wrap(link, raw), nil
}

// wrap tracks raw as a connection of link and applies the active rules.
func (n *Net) wrap(link Link, raw net.Conn) *Conn {
	c := &Conn{Conn: raw, link: link, net: n, done: make(chan struct{})}
	n.mu.Lock()
	c.seed, c.nth = n.seed, n.nth[link]
	n.nth[link]++
	n.conns[c] = struct{}{}
	evs := c.reshape(n.rules, nil)
	n.mu.Unlock()
	n.emit(evs)
	return c
}

// Conns returns the live connections whose link matches, each end by
// Endpoint.Matches: "", "*", the exact name, or a service name for all its replicas.
func (n *Net) Conns(match Link) []*Conn {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []*Conn
	for c := range n.conns {
		if Endpoint(match.From).Matches(c.link.From) && Endpoint(match.To).Matches(c.link.To) {
			out = append(out, c)
		}
	}
	return out
}

// Reset aborts every live connection whose link matches (as Conns) with a
// TCP RST (see Conn.Reset): the peer's next read or write fails with
// ECONNRESET. It returns how many it aborted. Bytes the fault layer still
// holds for them are dropped. Each connection is closed once.
func (n *Net) Reset(match Link) int {
	conns := n.Conns(match)
	for _, c := range conns {
		c.Reset()
	}
	return len(conns)
}

// CloseConns closes every live connection whose link matches (as Conns)
// with a FIN, as a process whose sockets the kernel closes: the peer reads
// io.EOF. It returns how many it closed. Bytes the fault layer still holds
// for them are dropped. Each connection is closed once.
func (n *Net) CloseConns(match Link) int {
	conns := n.Conns(match)
	for _, c := range conns {
		c.Close()
	}
	return len(conns)
}

func (n *Net) forget(c *Conn) {
	n.mu.Lock()
	delete(n.conns, c)
	n.mu.Unlock()
}
