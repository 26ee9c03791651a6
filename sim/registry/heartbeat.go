package registry

import (
	"bufio"
	"context"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Heartbeats and expiry. Under a detection delay D the registry never hears
// that a process died; it only stops hearing from it:
//
//   - the registry listens on a loopback socket (127.0.0.1, an ephemeral
//     port); a Session (one per running replica) keeps a connection to it,
//     dialed through the registry's Dialer (the fault layer in a run, as
//     link "<service>#<n>" → "registry"), and writes a heartbeat line every
//     D/heartbeatsPerDelay. The registry renews the entry when the line
//     arrives, and registers it again if it had dropped it (as a Eureka
//     client does after a missed lease);
//   - a sweeper drops, every D/heartbeatsPerDelay, each entry whose last
//     heartbeat is more than D old.
//
// So whatever stops a replica's bytes from reaching the registry — a
// partition, a pause, a crash — stops its heartbeats: the entry goes stale
// and is dropped between D−D/heartbeatsPerDelay and D+D/heartbeatsPerDelay
// later, while callers keep picking it; heartbeats held by a partition
// arrive at the heal and register the replica again. A graceful stop
// (Session.Leave) deregisters at once. With no delay (D = 0) there is no
// socket and no goroutine at all, and a crash deregisters at once.
const heartbeatsPerDelay = 10

// minBeat bounds the heartbeat and sweep period from below.
const minBeat = time.Millisecond

// beatEvery is the period of heartbeats and sweeps.
func (r *Registry) beatEvery() time.Duration { return max(r.ttl/heartbeatsPerDelay, minBeat) }

// minDialWait bounds from below how long a Session waits for a dial or a
// heartbeat write, so a short period does not make every dial time out.
const minDialWait = 100 * time.Millisecond

// Dialer opens a connection from the replica named from ("service#N") to
// the registry listening at addr. It must honour ctx.
type Dialer func(ctx context.Context, from, addr string) (net.Conn, error)

// directDial dials addr with no fault layer.
func directDial(ctx context.Context, _, addr string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, "tcp", addr)
}

// SetDialer makes Sessions that join after it dial the registry with d
// (default: a plain dial). A run passes the fault layer's Dial, so that
// link faults, partitions and pauses act on heartbeats. Safe for concurrent
// use.
func (r *Registry) SetDialer(d Dialer) {
	r.mu.Lock()
	r.dial = d
	r.mu.Unlock()
}

// Addr returns the address the registry receives heartbeats on, "" when it
// has none (no detection delay, or listening failed: see Err).
func (r *Registry) Addr() string {
	if r.ln == nil {
		return ""
	}
	return r.ln.Addr().String()
}

// Err returns why the registry could not listen for heartbeats, or nil.
// Without a listener no heartbeat arrives, so every entry expires after
// the detection delay.
func (r *Registry) Err() error { return r.listenErr }

// Session is one replica's registration, kept alive by heartbeats while the
// replica runs. End it with Leave (graceful stop) or Lost (crash). Its
// methods are idempotent but must not be called concurrently with each
// other.
type Session struct {
	r    *Registry
	ep   Endpoint
	dial Dialer
	stop context.CancelFunc // nil without heartbeats
	ctx  context.Context
	done chan struct{}
	once sync.Once
}

// Join registers ep and, under a detection delay, starts its heartbeats.
// Joining again for the same replica (a restart) replaces its entry, stale
// or not.
func (r *Registry) Join(ep Endpoint) *Session {
	if ep.URL == "" {
		ep.URL = "http://" + ep.Addr
	}
	s := &Session{r: r, ep: ep}
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.gone, ep.Name())
	r.registerLocked(ep, time.Now())
	if r.ttl > 0 && !r.closed {
		s.dial = r.dial
		s.ctx, s.stop = context.WithCancel(context.Background())
		s.done = make(chan struct{})
		r.sessions[s] = struct{}{}
		go s.beatLoop(r.beatEvery())
	}
	return s
}

// beatLoop writes a heartbeat every period until stopped. A failed dial or
// write drops the connection; the next tick dials again. A dial or write
// never waits more than max(every, minDialWait).
func (s *Session) beatLoop(every time.Duration) {
	defer close(s.done)
	t := time.NewTicker(every)
	defer t.Stop()
	wait := max(every, minDialWait)
	line := []byte("beat " + s.ep.Service + " " + strconv.Itoa(s.ep.Replica) + " " + s.ep.Addr + "\n")
	var c net.Conn
	defer func() {
		if c != nil {
			c.Close()
		}
	}()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
		}
		if c == nil {
			ctx, cancel := context.WithTimeout(s.ctx, wait)
			nc, err := s.dial(ctx, s.ep.Name(), s.r.Addr())
			cancel()
			if err != nil {
				continue
			}
			c = nc
		}
		c.SetWriteDeadline(time.Now().Add(wait))
		if _, err := c.Write(line); err != nil {
			c.Close()
			c = nil
		}
	}
}

