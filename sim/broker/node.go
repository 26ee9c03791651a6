package broker

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/faultline-sim/faultline/topologies"
	"github.com/nats-io/nats-server/v2/server"
)

// DefaultStartTimeout bounds Start, Restart and RestartNode when the
// caller's context has no deadline. A node starts in ~25 ms.
const DefaultStartTimeout = 10 * time.Second

// nowhere is the route address a clustered node advertises. Routes are
// listed explicitly per pair of nodes (through proxies); a node that learns
// of a peer by gossip dials this address, fails at once and does not retry,
// so no route bypasses the fault layer. Nothing listens on port 1 of the
// loopback interface.
const nowhere = "127.0.0.1:1"

// node is one nats-server whose options are rebuilt on every start, so it
// can be shut down (a crash, when its links were cut first) and started
// again on the same ports with the same store. Safe for concurrent use.
type node struct {
	name string // server name, unique within a cluster
	dir  string // file store, kept across restarts
	// cluster is the cluster name; "" for a single node.
	cluster string
	routes  []*url.URL
	sync    topologies.Sync
	// monitor serves nats-server's HTTP monitoring (/varz, /jsz) on a
	// loopback port.
	monitor bool

	mu sync.Mutex
	// Ports are 0 until the first start picks them, then fixed.
	clientPort, clusterPort, monitorPort int
	srv                                  *server.Server // nil while down
}

// options returns fresh options: the server writes into the ones it runs
// with, so each start gets its own.
func (n *node) options() *server.Options {
	n.mu.Lock()
	defer n.mu.Unlock()
	opts := &server.Options{
		ServerName: n.name,
		Host:       "127.0.0.1",
		Port:       portOrRandom(n.clientPort),
		NoLog:      true,
		// The harness owns the lifecycle: no signal handlers.
		NoSigs:     true,
		JetStream:  true,
		StoreDir:   n.dir,
		MaxPayload: 1 << 20,
	}
	applySync(n.sync, opts)
	if n.monitor {
		opts.HTTPHost = "127.0.0.1"
		opts.HTTPPort = portOrRandom(n.monitorPort)
	}
	if n.cluster != "" {
		opts.Cluster = server.ClusterOpts{
			Name:      n.cluster,
			Host:      "127.0.0.1",
			Port:      portOrRandom(n.clusterPort),
			Advertise: nowhere,
			// Clients use exactly the URLs they were given.
			NoAdvertise: true,
		}
		opts.Routes = n.routes
	}
	return opts
}

func portOrRandom(p int) int {
	if p == 0 {
		return server.RANDOM_PORT
	}
	return p
}

// start starts the server and waits until it accepts connections with
// JetStream enabled (streams in its store recovered). After a shutdown it
// reuses the same ports, waiting while the ports cannot be bound yet. It
// blocks at most until ctx is done, or DefaultStartTimeout without deadline.
func (n *node) start(ctx context.Context) error {
	ctx, cancel := withDefaultTimeout(ctx, DefaultStartTimeout)
	defer cancel()
	opts := n.options()
	if err := waitBindable(ctx, opts.Port, opts.Cluster.Port, opts.HTTPPort); err != nil {
		return fmt.Errorf("%s: %w", n.name, err)
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		return fmt.Errorf("%s: %w", n.name, err)
	}
	srv.Start()
	wait := DefaultStartTimeout
	if d, ok := ctx.Deadline(); ok {
		wait = time.Until(d)
	}
	if !srv.ReadyForConnections(wait) || !srv.JetStreamEnabled() {
		srv.Shutdown()
		srv.WaitForShutdown()
		return fmt.Errorf("%s: not ready for connections with JetStream", n.name)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.srv = srv
	n.clientPort = srv.Addr().(*net.TCPAddr).Port
	if a := srv.ClusterAddr(); a != nil {
		n.clusterPort = a.Port
	}
	if a := srv.MonitorAddr(); a != nil {
		n.monitorPort = a.Port
	}
	return nil
}

// waitBindable polls until every fixed (positive) port can be listened on
// at 127.0.0.1: a port freed by a shutdown is normally reusable at once.
func waitBindable(ctx context.Context, ports ...int) error {
	for {
		var err error
		for _, p := range ports {
			if p <= 0 {
				continue
			}
			var ln net.Listener
			if ln, err = net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p))); err != nil {
				break
			}
			ln.Close()
		}
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("port still in use: %w", errors.Join(err, ctx.Err()))
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// server returns the running server, or nil while the node is down.
func (n *node) server() *server.Server {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.srv
}

// running reports whether the node's server is up.
func (n *node) running() bool { return n.server() != nil }

// clientURL returns nats://127.0.0.1:port, fixed after the first start.
func (n *node) clientURL() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return "nats://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(n.clientPort))
}

// clusterAddr returns host:port of the route listener, fixed after the
// first start.
func (n *node) clusterAddr() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(n.clusterPort))
}

// monitorURL returns http://127.0.0.1:port of the monitoring listener, or
// "" when the node has none.
func (n *node) monitorURL() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.monitor || n.monitorPort == 0 {
		return ""
	}
	return "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(n.monitorPort))
}

// shutdown stops the server and waits for it, keeping the store. A no-op
// while down.
func (n *node) shutdown() {
	n.mu.Lock()
	srv := n.srv
	n.srv = nil
	n.mu.Unlock()
	if srv != nil {
		srv.Shutdown()
		srv.WaitForShutdown()
	}
}

// withDefaultTimeout returns ctx bounded by d when it has no deadline.
func withDefaultTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, d)
}

// pollEvery is how often this package re-checks a condition it waits for.
const pollEvery = 10 * time.Millisecond

// poll calls cond every pollEvery until it holds or ctx is done.
func poll(ctx context.Context, cond func() bool) error {
	for !cond() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pollEvery):
		}
	}
	return nil
}
