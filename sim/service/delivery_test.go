package service_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/faultline-sim/faultline/reports/result"
	"github.com/faultline-sim/faultline/sim/broker"
	"github.com/faultline-sim/faultline/sim/service"
	"github.com/faultline-sim/faultline/sim/simtest"
	"github.com/faultline-sim/faultline/topologies"
)

// Tests of the event side's delivery guarantees: backoff, dead letters,
// idempotent consumers and fire-and-forget publishes, with a real broker
// and real replicas. Topologies are written with the basic keys and the
// delivery settings set in code.

const placed = "orders.placed"

// startEdited parses yaml, lets edit change the topology and starts its
// world.
func startEdited(t *testing.T, ctx context.Context, yaml string, edit func(top *topologies.Topology)) *world {
	t.Helper()
	top, err := topologies.Parse("test.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	edit(top)
	return startTopology(t, ctx, top)
}

// admin returns a JetStream client of w's broker, closed at the end of the
// test, dialed directly (not through the fault layer).
func (w *world) admin(t *testing.T) jetstream.JetStream {
	t.Helper()
	nc, err := nats.Connect(w.broker.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// consumerInfo returns the broker's view of group's consumer of subject.
func consumerInfo(t *testing.T, ctx context.Context, js jetstream.JetStream, subject, group string) *jetstream.ConsumerInfo {
	t.Helper()
	c, err := js.Consumer(ctx, broker.StreamName(subject), broker.DurableName(subject, group))
	if err != nil {
		t.Fatal(err)
	}
	info, err := c.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return info
}

// events returns the ledger's account so far.
func (w *world) events() result.Events {
	var v result.Variant
	w.ledger.Fill(&v)
	return v.Events
}

// subscriber returns group's account in e.
func subscriber(t *testing.T, e result.Events, group string) result.Subscriber {
	t.Helper()
	for _, s := range e.Subscribers {
		if s.Group == group {
			return s
		}
	}
	t.Fatalf("no subscriber %s in %+v", group, e.Subscribers)
	return result.Subscriber{}
}

// consumeOf returns service's first consume entry in top.
func consumeOf(top *topologies.Topology, service string) *topologies.Consume {
	return &top.Service(service).Consume[0]
}

// failingOps returns an operation whose first `fails` attempts fail under
// billing's error rate and one whose first attempt succeeds.
func failingOps(top *topologies.Topology, fails uint64) (poison, healthy uint64) {
	s := service.NewSampler(seed, top.Service("billing"))
	hop := service.EventHop("orders.placed", "billing")
	for op := uint64(1); poison == 0 || healthy == 0; op++ {
		all := true
		for a := uint64(1); a <= fails && all; a++ {
			all = s.Fails(op, hop, a)
		}
		switch {
		case all && poison == 0:
			poison = op
		case !s.Fails(op, hop, 1) && healthy == 0:
			healthy = op
		}
	}
	return poison, healthy
}

// flaky has billing fail half of its attempts, as the sampler draws them.
const flaky = `
name: flaky
entry: order
services:
  - name: order
    work: 1ms
    publish: [orders.placed]
  - name: billing
    work: 1ms
    error_rate: 0.5
    consume: [{subject: orders.placed, max_deliver: 10, ack_wait: 1h}]
`

func TestBackoffNaksWithDelay(t *testing.T) {
	ctx := simtest.Context(t)
	// Two short delays, then one the test never sees the end of: the
	// poison event is delivered exactly 3 times, and stays pending.
	w := startEdited(t, ctx, flaky, func(top *topologies.Topology) {
		c := consumeOf(top, "billing")
		c.Backoff = []time.Duration{time.Millisecond, time.Millisecond, time.Hour}
		c.DeadLetter = false
	})
	js := w.admin(t)
	poison, healthy := failingOps(w.top, 4)

	if _, err := w.call(ctx, "order", poison); err != nil {
		t.Fatal(err)
	}
	delivered := func() uint64 { return consumerInfo(t, ctx, js, placed, "billing").Delivered.Consumer }
	simtest.Eventually(t, "3 deliveries of the poison event", func() bool { return delivered() >= 3 })

	// An event published after the third failure overtakes the poison
	// event, which waits out its third delay (1h), not the others (1ms).
	if _, err := w.call(ctx, "order", healthy); err != nil {
		t.Fatal(err)
	}
	simtest.Eventually(t, "the healthy event processed", func() bool { return w.events().Processed == 1 })
	info := consumerInfo(t, ctx, js, placed, "billing")
	if info.Delivered.Consumer != 4 || info.NumAckPending != 1 || info.NumPending != 0 {
		t.Errorf("after the healthy event: %d deliveries, %d awaiting ack, %d pending; want 4 (3 of the poison event, 1 healthy), 1, 0",
			info.Delivered.Consumer, info.NumAckPending, info.NumPending)
	}
	if e := w.events(); e.Lost != 1 || e.DeadLettered != 0 {
		t.Errorf("events %+v, want the poison pair unprocessed (held by the broker), nothing dead-lettered", e)
	}
}

func TestNoBackoffRedeliversAtOnce(t *testing.T) {
	ctx := simtest.Context(t)
	w := startEdited(t, ctx, flaky, func(top *topologies.Topology) {
		c := consumeOf(top, "billing")
		c.MaxDeliver, c.DeadLetter = 4, false
	})
	js := w.admin(t)
	poison, _ := failingOps(w.top, 4)
	if _, err := w.call(ctx, "order", poison); err != nil {
		t.Fatal(err)
	}
	// The ack wait is 1h: only naks without delay redeliver it 4 times, and
	// after the last the broker gives up on it.
	simtest.Eventually(t, "4 deliveries, then given up", func() bool {
		info := consumerInfo(t, ctx, js, placed, "billing")
		return info.Delivered.Consumer == 4 && info.NumAckPending == 0 && info.NumPending == 0
	})
	// Without dead letters, the pair is lost: not processed, not held.
	e := w.events()
	if s := subscriber(t, e, "billing"); s.Lost != 1 || s.DeadLettered != 0 || s.Processed != 0 {
		t.Errorf("billing %+v, want its one event lost", s)
	}
}

// lastMsg returns the last message on subject in stream.
func lastMsg(t *testing.T, ctx context.Context, js jetstream.JetStream, stream, subject string) *jetstream.RawStreamMsg {
	t.Helper()
	st, err := js.Stream(ctx, stream)
	if err != nil {
		t.Fatal(err)
	}
	m, err := st.GetLastMsgForSubject(ctx, subject)
	if err != nil {
		t.Fatalf("last message on %s in %s: %v", subject, stream, err)
	}
	return m
}

// poisoned has billing fail every event (its replica's error rate is set to
// 1) after 3 deliveries; shipping handles them fine.
const poisoned = `
name: poisoned
entry: order
services:
  - name: order
    work: 1ms
    publish: [orders.placed]
  - name: billing
    work: 1ms
    consume: [{subject: orders.placed, max_deliver: 3, ack_wait: 1h}]
  - name: shipping
    work: 1ms
    consume: [orders.placed]
`

func startPoisoned(t *testing.T, ctx context.Context) *world {
	t.Helper()
	w := startEdited(t, ctx, poisoned, func(top *topologies.Topology) {
		c := consumeOf(top, "billing")
		c.DeadLetter = true
		c.Backoff = []time.Duration{time.Millisecond}
	})
	w.replicas["billing#0"].SetErrorRate(1)
	return w
}

func TestPoisonEventIsDeadLettered(t *testing.T) {
	ctx := simtest.Context(t)
	w := startPoisoned(t, ctx)
	js := w.admin(t)
	if _, err := w.call(ctx, "order", 1); err != nil {
		t.Fatal(err)
	}
	simtest.Eventually(t, "dead-lettered", func() bool { return w.events().DeadLettered == 1 })

	orig := lastMsg(t, ctx, js, broker.StreamName(placed), placed)
	dl := lastMsg(t, ctx, js, broker.DeadLetterStream, broker.DeadLetterSubject("billing", placed))
	for k, vs := range orig.Header {
		if k == jetstream.MsgIDHeader {
			continue
		}
		if got := dl.Header.Values(k); strings.Join(got, ",") != strings.Join(vs, ",") {
			t.Errorf("dead letter header %s = %q, want the original's %q", k, got, vs)
		}
	}
	for k, want := range map[string]string{
		service.HeaderOriginalMsgID: orig.Header.Get(jetstream.MsgIDHeader),
		jetstream.MsgIDHeader:       broker.DeadLetterMsgID("billing", placed, orig.Sequence),
		service.HeaderDeliveries:    "3",
		service.HeaderStream:        broker.StreamName(placed),
		service.HeaderStreamSeq:     "1",
		service.HeaderSubject:       placed,
		service.HeaderGroup:         "billing",
	} {
		if got := dl.Header.Get(k); got != want || want == "" {
			t.Errorf("dead letter header %s = %q, want %q", k, got, want)
		}
	}
	if got := dl.Header.Get(service.HeaderError); !strings.Contains(got, "injected error") {
		t.Errorf("dead letter error %q, want the handler's injected error", got)
	}

	// Terminated: the broker holds nothing for billing long before the
	// 1h ack wait, and never delivered it a 4th time.
	simtest.Eventually(t, "original terminated", func() bool {
		info := consumerInfo(t, ctx, js, placed, "billing")
		return info.NumAckPending == 0 && info.NumPending == 0
	})
	if got := consumerInfo(t, ctx, js, placed, "billing").Delivered.Consumer; got != 3 {
		t.Errorf("%d deliveries to billing, want 3", got)
	}
	simtest.Eventually(t, "shipping processed it", func() bool { return w.ledger.Outstanding() == 0 })

	held, err := w.broker.Pending(ctx)
	if err != nil {
		t.Fatal(err)
	}
	e := w.events()
	b := subscriber(t, e, "billing")
	want := result.Subscriber{Subject: placed, Group: "billing", Expected: 1, DeadLettered: 1}
	if b != want {
		t.Errorf("billing\n got %+v\nwant %+v", b, want)
	}
	pending := held[broker.DurableName(placed, "billing")]
	if lost := b.Expected - b.Processed - b.DeadLettered - pending; lost != 0 || b.Lost != 0 || pending != 0 {
		t.Errorf("billing: expected − processed − dead-lettered − pending = %d, lost %d, pending %d; want all 0", lost, b.Lost, pending)
	}
	if e.Lost != 0 || e.DeadLettered != 1 || e.Processed != 1 || w.ledger.DeadLetterFailures() != 0 {
		t.Errorf("events %+v, want shipping's processing, billing's dead letter, nothing lost", e)
	}
}

func TestDeadLetterPublishFailureIsCounted(t *testing.T) {
	ctx := simtest.Context(t)
	w := startPoisoned(t, ctx)
	js := w.admin(t)
	// With the dead-letter stream gone, every dead-letter publish fails.
	if err := js.DeleteStream(ctx, broker.DeadLetterStream); err != nil {
		t.Fatal(err)
	}
	if _, err := w.call(ctx, "order", 1); err != nil {
		t.Fatal(err)
	}
	simtest.Eventually(t, "dead letter given up", func() bool { return w.ledger.DeadLetterFailures() == 1 })
	// Naked at its last delivery, the broker drops it at once (the ack
	// wait is 1h): not held, so lost.
	simtest.Eventually(t, "dropped by the broker", func() bool {
		info := consumerInfo(t, ctx, js, placed, "billing")
		return info.NumAckPending == 0 && info.NumPending == 0
	})
	if got := consumerInfo(t, ctx, js, placed, "billing").Delivered.Consumer; got != 3 {
		t.Errorf("%d deliveries to billing, want 3", got)
	}
	if b := subscriber(t, w.events(), "billing"); b.Lost != 1 || b.DeadLettered != 0 {
		t.Errorf("billing %+v, want its event lost, not dead-lettered", b)
	}
}
