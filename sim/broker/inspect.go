package broker

import (
	"context"
	"errors"

	"github.com/nats-io/nats.go/jetstream"
)

// ConsumerState is what the broker says of one durable consumer, in stream
// sequences: every message at or below AckFloor is acknowledged (or
// terminated, or dropped after its last allowed delivery); Delivered is
// the highest sequence delivered at least once. Messages above Delivered
// are still to be delivered; those in (AckFloor, Delivered] are awaiting
// an ack, awaiting a redelivery, or were acknowledged out of order — the
// broker does not list which.
type ConsumerState struct {
	Stream    string
	AckFloor  uint64
	Delivered uint64
	// NumPending and NumAckPending are the broker's counts of messages not
	// yet delivered and delivered but not yet acknowledged.
	NumPending, NumAckPending uint64
}

// consumerStates returns the state of each of consumers by durable name,
// one request each, bounded by DefaultCallTimeout when ctx has no
// deadline. It stops at the first failure and returns what it has.
func consumerStates(ctx context.Context, js jetstream.JetStream, consumers []streamConsumer) (map[string]ConsumerState, error) {
	ctx, cancel := withDefaultTimeout(ctx, DefaultCallTimeout)
	defer cancel()
	out := make(map[string]ConsumerState, len(consumers))
	for _, sc := range consumers {
		c, err := js.Consumer(ctx, sc.stream, sc.durable)
		if err != nil {
			return out, err
		}
		info, err := c.Info(ctx)
		if err != nil {
			return out, err
		}
		out[sc.durable] = ConsumerState{
			Stream: sc.stream, AckFloor: info.AckFloor.Stream, Delivered: info.Delivered.Stream,
			NumPending: info.NumPending, NumAckPending: uint64(info.NumAckPending),
		}
	}
	return out, nil
}

// openStream returns a handle on stream with its state as of now
// (CachedInfo), bounded by DefaultCallTimeout when ctx has no deadline.
func openStream(ctx context.Context, js jetstream.JetStream, stream string) (jetstream.Stream, error) {
	ctx, cancel := withDefaultTimeout(ctx, DefaultCallTimeout)
	defer cancel()
	return js.Stream(ctx, stream)
}

// ConsumerStates returns the state of every durable consumer Setup
// created, by durable name. It blocks for one request per consumer, at
// most DefaultCallTimeout when ctx has no deadline; on a failure it
// returns the states read so far and the error; while crashed it returns
// ErrCrashed at once.
func (b *Broker) ConsumerStates(ctx context.Context) (map[string]ConsumerState, error) {
	js, consumers, err := b.adminJS()
	if err != nil {
		return nil, err
	}
	return consumerStates(ctx, js, consumers)
}

// Stream returns a handle on the named stream, its CachedInfo the state
// as of now: GetMsg reads a message by sequence (jetstream.ErrMsgNotFound
// when the stream no longer or never held it). It blocks for one request,
// bounded like ConsumerStates.
func (b *Broker) Stream(ctx context.Context, name string) (jetstream.Stream, error) {
	js, _, err := b.adminJS()
	if err != nil {
		return nil, err
	}
	return openStream(ctx, js, name)
}

// clusterJS returns the cluster's admin JetStream context and consumers.
func (c *Cluster) clusterJS() (jetstream.JetStream, []streamConsumer, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.js == nil {
		return nil, nil, errors.New("broker cluster: not started")
	}
	return c.js, c.consumers, nil
}

// ConsumerStates is Broker.ConsumerStates for the cluster.
func (c *Cluster) ConsumerStates(ctx context.Context) (map[string]ConsumerState, error) {
	js, consumers, err := c.clusterJS()
	if err != nil {
		return nil, err
	}
	return consumerStates(ctx, js, consumers)
}

// Stream is Broker.Stream for the cluster.
func (c *Cluster) Stream(ctx context.Context, name string) (jetstream.Stream, error) {
	js, _, err := c.clusterJS()
	if err != nil {
		return nil, err
	}
	return openStream(ctx, js, name)
}
