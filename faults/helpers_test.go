package faults

import (
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"
)

// pipeConn returns a *Conn of link over one end of net.Pipe and the raw other
// end (the peer), both closed at cleanup.
func pipeConn(t *testing.T, n *Net, link Link) (*Conn, netConn) {
	t.Helper()
	a, b := net.Pipe()
	c := n.wrap(link, a)
	t.Cleanup(func() { c.Close(); b.Close() })
	return c, b
}

// tcpConn returns a *Conn of link dialed through n over loopback TCP and
// the accepted raw peer, both closed at cleanup.
func tcpConn(t *testing.T, n *Net, link Link) (*Conn, netConn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		p, _ := ln.Accept()
		accepted <- p
	}()
	nc, err := n.Dial(t.Context(), link, "tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	p := <-accepted
	if p == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { nc.Close(); p.Close() })
	return nc.(*Conn), p
}

// netConn is the peer's end of a test connection.
type netConn = net.Conn

// readAsync reads exactly n bytes from r in a goroutine.
func readAsync(r io.Reader, n int) <-chan result {
	ch := make(chan result, 1)
	go func() {
		buf := make([]byte, n)
		k, err := io.ReadFull(r, buf)
		ch <- result{buf[:k], err, time.Now()}
	}()
	return ch
}

type result struct {
	b   []byte
	err error
	at  time.Time
}

// isTimeout reports whether err is a deadline error as a net.Conn gives.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout() && errors.Is(err, os.ErrDeadlineExceeded)
}

// attached reports whether direction d of c goes through a line.
func attached(c *Conn, d Direction) bool {
	if d == Outbound {
		return c.out.Load() != nil
	}
	return c.in.Load() != nil
}

// hold is a rule that holds bytes from → to for ever, until removed.
func hold(from, to Endpoint, both bool) LinkRule {
	return LinkRule{Match: LinkSpec{From: from, To: to, Both: both}, Blackhole: true}
}
