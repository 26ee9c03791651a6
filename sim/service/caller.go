package service

import (
	"context"
	"net"
	"net/http"
	"sync"
	"time"

	"connectrpc.com/connect"

	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/sim/registry"
	"github.com/faultline-sim/faultline/sim/rpc/simv1"
	"github.com/faultline-sim/faultline/sim/rpc/simv1/simv1connect"
	"github.com/faultline-sim/faultline/topologies"
)

// HTTP/2 health check: a connection whose peer stops answering pings is
// closed after SendPingTimeout+PingTimeout, so calls redial instead of
// staying pinned to a dead connection.
const (
	h2SendPingTimeout = time.Second
	h2PingTimeout     = time.Second
)

// Caller makes Connect calls from one named endpoint (a replica, the
// gateway, the load client) to replicas found in the registry, picked per
// call by its discovery client (balancer, cached lists, outlier ejection;
// see CallerConfig). Every connection it opens is dialed through the fault
// layer with the link (from → callee replica). Safe for concurrent use.
type Caller struct {
	from     string
	reg      *registry.Registry
	picker   *registry.Client
	net      *faults.Net
	wire     topologies.Wire
	http     *http.Client
	mu       sync.RWMutex
	clients  map[string]simv1connect.SimServiceClient
	closeIdl func()
}

// CallerConfig configures a Caller. From, Registry and Net are required.
type CallerConfig struct {
	// From is the caller's endpoint name in links: "gateway", "order#0",
	// "client".
	From string
	// Wire is the protocol and HTTP version of the calls. A zero field is
	// the topology's default: Connect, h2c.
	Wire topologies.Wire
	// Registry is where the callees' replicas are found.
	Registry *registry.Registry
	// Net is the fault layer every connection is dialed through.
	Net *faults.Net
	// Discovery is the topology's discovery: balancer, cache refresh and
	// outlier ejection. The zero value (the default) is round robin over
	// the registry as it is, without ejection. (The detection delay is the
	// registry's.)
	Discovery topologies.Discovery
	// Seed is the scenario's seed; with the caller's name it seeds the
	// random choices of p2c. Default 0.
	Seed uint64
}

// NewCaller returns a caller configured by cfg. It opens no connection
// until the first call.
func NewCaller(cfg CallerConfig) *Caller {
	wire := cfg.Wire
	if wire.Protocol == "" {
		wire.Protocol = topologies.ProtocolConnect
	}
	if wire.HTTP == "" {
		wire.HTTP = topologies.H2C
	}
	c := &Caller{from: cfg.From, reg: cfg.Registry, net: cfg.Net, wire: wire, clients: map[string]simv1connect.SimServiceClient{}}
	c.picker = registry.NewClient(registry.ClientConfig{Registry: cfg.Registry, Name: cfg.From, Discovery: cfg.Discovery, Seed: cfg.Seed})
	t := &http.Transport{
		DialContext:         c.dial,
		MaxIdleConns:        0,
		MaxIdleConnsPerHost: 1024,
		IdleConnTimeout:     30 * time.Second,
		DisableCompression:  true,
	}
	var p http.Protocols
	if wire.HTTP == topologies.H2C {
		p.SetUnencryptedHTTP2(true)
		t.HTTP2 = &http.HTTP2Config{SendPingTimeout: h2SendPingTimeout, PingTimeout: h2PingTimeout}
	} else {
		p.SetHTTP1(true)
	}
	t.Protocols = &p
	c.http = &http.Client{Transport: t}
	c.closeIdl = t.CloseIdleConnections
	return c
}

// dial names the link by the endpoint the caller picked at addr (its cached
// list may name one the registry has dropped), else by the registry.
func (c *Caller) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	to := addr
	if ep, ok := c.picker.Lookup(addr); ok {
		to = ep.Name()
	} else if ep, ok := c.reg.Lookup(addr); ok {
		to = ep.Name()
	}
	return c.net.Dial(ctx, faults.Link{From: c.from, To: to}, network, addr)
}

func (c *Caller) client(ep registry.Endpoint) simv1connect.SimServiceClient {
	c.mu.RLock()
	cl := c.clients[ep.URL]
	c.mu.RUnlock()
	if cl != nil {
		return cl
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if cl = c.clients[ep.URL]; cl == nil {
		// No compression: the messages are tiny, and gzip's per-call state
		// reset was the largest single CPU cost at high rates.
		opts := []connect.ClientOption{connect.WithAcceptCompression("gzip", nil, nil)}
		if c.wire.Protocol == topologies.ProtocolGRPC {
			opts = append(opts, connect.WithGRPC())
		}
		cl = simv1connect.NewSimServiceClient(c.http, ep.URL, opts...)
		c.clients[ep.URL] = cl
	}
	return cl
}

// Call sends req to the replica of service the caller's balancer picks, and
// reports the outcome back to it. With no replica in the caller's list it
// fails with connect.CodeUnavailable without touching the network.
func (c *Caller) Call(ctx context.Context, service string, req *simv1.HandleRequest) (*simv1.HandleResponse, error) {
	pick, ok := c.picker.Pick(service)
	if !ok {
		return nil, connect.NewError(connect.CodeUnavailable, errNoReplica(service))
	}
	res, err := c.client(pick.Endpoint).Handle(ctx, connect.NewRequest(req))
	pick.Done(outcomeOf(err))
	if err != nil {
		return nil, err
	}
	return res.Msg, nil
}

// Close closes idle connections. In-flight calls are not interrupted.
func (c *Caller) Close() { c.closeIdl() }

type errNoReplica string

func (e errNoReplica) Error() string { return "no replica of " + string(e) + " is registered" }
