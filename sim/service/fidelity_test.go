package service_test

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/faults"
)

// BenchmarkCrashClosesConnections measures how long after Crash is called
// every connection to and from the crashed replica is closed, with a caller
// keeping h2c connections to it busy. Reported: p50 and max over b.N crashes.
func BenchmarkCrashClosesConnections(b *testing.B) {
	ctx := b.Context()
	w := startWorld(b, ctx, faultChain)
	rep := w.replicas["b#0"]
	var took []time.Duration
	for b.Loop() {
		// Load: calls a→b in flight while the crash happens.
		var wg sync.WaitGroup
		stop := make(chan struct{})
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for op := uint64(i); ; op += 8 {
					select {
					case <-stop:
						return
					default:
					}
					w.call(ctx, "a", op)
				}
			}()
		}
		for len(w.net.Conns(faults.Link{From: "*", To: "b#0"})) == 0 {
			time.Sleep(time.Millisecond)
		}
		start := time.Now()
		rep.Crash()
		for len(w.net.Conns(faults.Link{From: "*", To: "b#0"}))+len(w.net.Conns(faults.Link{From: "b#0", To: "*"})) > 0 {
			time.Sleep(100 * time.Microsecond)
		}
		took = append(took, time.Since(start))
		close(stop)
		wg.Wait()
		if err := rep.Restart(ctx); err != nil {
			b.Fatal(err)
		}
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds()), "p50-close-us")
	b.ReportMetric(float64(took[len(took)-1].Microseconds()), "max-close-us")
}
