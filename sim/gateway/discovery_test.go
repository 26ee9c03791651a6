package gateway_test

import (
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/faultline-sim/faultline/sim/gateway"
	"github.com/faultline-sim/faultline/sim/simtest"
)

// failingEntry's replicas fail almost every request (all of this test's,
// with its seed); the gateway ejects each after two failures in a row.
const failingEntry = `
name: gw
entry: entry
discovery:
  outlier: {consecutive_failures: 2, eject_for: 1h}
services:
  - name: entry
    replicas: 2
    work: 1ms
    error_rate: 0.999
`

func TestGatewayEjectsFailingReplicas(t *testing.T) {
	ctx := simtest.Context(t)
	w := start(t, ctx, failingEntry, "entry")
	for op := range uint64(8) {
		// Once both are ejected the gateway still calls them: the client
		// sees their error, not unavailable.
		if _, err := w.call(ctx, op+1); connect.CodeOf(err) != connect.CodeInternal {
			t.Fatalf("call %d: %v, want the replicas' internal error", op, err)
		}
	}
	if n := w.gw.Ejections(); n != 2 {
		t.Errorf("gateway ejected %d times, want once per replica", n)
	}
}

// heartbeating has a detection delay: the gateway's own registration lives
// by its heartbeats. Its balancer is p2c.
const heartbeating = `
name: gw
entry: entry
discovery: {balancer: p2c, detection_delay: 50ms}
services:
  - name: entry
    replicas: 2
    work: 1ms
`

func TestGatewayHeartbeatsUnderDetectionDelay(t *testing.T) {
	ctx := simtest.Context(t)
	w := start(t, ctx, heartbeating, "entry")
	time.Sleep(200 * time.Millisecond) // four detection delays
	simtest.Eventually(t, "the gateway is registered after its detection delay", func() bool {
		return len(w.reg.Endpoints(gateway.Name)) == 1
	})
	replicas := map[uint32]bool{}
	for op := range uint64(20) {
		res, err := w.call(ctx, op+1)
		if err != nil {
			t.Fatal(err)
		}
		replicas[res.Replica] = true
	}
	if len(replicas) != 2 {
		t.Errorf("p2c called replicas %v of 2", replicas)
	}
	w.client.Close()
	if err := w.gw.Close(); err != nil {
		t.Fatal(err)
	}
	if eps := w.reg.Endpoints(gateway.Name); len(eps) != 0 {
		t.Errorf("gateway endpoints after Close %v, want none", eps)
	}
}
