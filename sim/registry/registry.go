// Package registry is service discovery for a variant: the registry, where
// replicas register their address while they live (heartbeat.go), and each
// caller's client-side view of it (client.go): a cached copy of the replica
// lists, a balancer that picks a replica per call (balancer.go) and passive
// outlier ejection (outlier.go).
package registry

import (
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Endpoint is one registered replica.
type Endpoint struct {
	Service string
	Replica int
	// Addr is host:port on 127.0.0.1.
	Addr string
	// URL is the base URL, "http://" + Addr.
	URL string
}

// Name returns "service#replica", the endpoint's name in links and logs.
func (e Endpoint) Name() string { return e.Service + "#" + strconv.Itoa(e.Replica) }

// View is one service's registered replicas at one moment. A view is
// immutable and shared by every reader: never modify Endpoints. Every
// change to the service's replicas stores a new view, so two reads returning
// the same *View saw the same list.
type View struct {
	Endpoints []Endpoint
}

type entry struct {
	next atomic.Uint64
	view atomic.Pointer[View] // copy on write, under Registry.mu
	// beats is each registered replica's last heartbeat (or registration),
	// by replica number. Guarded by Registry.mu.
	beats map[int]time.Time
}

// Registry maps service names to their live replicas. The zero value is not
// usable; call New. Safe for concurrent use; View and Next allocate nothing.
type Registry struct {
	// ttl is the detection delay: how long an entry lives without a
	// heartbeat. 0: entries live until deregistered.
	ttl time.Duration

	mu       sync.RWMutex
	services map[string]*entry
	byAddr   map[string]Endpoint
	sessions map[*Session]struct{} // live heartbeat loops, stopped by Close
	closed   bool                  // Close was called: no new heartbeat loop
	dial     Dialer                // how Sessions reach ln
	gone     map[string]string     // replicas whose session ended: name → address
	conns    map[net.Conn]struct{} // accepted heartbeat connections
	onChange func(Change)

	ln        net.Listener // heartbeats arrive here; nil without a detection delay
	listenErr error
	wg        sync.WaitGroup // serve and receive goroutines

	stopSweep chan struct{}
	swept     chan struct{} // closed when the sweeper has returned
	closeOnce sync.Once
}

// Config configures a Registry. The zero value is a registry that sees a
// replica's death at once.
type Config struct {
	// DetectionDelay is how long an entry lives without a heartbeat. 0 (the
	// default): the registry sees a replica's death at once, as one holding
	// a connection to each instance would: a crashed replica's Session
	// deregisters it, and no goroutine is started. Above 0 the registry
	// learns of deaths only through missing heartbeats: it listens on
	// 127.0.0.1 (an ephemeral port), a registered Session sends a heartbeat
	// over a connection to it every DetectionDelay/heartbeatsPerDelay, and a
	// sweeper drops every entry whose last heartbeat is more than
	// DetectionDelay old (see heartbeat.go). Negative is 0.
	DetectionDelay time.Duration
	// Listen opens the heartbeat listener (a run passes the fault layer's
	// Listen, which counts failed accepts as the harness's own errors).
	// Default net.Listen. Unused without a detection delay.
	Listen ListenFunc
}

// ListenFunc opens the registry's heartbeat listener; net.Listen is one.
type ListenFunc func(network, addr string) (net.Listener, error)

// New returns an empty registry configured by cfg. With a detection delay,
// if listening fails Err says why (and entries then expire), and Close
// stops the sweeper, every heartbeat and the listener.
func New(cfg Config) *Registry {
	listen := cfg.Listen
	if listen == nil {
		listen = net.Listen
	}
	r := &Registry{
		ttl:      max(cfg.DetectionDelay, 0),
		services: map[string]*entry{},
		byAddr:   map[string]Endpoint{},
		sessions: map[*Session]struct{}{},
		dial:     directDial,
		gone:     map[string]string{},
		conns:    map[net.Conn]struct{}{},
	}
	if r.ttl > 0 {
		r.stopSweep, r.swept = make(chan struct{}), make(chan struct{})
		go r.sweepLoop()
		if ln, err := listen("tcp", "127.0.0.1:0"); err != nil {
			r.listenErr = err
		} else {
			r.ln = ln
			r.wg.Add(1)
			go r.serve()
		}
	}
	return r
}

// Change is one change of the registry's membership: a replica listed
// (Joined) or dropped. Expired tells a drop for missing heartbeats from a
// deregistration.
type Change struct {
	Service string
	Replica int
	Addr    string
	Joined  bool
	Expired bool
	At      time.Time
}

// Name returns "service#replica".
func (c Change) Name() string { return c.Service + "#" + strconv.Itoa(c.Replica) }

// OnChange makes the registry call f for every later change of membership
// (nil: none). f is called with the registry's lock held, in the order of
// the changes: it must return quickly and must not call the Registry.
func (r *Registry) OnChange(f func(Change)) {
	r.mu.Lock()
	r.onChange = f
	r.mu.Unlock()
}

// DetectionDelay returns how long an entry outlives its last heartbeat; 0
// when deaths are seen at once.
func (r *Registry) DetectionDelay() time.Duration { return r.ttl }

func (r *Registry) entry(service string) *entry {
	r.mu.RLock()
	e := r.services[service]
	r.mu.RUnlock()
	if e != nil {
		return e
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.entryLocked(service)
}

// entryLocked is entry with r.mu held for writing.
func (r *Registry) entryLocked(service string) *entry {
	e := r.services[service]
	if e == nil {
		e = &entry{beats: map[int]time.Time{}}
		e.view.Store(&View{})
		r.services[service] = e
	}
	return e
}

// Register adds (or replaces) the endpoint of ep.Service's replica
// ep.Replica, as freshly heartbeating. Under a detection delay nothing
// renews it, so it expires after the delay: a replica that must stay
// registered joins with Join instead.
func (r *Registry) Register(ep Endpoint) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.registerLocked(ep, time.Now())
}

func (r *Registry) registerLocked(ep Endpoint, now time.Time) {
	if ep.URL == "" {
		ep.URL = "http://" + ep.Addr
	}
	e := r.entryLocked(ep.Service)
	old := e.view.Load().Endpoints
	eps := make([]Endpoint, 0, len(old)+1)
	listed := false
	for _, o := range old {
		if o.Replica != ep.Replica {
			eps = append(eps, o)
		} else {
			listed = true
			delete(r.byAddr, o.Addr)
		}
	}
	eps = append(eps, ep)
	e.view.Store(&View{Endpoints: eps})
	e.beats[ep.Replica] = now
	r.byAddr[ep.Addr] = ep
	if !listed && r.onChange != nil {
		r.onChange(Change{Service: ep.Service, Replica: ep.Replica, Addr: ep.Addr, Joined: true, At: now})
	}
}

// Deregister removes a replica; a no-op when it is not registered.
func (r *Registry) Deregister(service string, replica int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if e := r.services[service]; e != nil {
		r.dropLocked(e, func(ep Endpoint) bool { return ep.Replica == replica }, false)
	}
}

// dropLocked removes the endpoints of e for which drop holds, storing a new
// view only when one is removed, and reports each removal (expired: for
// missing heartbeats). r.mu is held for writing.
func (r *Registry) dropLocked(e *entry, drop func(Endpoint) bool, expired bool) {
	old := e.view.Load().Endpoints
	var eps []Endpoint
	for i, o := range old {
		if !drop(o) {
			if eps != nil {
				eps = append(eps, o)
			}
			continue
		}
		if eps == nil {
			eps = append(make([]Endpoint, 0, len(old)), old[:i]...)
		}
		delete(r.byAddr, o.Addr)
		delete(e.beats, o.Replica)
		if r.onChange != nil {
			r.onChange(Change{Service: o.Service, Replica: o.Replica, Addr: o.Addr, Expired: expired, At: time.Now()})
		}
	}
	if eps != nil {
		e.view.Store(&View{Endpoints: eps})
	}
}

// View returns the current view of service's replicas (empty when none is
// registered). It allocates nothing once the service is known.
func (r *Registry) View(service string) *View { return r.entry(service).view.Load() }

// Next returns the next replica of service in round-robin order, shared by
// every caller of Next, and false when none is registered. Callers pick
// with a Client instead, which balances per caller.
func (r *Registry) Next(service string) (Endpoint, bool) {
	e := r.entry(service)
	eps := e.view.Load().Endpoints
	if len(eps) == 0 {
		return Endpoint{}, false
	}
	i := e.next.Add(1) - 1
	return eps[i%uint64(len(eps))], true
}

// Endpoints returns a copy of the registered replicas of service.
func (r *Registry) Endpoints(service string) []Endpoint {
	return append([]Endpoint(nil), r.View(service).Endpoints...)
}

// Lookup returns the endpoint listening on addr (host:port).
func (r *Registry) Lookup(addr string) (Endpoint, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	ep, ok := r.byAddr[addr]
	return ep, ok
}

// Close stops the sweeper and every session's heartbeats, closes the
// heartbeat listener and its connections, and waits for every goroutine
// (entries stay as they are). Idempotent.
func (r *Registry) Close() {
	r.closeOnce.Do(func() {
		r.mu.Lock()
		r.closed = true
		sessions := make([]*Session, 0, len(r.sessions))
		for s := range r.sessions {
			sessions = append(sessions, s)
		}
		r.mu.Unlock()
		for _, s := range sessions {
			s.stopBeats()
		}
		if r.stopSweep != nil {
			close(r.stopSweep)
			<-r.swept
		}
		if r.ln != nil {
			r.ln.Close()
		}
		r.mu.Lock()
		for c := range r.conns {
			c.Close()
		}
		r.mu.Unlock()
		r.wg.Wait()
	})
}
