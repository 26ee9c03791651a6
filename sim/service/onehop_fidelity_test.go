package service_test

import (
	"context"
	"fmt"
	"runtime/debug"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/reports/result"
	"github.com/faultline-sim/faultline/sim/load"
	"github.com/faultline-sim/faultline/sim/metrics"
	"github.com/faultline-sim/faultline/sim/rpc/simv1"
)

// oneHop is a single service with no work: a call to it is one hop.
const oneHop = `
entry: a
services:
  - name: a
    replicas: 2
`

// BenchmarkOneHopLatencyFidelity measures injected latency end to end on a
// one-hop call: the client calls a (Connect over h2c, through the fault
// layer) open loop at each rate, first without a fault, then with latency
// client → a of each mean. Each phase is fidelityWarmup + fidelityPhase
// long; latency counts from each request's intended send time. Reported:
// both phases' p50 and p99 and the error, (p with − p without) − mean.
// GOGC is set to faultline's own (400). One iteration is one measurement:
//
//	go test -run '^$' -bench OneHopLatencyFidelity -benchtime 1x ./sim/service/
//
// Unlike scenarios/latency-fidelity.yaml (client → gateway → a, two hops),
// nothing but the one hop is in the process.
func BenchmarkOneHopLatencyFidelity(b *testing.B) {
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	for _, rate := range []float64{1000, 5000} {
		for _, mean := range []time.Duration{time.Millisecond, 20 * time.Millisecond, 200 * time.Millisecond} {
			b.Run(fmt.Sprintf("rate=%v/mean=%v", rate, mean), func(b *testing.B) {
				ctx := b.Context()
				w := startWorld(b, ctx, oneHop)
				for b.Loop() {
					base := openLoop(b, ctx, w, rate, mean)
					undo := w.net.Apply(faults.LinkRule{
						Match:   faults.LinkSpec{From: "client", To: "a"},
						Latency: faults.LatencySpec{Mean: mean},
					})
					with := openLoop(b, ctx, w, rate, mean)
					undo()
					ms := float64(mean) / float64(time.Millisecond)
					b.ReportMetric(base.P50, "base-p50-ms")
					b.ReportMetric(base.P99, "base-p99-ms")
					b.ReportMetric(with.P50, "p50-ms")
					b.ReportMetric(with.P99, "p99-ms")
					b.ReportMetric(with.P50-base.P50-ms, "p50-err-ms")
					b.ReportMetric(with.P99-base.P99-ms, "p99-err-ms")
				}
			})
		}
	}
}

const (
	fidelityWarmup = 2 * time.Second
	fidelityPhase  = 10 * time.Second
)

// openLoop sends rate calls/s to a for one phase and returns the recorded
// latency percentiles. Every call must succeed.
func openLoop(b *testing.B, ctx context.Context, w *world, rate float64, mean time.Duration) result.Percentiles {
	b.Helper()
	rec := metrics.NewRecorder(fidelityPhase, time.Minute)
	g := load.New(load.Config{
		Pacer:    load.Constant(rate),
		Warmup:   fidelityWarmup,
		Duration: fidelityPhase,
		Timeout:  5 * time.Second,
		// rate × (mean + 1 s of slack): the pool never limits the phase.
		MaxInFlight: int(rate*(mean+time.Second).Seconds()) + 64,
		Recorder:    rec,
		Target: func(ctx context.Context, op uint64, intended time.Time) error {
			_, err := w.client.Call(ctx, "a", &simv1.HandleRequest{OpId: op, IntendedUnixNano: intended.UnixNano()})
			return err
		},
	})
	if _, err := g.Run(ctx); err != nil {
		b.Fatal(err)
	}
	g.Wait(ctx)
	var v result.Variant
	rec.Fill(&v, g.RecordedWindow())
	if v.Requests.Offered == 0 || v.Requests.Succeeded != v.Requests.Offered {
		b.Fatalf("%d of %d calls succeeded", v.Requests.Succeeded, v.Requests.Offered)
	}
	return v.LatencyMS
}
