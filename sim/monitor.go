package sim

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/faultline-sim/faultline/reports/result"
	"github.com/faultline-sim/faultline/sim/metrics"
)

// monitor samples a running variant: consumer lag once a second into the
// recorder's timeline, and progress for a live display.
type monitor struct {
	w        *world
	rec      *metrics.Recorder
	variant  string
	warmup   time.Duration
	total    time.Duration
	progress func(Progress)

	begun   chan time.Time
	done    chan struct{}
	stopped sync.WaitGroup
	maxLag  int64
	// lastLag is the latest consumer lag sampled, for live export.
	lastLag atomic.Int64
	// rt holds the runtime's metrics read when the recorded window began
	// and ended (rt[1] unset until it ended).
	rt [2]runtimeSample
}

func startMonitor(w *world, rec *metrics.Recorder, variant string, warmup, total time.Duration, progress func(Progress)) *monitor {
	m := &monitor{w: w, rec: rec, variant: variant, warmup: warmup, total: total, progress: progress,
		begun: make(chan time.Time, 1), done: make(chan struct{})}
	m.stopped.Add(1)
	go m.loop()
	return m
}

// begin tells the monitor when the load started. Call at most once.
func (m *monitor) begin(loadStart time.Time) { m.begun <- loadStart }

func (m *monitor) loop() {
	defer m.stopped.Done()
	var start time.Time
	select {
	case start = <-m.begun:
	case <-m.done:
		return
	}
	recordStart := start.Add(m.warmup)
	// The recorded window's edges, read on time by their own timers.
	edge := time.NewTimer(time.Until(recordStart))
	defer edge.Stop()
	edges := 0
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	lastLag := time.Duration(math.MinInt64) // second of the last lag sample
	for {
		select {
		case <-m.done:
			if edges == 1 {
				m.rt[1] = readRuntime() // interrupted: the window ends now
			}
			return
		case <-edge.C:
			m.rt[edges] = readRuntime()
			if edges++; edges == 1 {
				edge.Reset(time.Until(start.Add(m.total)))
			}
		case now := <-tick.C:
			if m.progress != nil {
				sent, ok, failed := m.rec.Progress()
				m.progress(Progress{Variant: m.variant, Elapsed: now.Sub(start), Total: m.total, Sent: sent, Succeeded: ok, Failed: failed})
			}
			// One lag sample per second of the timeline, at the first tick
			// in it; a sample that fails leaves its second missing.
			if sec := floorSecond(now.Sub(recordStart)); m.w.broker != nil && sec != lastLag {
				lastLag = sec
				m.sampleLag(now.Sub(recordStart))
			}
		}
	}
}

// lagTimeout bounds one consumer-lag query.
const lagTimeout = 500 * time.Millisecond

// sampleLag queries the consumer lag and records it at offset at of the
// recorded window (nothing is recorded in the warm-up, before 0), or
// records the failure: a failed sample is missing, never 0.
func (m *monitor) sampleLag(at time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), lagTimeout)
	lag, err := m.w.broker.Lag(ctx)
	cancel()
	if err != nil {
		if at >= 0 {
			m.rec.ConsumerLagFailed()
		}
		return
	}
	m.maxLag = max(m.maxLag, lag)
	m.lastLag.Store(lag)
	if at >= 0 {
		m.rec.ConsumerLag(at, lag)
	}
}

// floorSecond returns d rounded down to a whole second (towards minus
// infinity, unlike Truncate).
func floorSecond(d time.Duration) time.Duration {
	t := d.Truncate(time.Second)
	if t > d {
		t -= time.Second
	}
	return t
}

// stop ends sampling and returns the largest consumer lag seen.
func (m *monitor) stop() int64 {
	close(m.done)
	m.stopped.Wait()
	return m.maxLag
}

// harness returns the process's health over the recorded window; nil if
// the window never began. Call after stop.
func (m *monitor) harness() *result.Harness { return harnessSince(m.rt[0], m.rt[1]) }
