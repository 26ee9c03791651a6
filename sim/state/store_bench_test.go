package state

import (
	"context"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/faultline-sim/faultline/sim/load"
)

// The store comparison of docs/state.md. BenchmarkEngineCharge is the
// closed-loop figure (one caller, back to back); TestEngineOpenLoop, run by
// hand with FAULTLINE_STORE_BENCH=1, is the open-loop one:
//
//	FAULTLINE_STORE_BENCH=1 go test ./sim/state -run TestEngineOpenLoop -v -count=1
//
// FAULTLINE_STORE_BENCH_RATE (default 2000 charges/s) and
// FAULTLINE_STORE_BENCH_SECONDS (default 10, after 1 s of warm-up) change
// the load; FAULTLINE_STORE_BENCH_ENGINES (names, comma-separated) picks
// engines. Nothing here asserts a time: the figures are printed.

func BenchmarkEngineCharge(b *testing.B) {
	for _, e := range engines {
		b.Run(e.name, func(b *testing.B) {
			c, err := e.open(b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			defer func() {
				if err := c.close(); err != nil {
					b.Error(err)
				}
			}()
			ctx := context.Background()
			var n uint64
			for b.Loop() {
				if _, err := c.charge(ctx, n); err != nil {
					b.Fatal(err)
				}
				n++
			}
		})
	}
}

func TestEngineOpenLoop(t *testing.T) {
	if os.Getenv("FAULTLINE_STORE_BENCH") != "1" {
		t.Skip("a measurement run by hand: set FAULTLINE_STORE_BENCH=1")
	}
	rate := envFloat(t, "FAULTLINE_STORE_BENCH_RATE", 2000)
	seconds := envFloat(t, "FAULTLINE_STORE_BENCH_SECONDS", 10)
	only := os.Getenv("FAULTLINE_STORE_BENCH_ENGINES")
	for _, e := range engines {
		if only != "" && !slices.Contains(strings.Split(only, ","), e.name) {
			continue
		}
		t.Run(e.name, func(t *testing.T) {
			r := openLoop(t, e.open, rate, time.Duration(seconds*float64(time.Second)))
			t.Logf("%-18s rate %7.1f/s of %.0f  call p50 %6.3f ms p99 %6.3f ms max %7.3f ms  "+
				"from intended p50 %6.3f ms p99 %7.3f ms max %8.3f ms  CPU %5.1f µs/op  file %5.2f MB (%5.2f MB after close)  errors %d",
				e.name, r.rate, rate,
				ms(r.call.ValueAtQuantile(50)), ms(r.call.ValueAtQuantile(99)), ms(r.call.Max()),
				ms(r.intended.ValueAtQuantile(50)), ms(r.intended.ValueAtQuantile(99)), ms(r.intended.Max()),
				r.cpuPerOp, float64(r.size)/1e6, float64(r.closedSize)/1e6, r.errors)
		})
	}
}

// openLoopResult is one engine's open-loop figures. Histograms hold µs.
type openLoopResult struct {
	call, intended   *hdr.Histogram
	rate             float64 // recorded charges committed per second
	cpuPerOp         float64 // user+system CPU time of the process per charge, µs
	size, closedSize int64   // bytes of the store's files at the end of the load, and after close
	errors           int64
}

// openLoop charges at rate for 1 s of warm-up plus d through the load
// generator and records, for every charge intended after the warm-up, the
// latency of the call (from its start to its commit) and from its intended
// send time (so that queueing behind a slow commit shows).
func openLoop(t *testing.T, open func(string) (charger, error), rate float64, d time.Duration) openLoopResult {
	dir := t.TempDir()
	c, err := open(dir)
	if err != nil {
		t.Fatal(err)
	}
	const warmup = time.Second
	var (
		mu       sync.Mutex
		call     = hdr.New(1, 60_000_000, 3)
		intended = hdr.New(1, 60_000_000, 3)
		last     time.Time
		errs     atomic.Int64
		recorded atomic.Int64
		from     time.Time
		startSet = make(chan struct{})
	)
	g := load.New(load.Config{
		Pacer:    load.Constant(rate),
		Warmup:   warmup,
		Duration: d,
		OnStart:  func(s time.Time) { from = s.Add(warmup); close(startSet) },
		Target: func(ctx context.Context, op uint64, at time.Time) error {
			<-startSet
			sent := time.Now()
			_, err := c.charge(ctx, op)
			done := time.Now()
			if err != nil {
				errs.Add(1)
				return err
			}
			if at.Before(from) {
				return nil
			}
			recorded.Add(1)
			mu.Lock()
			defer mu.Unlock()
			_ = call.RecordValue(max(done.Sub(sent).Microseconds(), 1))
			_ = intended.RecordValue(max(done.Sub(at).Microseconds(), 1))
			if done.After(last) {
				last = done
			}
			return nil
		},
	})
	before := cpuTime(t)
	if _, err := g.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	g.Wait(t.Context())
	cpu := cpuTime(t) - before
	size, err := dirSize(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.close(); err != nil {
		t.Fatal(err)
	}
	closedSize, err := dirSize(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := recorded.Load()
	all := float64(n) * float64(warmup+d) / float64(d) // the warm-up's charges cost CPU too
	return openLoopResult{
		call: call, intended: intended,
		rate:     float64(n) / last.Sub(from).Seconds(),
		cpuPerOp: float64(cpu.Microseconds()) / all,
		size:     size, closedSize: closedSize,
		errors: errs.Load(),
	}
}

// cpuTime returns the user plus system CPU time of the process so far.
func cpuTime(t *testing.T) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func envFloat(t *testing.T, name string, def float64) float64 {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v <= 0 {
		t.Fatalf("%s=%q: want a positive number", name, s)
	}
	return v
}

func ms(us int64) float64 { return float64(us) / 1000 }
