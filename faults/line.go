package faults

import (
	"errors"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/faultline-sim/faultline/faults/alarm"
)

// A line carries one direction of a faulty connection:
//
//	producer ─put─► [ring: bytes + due times] ─take─► consumer
//	                 latency: due = max(arrival+draw, previous due)
//	                 blackhole: take waits; bandwidth: take is paced
//
// Outbound, the producer is the user's Write and the consumer the out
// pump; inbound, the producer is the in pump and the consumer the user's
// Read. The user's side honours its deadline; the pump's side waits until
// woken or the connection closes. Producers are serialized by pmu and
// consumers by cmu, as a net.Conn serializes its writers and its readers,
// so each side has one waiter and one reused timer.
type line struct {
	c     *Conn
	dir   Direction
	epoch time.Time
	smp   *sampler
	cwake chan struct{} // consumer may proceed (cap 1)
	pwake chan struct{} // producer may proceed (cap 1)

	pmu, cmu       sync.Mutex
	ptimer, ctimer *time.Timer                 // owned by the holder of pmu, cmu
	alarm          atomic.Pointer[alarm.Alarm] // the consumer's timed sleeps; set by the holder of cmu
	noAlarm        bool                        // alarm.New failed; owned by the holder of cmu

	mu       sync.Mutex
	q        ring
	last     int64 // due time of the newest bytes
	shape    shape
	bkt      bucket
	attached bool      // the Conn routes the user's side here
	running  bool      // a pump serves the line
	ended    bool      // in: end marker queued; out: the real write failed
	err      error     // out: why the real write failed
	dl       time.Time // the user's deadline
	held     bool      // an EventHeld was emitted with no release yet
	retx     retx      // loss: the retransmission backoff
}

// Sentinels between a line and its Conn; never returned to users.
var (
	errRetired = errors.New("faults: line retired") // out: write directly
	errIdle    = errors.New("faults: line idle")    // no fault and nothing queued
)

// pumpBuf is the largest chunk a pump moves at once; a running pump holds
// one such buffer.
const pumpBuf = 32 << 10

func newLine(c *Conn, d Direction, limit int) *line {
	return &line{
		c:     c,
		dir:   d,
		epoch: time.Now(),
		smp:   newSampler(c.seed, c.link, c.nth, d),
		cwake: make(chan struct{}, 1),
		pwake: make(chan struct{}, 1),
		q:     ring{limit: limit},
	}
}

// mono converts t to nanoseconds since the line's epoch (monotonic).
func (l *line) mono(t time.Time) int64 { return int64(t.Sub(l.epoch)) }

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// expired reports whether deadline dl has passed at now.
func expired(dl, now time.Time) bool { return !dl.IsZero() && !now.Before(dl) }

// put queues p, blocking while the ring is full; len(p) must be > 0.
func (l *line) put(p []byte) (int, error) {
	l.pmu.Lock()
	defer l.pmu.Unlock()
	user := l.dir == Outbound
	total := 0
	var ev EventKind
	defer func() { l.c.emit(ev, l.dir) }() // after l.mu is released
	l.mu.Lock()
	for {
		select {
		case <-l.c.done:
			l.mu.Unlock()
			return total, net.ErrClosed
		default:
		}
		if l.err != nil {
			l.mu.Unlock()
			return total, l.err
		}
		if user && !l.attached {
			l.mu.Unlock()
			return total, errRetired
		}
		now := time.Now()
		if user && expired(l.dl, now) {
			l.mu.Unlock()
			return total, os.ErrDeadlineExceeded
		}
		if k := min(l.q.free(), len(p)-total); k > 0 {
			// Due times never decrease, so new bytes change what the
			// consumer waits for only when the ring was empty: waking it
			// for every put would cost a goroutine switch per write.
			if l.q.empty() {
				l.wakeConsumer()
			}
			l.q.push(p[total:total+k], l.due(now))
			total += k
			if e := l.holdLocked(); e != 0 {
				ev = e
			}
			if total == len(p) {
				l.mu.Unlock()
				return total, nil
			}
			continue
		}
		wait := time.Duration(-1)
		if user && !l.dl.IsZero() {
			wait = l.dl.Sub(now)
		}
		l.mu.Unlock()
		l.sleep(l.pwake, &l.ptimer, wait)
		l.mu.Lock()
	}
}

// requeue queues p, read off the real conn by a Read that raced with
// attaching the line, if it fits whole; it reports whether it did.
func (l *line) requeue(p []byte) bool {
	l.mu.Lock()
	if len(p) > l.q.free() {
		l.mu.Unlock()
		return false
	}
	l.q.push(p, l.due(time.Now()))
	ev := l.holdLocked()
	l.wakeConsumer()
	l.mu.Unlock()
	l.c.emit(ev, l.dir)
	return true
}

// due returns the due time of bytes arriving at now and advances l.last:
// the latency draw, plus a retransmission timeout when the segment is lost,
// and never before the bytes ahead.
func (l *line) due(now time.Time) int64 {
	d := l.smp.delay(l.shape.lat)
	if l.shape.loss > 0 {
		d += l.retx.next(l.smp.lost(l.shape.loss))
	}
	at := max(l.mono(now)+int64(d), l.last)
	l.last = at
	return at
}

// holdLocked marks the line as holding if a blackhole holds queued bytes
// and returns the event kind to emit (0: none).
func (l *line) holdLocked() EventKind {
	if l.shape.hold && !l.held && !l.q.empty() {
		l.held = true
		return EventHeld
	}
	return 0
}

// end queues the end of the stream (the real read's error) behind the
// bytes, subject to the same delay and hold, and stops the line's pump.
func (l *line) end(err error) {
	l.mu.Lock()
	l.q.end(err, l.due(time.Now()))
	l.ended, l.running = true, false
	ev := l.holdLocked()
	l.wakeConsumer()
	l.mu.Unlock()
	l.c.emit(ev, l.dir)
}

