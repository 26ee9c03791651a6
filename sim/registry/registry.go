// Package registry is the service registry of a variant: replicas register
// their address when they start and deregister when they stop; callers
// discover a replica per call, round robin.
package registry

import (
	"strconv"
	"sync"
	"sync/atomic"
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

type entry struct {
	next atomic.Uint64
	eps  atomic.Pointer[[]Endpoint] // copy on write
}

// Registry maps service names to their live replicas. The zero value is not
// usable; call New. Safe for concurrent use; Next allocates nothing.
type Registry struct {
	mu       sync.RWMutex
	services map[string]*entry
	byAddr   map[string]Endpoint
}

// New returns an empty registry.
func New() *Registry {
	return &Registry{services: map[string]*entry{}, byAddr: map[string]Endpoint{}}
}

func (r *Registry) entry(service string) *entry {
	r.mu.RLock()
	e := r.services[service]
	r.mu.RUnlock()
	if e != nil {
		return e
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if e = r.services[service]; e == nil {
		e = &entry{}
		e.eps.Store(&[]Endpoint{})
		r.services[service] = e
	}
	return e
}

// Register adds (or replaces) the endpoint of ep.Service's replica ep.Replica.
func (r *Registry) Register(ep Endpoint) {
	if ep.URL == "" {
		ep.URL = "http://" + ep.Addr
	}
	e := r.entry(ep.Service)
	r.mu.Lock()
	defer r.mu.Unlock()
	old := *e.eps.Load()
	eps := make([]Endpoint, 0, len(old)+1)
	for _, o := range old {
		if o.Replica != ep.Replica {
			eps = append(eps, o)
		} else {
			delete(r.byAddr, o.Addr)
		}
	}
	eps = append(eps, ep)
	e.eps.Store(&eps)
	r.byAddr[ep.Addr] = ep
}

// Deregister removes a replica; a no-op when it is not registered.
func (r *Registry) Deregister(service string, replica int) {
	e := r.entry(service)
	r.mu.Lock()
	defer r.mu.Unlock()
	old := *e.eps.Load()
	eps := make([]Endpoint, 0, len(old))
	for _, o := range old {
		if o.Replica == replica {
			delete(r.byAddr, o.Addr)
			continue
		}
		eps = append(eps, o)
	}
	e.eps.Store(&eps)
}

// Next returns the next replica of service in round-robin order, and false
// when none is registered.
func (r *Registry) Next(service string) (Endpoint, bool) {
	e := r.entry(service)
	eps := *e.eps.Load()
	if len(eps) == 0 {
		return Endpoint{}, false
	}
	i := e.next.Add(1) - 1
	return eps[i%uint64(len(eps))], true
}

// Endpoints returns the registered replicas of service.
func (r *Registry) Endpoints(service string) []Endpoint {
	return append([]Endpoint(nil), *r.entry(service).eps.Load()...)
}

// Lookup returns the endpoint listening on addr (host:port).
func (r *Registry) Lookup(addr string) (Endpoint, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	ep, ok := r.byAddr[addr]
	return ep, ok
}
