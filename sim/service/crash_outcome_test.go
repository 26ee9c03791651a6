package service_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/faultline-sim/faultline/sim/metrics"
	"github.com/faultline-sim/faultline/sim/simtest"
)

// crashChain is a→b→c where requests spend time in b's own work and then
// in its call to c, so a crash of b finds requests in both places.
const crashChain = `
name: crash-chain
entry: a
wire: {protocol: %s, http: %s}
services:
  - name: a
    work: 1ms
    calls: [b]
  - name: b
    work: 150ms
    capacity: 1000
    calls: [c]
  - name: c
    work: 300ms
    capacity: 1000
`

// A replica that crashes with requests in flight fails them as a dead
// process would: its callers see a reset or closed connection, so every
// one of those requests is unavailable to the client, never aborted
// (which is for the drain and Ctrl-C) nor internal (injected errors). It
// is repeated over crash and restart rounds, as the classification must
// not depend on which side of a race a request was.
func TestCrashInFlightIsUnavailable(t *testing.T) {
	for _, wire := range [][2]string{{"connect", "h2c"}, {"connect", "http1"}, {"grpc", "h2c"}} {
		t.Run(wire[0]+"-"+wire[1], func(t *testing.T) {
			ctx := simtest.Context(t)
			w := startWorld(t, ctx, fmt.Sprintf(crashChain, wire[0], wire[1]))
			b, c := w.replicas["b#0"], w.replicas["c#0"]
			const half = 10
			for round := range 6 {
				var wg sync.WaitGroup
				errs := make(chan error, 2*half)
				send := func(n int) {
					for i := range n {
						wg.Add(1)
						go func() {
							defer wg.Done()
							_, err := w.call(ctx, "a", uint64(round*100+i))
							errs <- err
						}()
					}
				}
				// Half wait on c (b's call), half are in b's own work.
				send(half)
				simtest.Eventually(t, "requests in c", func() bool { return c.InFlight() == half })
				send(half)
				simtest.Eventually(t, "requests in b's work", func() bool { return b.InFlight() == 2*half })
				b.Crash()
				wg.Wait()
				close(errs)
				got := map[string]int{}
				for err := range errs {
					got[metrics.OutcomeOf(err).String()]++
					if o := metrics.OutcomeOf(err); o != metrics.Unavailable {
						t.Logf("round %d: %s: %v", round, o, err)
					}
				}
				if got["unavailable"] != 2*half {
					t.Errorf("round %d: outcomes %v, want all %d unavailable", round, got, 2*half)
				}
				if err := b.Restart(ctx); err != nil {
					t.Fatal(err)
				}
				// Calls to c still in flight from before the crash end.
				simtest.Eventually(t, "c idle", func() bool { return c.InFlight() == 0 })
			}
		})
	}
}