// fail records that the real write failed: queued bytes are dropped and
// writers get err from now on.
func (l *line) fail(err error) {
	l.mu.Lock()
	l.err, l.ended, l.running = err, true, false
	l.q.release()
	signal(l.pwake)
	l.mu.Unlock()
}

// take moves bytes that are due, not held, and within the bandwidth into
// p; it returns an end marker's error without consuming it, and errIdle
// when no fault selects the direction and nothing is queued. It blocks
// otherwise. len(p) must be > 0.
func (l *line) take(p []byte) (int, error) {
	l.cmu.Lock()
	defer l.cmu.Unlock()
	user := l.dir == Inbound
	l.mu.Lock()
	for {
		select {
		case <-l.c.done:
			l.mu.Unlock()
			return 0, net.ErrClosed
		default:
		}
		// Idle first: detaching must not wait for a Read with a later
		// deadline; the direct Read then honours the deadline itself.
		if l.q.empty() && l.shape.empty() && (l.dir == Outbound || !l.running && !l.ended) {
			l.mu.Unlock()
			return 0, errIdle
		}
		now := time.Now()
		if user && expired(l.dl, now) {
			l.mu.Unlock()
			return 0, os.ErrDeadlineExceeded
		}
		wait := time.Duration(-1)
		f, t := l.q.front(), l.mono(now)
		switch {
		case f == nil || l.shape.hold:
			// Nothing deliverable: wait to be woken.
		case f.at > t:
			wait = time.Duration(f.at - t)
		case f.err != nil:
			l.mu.Unlock()
			return 0, f.err
		default:
			n, w := l.takeDue(p, t)
			if n > 0 {
				signal(l.pwake)
				l.mu.Unlock()
				return n, nil
			}
			wait = w
		}
		if user && !l.dl.IsZero() {
			if d := l.dl.Sub(now); wait < 0 || d < wait {
				wait = d
			}
		}
		l.mu.Unlock()
		l.sleepConsumer(wait)
		l.mu.Lock()
	}
}

// takeDue moves the bytes due at t, within the bandwidth, into p: several
// runs at once, as a real link coalesces what is ready, so a pump that woke
// late catches up in one write. It returns how many, or 0 and how long the
// bandwidth makes the front wait. Called with l.mu held.
func (l *line) takeDue(p []byte, t int64) (int, time.Duration) {
	n := 0
	for n < len(p) {
		f := l.q.front()
		if f == nil || f.err != nil || f.at > t {
			break
		}
		k, w := l.bkt.take(t, min(len(p)-n, f.n))
		if k == 0 {
			return n, w
		}
		if len(l.shape.lat) > 0 {
			l.c.net.late.record(t - f.at)
		}
		l.q.pop(p[n : n+k])
		n += k
	}
	return n, 0
}

// wakeConsumer ends the consumer's sleep, if any, so it looks again.
func (l *line) wakeConsumer() {
	signal(l.cwake)
	if a := l.alarm.Load(); a != nil {
		a.Kick()
	}
}

// sleepConsumer is the consumer's sleep in take: until woken, d (if
// d >= 0) or the connection's close. A timed sleep ends on an alarm, so a
// delay is delivered on time whether the process is idle or busy (see
// alarm); without one it falls back to a Go timer. Called with cmu held.
func (l *line) sleepConsumer(d time.Duration) {
	a := l.alarm.Load()
	if d >= 0 && a == nil && !l.noAlarm {
		if a = alarm.New(); a != nil {
			l.alarm.Store(a)
		}
		l.noAlarm = a == nil
	}
	if d < 0 || a == nil {
		l.sleep(l.cwake, &l.ctimer, d)
		return
	}
	// Armed before looking at cwake: a wake sent after this look kicks
	// the armed alarm, so it is never lost.
	a.Arm(d)
	select {
	case <-l.cwake:
		a.Disarm()
		return
	case <-l.c.done:
		a.Disarm()
		return
	default:
	}
	a.Wait()
	select { // the wake that kicked it, if any: take looks again anyway
	case <-l.cwake:
	default:
	}
}

// closeAlarm releases the consumer's alarm once no consumer is in take;
// the Conn is closed, so none sleeps again.
func (l *line) closeAlarm() {
	l.cmu.Lock()
	defer l.cmu.Unlock()
	if a := l.alarm.Swap(nil); a != nil {
		a.Close()
	}
}

// sleep waits for wake, d (if d >= 0) or the connection's close, reusing
// *t as its one timer.
func (l *line) sleep(wake chan struct{}, t **time.Timer, d time.Duration) {
	if d < 0 {
		select {
		case <-wake:
		case <-l.c.done:
		}
		return
	}
	if *t == nil {
		*t = time.NewTimer(d)
	} else {
		(*t).Reset(d)
	}
	select {
	case <-wake:
	case <-(*t).C:
	case <-l.c.done:
	}
	(*t).Stop()
}

// setShapeLocked applies s at now and returns the event kind to emit.
func (l *line) setShapeLocked(s shape, now time.Time) EventKind {
	l.bkt.setRate(s.rate, l.mono(now))
	l.shape = s
	l.wakeConsumer()
	signal(l.pwake)
	if !s.hold && l.held {
		l.held = false
		return EventReleased
	}
	return l.holdLocked()
}

// setDeadline sets the user's deadline and wakes the user's side.
func (l *line) setDeadline(t time.Time) {
	l.mu.Lock()
	l.dl = t
	l.mu.Unlock()
	l.wakeConsumer()
	signal(l.pwake)
}

// queued returns the bytes queued; for tests.
func (l *line) queued() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.q.size
}
