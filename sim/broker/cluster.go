package broker

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/topologies"
)

// clusterName names the cluster every node joins.
const clusterName = "faultline"

// DefaultWaitTimeout bounds Cluster.Setup, WaitPublishable and
// WaitCaughtUp when the caller's context has no deadline. Here 3 nodes took
// 0.1–7 s to agree on a meta leader listing them all, 4–7 s to serve
// publishes again after a leader's crash and 4–6 s to catch up after a
// restart.
const DefaultWaitTimeout = 30 * time.Second

// Cluster is a JetStream cluster of embedded nats-servers in this process,
// each with its own loopback ports and file store. Every route between two
// nodes goes through a proxy that dials through the fault layer, so nodes
// can be partitioned from each other:
//
//	node i ──► proxy i→j ──Net.Dial(broker#i → broker#j)──► node j   (each ordered pair)
//	client ──► any node's client port (URLs)
//
// Create with NewCluster, then Start and Setup; CrashNode and RestartNode
// imitate a node's process dying and coming back; Close stops everything and
// removes every store. Methods are safe for concurrent use after Start.
type Cluster struct {
	replicas int
	sync     topologies.Sync
	net      *faults.Net
	nodes    []*node    // fixed by Start
	proxies  [][]*proxy // proxies[i][j] carries i's route to j; fixed by Start
	dir      string

	life    sync.Mutex // serializes Start, CrashNode, RestartNode and Close
	started bool       // guarded by life
	closed  bool       // guarded by life

	mu        sync.Mutex
	admin     *nats.Conn
	js        jetstream.JetStream
	streams   []string         // created by Setup
	consumers []streamConsumer // created by Setup
}

// ClusterConfig configures a Cluster. Net is required.
type ClusterConfig struct {
	// Nodes is how many servers the cluster runs; default 1.
	Nodes int
	// Replicas is how many nodes keep a copy of each stream,
	// 1 ≤ Replicas ≤ min(Nodes, 5); default 1.
	Replicas int
	// Net is the fault layer every route between two nodes dials through.
	Net *faults.Net
	// Sync is how every node's file store reaches the disk.
	Sync topologies.Sync
}

// NewCluster returns an unstarted cluster configured by cfg, or an error
// saying which fields are out of range. It has no side effects.
func NewCluster(cfg ClusterConfig) (*Cluster, error) {
	nodes, replicas, n := cfg.Nodes, cfg.Replicas, cfg.Net
	if nodes == 0 {
		nodes = 1
	}
	if replicas == 0 {
		replicas = 1
	}
	var errs []error
	if nodes < 1 {
		errs = append(errs, fmt.Errorf("broker cluster: %d nodes, want at least 1", nodes))
	}
	if replicas < 1 || replicas > min(nodes, 5) {
		errs = append(errs, fmt.Errorf("broker cluster: %d replicas, want 1 to %d", replicas, min(max(nodes, 1), 5)))
	}
	if n == nil {
		errs = append(errs, errors.New("broker cluster: no fault layer (faults.Net)"))
	}
	if err := checkSync(cfg.Sync); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &Cluster{replicas: replicas, sync: cfg.Sync, net: n, nodes: make([]*node, nodes)}, nil
}

// NodeEndpoint returns the fault-layer endpoint name of node i, "broker#i":
// its routes dial with it, and clients should dial node i with it as their
// link's To.
func NodeEndpoint(i int) string { return "broker#" + strconv.Itoa(i) }

// Start creates the stores, listens with every route proxy, starts every
// node on 127.0.0.1 with ephemeral ports and waits until each accepts
// connections (at most DefaultStartTimeout or until ctx is done). The
// cluster forms in the background; Setup waits for it. On error everything
// started is closed.
func (c *Cluster) Start(ctx context.Context) error {
	c.life.Lock()
	defer c.life.Unlock()
	if c.started {
		return errors.New("broker cluster: started twice")
	}
	c.started = true
	if err := c.start(ctx); err != nil {
		c.closeLocked()
		return fmt.Errorf("broker cluster: %w", err)
	}
	return nil
}

func (c *Cluster) start(ctx context.Context) error {
	ctx, cancel := withDefaultTimeout(ctx, DefaultStartTimeout)
	defer cancel()
	dir, err := os.MkdirTemp("", "faultline-js-cluster-")
	if err != nil {
		return err
	}
	c.dir = dir
	c.proxies = make([][]*proxy, len(c.nodes))
	for i := range c.nodes {
		c.proxies[i] = make([]*proxy, len(c.nodes))
		for j := range c.nodes {
			if i == j {
				continue
			}
			p, err := listenProxy(c.net, faults.Link{From: NodeEndpoint(i), To: NodeEndpoint(j)})
			if err != nil {
				return err
			}
			c.proxies[i][j] = p
		}
	}
	for i := range c.nodes {
		n := &node{
			name:    "faultline-broker-" + strconv.Itoa(i),
			dir:     filepath.Join(dir, "node-"+strconv.Itoa(i)),
			cluster: clusterName,
			sync:    c.sync,
		}
		for _, p := range c.proxies[i] {
			if p != nil {
				n.routes = append(n.routes, routeURL(p.addr()))
			}
		}
		c.nodes[i] = n
	}
	// Routes dialed before the proxies serve wait in their listen backlog.
	for _, n := range c.nodes {
		if err := n.start(ctx); err != nil {
			return err
		}
	}
	for i := range c.proxies {
		for j, p := range c.proxies[i] {
			if p != nil {
				p.serve(c.nodes[j].clusterAddr())
			}
		}
	}
	nc, js, err := connectAdmin(c.URLs())
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.admin, c.js = nc, js
	c.mu.Unlock()
	return nil
}

