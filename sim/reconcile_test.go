package sim

import (
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/faultline-sim/faultline/reports/result"
	"github.com/faultline-sim/faultline/sim/broker"
	"github.com/faultline-sim/faultline/sim/metrics"
	"github.com/faultline-sim/faultline/sim/service"
	"github.com/faultline-sim/faultline/sim/simtest"
	"github.com/faultline-sim/faultline/topologies"
)

const reconcileTopology = `
name: reconcile
entry: order
services:
  - name: order
    publish: [orders.placed]
  - name: billing
    consume: [orders.placed]
`

// reconcileWorld is a real broker with the topology's stream and durable
// consumer, a client connection and a ledger, with three events published
// and acked: 1 and 2 are fetched by billing's consumer (1 processed, its
// ack never sent; 2 received and not acked: still being handled), 3 is
// deleted from the stream after its publish ack, before any delivery.
type reconcileWorld struct {
	b      *broker.Broker
	ledger *metrics.Ledger
	js     jetstream.JetStream
}

func startReconcileWorld(t *testing.T) reconcileWorld {
	t.Helper()
	ctx := simtest.Context(t)
	top, err := topologies.Parse("reconcile.yaml", []byte(reconcileTopology))
	if err != nil {
		t.Fatal(err)
	}
	b := broker.New()
	if err := b.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	if err := b.Setup(ctx, top); err != nil {
		t.Fatal(err)
	}
	nc, err := nats.Connect(b.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	const subject = "orders.placed"
	ledger := metrics.NewLedger(top.Subscribers(), time.Minute)
	seqs := map[uint64]uint64{}
	for id := uint64(1); id <= 3; id++ {
		ledger.Publishing(id, id, time.Now(), subject)
		msg := nats.NewMsg(subject)
		msg.Header.Set(service.HeaderEvent, strconv.FormatUint(id, 10))
		ack, err := js.PublishMsg(ctx, msg, jetstream.WithMsgID(strconv.FormatUint(id, 10)))
		if err != nil {
			t.Fatal(err)
		}
		ledger.AckedAt(id, ack.Sequence, ack.Duplicate)
		seqs[id] = ack.Sequence
	}
	cons, err := js.Consumer(ctx, broker.StreamName(subject), broker.DurableName(subject, "billing"))
	if err != nil {
		t.Fatal(err)
	}
	batch, err := cons.Fetch(2, jetstream.FetchMaxWait(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	var got []uint64
	for m := range batch.Messages() {
		id, _ := strconv.ParseUint(m.Headers().Get(service.HeaderEvent), 10, 64)
		got = append(got, id)
	}
	if len(got) != 2 || got[0] != 1 || got[1] != 2 {
		t.Fatalf("fetched events %v (%v), want 1 and 2", got, batch.Error())
	}
	ledger.Processed(1, "billing", false, time.Now()) // processed; the ack never leaves
	stream, err := js.Stream(ctx, broker.StreamName(subject))
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.DeleteMsg(ctx, seqs[3]); err != nil {
		t.Fatal(err)
	}
	return reconcileWorld{b: b, ledger: ledger, js: js}
}

// One event received and not acked is pending; one deleted from the stream
// before delivery is lost, although the broker's count of unacknowledged
// messages (1 and 2, awaiting their acks) equals the number of unprocessed
// pairs (2 and 3): a count-based reconciliation calls both pending.
func TestSettleEventsPerEvent(t *testing.T) {
	w := startReconcileWorld(t)
	var v result.Variant
	settleEvents(w.b, w.ledger, &v)
	e := v.Events
	if e.Lost != 1 || e.Pending != 1 || e.Unknown != 0 {
		t.Errorf("lost %d pending %d unknown %d, want 1, 1, 0", e.Lost, e.Pending, e.Unknown)
	}
	if len(e.Subscribers) != 1 {
		t.Fatalf("subscribers %+v, want billing only", e.Subscribers)
	}
	if s := e.Subscribers[0]; s.Expected != 3 || s.Processed != 1 || s.Lost != 1 || s.Pending != 1 || s.Unknown != 0 {
		t.Errorf("billing %+v, want 3 expected, 1 processed, 1 lost, 1 pending", s)
	}
}

// A broker that cannot be asked leaves every unprocessed pair unknown:
// neither lost nor pending.
func TestSettleEventsUnreachableBrokerIsUnknown(t *testing.T) {
	w := startReconcileWorld(t)
	ctx := simtest.Context(t)
	if err := w.b.Crash(ctx); err != nil {
		t.Fatal(err)
	}
	var v result.Variant
	settleEvents(w.b, w.ledger, &v)
	e := v.Events
	if e.Lost != 0 || e.Pending != 0 || e.Unknown != 2 {
		t.Errorf("lost %d pending %d unknown %d, want 0, 0, 2", e.Lost, e.Pending, e.Unknown)
	}
	if s := e.Subscribers[0]; s.Lost != 0 || s.Pending != 0 || s.Unknown != 2 {
		t.Errorf("billing %+v, want 2 unknown", s)
	}
}

// Events published fire-and-forget have no sequence in the ledger: the
// stream is searched above the ack floor. One stored and not yet delivered
// is pending; one the broker never stored is lost.
func TestSettleEventsFireAndForget(t *testing.T) {
	w := startReconcileWorld(t)
	ctx := simtest.Context(t)
	const subject = "orders.placed"
	for _, id := range []uint64{4, 5} {
		w.ledger.Publishing(id, id, time.Now(), subject)
		w.ledger.Sent(id)
	}
	msg := nats.NewMsg(subject) // only 4 reaches the broker
	msg.Header.Set(service.HeaderEvent, "4")
	if _, err := w.js.PublishMsg(ctx, msg); err != nil {
		t.Fatal(err)
	}
	var v result.Variant
	settleEvents(w.b, w.ledger, &v)
	e := v.Events
	if e.Lost != 2 || e.Pending != 2 || e.Unknown != 0 {
		t.Errorf("lost %d pending %d unknown %d, want 2 (3 deleted, 5 never stored), 2 (2 held, 4 not delivered), 0", e.Lost, e.Pending, e.Unknown)
	}
}
