package service_test

import (
	"errors"
	"sync"
	"testing"

	"connectrpc.com/connect"

	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/sim/simtest"
)

const faultChain = `
entry: a
services:
  - name: a
    work: 1ms
    calls: [b]
  - name: b
    work: 1ms
`

func TestCrashFailsCallsAndRestartRecovers(t *testing.T) {
	ctx := simtest.Context(t)
	w := startWorld(t, ctx, faultChain)
	if _, err := w.call(ctx, "a", 1); err != nil {
		t.Fatal(err)
	}
	b := w.replicas["b#0"]
	b.Crash()
	// With no detection delay the registry drops it at once.
	if got := len(w.reg.Endpoints("b")); got != 0 {
		t.Fatalf("after crash %d registry entries, want none", got)
	}
	if got := w.net.Conns(faults.Link{From: "b#0", To: "*"}); len(got) != 0 {
		t.Errorf("crashed replica still has %d outgoing connections", len(got))
	}
	_, err := w.call(ctx, "a", 2)
	if code := connect.CodeOf(err); code != connect.CodeUnavailable {
		t.Fatalf("call through a crashed callee: %v (code %v), want unavailable", err, code)
	}
	if err := b.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	simtest.Eventually(t, "calls succeed after the restart", func() bool {
		_, err := w.call(ctx, "a", 3)
		return err == nil
	})
	b.Crash()
	b.Crash() // a no-op when down
}

func TestPauseHoldsRequestsUntilResume(t *testing.T) {
	ctx := simtest.Context(t)
	w := startWorld(t, ctx, faultChain)
	b := w.replicas["b#0"]
	b.Pause()
	done := make(chan error, 1)
	go func() {
		_, err := w.call(ctx, "a", 1)
		done <- err
	}()
	simtest.Eventually(t, "the request waits in the paused replica", func() bool { return b.Waiting() == 1 })
	select {
	case err := <-done:
		t.Fatalf("a request to a paused replica returned: %v", err)
	default:
	}
	b.Resume()
	if err := <-done; err != nil {
		t.Fatalf("after resume: %v", err)
	}
}

func TestErrorRateOverrideAndClear(t *testing.T) {
	ctx := simtest.Context(t)
	w := startWorld(t, ctx, faultChain)
	b := w.replicas["b#0"]
	b.SetErrorRate(1)
	for op := range uint64(5) {
		if _, err := w.call(ctx, "a", op); connect.CodeOf(err) != connect.CodeInternal {
			t.Fatalf("op %d with error rate 1: %v", op, err)
		}
	}
	b.ClearErrorRate()
	if _, err := w.call(ctx, "a", 9); err != nil {
		t.Fatalf("after clearing: %v", err)
	}
}

func TestRequestFaultShareMethodHeaderAndRemove(t *testing.T) {
	ctx := simtest.Context(t)
	w := startWorld(t, ctx, faultChain)
	b := w.replicas["b#0"]
	remove := b.AddRequestFault(faults.Request{Service: "b", Share: 0.5, Code: "resource_exhausted", Method: "Handle"}, 42)
	var failed, ok int
	for op := range uint64(200) {
		_, err := w.call(ctx, "a", op)
		switch connect.CodeOf(err) {
		case connect.CodeResourceExhausted:
			failed++
		default:
			if err != nil {
				t.Fatalf("op %d: unexpected %v", op, err)
			}
			ok++
		}
	}
	// 200 draws at share 0.5: far outside [60, 140] would mean the share is
	// not applied.
	if failed < 60 || failed > 140 {
		t.Errorf("%d of 200 failed at share 0.5", failed)
	}
	// Replayable: the same seed hits the same operations.
	var again int
	for op := range uint64(200) {
		if _, err := w.call(ctx, "a", op); connect.CodeOf(err) == connect.CodeResourceExhausted {
			again++
		}
	}
	if again != failed {
		t.Errorf("second pass hit %d, first %d: not replayable", again, failed)
	}
	remove()
	remove()
	if _, err := w.call(ctx, "a", 1); err != nil {
		t.Fatalf("after remove: %v", err)
	}
	// Other methods and non-matching headers are untouched.
	removeOther := b.AddRequestFault(faults.Request{Service: "b", Code: "internal", Method: "Other"}, 1)
	defer removeOther()
	removeHdr := b.AddRequestFault(faults.Request{Service: "b", Code: "internal", Header: "X-Canary: 1"}, 1)
	defer removeHdr()
	if _, err := w.call(ctx, "a", 1); err != nil {
		t.Fatalf("non-matching faults failed a call: %v", err)
	}
}

func TestSlowAndCrashAreSafeConcurrently(t *testing.T) {
	ctx := simtest.Context(t)
	w := startWorld(t, ctx, faultChain)
	b := w.replicas["b#0"]
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for op := range uint64(20) {
				_, err := w.call(ctx, "a", uint64(i)*100+op)
				if err != nil && connect.CodeOf(err) != connect.CodeUnavailable && !errors.Is(err, ctx.Err()) {
					t.Errorf("unexpected %v", err)
				}
			}
		}()
	}
	b.SetSlow(2)
	b.Crash()
	if err := b.Restart(ctx); err != nil {
		t.Error(err)
	}
	b.SetSlow(1)
	wg.Wait()
}
