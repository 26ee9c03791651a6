package broker_test

import (
	"slices"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/faultline-sim/faultline/sim/broker"
	"github.com/faultline-sim/faultline/sim/simtest"
	"github.com/faultline-sim/faultline/topologies"
)

// deadLetterTopology is fan-out built in code: billing dead-letters after 4
// deliveries and backs off; ship does neither when dead is false.
func deadLetterTopology(dead bool) *topologies.Topology {
	return &topologies.Topology{
		Name:  "dead-letters",
		Entry: "order",
		Services: []topologies.Service{
			{Name: "order", Replicas: 1, Publish: []topologies.Publish{{Subject: subject}}},
			{Name: "billing", Replicas: 1, Consume: []topologies.Consume{{
				Subject: subject, Group: "billing", MaxDeliver: 4, AckWait: 7 * time.Second,
				Backoff: []time.Duration{time.Second, 5 * time.Second}, DeadLetter: dead,
			}}},
			{Name: "shipping", Replicas: 1, Consume: []topologies.Consume{{Subject: subject, Group: "ship"}}},
		},
	}
}

func TestSetupDeadLetterStream(t *testing.T) {
	for _, dead := range []bool{true, false} {
		t.Run(map[bool]string{true: "dead letters", false: "none"}[dead], func(t *testing.T) {
			ctx := simtest.Context(t)
			b := broker.New()
			if err := b.Start(ctx); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(b.Close)
			if err := b.Setup(ctx, deadLetterTopology(dead)); err != nil {
				t.Fatal(err)
			}
			js := client(t, b)
			var streams []string
			for name := range js.StreamNames(ctx).Name() {
				streams = append(streams, name)
			}
			if got := slices.Contains(streams, broker.DeadLetterStream); got != dead {
				t.Fatalf("streams %v: dead-letter stream there %v, want %v", streams, got, dead)
			}
			if !dead {
				return
			}
			st, err := js.Stream(ctx, broker.DeadLetterStream)
			if err != nil {
				t.Fatal(err)
			}
			info, err := st.Info(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if info.Config.Storage != jetstream.FileStorage || info.Config.Duplicates <= 0 {
				t.Errorf("dead-letter stream %+v, want file storage and a duplicate window", info.Config)
			}
			// Every group's dead letters of every subject land in it.
			dl := broker.DeadLetterSubject("billing", subject)
			if dl != "dlq.billing."+subject {
				t.Errorf("dead-letter subject %q, want dlq.billing.%s", dl, subject)
			}
			ack, err := js.Publish(ctx, broker.DeadLetterSubject("a.b", subject), nil)
			if err != nil || ack.Stream != broker.DeadLetterStream {
				t.Errorf("publish to a dead-letter subject: %v, %+v", err, ack)
			}
		})
	}
}

// The topology's backoff is the consumer's nak schedule, not JetStream's
// BackOff, which would replace the ack wait by its first delay.
func TestConsumerKeepsAckWaitWithBackoff(t *testing.T) {
	ctx := simtest.Context(t)
	b := broker.New()
	if err := b.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	if err := b.Setup(ctx, deadLetterTopology(true)); err != nil {
		t.Fatal(err)
	}
	js := client(t, b)
	c, err := js.Consumer(ctx, broker.StreamName(subject), broker.DurableName(subject, "billing"))
	if err != nil {
		t.Fatal(err)
	}
	info, err := c.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.Config.AckWait != 7*time.Second || len(info.Config.BackOff) != 0 || info.Config.MaxDeliver != 4 {
		t.Errorf("consumer ack wait %v, backoff %v, max deliver %d; want 7s, none, 4",
			info.Config.AckWait, info.Config.BackOff, info.Config.MaxDeliver)
	}
}

func TestDeadLetterMsgIDPerGroupAndSequence(t *testing.T) {
	ids := map[string]bool{}
	for _, g := range []string{"billing", "ship"} {
		for seq := uint64(1); seq <= 2; seq++ {
			ids[broker.DeadLetterMsgID(g, subject, seq)] = true
		}
	}
	if len(ids) != 4 {
		t.Errorf("ids %v, want one per (group, sequence)", ids)
	}
	if broker.DeadLetterMsgID("billing", subject, 1) != broker.DeadLetterMsgID("billing", subject, 1) {
		t.Error("the same dead letter got two ids")
	}
}
