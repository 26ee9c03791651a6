package broker

import (
	"context"
	"io"
	"net"
	"sync"
	"time"

	"github.com/faultline-sim/faultline/faults"
)

// proxyDialTimeout bounds a proxy's dial of its upstream node.
const proxyDialTimeout = time.Second

// proxyAcceptRetry is how long a proxy waits before accepting again after
// the process ran out of descriptors.
const proxyAcceptRetry = 10 * time.Millisecond

// proxy carries the route connections one node opens to another: it listens
// on a loopback port the first node lists as its route, and dials the second
// node's route port through the fault layer with its link (broker#i →
// broker#j), so faults on that link act on the route's bytes. A route is
// bidirectional: both nodes' traffic flows through the connection of the
// node that dialed it.
//
//	node i ──route──► proxy i→j ──faults.Net.Dial(broker#i→broker#j)──► node j
//
// While down (its node crashed) it closes what it accepts. Safe for
// concurrent use.
type proxy struct {
	net    *faults.Net
	link   faults.Link
	ln     net.Listener
	target string // set by serve

	mu     sync.Mutex
	down   bool
	closed bool
	conns  map[net.Conn]struct{}
	wg     sync.WaitGroup
}

// listenProxy listens on 127.0.0.1:0 through n (which counts accepts that
// fail for want of descriptors); it accepts nothing before serve.
func listenProxy(n *faults.Net, link faults.Link) (*proxy, error) {
	ln, err := n.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	return &proxy{net: n, link: link, ln: ln, conns: map[net.Conn]struct{}{}}, nil
}

// addr returns the listening host:port.
func (p *proxy) addr() string { return p.ln.Addr().String() }

// serve starts accepting and forwarding to target (host:port). Connections
// that arrived before wait in the listen backlog. Call once.
func (p *proxy) serve(target string) {
	p.target = target
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := p.ln.Accept()
			if faults.IsHarnessErr(err) {
				// Out of descriptors (counted by the listener): the
				// connection waits in the backlog; try again, as
				// net/http does, rather than cut the route for good.
				time.Sleep(proxyAcceptRetry)
				continue
			}
			if err != nil {
				return // closed
			}
			p.wg.Add(1)
			go p.forward(c)
		}
	}()
}

// forward dials the upstream for one accepted connection and copies bytes
// both ways until either side ends, then closes both.
func (p *proxy) forward(down net.Conn) {
	defer p.wg.Done()
	if !p.track(down) {
		return
	}
	defer p.untrack(down)
	ctx, cancel := context.WithTimeout(context.Background(), proxyDialTimeout)
	up, err := p.net.Dial(ctx, p.link, "tcp", p.target)
	cancel()
	if err != nil || !p.track(up) {
		return
	}
	defer p.untrack(up)
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		io.Copy(up, down)
		up.Close()
		down.Close()
	}()
	io.Copy(down, up)
	up.Close()
	down.Close()
	<-copied
}

// track registers a live connection, or closes it and returns false while
// the proxy is down or closed.
func (p *proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.down || p.closed {
		c.Close()
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *proxy) untrack(c net.Conn) {
	c.Close()
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}

// setDown makes the proxy close every live connection and refuse new ones
// (down), or forward again (up).
func (p *proxy) setDown(down bool) {
	p.mu.Lock()
	p.down = down
	var live []net.Conn
	if down {
		for c := range p.conns {
			live = append(live, c)
		}
	}
	p.mu.Unlock()
	for _, c := range live {
		c.Close()
	}
}

// close stops listening, closes every connection and waits for the
// proxy's goroutines. Idempotent.
func (p *proxy) close() {
	p.mu.Lock()
	p.closed = true
	var live []net.Conn
	for c := range p.conns {
		live = append(live, c)
	}
	p.mu.Unlock()
	p.ln.Close()
	for _, c := range live {
		c.Close()
	}
	p.wg.Wait()
}
