// Package broker runs the embedded NATS servers with JetStream that carry a
// variant's events, and creates their streams and durable consumers from the
// topology: one node (Broker) or a replicated cluster (Cluster). Proc runs
// one node in a child process instead, for faults only a process has: a
// kill -9, a SIGSTOP. A binary that starts one calls RunIfNodeProcess first.
//
//	publisher ──PublishMsg (acked)──► stream per subject (file store)
//	                                      │ durable consumer per (subject, group), explicit ack
//	                                      ▼
//	                              replicas of the group's services compete
package broker

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/faultline-sim/faultline/topologies"
)

// ErrCrashed is returned by a Broker's requests while it is crashed.
var ErrCrashed = errors.New("broker: crashed")

// Broker is one embedded nats-server with JetStream on a loopback port and a
// file store in a temporary directory. Create with New, then Start; Crash
// and Restart imitate a process death and a restart on the same port and
// store; Close stops it and removes the store. Methods are safe for
// concurrent use after Start.
type Broker struct {
	cfg  Config
	life sync.Mutex // serializes Start, Crash, Restart and Close

	mu        sync.Mutex
	node      *node
	admin     *nats.Conn
	js        jetstream.JetStream
	consumers []streamConsumer // created by Setup
	crashed   bool
}

// Config configures a Broker. The zero value is nats-server's defaults.
type Config struct {
	// Sync is how the file store reaches the disk.
	Sync topologies.Sync
}

// New returns an unstarted broker with nats-server's defaults. It has no
// side effects.
func New() *Broker { return &Broker{} }

// NewWithConfig returns an unstarted broker configured by cfg; Start
// reports a configuration out of range. It has no side effects.
func NewWithConfig(cfg Config) *Broker { return &Broker{cfg: cfg} }

// Start creates the store directory, starts the server on 127.0.0.1 with an
// ephemeral port, and waits until it accepts connections (at most
// DefaultStartTimeout or until ctx is done).
func (b *Broker) Start(ctx context.Context) error {
	b.life.Lock()
	defer b.life.Unlock()
	if b.StoreDir() != "" {
		return errors.New("broker: started twice")
	}
	if err := checkSync(b.cfg.Sync); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "faultline-js-")
	if err != nil {
		return fmt.Errorf("broker store: %w", err)
	}
	n := &node{name: "faultline-broker", dir: dir, sync: b.cfg.Sync}
	if err := n.start(ctx); err != nil {
		os.RemoveAll(dir)
		return fmt.Errorf("broker: %w", err)
	}
	nc, js, err := connectAdmin([]string{n.clientURL()})
	if err != nil {
		n.shutdown()
		os.RemoveAll(dir)
		return err
	}
	b.mu.Lock()
	b.node, b.admin, b.js = n, nc, js
	b.mu.Unlock()
	return nil
}

// URL returns the client URL, nats://127.0.0.1:port, or "" before Start. It
// stays the same across Crash and Restart.
func (b *Broker) URL() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.node == nil {
		return ""
	}
	return b.node.clientURL()
}

// Addr returns host:port of the client listener.
func (b *Broker) Addr() string { return strings.TrimPrefix(b.URL(), "nats://") }

// StoreDir returns the directory of the broker's file store: "" before
// Start and after Close, which removes it. It stays the same across Crash
// and Restart.
func (b *Broker) StoreDir() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.node == nil {
		return ""
	}
	return b.node.dir
}

// adminJS returns the admin JetStream context and the consumers, or
// ErrCrashed.
func (b *Broker) adminJS() (jetstream.JetStream, []streamConsumer, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case b.crashed:
		return nil, nil, ErrCrashed
	case b.js == nil:
		return nil, nil, errors.New("broker: not started")
	}
	return b.js, b.consumers, nil
}

// Setup creates one file-backed stream per published subject, the
// dead-letter stream (DeadLetterStream) when a consume entry dead-letters,
// and one durable pull consumer with explicit acks per (subject, group). A
// group's settings come from the first consume entry that names it.
func (b *Broker) Setup(ctx context.Context, t *topologies.Topology) error {
	js, _, err := b.adminJS()
	if err != nil {
		return err
	}
	_, consumers, err := setup(ctx, js, t, 1, false)
	b.mu.Lock()
	b.consumers = append(b.consumers, consumers...)
	b.mu.Unlock()
	return err
}

// Lag returns the largest number of messages pending or awaiting an ack on
// any durable consumer. It blocks for one request per consumer, at most
// DefaultCallTimeout when ctx has no deadline; while crashed it returns
// ErrCrashed at once.
func (b *Broker) Lag(ctx context.Context) (int64, error) {
	js, consumers, err := b.adminJS()
	if err != nil {
		return 0, err
	}
	return lag(ctx, js, consumers)
}

// Pending returns, per durable consumer name, the messages not yet
// acknowledged by it. It blocks like Lag.
func (b *Broker) Pending(ctx context.Context) (map[string]int64, error) {
	js, consumers, err := b.adminJS()
	if err != nil {
		return nil, err
	}
	return pending(ctx, js, consumers)
}

// Close closes the admin connection, shuts the server down, waits for it and
// removes the store. Idempotent.
func (b *Broker) Close() {
	b.life.Lock()
	defer b.life.Unlock()
	b.mu.Lock()
	admin, n := b.admin, b.node
	b.admin, b.js, b.node, b.consumers, b.crashed = nil, nil, nil, nil, false
	b.mu.Unlock()
	if admin != nil {
		admin.Close()
	}
	if n != nil {
		n.shutdown()
		os.RemoveAll(n.dir)
	}
}