// serve accepts heartbeat connections until the listener is closed.
func (r *Registry) serve() {
	defer r.wg.Done()
	for {
		c, err := r.ln.Accept()
		if err != nil {
			return
		}
		r.mu.Lock()
		if r.closed {
			r.mu.Unlock()
			c.Close()
			return
		}
		r.conns[c] = struct{}{}
		r.wg.Add(1)
		r.mu.Unlock()
		go r.receive(c)
	}
}

// receive applies the heartbeat lines of c until it closes or sends
// something that is not a heartbeat.
func (r *Registry) receive(c net.Conn) {
	defer r.wg.Done()
	defer func() {
		r.mu.Lock()
		delete(r.conns, c)
		r.mu.Unlock()
		c.Close()
	}()
	sc := bufio.NewScanner(c)
	for sc.Scan() {
		ep, ok := parseBeat(sc.Text())
		if !ok {
			return
		}
		r.beat(ep, time.Now())
	}
}

// parseBeat parses "beat <service> <replica> <addr>".
func parseBeat(s string) (Endpoint, bool) {
	f := strings.Fields(s)
	if len(f) != 4 || f[0] != "beat" {
		return Endpoint{}, false
	}
	n, err := strconv.Atoi(f[2])
	if err != nil {
		return Endpoint{}, false
	}
	return Endpoint{Service: f[1], Replica: n, Addr: f[3], URL: "http://" + f[3]}, true
}

// beat renews ep's entry, or registers it again when it expired. An entry
// of the same replica at another address is someone else's: left alone.
func (r *Registry) beat(ep Endpoint, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	e := r.entryLocked(ep.Service)
	for _, o := range e.view.Load().Endpoints {
		if o.Replica == ep.Replica {
			if o.Addr == ep.Addr {
				e.beats[ep.Replica] = now
			}
			return
		}
	}
	if r.gone[ep.Name()] == ep.Addr {
		return // the replica left or was restarted: a late beat of its old life
	}
	r.registerLocked(ep, now)
}

// stopBeats stops the heartbeats and waits for their goroutine.
func (s *Session) stopBeats() {
	s.once.Do(func() {
		if s.stop == nil {
			return
		}
		s.stop()
		<-s.done
		s.r.mu.Lock()
		delete(s.r.sessions, s)
		s.r.mu.Unlock()
	})
}

// Lost ends the session as a process death does: the heartbeats stop. Under
// a detection delay the entry stays, stale, until the sweeper drops it; with
// none it is deregistered at once.
func (s *Session) Lost() {
	s.stopBeats()
	s.r.mu.Lock()
	s.r.gone[s.ep.Name()] = s.ep.Addr
	s.r.mu.Unlock()
	if s.r.ttl == 0 {
		s.deregister()
	}
}

// Leave ends the session gracefully: the heartbeats stop and the entry is
// deregistered at once.
func (s *Session) Leave() {
	s.stopBeats()
	s.r.mu.Lock()
	s.r.gone[s.ep.Name()] = s.ep.Addr
	s.r.mu.Unlock()
	s.deregister()
}

// deregister removes the session's entry if it is still this session's
// (same replica, same address).
func (s *Session) deregister() {
	r := s.r
	r.mu.Lock()
	defer r.mu.Unlock()
	if e := r.services[s.ep.Service]; e != nil {
		r.dropLocked(e, func(o Endpoint) bool { return o.Replica == s.ep.Replica && o.Addr == s.ep.Addr }, false)
	}
}

// sweepLoop drops expired entries until Close.
func (r *Registry) sweepLoop() {
	defer close(r.swept)
	t := time.NewTicker(r.beatEvery())
	defer t.Stop()
	for {
		select {
		case <-r.stopSweep:
			return
		case <-t.C:
			r.sweep(time.Now())
		}
	}
}

// sweep drops every entry whose last heartbeat is more than the detection
// delay before now.
func (r *Registry) sweep(now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.services {
		stale := false
		for _, at := range e.beats {
			if now.Sub(at) > r.ttl {
				stale = true
				break
			}
		}
		if stale {
			r.dropLocked(e, func(o Endpoint) bool { return now.Sub(e.beats[o.Replica]) > r.ttl }, true)
		}
	}
}
