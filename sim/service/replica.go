// Package service runs the replicas of simulated services. Each replica is
// its own Connect server on a loopback port with its own NATS connection:
//
//	Handle ─► capacity ─► work (sampled) ─► injected error? ─► calls in order (or all at once) ─► publishes (acked)
//	event  ─► same steps ─► ledger.Processed ─► ack   (nak on failure)
package service

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"connectrpc.com/connect"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/sim/metrics"
	"github.com/faultline-sim/faultline/sim/registry"
	"github.com/faultline-sim/faultline/sim/rpc/simv1"
	"github.com/faultline-sim/faultline/topologies"
)

// Config wires one replica into its variant's world. Topology, Service,
// Registry and Net are required; so are Ledger and EventIDs when the service
// publishes or consumes.
type Config struct {
	// Topology is the variant's topology: its wire and discovery.
	Topology *topologies.Topology
	// Service is the replica's service, one of Topology's.
	Service *topologies.Service
	// Replica is the replica's number within its service; default 0.
	Replica int
	// Seed is the scenario's seed; it drives the work-time and error
	// sampler, the caller's p2c choices and the call edges' retry jitter.
	// Default 0.
	Seed uint64
	// Registry is where the replica registers and finds its callees.
	Registry *registry.Registry
	// Net is the fault layer the replica listens and dials through.
	Net *faults.Net
	// BrokerURL is the broker's client URL, or several joined by commas for
	// a cluster; required when the service publishes or consumes.
	BrokerURL string
	// BrokerName names the broker node at a host:port in links ("broker",
	// "broker#1"); nil names every node "broker".
	BrokerName func(addr string) string
	// Ledger records the replica's events: published, processed,
	// dead-lettered.
	Ledger *metrics.Ledger
	// EventIDs is shared by every replica of the variant so event ids are
	// unique.
	EventIDs *atomic.Uint64
	// Edges collects the metrics of the replica's call edges; nil: none.
	Edges *metrics.Edges
	// OnBreaker, when set, hears of every breaker state change of the
	// replica's edges (after Edges records it).
	OnBreaker BreakerFunc
	// Processed holds the processed-id stores of idempotent consumers,
	// shared by every replica of the variant; required when a consume
	// entry of the service is idempotent.
	Processed *ProcessedStores
	// Stores are the stores of a stateful topology (Topology.State), shared
	// by every replica of the variant; required when the topology has
	// state, nil otherwise.
	Stores *Stores
}

// brokerConn is a replica's connection to the broker.
type brokerConn struct {
	nc *nats.Conn
	js jetstream.JetStream
}

// Replica is one running instance of a service. Create with New, Start, and
// Close. Safe for concurrent use after Start.
type Replica struct {
	cfg     Config
	name    string
	sampler Sampler
	caller  *Caller
	// edges are the replica's call edges, one per entry of its service's
	// calls, in order: each call goes through its edge's policy.
	edges []*Edge

	// mu guards the running parts, which Crash and Restart replace.
	mu        sync.Mutex
	addr      string // where the replica listens; kept across restarts
	srv       *Server
	session   *registry.Session          // the registration kept alive by heartbeats
	broker    atomic.Pointer[brokerConn] // nil while down or without events
	consumers []*consumer
	up        bool
	closed    bool

	inflight atomic.Int64
	faults   processFaults

	// life is the running incarnation's context: cancelled when it stops
	// (a crash, a close), so a state change it had not committed is
	// rolled back and its background work (compensations, the outbox
	// relay) ends with it. Read without r.mu: a crash holds r.mu while it
	// waits for the handlers that read it.
	life atomic.Pointer[incarnation]
	// bg tracks the background work of every incarnation.
	bg sync.WaitGroup
}

// New returns an unstarted replica. It has no side effects.
func New(cfg Config) *Replica {
	name := cfg.Service.Name + "#" + strconv.Itoa(cfg.Replica)
	return &Replica{
		cfg:     cfg,
		name:    name,
		sampler: NewSampler(cfg.Seed, cfg.Service),
		caller:  NewCaller(CallerConfig{From: name, Wire: cfg.Topology.Wire, Registry: cfg.Registry, Net: cfg.Net, Discovery: cfg.Topology.Discovery, Seed: cfg.Seed}),
		edges:   newCallEdges(name, cfg),
	}
}

// Name returns "service#replica".
func (r *Replica) Name() string { return r.name }

// Start listens, connects to the broker when the service uses it, starts its
// consumers and registers the replica. On error everything started is closed.
func (r *Replica) Start(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.start(ctx, "127.0.0.1:0"); err != nil {
		r.stop(false)
		return err
	}
	return nil
}

