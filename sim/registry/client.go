package registry

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/faultline-sim/faultline/topologies"
)

// Client is one caller's view of the registry: per service, a cached copy
// of the replica list, the state this caller keeps about each replica
// (calls in flight from it, consecutive failures, ejection) and a balancer
// that picks a replica per call. A caller knows only its own calls: two
// clients never share state. Safe for concurrent use; Pick and Done
// allocate nothing once the service's list has been read.
type Client struct {
	reg     *Registry
	name    string
	seed    uint64
	bal     balancer
	refresh time.Duration
	outlier *topologies.Outlier // nil: no ejection
	epoch   time.Time           // origin of the client's monotonic clock

	mu    sync.RWMutex
	pools map[string]*pool
	known map[string]Endpoint // every endpoint seen, by address

	ejections atomic.Uint64
}

// ClientConfig configures a Client. Registry and Name are required.
type ClientConfig struct {
	// Registry is the registry the client reads.
	Registry *Registry
	// Name is the caller's link name, e.g. "gateway" or "order#0".
	Name string
	// Discovery sets the balancer, the refresh period of the cached lists
	// and outlier ejection. The zero value (the default) is round robin
	// over the registry as it is, without ejection; an outlier with
	// ConsecutiveFailures or EjectFor <= 0 is off. Its DetectionDelay is
	// the registry's and unused here.
	Discovery topologies.Discovery
	// Seed, with Name and the service, seeds the random choices of p2c, so
	// runs replay. Default 0.
	Seed uint64
}

// NewClient returns the client of the caller cfg.Name. It panics on an
// unknown balancer (topologies validates them).
func NewClient(cfg ClientConfig) *Client {
	disc := cfg.Discovery
	bal, err := parseBalancer(disc.Balancer)
	if err != nil {
		panic(err)
	}
	c := &Client{
		reg: cfg.Registry, name: cfg.Name, seed: cfg.Seed, bal: bal,
		refresh: max(disc.Refresh, 0),
		epoch:   time.Now(),
		pools:   map[string]*pool{},
		known:   map[string]Endpoint{},
	}
	if o := disc.Outlier; o != nil && o.ConsecutiveFailures > 0 && o.EjectFor > 0 {
		oc := *o
		c.outlier = &oc
	}
	return c
}

// now is the client's monotonic clock, in nanoseconds since NewClient.
func (c *Client) now() int64 { return int64(time.Since(c.epoch)) }

// pool is the client's state for one service.
type pool struct {
	c       *Client
	e       *entry // the registry's entry for the service
	cur     atomic.Pointer[view]
	fetched atomic.Int64 // c.now() when cur was last read from the registry
	rr      atomic.Uint64

	mu     sync.Mutex                // serializes refreshes; guards states
	states map[string]*endpointState // by address, kept across refreshes

	rngMu sync.Mutex // guards rng
	rng   *rand.Rand
}

// view is a pool's cached list: the registry's view it was read from and
// the caller's state for each of its endpoints, index for index. Immutable.
type view struct {
	src *View
	eps []Endpoint
	st  []*endpointState
}

func (c *Client) pool(service string) *pool {
	c.mu.RLock()
	p := c.pools[service]
	c.mu.RUnlock()
	if p != nil {
		return p
	}
	e := c.reg.entry(service)
	c.mu.Lock()
	defer c.mu.Unlock()
	if p = c.pools[service]; p == nil {
		h := fnv.New64a()
		fmt.Fprintf(h, "%s\x00%s", c.name, service)
		p = &pool{
			c: c, e: e,
			states: map[string]*endpointState{},
			rng:    rand.New(rand.NewPCG(c.seed, h.Sum64())),
		}
		c.pools[service] = p
	}
	return p
}

// view returns the list to pick from: the cached one while it is fresh,
// else the registry's as it is now. With no refresh period the cache is
// fresh while the registry's view is unchanged (one atomic load).
func (p *pool) view() *view {
	if v := p.cur.Load(); v != nil {
		if p.c.refresh == 0 {
			if p.e.view.Load() == v.src {
				return v
			}
		} else if p.c.now()-p.fetched.Load() < int64(p.c.refresh) {
			return v
		}
	}
	return p.update()
}

// update reads the registry's view and rebuilds the cached list when it
// changed, keeping each endpoint's state.
func (p *pool) update() *view {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.c.now()
	v := p.cur.Load()
	if v != nil && p.c.refresh > 0 && now-p.fetched.Load() < int64(p.c.refresh) {
		return v // another call refreshed it meanwhile
	}
	src := p.e.view.Load()
	p.fetched.Store(now)
	if v != nil && v.src == src {
		return v
	}
	nv := &view{src: src, eps: src.Endpoints, st: make([]*endpointState, len(src.Endpoints))}
	p.c.mu.Lock()
	for i, ep := range src.Endpoints {
		st := p.states[ep.Addr]
		if st == nil {
			st = &endpointState{}
			p.states[ep.Addr] = st
		}
		nv.st[i] = st
		p.c.known[ep.Addr] = ep
	}
	p.c.mu.Unlock()
	p.cur.Store(nv)
	return nv
}

// Pick is one call's chosen replica. Report the call's outcome with Done,
// exactly once.
type Pick struct {
	Endpoint Endpoint
	st       *endpointState
	c        *Client
}

// Pick chooses a replica of service for one call, from the client's cached
// list, and counts the call as outstanding on it until Done. It reports
// false when the list is empty.
func (c *Client) Pick(service string) (Pick, bool) {
	p := c.pool(service)
	v := p.view()
	if len(v.eps) == 0 {
		return Pick{}, false
	}
	var now int64
	if c.outlier != nil {
		now = c.now()
	}
	i := p.choose(v, now)
	st := v.st[i]
	st.outstanding.Add(1)
	return Pick{Endpoint: v.eps[i], st: st, c: c}, true
}

// Done reports the outcome of the picked call: it is no longer outstanding,
// and a failure counts toward ejecting the replica.
func (k Pick) Done(o Outcome) {
	k.st.outstanding.Add(-1)
	if k.c.outlier != nil {
		k.c.observe(k.st, o)
	}
}

// Lookup returns an endpoint this client has seen at addr, even if the
// registry has dropped it since: a cached list can still name it.
func (c *Client) Lookup(addr string) (Endpoint, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	ep, ok := c.known[addr]
	return ep, ok
}

// Ejections returns how many times this client has ejected a replica.
func (c *Client) Ejections() uint64 { return c.ejections.Load() }
