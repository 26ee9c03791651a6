// Package faults is the fault layer every connection of a variant goes
// through. Each connection is a *Conn that knows its link (from → to), so
// faults can act on real bytes of real connections between named endpoints.
//
//	caller ──Dial(link)──► Net ──net.Dialer──► 127.0.0.1:port
//	                        │
//	                        └─ tracks every live *Conn by link
//
// This package never imports the engine (sim); the engine dials through it.
package faults

import (
	"context"
	"net"
	"sync"
	"time"
)

// Link names the two ends of a connection: a caller ("order#0", "gateway",
// "client") and a callee ("payment#1", "broker").
type Link struct {
	From, To string
}

// String returns "from->to".
func (l Link) String() string { return l.From + "->" + l.To }

// Net dials and tracks the connections of one variant. The zero value is not
// usable; call NewNet. Safe for concurrent use.
type Net struct {
	dialer net.Dialer

	mu    sync.Mutex
	conns map[*Conn]struct{}
}

// DefaultDialTimeout bounds a dial whose context has no deadline.
const DefaultDialTimeout = 2 * time.Second

// NewNet returns a Net with no connections. It has no side effects.
func NewNet() *Net {
	return &Net{
		dialer: net.Dialer{Timeout: DefaultDialTimeout, KeepAlive: -1},
		conns:  make(map[*Conn]struct{}),
	}
}

// Dial opens a TCP connection to addr for link and returns it wrapped. It
// blocks until connected, ctx is done, or DefaultDialTimeout passes.
func (n *Net) Dial(ctx context.Context, link Link, network, addr string) (net.Conn, error) {
	raw, err := n.dialer.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	c := &Conn{Conn: raw, link: link, net: n}
	n.mu.Lock()
	n.conns[c] = struct{}{}
	n.mu.Unlock()
	return c, nil
}

// Conns returns the live connections whose link matches. An empty From or
// To, or "*", matches any endpoint.
func (n *Net) Conns(match Link) []*Conn {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []*Conn
	for c := range n.conns {
		if matches(match.From, c.link.From) && matches(match.To, c.link.To) {
			out = append(out, c)
		}
	}
	return out
}

// Reset closes every live connection whose link matches, as a peer's reset
// would, and returns how many it closed.
func (n *Net) Reset(match Link) int {
	conns := n.Conns(match)
	for _, c := range conns {
		c.Close()
	}
	return len(conns)
}

func matches(pattern, name string) bool {
	return pattern == "" || pattern == "*" || pattern == name
}

func (n *Net) forget(c *Conn) {
	n.mu.Lock()
	delete(n.conns, c)
	n.mu.Unlock()
}

// Conn is a connection dialed through a Net. With no fault active it passes
// reads and writes straight to the underlying connection.
type Conn struct {
	net.Conn
	link Link
	net  *Net
	once sync.Once
}

// Link returns the connection's link.
func (c *Conn) Link() Link { return c.link }

// Close closes the underlying connection and stops tracking it. Idempotent.
func (c *Conn) Close() error {
	err := net.ErrClosed
	c.once.Do(func() {
		c.net.forget(c)
		err = c.Conn.Close()
	})
	return err
}