// start brings the replica up on addr. r.mu is held.
func (r *Replica) start(ctx context.Context, addr string) error {
	// Through the fault layer's listener, so accepts failing for want of
	// descriptors are counted as the harness's.
	ln, err := r.cfg.Net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("%s: listen: %w", r.name, err)
	}
	srv, err := NewServer(ServerConfig{
		Handler:  r,
		Listener: ln,
		Options:  []connect.HandlerOption{connect.WithInterceptors(r.faults.interceptor())},
	})
	if err != nil {
		ln.Close()
		return fmt.Errorf("%s: serve: %w", r.name, err)
	}
	r.srv, r.addr = srv, srv.Addr()
	inc := &incarnation{}
	inc.ctx, inc.cancel = context.WithCancel(context.Background())
	r.life.Store(inc)
	if len(r.cfg.Service.Publish) > 0 || len(r.cfg.Service.Consume) > 0 {
		if err := r.connect(); err != nil {
			return err
		}
		for _, c := range r.cfg.Service.Consume {
			cons, err := r.consume(ctx, c)
			if err != nil {
				return fmt.Errorf("%s: consume %s: %w", r.name, c.Subject, err)
			}
			r.consumers = append(r.consumers, cons)
		}
		if box := r.outboxOf(); box != nil {
			life := inc.ctx
			r.bg.Go(func() { r.relay(life, box) })
		}
	}
	r.register()
	r.up = true
	return nil
}

// stop takes the running parts down: gracefully (consumers stop, the server
// drains for a grace period) or as a crash (everything closes at once,
// unacked events are left to the broker's redelivery). r.mu is held.
func (r *Replica) stop(crash bool) error {
	var err error
	if inc := r.life.Load(); inc != nil {
		inc.cancel() // uncommitted state changes roll back
	}
	r.unregister(crash)
	if crash {
		// Its own connections die first, before anything could be said on
		// them: the ones it serves (so no answer of a request cut short by
		// the crash gets out, its callers see a closed connection) and the
		// ones it dialed, its NATS connection too, so nothing buffered or
		// acknowledged later (a batch of acks) gets out.
		if r.srv != nil {
			r.srv.sever()
		}
		r.cfg.Net.CloseConns(faults.Link{From: r.name, To: "*"})
		if bc := r.broker.Swap(nil); bc != nil {
			bc.nc.Close()
		}
	}
	for _, c := range r.consumers {
		c.stop()
	}
	r.consumers = nil
	if r.srv != nil {
		if crash {
			r.srv.Crash()
		} else {
			err = r.srv.Close()
		}
		r.srv = nil
	}
	if bc := r.broker.Swap(nil); bc != nil {
		bc.nc.Close()
	}
	r.up = false
	return err
}

// Crash kills the replica as a process death would: its listener and every
// connection close at once, in-flight requests fail, its broker connection
// drops and its consumers stop without acking. Its heartbeats stop: the
// registry drops its entry after the topology's detection delay (at once
// without one), as a real registry notices a dead instance.
// A no-op when the replica is not up.
func (r *Replica) Crash() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.up && !r.closed {
		r.stop(true)
	}
}

// Restart brings a crashed replica back on the same address, reconnects it
// to the broker, restarts its consumers and registers it again. A no-op when
// the replica is up or closed.
func (r *Replica) Restart(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.up || r.closed {
		return nil
	}
	if err := r.start(ctx, r.addr); err != nil {
		r.stop(true)
		return err
	}
	return nil
}

// natsDialer dials the broker through the fault layer, naming the link by
// the node it reaches.
type natsDialer struct {
	net  *faults.Net
	from string
	name func(addr string) string
}

func (d natsDialer) Dial(network, address string) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), natsDialTimeout)
	defer cancel()
	to := faults.EndpointBroker
	if d.name != nil {
		to = d.name(address)
	}
	return d.net.Dial(ctx, faults.Link{From: d.from, To: to}, network, address)
}

// NATS client settings: short dial timeout (a reconnecting client holds its
// lock while dialing) and pings that notice a dead connection in ~1s.
const (
	natsDialTimeout   = time.Second
	natsPingInterval  = 500 * time.Millisecond
	natsReconnectWait = 100 * time.Millisecond
)

