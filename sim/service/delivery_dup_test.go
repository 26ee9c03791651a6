package service_test

import (
	"context"
	"testing"

	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/sim/broker"
	"github.com/faultline-sim/faultline/sim/simtest"
	"github.com/faultline-sim/faultline/topologies"
)

// redelivered has one billing replica with a short ack wait, so an event
// whose ack is lost comes back quickly.
const redelivered = `
name: redelivered
entry: order
services:
  - name: order
    work: 1ms
    publish: [orders.placed]
  - name: billing
    work: 1ms
    consume: [{subject: orders.placed, ack_wait: 1s}]
`

// Billing processes an event, then crashes before its ack reaches the
// broker (the ack is held by the fault layer and dropped by the crash);
// restarted, it gets the event again after the ack wait. An idempotent
// consumer recognises it; another applies it again.
func TestIdempotentConsumerSuppressesRedelivery(t *testing.T) {
	for _, idempotent := range []bool{true, false} {
		t.Run(map[bool]string{true: "idempotent", false: "not idempotent"}[idempotent], func(t *testing.T) {
			t.Parallel()
			ctx := simtest.Context(t)
			w := startEdited(t, ctx, redelivered, func(top *topologies.Topology) {
				consumeOf(top, "billing").Idempotent = idempotent
			})
			// A first event shows billing's pull request reached the broker.
			if _, err := w.call(ctx, "order", 1); err != nil {
				t.Fatal(err)
			}
			simtest.Eventually(t, "first event processed", func() bool { return w.events().Processed == 1 })

			// Deliveries reach billing#0; its acks do not leave.
			removeRule := w.net.Apply(faults.LinkRule{Match: faults.LinkSpec{From: "billing#0", To: faults.EndpointBroker}, Blackhole: true})
			if _, err := w.call(ctx, "order", 2); err != nil {
				t.Fatal(err)
			}
			simtest.Eventually(t, "second event processed", func() bool { return w.events().Processed == 2 })
			billing := w.replicas["billing#0"]
			billing.Crash()
			removeRule()
			if err := billing.Restart(ctx); err != nil {
				t.Fatal(err)
			}

			if idempotent {
				simtest.Eventually(t, "redelivery suppressed", func() bool { return w.events().Suppressed > 0 })
			} else {
				simtest.Eventually(t, "redelivery applied again", func() bool { return w.events().Duplicates > 0 })
			}
			e := w.events()
			b := subscriber(t, e, "billing")
			if idempotent && (e.Duplicates != 0 || b.Duplicates != 0 || b.Suppressed == 0 || b.Processed != 2) {
				t.Errorf("idempotent: events %+v, want suppressed redeliveries, no duplicates, each event applied once", e)
			}
			if !idempotent && (e.Suppressed != 0 || b.Duplicates == 0) {
				t.Errorf("not idempotent: events %+v, want duplicates, nothing suppressed", e)
			}
			if e.Lost != 0 || w.ledger.Outstanding() != 0 {
				t.Errorf("events %+v, want nothing lost", e)
			}
		})
	}
}

// fireAndForget has order publish without waiting for acks.
const fireAndForget = `
name: fire-and-forget
entry: order
services:
  - name: order
    work: 1ms
    publish: [orders.placed]
  - name: billing
    work: 1ms
    consume: [orders.placed]
`

func startFireAndForget(t *testing.T, ctx context.Context) *world {
	t.Helper()
	return startEdited(t, ctx, fireAndForget, func(top *topologies.Topology) {
		top.Service("order").Publish[0].Mode = topologies.PublishFireAndForget
	})
}

func TestFireAndForgetEventsAreExpected(t *testing.T) {
	ctx := simtest.Context(t)
	w := startFireAndForget(t, ctx)
	for op := uint64(1); op <= 3; op++ {
		if _, err := w.call(ctx, "order", op); err != nil {
			t.Fatal(err)
		}
	}
	simtest.Eventually(t, "all processed", func() bool { return w.ledger.Outstanding() == 0 && w.events().Processed == 3 })
	e := w.events()
	if e.FireAndForget != 3 || e.Acked != 0 || e.Published != 3 || e.Lost != 0 || e.UnackedProcessed != 0 {
		t.Errorf("events %+v, want 3 sent fire-and-forget and processed, none acked, lost or unacked-processed", e)
	}
	if b := subscriber(t, e, "billing"); b.Expected != 3 || b.Processed != 3 {
		t.Errorf("billing %+v, want 3 expected and processed", b)
	}
	// Stored with their message ids, as acked publishes are.
	if m := lastMsg(t, ctx, w.admin(t), broker.StreamName(placed), placed); m.Header.Get("Nats-Msg-Id") == "" {
		t.Errorf("stored event has no Nats-Msg-Id: %v", m.Header)
	}
}

// An event sent while order's link to the broker holds its bytes, then
// lost with them when the broker crashes, was answered as a success: the
// ledger counts it lost.
func TestFireAndForgetLostInBrokerCrash(t *testing.T) {
	ctx := simtest.Context(t)
	w := startFireAndForget(t, ctx)
	if _, err := w.call(ctx, "order", 1); err != nil {
		t.Fatal(err)
	}
	simtest.Eventually(t, "first event processed", func() bool { return w.events().Processed == 1 })

	heal := w.net.Partition([][]string{{"order"}, {faults.EndpointBroker}})
	if _, err := w.call(ctx, "order", 2); err != nil {
		t.Fatalf("fire-and-forget publish during a partition: %v, want success", err)
	}
	// The publish left the client library: it is in flight, held by the
	// fault layer. The broker crashes: connections reset, bytes gone.
	order := w.replicas["order#0"]
	simtest.Eventually(t, "publish written", func() bool { return order.BrokerBuffered() == 0 })
	w.net.Reset(faults.Link{From: "*", To: faults.EndpointBroker})
	if err := w.broker.Crash(ctx); err != nil {
		t.Fatal(err)
	}
	heal()
	if err := w.broker.Restart(ctx); err != nil {
		t.Fatal(err)
	}

	if _, err := w.call(ctx, "order", 3); err != nil {
		t.Fatal(err)
	}
	simtest.Eventually(t, "third event processed", func() bool { return w.events().Processed == 2 })
	held, err := w.broker.Pending(ctx)
	if err != nil {
		t.Fatal(err)
	}
	e := w.events()
	if e.FireAndForget != 3 || e.Lost != 1 || e.Processed != 2 || held[broker.DurableName(placed, "billing")] != 0 {
		t.Errorf("events %+v, broker holds %v; want 3 sent, 2 processed, the one in flight lost and not held", e, held)
	}
	if got := w.ledger.Outstanding(); got != 1 {
		t.Errorf("outstanding %d, want the lost pair", got)
	}
}
