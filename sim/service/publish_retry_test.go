package service_test

import (
	"testing"
	"time"

	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/sim/broker"
	"github.com/faultline-sim/faultline/sim/simtest"
	"github.com/faultline-sim/faultline/topologies"
)

// retried has order publish with a short per-attempt timeout and retries.
const retried = `
name: retried
entry: order
services:
  - name: order
    work: 1ms
    publish: [{subject: orders.placed, timeout: 100ms, retries: 20}]
  - name: billing
    work: 1ms
    consume: [orders.placed]
`

// The broker's acks to order are delayed past the publish timeout, so the
// first attempt times out although the broker stored the event; order
// sends it again until an ack comes back in time (the delay is lifted
// once a retry was sent). With the same Nats-Msg-Id the broker keeps one
// copy and answers the retries as duplicates: billing processes the event
// once. With a new id per retry the broker stores every copy that reached
// it, and billing processes the event more than once.
//
// No timing is asserted: 300 ms against a 100 ms timeout only has to make
// the first attempt time out, which a loaded machine only makes likelier.
func TestPublishRetryAfterLateAck(t *testing.T) {
	for _, sameID := range []bool{true, false} {
		t.Run(map[bool]string{true: "same id", false: "new id"}[sameID], func(t *testing.T) {
			t.Parallel()
			ctx := simtest.Context(t)
			w := startEdited(t, ctx, retried, func(top *topologies.Topology) {
				top.Service("order").Publish[0].NewID = !sameID
			})
			remove := w.net.Apply(faults.LinkRule{
				Match:   faults.LinkSpec{From: faults.EndpointBroker, To: "order#0"},
				Latency: faults.LatencySpec{Mean: 300 * time.Millisecond},
			})
			done := w.callAsync(ctx, "order", 1)
			simtest.Eventually(t, "a publish retried", func() bool { return w.events().PublishRetries > 0 })
			remove()
			if r := <-done; r.err != nil {
				t.Fatalf("call: %v, want a retried publish acked", r.err)
			}
			js := w.admin(t)
			st, err := js.Stream(ctx, broker.StreamName(placed))
			if err != nil {
				t.Fatal(err)
			}
			stored := st.CachedInfo().State.Msgs
			e := w.events()
			b := subscriber(t, e, "billing")
			if sameID {
				simtest.Eventually(t, "processed", func() bool { return w.ledger.Outstanding() == 0 })
				e = w.events()
				b = subscriber(t, e, "billing")
				if stored != 1 || e.BrokerDuplicates != 1 || e.Duplicates != 0 || b.Processed != 1 || e.Acked != 1 {
					t.Errorf("stored %d, events %+v; want one copy stored, the acked retry a broker duplicate, processed once", stored, e)
				}
				return
			}
			if stored < 2 {
				t.Fatalf("stored %d copies, want every attempt that reached the broker stored", stored)
			}
			simtest.Eventually(t, "every copy processed", func() bool { return subscriber(t, w.events(), "billing").Processed == int64(stored) })
			e = w.events()
			if e.BrokerDuplicates != 0 || e.Duplicates != int64(stored)-1 || e.Acked != 1 {
				t.Errorf("stored %d, events %+v; want no broker duplicates, %d duplicates in the ledger", stored, e, stored-1)
			}
		})
	}
}