func (r *Replica) connect() error {
	if r.cfg.BrokerURL == "" {
		return fmt.Errorf("%s: no broker address", r.name)
	}
	nc, err := nats.Connect(r.cfg.BrokerURL,
		nats.Name(r.name),
		nats.SetCustomDialer(natsDialer{r.cfg.Net, r.name, r.cfg.BrokerName}),
		nats.Timeout(natsDialTimeout),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(natsReconnectWait),
		nats.PingInterval(natsPingInterval),
		nats.MaxPingsOutstanding(2),
	)
	if err != nil {
		return fmt.Errorf("%s: connect to broker: %w", r.name, err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return fmt.Errorf("%s: jetstream: %w", r.name, err)
	}
	r.broker.Store(&brokerConn{nc: nc, js: js})
	return nil
}

// Handle serves one synchronous request.
func (r *Replica) Handle(ctx context.Context, req *connect.Request[simv1.HandleRequest]) (*connect.Response[simv1.HandleResponse], error) {
	if capacity := int64(r.cfg.Service.Capacity); capacity > 0 {
		if r.inflight.Add(1) > capacity {
			r.inflight.Add(-1)
			return nil, connect.NewError(connect.CodeResourceExhausted, errAtCapacity)
		}
		defer r.inflight.Add(-1)
	}
	m := req.Msg
	outcome, hops, stateful, err := r.handleStateful(ctx, m)
	if !stateful {
		hops, err = r.execute(ctx, m.OpId, m.Hop, max(uint64(m.Attempt), 1), time.Unix(0, m.IntendedUnixNano))
	}
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&simv1.HandleResponse{
		Service: r.cfg.Service.Name,
		Replica: uint32(r.cfg.Replica),
		Hops:    hops + 1,
		Outcome: outcome,
	}), nil
}

var (
	errAtCapacity = errors.New("replica at capacity")
	errInjected   = errors.New("injected error")
)

// execute is the service's work for one operation, for a request and for an
// event alike: attempt (from 1) of the handling at hop (see ChildHop,
// EventHop) draws its own work time and error. It returns the deepest hop
// count of its calls. The calls are made one after the other, or all at
// once for a parallel service (see callParallel).
func (r *Replica) execute(ctx context.Context, op, hop, attempt uint64, intended time.Time) (uint32, error) {
	if err := r.work(ctx, op, hop, attempt); err != nil {
		return 0, err
	}
	var hops uint32
	if r.cfg.Service.Parallel {
		h, err := r.callParallel(ctx, op, hop, attempt, intended)
		if err != nil {
			return 0, err
		}
		hops = h
	} else {
		for i, call := range r.cfg.Service.Calls {
			res, err := r.call(ctx, r.edges[i], call, op, ChildHop(hop, attempt, i), intended)
			if err != nil {
				return 0, callError(call.Service, err)
			}
			hops = max(hops, res.Hops)
		}
	}
	for _, p := range r.cfg.Service.Publish {
		if err := r.publish(ctx, p, op, intended); err != nil {
			return 0, err
		}
	}
	return hops, nil
}

// work is the service's own work for one handling: it waits while the
// replica is paused, sleeps the drawn work time (scaled by a slow fault),
// and fails when the drawn error (or an errors fault) says so. A stateful
// step does its work before its state change.
func (r *Replica) work(ctx context.Context, op, hop, attempt uint64) error {
	if err := r.faults.waitResumed(ctx); err != nil {
		return connect.NewError(codeOfContext(err), err)
	}
	if err := sleep(ctx, r.faults.scale(r.sampler.Work(op, hop, attempt))); err != nil {
		return connect.NewError(codeOfContext(err), err)
	}
	if err := r.faults.waitResumed(ctx); err != nil {
		return connect.NewError(codeOfContext(err), err)
	}
	if r.faults.fails(r.sampler, op, hop, attempt) {
		return connect.NewError(connect.CodeInternal, errInjected)
	}
	return nil
}

// call makes one call of the service's, at hop, through its edge (policy,
// metrics). Each attempt sends its own request, numbered.
func (r *Replica) call(ctx context.Context, e *Edge, call topologies.Call, op, hop uint64, intended time.Time) (*simv1.HandleResponse, error) {
	return e.DoAt(ctx, intended, func(ctx context.Context, n int) (*simv1.HandleResponse, error) {
		req := &simv1.HandleRequest{OpId: op, IntendedUnixNano: intended.UnixNano(), Attempt: uint32(n), Hop: hop}
		return r.caller.Call(ctx, call.Service, req)
	})
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func codeOfContext(err error) connect.Code {
	if errors.Is(err, context.DeadlineExceeded) {
		return connect.CodeDeadlineExceeded
	}
	return connect.CodeCanceled
}

// Close deregisters the replica, stops its consumers, closes its server
// (in-flight handlers are cancelled after a grace period and waited for) and
// its broker connection. Idempotent.
func (r *Replica) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil
	}
	r.closed = true
	r.faults.resume()
	r.unregister(false) // also a stale entry a crash left
	err := r.stop(false)
	r.bg.Wait()
	r.caller.Close()
	for _, e := range r.edges {
		e.Close()
	}
	return err
}

// lifeContext returns the running incarnation's context (see Replica.life):
// done once the replica crashed or closed.
func (r *Replica) lifeContext() context.Context {
	if inc := r.life.Load(); inc != nil {
		return inc.ctx
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

// incarnation is the context of one run of the replica, from a start to
// its stop.
type incarnation struct {
	ctx    context.Context
	cancel context.CancelFunc
}
