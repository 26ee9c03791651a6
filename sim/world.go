package sim

import (
	"context"
	"fmt"
	"net"
	"sync/atomic"

	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/faultline-sim/faultline/sim/broker"
	"github.com/faultline-sim/faultline/sim/gateway"
	"github.com/faultline-sim/faultline/sim/metrics"
	"github.com/faultline-sim/faultline/sim/registry"
	"github.com/faultline-sim/faultline/sim/service"
	"github.com/faultline-sim/faultline/topologies"
)

// brokerSystem is the broker of a variant: one node or a cluster.
type brokerSystem interface {
	Start(ctx context.Context) error
	Setup(ctx context.Context, t *topologies.Topology) error
	Lag(ctx context.Context) (int64, error)
	Pending(ctx context.Context) (map[string]int64, error)
	brokerInspector
	URL() string
	Close()
}

// ClientName is the load generator's endpoint name in links.
const ClientName = "client"

// world is one variant's running system:
//
//	client ─► gateway ─► replicas ─► broker
//
// Every connection goes through net (the fault layer); every replica
// registers in reg.
type world struct {
	top      *topologies.Topology
	net      *faults.Net
	reg      *registry.Registry
	broker   brokerSystem
	single   *broker.Broker  // the broker when it is one node
	cluster  *broker.Cluster // the broker when it is several
	replicas []*service.Replica
	gateway  *gateway.Gateway
	client   *service.Caller
}

// startWorld starts the broker (when the topology has events), creates its
// streams and consumers, starts every replica and the gateway. stores are
// the stores of a stateful topology (nil otherwise), which the caller
// opens and closes. On error it closes what it started.
func startWorld(ctx context.Context, top *topologies.Topology, seed uint64, bs scenarios.BrokerSpec, ledger *metrics.Ledger, edges *metrics.Edges, stores *service.Stores) (*world, error) {
	fnet := faults.NewNet()
	w := &world{top: top, net: fnet, reg: registry.New(registry.Config{DetectionDelay: top.Discovery.DetectionDelay, Listen: fnet.Listen})}
	w.net.SetSeed(seed)
	if err := w.reg.Err(); err != nil {
		w.reg.Close()
		return nil, fmt.Errorf("registry: listening for heartbeats: %w", err)
	}
	// Heartbeats travel the fault layer like every other byte: a replica
	// cut off or paused stops reaching the registry.
	w.reg.SetDialer(func(ctx context.Context, from, addr string) (net.Conn, error) {
		return w.net.Dial(ctx, faults.Link{From: from, To: faults.EndpointRegistry}, "tcp", addr)
	})
	var brokerURL string
	brokerName := func(string) string { return faults.EndpointBroker }
	if len(top.Subjects()) > 0 {
		sync := bs.Sync
		if bs.Nodes > 1 {
			c, err := broker.NewCluster(broker.ClusterConfig{Nodes: bs.Nodes, Replicas: max(bs.Replicas, 1), Net: w.net, Sync: sync})
			if err != nil {
				return nil, err
			}
			w.cluster, w.broker = c, c
			brokerName = func(addr string) string { return broker.NodeEndpoint(c.Node(addr)) }
		} else {
			w.single = broker.NewWithConfig(broker.Config{Sync: sync})
			w.broker = w.single
		}
		if err := w.broker.Start(ctx); err != nil {
			return nil, err
		}
		if err := w.broker.Setup(ctx, top); err != nil {
			w.close()
			return nil, fmt.Errorf("broker setup: %w", err)
		}
		brokerURL = w.broker.URL()
	}
	var eventIDs atomic.Uint64
	processed := service.NewProcessedStores() // idempotent groups' stores, shared by their replicas
	for i := range top.Services {
		svc := &top.Services[i]
		for r := range svc.Replicas {
			rep := service.New(service.Config{
				Topology:   top,
				Service:    svc,
				Replica:    r,
				Seed:       seed,
				Registry:   w.reg,
				Net:        w.net,
				BrokerURL:  brokerURL,
				BrokerName: brokerName,
				Ledger:     ledger,
				EventIDs:   &eventIDs,
				Edges:      edges,
				Processed:  processed,
				Stores:     stores,
			})
			if err := rep.Start(ctx); err != nil {
				w.close()
				return nil, err
			}
			w.replicas = append(w.replicas, rep)
		}
	}
	w.gateway = gateway.New(gateway.Config{
		Entry:     top.Entry,
		Wire:      top.Wire,
		Registry:  w.reg,
		Net:       w.net,
		Discovery: top.Discovery,
		Seed:      seed,
		Policy:    top.Gateway.Policy,
		Edges:     edges,
	})
	if err := w.gateway.Start(ctx); err != nil {
		w.close()
		return nil, fmt.Errorf("gateway: %w", err)
	}
	// The load client talks to the one gateway: no discovery to configure.
	w.client = service.NewCaller(service.CallerConfig{From: ClientName, Wire: top.Wire, Registry: w.reg, Net: w.net, Seed: seed})
	return w, nil
}

// close stops the gateway, then every replica, then the registry's sweeper,
// then the broker (waiting for it and removing its store), in that order.
// Idempotent.
func (w *world) close() {
	if w.gateway != nil {
		w.gateway.Close()
		w.gateway = nil
	}
	if w.client != nil {
		w.client.Close()
		w.client = nil
	}
	for _, r := range w.replicas {
		r.Close()
	}
	w.replicas = nil
	w.reg.Close()
	if w.broker != nil {
		w.broker.Close()
		w.broker = nil
	}
}

// ejections counts the outlier ejections of every caller of the world.
func (w *world) ejections() int64 {
	var n uint64
	if w.gateway != nil {
		n += w.gateway.Ejections()
	}
	for _, r := range w.replicas {
		n += r.Ejections()
	}
	return int64(n)
}
