package broker

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/faultline-sim/faultline/topologies"
)

// DefaultAckWait is the ack wait of a consumer whose topology gives none.
const DefaultAckWait = 30 * time.Second

// DefaultCallTimeout bounds an admin request (Lag, Leader, a probe publish)
// whose context has no deadline.
const DefaultCallTimeout = 2 * time.Second

// StreamName returns the name of the stream that stores subject.
func StreamName(subject string) string { return "EV_" + sanitize(subject) }

// DurableName returns the durable consumer name of group on subject.
func DurableName(subject, group string) string { return sanitize(group) + "__" + sanitize(subject) }

// probeSubject is the second subject of a cluster's stream: WaitPublishable
// publishes there, and no consumer sees it (each filters on its subject).
func probeSubject(subject string) string { return "_faultline.probe." + StreamName(subject) }

func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		}
		return '_'
	}, s)
}

// ConsumerConfig returns the durable consumer configuration for a consume
// entry of group.
//
// c.Backoff is deliberately not the consumer's BackOff: in JetStream,
// BackOff is a schedule of ack waits. It replaces AckWait by BackOff[0]
// (a handler slower than the first delay would be redelivered while it
// still runs), and a NakWithDelay(d) then redelivers after d + BackOff[n-1]
// − BackOff[0], not after d (measured against the embedded nats-server; a
// plain Nak redelivers at once whatever BackOff says, and both count
// toward MaxDeliver). The consumer applies
// c.Backoff itself, naking a failed delivery n with Backoff[min(n, len)-1];
// the broker's AckWait stays c.AckWait.
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

// streamConsumer names a durable consumer created by setup.
type streamConsumer struct{ stream, durable string }

// setup creates one file-backed stream per published subject with the
// given number of replicas (and, with probe, its probe subject), the
// dead-letter stream when a consume entry dead-letters, and one durable
// pull consumer with explicit acks per (subject, group); consumers inherit
// the stream's replicas. A group's settings come from the first consume
// entry that names it. It returns the streams and consumers it created.
func setup(ctx context.Context, js jetstream.JetStream, t *topologies.Topology, replicas int, probe bool) ([]string, []streamConsumer, error) {
	var streams []string
	for _, subject := range t.Subjects() {
		cfg := jetstream.StreamConfig{
			Name:       StreamName(subject),
			Subjects:   []string{subject},
			Storage:    jetstream.FileStorage,
			Retention:  jetstream.LimitsPolicy,
			Duplicates: topologies.DuplicateWindow,
		}
		if replicas > 1 {
			cfg.Replicas = replicas
		}
		if probe {
			cfg.Subjects = append(cfg.Subjects, probeSubject(subject))
		}
		err := retry(ctx, func(ctx context.Context) error {
			_, err := js.CreateOrUpdateStream(ctx, cfg)
			return err
		})
		if err != nil {
			return nil, nil, fmt.Errorf("stream for %s: %w", subject, err)
		}
		streams = append(streams, cfg.Name)
	}
	if needsDeadLetters(t) {
		cfg := deadLetterConfig(replicas)
		err := retry(ctx, func(ctx context.Context) error {
			_, err := js.CreateOrUpdateStream(ctx, cfg)
			return err
		})
		if err != nil {
			return nil, nil, fmt.Errorf("dead-letter stream: %w", err)
		}
		streams = append(streams, cfg.Name)
	}
	var consumers []streamConsumer
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
			err := retry(ctx, func(ctx context.Context) error {
				_, err := js.CreateOrUpdateConsumer(ctx, StreamName(c.Subject), ConsumerConfig(c, group))
				return err
			})
			if err != nil {
				return nil, nil, fmt.Errorf("consumer %s: %w", name, err)
			}
			consumers = append(consumers, streamConsumer{StreamName(c.Subject), name})
		}
	}
	return streams, consumers, nil
}

// retry calls f, each call bounded by DefaultCallTimeout, until it
// succeeds, fails for a reason a retry cannot fix, or ctx is done. In a
// cluster whose JetStream layer has just formed, an API request now and
// then gets no answer at all (seen on about one start in ten); f must be
// idempotent, as CreateOrUpdate requests are.
func retry(ctx context.Context, f func(ctx context.Context) error) error {
	for {
		actx, cancel := context.WithTimeout(ctx, DefaultCallTimeout)
		err := f(actx)
		cancel()
		if err == nil || ctx.Err() != nil || !transient(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(pollEvery):
		}
	}
}

// errCodeNoPeers is JetStream's "no suitable peers for placement": a
// cluster whose nodes have not all registered yet answers it with a 400.
const errCodeNoPeers = 10005

// transient reports whether err may go away on its own: no answer, nobody
// listening yet, a cluster still gathering its peers, or a JetStream API
// error of the 5xx kind.
func transient(err error) bool {
	var apiErr *jetstream.APIError
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, nats.ErrTimeout),
		errors.Is(err, nats.ErrNoResponders), errors.Is(err, jetstream.ErrNoStreamResponse):
		return true
	case errors.As(err, &apiErr):
		return apiErr.Code >= 500 || apiErr.ErrorCode == errCodeNoPeers
	}
	return false
}

// lag returns the largest number of messages pending or awaiting an ack on
// any of consumers, one request each, bounded by DefaultCallTimeout when
// ctx has no deadline.
func lag(ctx context.Context, js jetstream.JetStream, consumers []streamConsumer) (int64, error) {
	held, err := pending(ctx, js, consumers)
	var most int64
	for _, n := range held {
		most = max(most, n)
	}
	return most, err
}

// Admin connection settings: the harness's own connection dials the
// servers directly, not through the fault layer, and moves to another node
// quickly when its node goes down.
const (
	adminDialTimeout   = time.Second
	adminReconnectWait = 50 * time.Millisecond
)

// connectAdmin opens the harness's JetStream connection to any of urls.
func connectAdmin(urls []string) (*nats.Conn, jetstream.JetStream, error) {
	nc, err := nats.Connect(strings.Join(urls, ","),
		nats.Name("faultline-admin"),
		nats.Timeout(adminDialTimeout),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(adminReconnectWait),
	)
	if err != nil {
		return nil, nil, fmt.Errorf("broker admin connection: %w", err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, nil, fmt.Errorf("broker admin jetstream: %w", err)
	}
	return nc, js, nil
}

// pending returns, per durable consumer name, how many messages it has not
// yet had acknowledged: not delivered yet, or delivered and awaiting an ack
// (these the broker will still deliver or redeliver).
func pending(ctx context.Context, js jetstream.JetStream, consumers []streamConsumer) (map[string]int64, error) {
	states, err := consumerStates(ctx, js, consumers)
	out := make(map[string]int64, len(states))
	for name, st := range states {
		out[name] = int64(st.NumPending) + int64(st.NumAckPending)
	}
	return out, err
}
