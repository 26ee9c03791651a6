package service_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/sim/rpc/simv1"
	"github.com/faultline-sim/faultline/sim/simtest"
)

// fanout is a, calling b and c (each 50ms of work), with a's parallel key
// filled in by fmt.
const fanout = `
name: fanout
entry: a
services:
  - name: a
    parallel: %t
    calls: [b, c]
  - name: b
    work: 50ms
  - name: c
    work: 50ms
`

// callResult is the outcome of a call made on another goroutine.
type callResult struct {
	res *simv1.HandleResponse
	err error
}

// callAsync sends op to service from the client on another goroutine.
func (w *world) callAsync(ctx context.Context, svc string, op uint64) <-chan callResult {
	done := make(chan callResult, 1)
	go func() {
		res, err := w.call(ctx, svc, op)
		done <- callResult{res, err}
	}()
	return done
}

// A parallel service has both of its calls in flight at once: with both
// callees paused, both hold a request. Nothing here measures time.
func TestParallelCallsAreInFlightTogether(t *testing.T) {
	ctx := simtest.Context(t)
	w := startWorld(t, ctx, fmt.Sprintf(fanout, true))
	b, c := w.replicas["b#0"], w.replicas["c#0"]
	b.Pause()
	c.Pause()
	done := w.callAsync(ctx, "a", 1)
	simtest.Eventually(t, "b and c both holding a's request", func() bool { return b.Waiting() == 1 && c.Waiting() == 1 })
	b.Resume()
	c.Resume()
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.res.Service != "a" || r.res.Hops != 2 {
		t.Errorf("response %v, want service a with 2 hops (the deeper of its calls, plus its own)", r.res)
	}

	// Unheld, for the log: two 50ms callees in parallel take about 50ms.
	start := time.Now()
	if _, err := w.call(ctx, "a", 2); err != nil {
		t.Fatal(err)
	}
	t.Logf("parallel call over two 50ms callees: %v", time.Since(start))
}

// The sequential path is unchanged: c gets its call only once b has
// answered.
func TestSequentialCallsAreMadeInOrder(t *testing.T) {
	ctx := simtest.Context(t)
	w := startWorld(t, ctx, fmt.Sprintf(fanout, false))
	b, c := w.replicas["b#0"], w.replicas["c#0"]
	b.Pause()
	c.Pause()
	defer c.Resume()
	done := w.callAsync(ctx, "a", 1)
	simtest.Eventually(t, "b holding a's request", func() bool { return b.Waiting() == 1 })
	if n := c.Waiting(); n != 0 {
		t.Errorf("c holds %d requests while b has not answered, want none: calls in order", n)
	}
	b.Resume()
	simtest.Eventually(t, "c holding a's request after b answered", func() bool { return c.Waiting() == 1 })
	c.Resume()
	if r := <-done; r.err != nil || r.res.Hops != 2 {
		t.Errorf("sequential call: %v, %v; want success with 2 hops", r.res, r.err)
	}
}

// One failing callee fails a parallel call with its code, and the call to
// the other callee, still held, is cancelled: the caller answers without
// waiting for it, and the held callee's request ends.
func TestParallelCallFailsWhenOneCalleeFails(t *testing.T) {
	ctx := simtest.Context(t)
	w := startWorld(t, ctx, fmt.Sprintf(fanout, true))
	b, c := w.replicas["b#0"], w.replicas["c#0"]
	b.Pause()
	defer b.Resume()
	remove := c.AddRequestFault(faults.Request{Service: "c", Code: "unavailable"}, seed)
	defer remove()

	done := w.callAsync(ctx, "a", 1)
	var r callResult
	select {
	case r = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the parallel call still waits for the held callee 10s after the other failed")
	}
	if connect.CodeOf(r.err) != connect.CodeUnavailable || !strings.Contains(r.err.Error(), "call c") {
		t.Errorf("error %v, want code unavailable from the call to c", r.err)
	}
	simtest.Eventually(t, "b's held request cancelled", func() bool { return b.Waiting() == 0 })

	// The same world succeeds once the fault is gone.
	remove()
	b.Resume()
	if _, err := w.call(ctx, "a", 2); err != nil {
		t.Errorf("after the fault: %v", err)
	}
}
