package faults

import (
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Conn is a connection dialed through a Net. With no fault selecting a
// direction, reads and writes go straight to the underlying connection and
// allocate nothing; while a fault selects it, they go through a line served
// by a pump goroutine (see the package diagram). Safe for concurrent use as
// a net.Conn: concurrent Reads (and concurrent Writes) are serialized.
type Conn struct {
	net.Conn
	link      Link
	net       *Net
	seed, nth uint64

	out, in      atomic.Pointer[line] // non-nil: the direction goes through a line
	rgate, wgate sync.RWMutex         // held shared by direct Reads / Writes

	mu       sync.Mutex // guards below and the real conn's deadlines
	rdl, wdl time.Time  // the user's deadlines
	lines    [2]*line   // by Direction, created when a fault first selects it
	closed   bool
	done     chan struct{} // closed by Close
	wg       sync.WaitGroup
	once     sync.Once
}

// Link returns the connection's link.
func (c *Conn) Link() Link { return c.link }

// Read reads bytes flowing To → From. It honours the read deadline, also
// while the fault layer holds or delays bytes, and returns once Close is
// called.
func (c *Conn) Read(p []byte) (int, error) {
	c.rgate.RLock()
	if c.in.Load() != nil {
		c.rgate.RUnlock()
		return c.readLine(p)
	}
	n, err := c.Conn.Read(p)
	if l := c.in.Load(); l != nil {
		// A fault was attached while this Read was in the real conn, and
		// the runtime may hand over bytes that arrived after it despite
		// the kick (see startLocked). Route them through the line like the
		// rest: the in pump waits on rgate, so they stay first.
		if n > 0 && l.requeue(p[:n]) || n == 0 && (err == io.EOF || errors.Is(err, os.ErrDeadlineExceeded)) {
			c.rgate.RUnlock()
			return c.readLine(p)
		}
	}
	c.rgate.RUnlock()
	if n == 0 && err != nil && errors.Is(err, os.ErrDeadlineExceeded) && c.kicked(&c.rdl) {
		return c.Read(p)
	}
	return n, err
}

// kicked reports whether a deadline error of the real conn came from the
// fault layer (attaching a line) rather than the user's deadline *dl.
func (c *Conn) kicked(dl *time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return !expired(*dl, time.Now())
}

func (c *Conn) readLine(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for {
		l := c.in.Load()
		if l == nil {
			return c.Read(p)
		}
		n, err := l.take(p)
		if err == errIdle {
			c.detachIn(l)
			continue
		}
		return n, c.opErr("read", err)
	}
}

// Write writes bytes flowing From → To. While a fault selects the
// direction it returns once the bytes are queued (as a kernel's send buffer
// would), blocking while 4 MiB are queued; it honours the write deadline
// and returns once Close is called.
func (c *Conn) Write(p []byte) (int, error) {
	c.wgate.RLock()
	if c.out.Load() == nil {
		n, err := c.Conn.Write(p)
		c.wgate.RUnlock()
		return n, err
	}
	c.wgate.RUnlock()
	return c.writeLine(p)
}

func (c *Conn) writeLine(p []byte) (int, error) {
	total := 0
	for total < len(p) {
		l := c.out.Load()
		if l == nil {
			n, err := c.Write(p[total:])
			return total + n, err
		}
		n, err := l.put(p[total:])
		total += n
		if err != errRetired {
			return total, c.opErr("write", err)
		}
	}
	return total, nil
}

// opErr wraps the line's own errors as the real connection would.
func (c *Conn) opErr(op string, err error) error {
	if err == os.ErrDeadlineExceeded || err == net.ErrClosed {
		return &net.OpError{Op: op, Net: c.LocalAddr().Network(), Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: err}
	}
	return err
}

// SetDeadline sets the read and write deadlines, as SetReadDeadline and
// SetWriteDeadline.
func (c *Conn) SetDeadline(t time.Time) error {
	if err := c.SetReadDeadline(t); err != nil {
		return err
	}
	return c.SetWriteDeadline(t)
}

// SetReadDeadline sets the deadline of pending and future Reads, whether
// they wait on the real connection or on bytes the fault layer holds. A
// zero t means none.
func (c *Conn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rdl = t
	if l := c.in.Load(); l != nil {
		l.setDeadline(t)
		return nil
	}
	return c.Conn.SetReadDeadline(t)
}

// SetWriteDeadline sets the deadline of pending and future Writes, whether
// they wait on the real connection or for room in the fault layer. A zero
// t means none.
func (c *Conn) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.wdl = t
	if l := c.out.Load(); l != nil {
		l.setDeadline(t)
		return nil
	}
	return c.Conn.SetWriteDeadline(t)
}

// Close closes the underlying connection, stops tracking it, interrupts
// blocked Reads and Writes and waits for its pumps to exit. Bytes the fault
// layer still holds are dropped, as on a reset. Idempotent: later calls
// return net.ErrClosed.
func (c *Conn) Close() error {
	err := net.ErrClosed
	c.once.Do(func() {
		c.net.forget(c)
		c.mu.Lock()
		c.closed = true
		close(c.done)
		lines := c.lines
		c.mu.Unlock()
		for _, l := range lines {
			if l != nil {
				l.wakeConsumer() // a consumer asleep on its alarm
			}
		}
		err = c.Conn.Close()
		c.wg.Wait()
		for _, l := range lines {
			if l != nil {
				l.closeAlarm()
			}
		}
	})
	return err
}

// Reset closes the connection as Close does, but with a TCP RST instead of
// a FIN: SO_LINGER 0 is set on the underlying connection first, so the
// kernel discards unsent bytes and the peer's next read or write fails with
// ECONNRESET. On a connection that is not TCP (e.g. net.Pipe in tests) it
// is Close. Idempotent with Close: only the first of them acts.
func (c *Conn) Reset() error {
	c.mu.Lock()
	closed := c.closed
	c.mu.Unlock()
	if tc, ok := c.Conn.(*net.TCPConn); ok && !closed {
		tc.SetLinger(0)
	}
	return c.Close()
}

// emit reports an event of kind k (0: none) on direction d.
func (c *Conn) emit(k EventKind, d Direction) {
	if k == 0 {
		return
	}
	if f := c.net.onEvent.Load(); f != nil {
		(*f)(Event{Kind: k, Link: c.link, Dir: d, At: time.Now()})
	}
}

// queued returns the bytes the fault layer holds on direction d; for
// tests.
func (c *Conn) queued(d Direction) int {
	c.mu.Lock()
	l := c.lines[d]
	c.mu.Unlock()
	if l == nil {
		return 0
	}
	return l.queued()
}