// URLs returns every node's client URL, nats://127.0.0.1:port, in node
// order; nil before Start. They stay the same across crashes and restarts.
func (c *Cluster) URLs() []string {
	var urls []string
	for _, n := range c.nodes {
		if n != nil {
			urls = append(urls, n.clientURL())
		}
	}
	return urls
}

// Addrs returns every node's client host:port in node order.
func (c *Cluster) Addrs() []string {
	addrs := c.URLs()
	for i, u := range addrs {
		addrs[i] = strings.TrimPrefix(u, "nats://")
	}
	return addrs
}

// URL returns every node's client URL joined by commas, a server list
// nats.Connect accepts.
func (c *Cluster) URL() string { return strings.Join(c.URLs(), ",") }

// Addr returns every node's client host:port joined by commas; "nats://" +
// Addr() is also a server list nats.Connect accepts.
func (c *Cluster) Addr() string { return strings.Join(c.Addrs(), ",") }

// Node returns the index of the node whose client listener is addr
// (host:port), or -1. A client's dialer uses it to name its link's To with
// NodeEndpoint.
func (c *Cluster) Node(addr string) int {
	for i, a := range c.Addrs() {
		if a == addr {
			return i
		}
	}
	return -1
}

// Nodes returns the number of nodes.
func (c *Cluster) Nodes() int { return len(c.nodes) }

// Setup waits until the JetStream meta leader lists every node as a peer
// (a replicated stream cannot be placed before), then creates one
// file-backed stream per published subject with the cluster's replicas and
// one durable pull consumer with explicit acks per (subject, group), as
// Broker.Setup does. It blocks at most DefaultWaitTimeout when ctx has no
// deadline.
func (c *Cluster) Setup(ctx context.Context, t *topologies.Topology) error {
	c.mu.Lock()
	js := c.js
	c.mu.Unlock()
	if js == nil {
		return errors.New("broker cluster: setup before Start or after Close")
	}
	ctx, cancel := withDefaultTimeout(ctx, DefaultWaitTimeout)
	defer cancel()
	err := poll(ctx, func() bool {
		for _, n := range c.nodes {
			srv := n.server()
			if srv != nil && srv.JetStreamIsLeader() && len(srv.JetStreamClusterPeers()) == len(c.nodes) {
				return true
			}
		}
		return false
	})
	if err != nil {
		return fmt.Errorf("broker cluster: waiting for every node to join: %w", err)
	}
	streams, consumers, err := setup(ctx, js, t, c.replicas, true)
	c.mu.Lock()
	c.streams = append(c.streams, streams...)
	c.consumers = append(c.consumers, consumers...)
	c.mu.Unlock()
	return err
}

// Lag returns the largest number of messages pending or awaiting an ack on
// any durable consumer. It blocks for one request per consumer, at most
// DefaultCallTimeout when ctx has no deadline; while a consumer has no
// leader it fails with that timeout.
func (c *Cluster) Lag(ctx context.Context) (int64, error) {
	c.mu.Lock()
	js, consumers := c.js, c.consumers
	c.mu.Unlock()
	if js == nil {
		return 0, errors.New("broker cluster: not started")
	}
	return lag(ctx, js, consumers)
}

// Pending returns, per durable consumer name, the messages not yet
// acknowledged by it. It blocks like Lag.
func (c *Cluster) Pending(ctx context.Context) (map[string]int64, error) {
	c.mu.Lock()
	js, consumers := c.js, c.consumers
	c.mu.Unlock()
	if js == nil {
		return nil, errors.New("broker cluster: not started")
	}
	return pending(ctx, js, consumers)
}

// Close closes the admin connection and every proxy (cutting the routes),
// shuts every node down, waits for them and removes every store.
// Idempotent.
func (c *Cluster) Close() {
	c.life.Lock()
	defer c.life.Unlock()
	c.closeLocked()
}

func (c *Cluster) closeLocked() {
	c.closed = true
	c.mu.Lock()
	admin := c.admin
	c.admin, c.js, c.streams, c.consumers = nil, nil, nil, nil
	c.mu.Unlock()
	if admin != nil {
		admin.Close()
	}
	for _, ps := range c.proxies {
		for _, p := range ps {
			if p != nil {
				p.close()
			}
		}
	}
	var wg sync.WaitGroup
	for _, n := range c.nodes {
		if n != nil {
			wg.Go(n.shutdown)
		}
	}
	wg.Wait()
	if c.dir != "" {
		os.RemoveAll(c.dir)
		c.dir = ""
	}
}
