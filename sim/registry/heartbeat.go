package registry

import (
	"sync"
	"time"
)

// Heartbeats and expiry. Under a detection delay D the registry never hears
// that a process died; it only stops hearing from it:
//
//   - a Session (one per running replica) renews its entry's last-heartbeat
//     time every D/heartbeatsPerDelay from its own goroutine, and registers
//     the entry again if the registry had dropped it (as a Eureka client
//     does after a missed lease);
//   - a sweeper drops, every D/heartbeatsPerDelay, each entry whose last
//     heartbeat is more than D old.
//
// A crash (Session.Lost) only stops the heartbeats: the entry goes stale and
// is dropped between D−D/heartbeatsPerDelay and D+D/heartbeatsPerDelay after
// the crash, while callers keep picking it. A graceful stop (Session.Leave)
// deregisters at once. With no delay (D = 0) there is no goroutine at all and
// a crash deregisters at once. Heartbeats do not cross the fault layer: a
// partition or a pause does not stop them.
const heartbeatsPerDelay = 10

// minBeat bounds the heartbeat and sweep period from below.
const minBeat = time.Millisecond

// beatEvery is the period of heartbeats and sweeps.
func (r *Registry) beatEvery() time.Duration { return max(r.ttl/heartbeatsPerDelay, minBeat) }

// Session is one replica's registration, kept alive by heartbeats while the
// replica runs. End it with Leave (graceful stop) or Lost (crash). Its
// methods are idempotent but must not be called concurrently with each
// other.
type Session struct {
	r    *Registry
	ep   Endpoint
	stop chan struct{} // nil without heartbeats
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
	r.registerLocked(ep, time.Now())
	if r.ttl > 0 && !r.closed {
		s.stop, s.done = make(chan struct{}), make(chan struct{})
		r.sessions[s] = struct{}{}
		go s.beatLoop(r.beatEvery())
	}
	return s
}

func (s *Session) beatLoop(every time.Duration) {
	defer close(s.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.r.beat(s.ep, time.Now())
		}
	}
}

// beat renews ep's entry, or registers it again when it expired. An entry
// of the same replica at another address is someone else's: left alone.
func (r *Registry) beat(ep Endpoint, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.entryLocked(ep.Service)
	for _, o := range e.view.Load().Endpoints {
		if o.Replica == ep.Replica {
			if o.Addr == ep.Addr {
				e.beats[ep.Replica] = now
			}
			return
		}
	}
	r.registerLocked(ep, now)
}

// stopBeats stops the heartbeats and waits for their goroutine.
func (s *Session) stopBeats() {
	s.once.Do(func() {
		if s.stop == nil {
			return
		}
		close(s.stop)
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
	if s.r.ttl == 0 {
		s.deregister()
	}
}

// Leave ends the session gracefully: the heartbeats stop and the entry is
// deregistered at once.
func (s *Session) Leave() {
	s.stopBeats()
	s.deregister()
}

// deregister removes the session's entry if it is still this session's
// (same replica, same address).
func (s *Session) deregister() {
	r := s.r
	r.mu.Lock()
	defer r.mu.Unlock()
	if e := r.services[s.ep.Service]; e != nil {
		r.dropLocked(e, func(o Endpoint) bool { return o.Replica == s.ep.Replica && o.Addr == s.ep.Addr })
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
			r.dropLocked(e, func(o Endpoint) bool { return now.Sub(e.beats[o.Replica]) > r.ttl })
		}
	}
}
