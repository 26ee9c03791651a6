// Package broker runs the embedded NATS server with JetStream that carries a
// variant's events, and creates its streams and durable consumers from the
// topology.
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
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/faultline-sim/faultline/topologies"
)

// DefaultAckWait is the ack wait of a consumer whose topology gives none.
const DefaultAckWait = 30 * time.Second

// Broker is one embedded nats-server with JetStream on a loopback port and a
// file store in a temporary directory. Create with New, then Start; Close
// stops it and removes the store. Methods are safe for concurrent use after
// Start.
type Broker struct {
	dir   string
	srv   *server.Server
	admin *nats.Conn
	js    jetstream.JetStream
	// consumers are (stream, durable) pairs created by Setup.
	consumers [][2]string
}

// New returns an unstarted broker. It has no side effects.
func New() *Broker { return &Broker{} }

// Start creates the store directory, starts the server on 127.0.0.1 with an
// ephemeral port, and waits until it accepts connections (at most 10s or
// until ctx is done).
func (b *Broker) Start(ctx context.Context) error {
	dir, err := os.MkdirTemp("", "faultline-js-")
	if err != nil {
		return fmt.Errorf("broker store: %w", err)
	}
	b.dir = dir
	opts := &server.Options{
		ServerName: "faultline-broker",
		Host:       "127.0.0.1",
		Port:       server.RANDOM_PORT,
		NoLog:      true,
		// The harness owns the lifecycle: no signal handlers.
		NoSigs:     true,
		JetStream:  true,
		StoreDir:   dir,
		MaxPayload: 1 << 20,
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		b.removeStore()
		return fmt.Errorf("broker: %w", err)
	}
	b.srv = srv
	srv.Start()
	deadline := 10 * time.Second
	if d, ok := ctx.Deadline(); ok {
		deadline = time.Until(d)
	}
	if !srv.ReadyForConnections(deadline) {
		b.Close()
		return errors.New("broker: not ready for connections")
	}
	nc, err := nats.Connect(srv.ClientURL(), nats.Name("faultline-admin"), nats.MaxReconnects(-1))
	if err != nil {
		b.Close()
		return fmt.Errorf("broker admin connection: %w", err)
	}
	b.admin = nc
	js, err := jetstream.New(nc)
	if err != nil {
		b.Close()
		return fmt.Errorf("broker admin jetstream: %w", err)
	}
	b.js = js
	return nil
}

// URL returns the client URL, nats://127.0.0.1:port.
func (b *Broker) URL() string { return b.srv.ClientURL() }

// Addr returns host:port of the client listener.
func (b *Broker) Addr() string { return strings.TrimPrefix(b.URL(), "nats://") }

// StoreDir returns the directory of the broker's file store: "" before
// Start and after Close, which removes it. Safe for concurrent use with other
// methods, but not with Start or Close.
func (b *Broker) StoreDir() string { return b.dir }

// StreamName returns the name of the stream that stores subject.
func StreamName(subject string) string { return "EV_" + sanitize(subject) }

// DurableName returns the durable consumer name of group on subject.
func DurableName(subject, group string) string { return sanitize(group) + "__" + sanitize(subject) }

func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		}
		return '_'
	}, s)
}

// Setup creates one file-backed stream per published subject and one durable
// pull consumer with explicit acks per (subject, group). A group's settings
// come from the first consume entry that names it.
func (b *Broker) Setup(ctx context.Context, t *topologies.Topology) error {
	for _, subject := range t.Subjects() {
		_, err := b.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
			Name:       StreamName(subject),
			Subjects:   []string{subject},
			Storage:    jetstream.FileStorage,
			Retention:  jetstream.LimitsPolicy,
			Duplicates: 2 * time.Minute,
		})
		if err != nil {
			return fmt.Errorf("stream for %s: %w", subject, err)
		}
	}
	done := map[string]bool{}
	for _, s := range t.Services {
		for _, c := range s.Consume {
			group := c.Group
			if group == "" {
				group = s.Name
			}
			name := DurableName(c.Subject, group)
			if done[name] {
				continue
			}
			done[name] = true
			cfg := ConsumerConfig(c, group)
			if _, err := b.js.CreateOrUpdateConsumer(ctx, StreamName(c.Subject), cfg); err != nil {
				return fmt.Errorf("consumer %s: %w", name, err)
			}
			b.consumers = append(b.consumers, [2]string{StreamName(c.Subject), name})
		}
	}
	return nil
}

// ConsumerConfig returns the durable consumer configuration for a consume
// entry of group.
func ConsumerConfig(c topologies.Consume, group string) jetstream.ConsumerConfig {
	ackWait := c.AckWait
	if ackWait <= 0 {
		ackWait = DefaultAckWait
	}
	maxDeliver := c.MaxDeliver
	if maxDeliver == 0 {
		maxDeliver = -1
	}
	return jetstream.ConsumerConfig{
		Durable:       DurableName(c.Subject, group),
		FilterSubject: c.Subject,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       ackWait,
		MaxDeliver:    maxDeliver,
		DeliverPolicy: jetstream.DeliverAllPolicy,
		MaxAckPending: 20000,
	}
}

// Lag returns the largest number of messages pending or awaiting an ack on
// any durable consumer. It blocks for one request per consumer.
func (b *Broker) Lag(ctx context.Context) (int64, error) {
	var most int64
	for _, sc := range b.consumers {
		c, err := b.js.Consumer(ctx, sc[0], sc[1])
		if err != nil {
			return most, err
		}
		info, err := c.Info(ctx)
		if err != nil {
			return most, err
		}
		if lag := int64(info.NumPending) + int64(info.NumAckPending); lag > most {
			most = lag
		}
	}
	return most, nil
}

// Close closes the admin connection, shuts the server down, waits for it and
// removes the store. Idempotent.
func (b *Broker) Close() {
	if b.admin != nil {
		b.admin.Close()
		b.admin = nil
	}
	if b.srv != nil {
		b.srv.Shutdown()
		b.srv.WaitForShutdown()
		b.srv = nil
	}
	b.removeStore()
}

func (b *Broker) removeStore() {
	if b.dir != "" {
		os.RemoveAll(b.dir)
		b.dir = ""
	}
}
