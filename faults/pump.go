package faults

import (
	"errors"
	"os"
	"time"
)

// aLongTimeAgo is a deadline in the past: setting it on the real
// connection makes a Read blocked in it return at once.
var aLongTimeAgo = time.Unix(1, 0)

// reshape applies the shapes rules give c's two directions, starting the
// pumps of directions a fault now selects, and appends the events to emit
// to evs. Called with c.net.mu held.
func (c *Conn) reshape(rules []*rule, evs []Event) []Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return evs
	}
	now := time.Now()
	for _, d := range [...]Direction{Outbound, Inbound} {
		from, to := c.link.From, c.link.To
		if d == Inbound {
			from, to = to, from
		}
		s := shapeOf(rules, from, to, d == Outbound)
		l := c.lines[d]
		if l == nil {
			if s.empty() {
				continue
			}
			l = newLine(c, d, c.net.limit)
			c.lines[d] = l
		}
		l.mu.Lock()
		if k := l.setShapeLocked(s, now); k != 0 {
			evs = append(evs, Event{Kind: k, Link: c.link, Dir: d, At: now})
		}
		switch {
		case !s.empty() && !l.running && !l.ended:
			c.startLocked(l)
		case s.empty() && l.running && d == Inbound:
			// The in pump is blocked reading the real connection: wake it
			// so it stops (pauseIn), and the line can drain and detach.
			c.Conn.SetReadDeadline(aLongTimeAgo)
		}
		l.mu.Unlock()
	}
	return evs
}

// startLocked routes the user's side of l's direction through l and starts
// its pump. Called with c.mu and l.mu held.
func (c *Conn) startLocked(l *line) {
	l.running = true
	if !l.attached {
		l.attached = true
		if l.dir == Outbound {
			l.dl = c.wdl
			c.out.Store(l)
		} else {
			l.dl = c.rdl
			c.in.Store(l)
		}
	}
	c.wg.Add(1)
	if l.dir == Outbound {
		go c.pumpOut(l)
		return
	}
	// Make a Read blocked in the real connection return, so that it
	// retries through the line and only the pump reads the real conn. If
	// bytes arrive before that Read runs again, the runtime returns them
	// despite the past deadline; Read then queues them here (requeue).
	c.Conn.SetReadDeadline(aLongTimeAgo)
	go c.pumpIn(l)
}

// pumpOut writes l's due bytes to the real connection until the
// connection closes, a real write fails, or the line goes idle and
// detaches.
func (c *Conn) pumpOut(l *line) {
	defer c.wg.Done()
	// Wait for writes that started before the line was attached; later
	// ones go through the line. Then the real conn needs no deadline: the
	// user's deadline applies to the line, and Close interrupts the pump.
	c.wgate.Lock()
	c.wgate.Unlock()
	c.mu.Lock()
	if !c.closed {
		c.Conn.SetWriteDeadline(time.Time{})
	}
	c.mu.Unlock()
	buf := make([]byte, pumpBuf)
	for {
		n, err := l.take(buf)
		if err == errIdle {
			if c.detachOut(l) {
				return
			}
			continue
		}
		if err != nil {
			return
		}
		if _, err := c.Conn.Write(buf[:n]); err != nil {
			l.fail(err)
			return
		}
	}
}

// detachOut sends writes straight to the real connection again if l is
// still idle, and reports whether it did.
func (c *Conn) detachOut(l *line) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	l.mu.Lock()
	defer l.mu.Unlock()
	if c.closed || !l.q.empty() || !l.shape.empty() {
		return c.closed
	}
	l.attached, l.running = false, false
	l.q.release()
	c.out.Store(nil)
	c.Conn.SetWriteDeadline(c.wdl)
	return true
}

// pumpIn reads the real connection into l until the connection closes,
// the real read ends (EOF or error, queued as an end marker), or no fault
// selects the direction any more.
func (c *Conn) pumpIn(l *line) {
	defer c.wg.Done()
	// Wait until a Read that started before the line was attached has
	// been woken out of the real conn, so bytes are read in one place.
	c.rgate.Lock()
	c.rgate.Unlock()
	buf := make([]byte, pumpBuf)
	for !c.pauseIn(l) {
		for {
			n, err := c.Conn.Read(buf)
			if n > 0 {
				if _, err := l.put(buf[:n]); err != nil {
					return // closed
				}
			}
			if err == nil {
				continue
			}
			if errors.Is(err, os.ErrDeadlineExceeded) {
				break // woken by reshape: see whether to go on
			}
			select {
			case <-c.done:
			default:
				l.end(err)
			}
			return
		}
	}
}

// pauseIn stops the in pump if no fault selects the direction (the line
// then drains and detaches on the user's next Read), else clears the real
// conn's read deadline for the pump's reads. It reports whether to stop.
func (c *Conn) pauseIn(l *line) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	l.mu.Lock()
	defer l.mu.Unlock()
	if c.closed || l.shape.empty() {
		l.running = false
		l.wakeConsumer()
		return true
	}
	c.Conn.SetReadDeadline(time.Time{})
	return false
}

// detachIn sends reads straight to the real connection again if l is idle
// (no fault, pump stopped, nothing queued), restoring the user's deadline.
func (c *Conn) detachIn(l *line) {
	c.mu.Lock()
	defer c.mu.Unlock()
	l.mu.Lock()
	defer l.mu.Unlock()
	if c.closed || !l.q.empty() || !l.shape.empty() || l.running || l.ended {
		return
	}
	l.attached = false
	l.q.release()
	c.in.Store(nil)
	c.Conn.SetReadDeadline(c.rdl)
}
