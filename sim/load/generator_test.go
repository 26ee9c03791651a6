package load

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/faultline-sim/faultline/reports/result"
	"github.com/faultline-sim/faultline/sim/metrics"
)

// Short runs: rate 2000/s for 200 ms after a 50 ms warm-up. Assertions are
// about counts and invariants, never about how long things took, so a loaded
// 2-core machine passes them too.
const (
	testRate     = 2000
	testWarmup   = 50 * time.Millisecond
	testDuration = 200 * time.Millisecond
	testTotal    = 500 // requests in warm-up + duration at testRate
	testRecorded = 400 // requests after warm-up
)

// calls records what a Target saw.
type calls struct {
	mu       sync.Mutex
	ids      map[uint64]int
	intended map[uint64]time.Time
	cur, max atomic.Int64
}

func newCalls() *calls {
	return &calls{ids: map[uint64]int{}, intended: map[uint64]time.Time{}}
}

// wrap counts calls and concurrency around fn.
func (c *calls) wrap(fn Target) Target {
	return func(ctx context.Context, id uint64, intended time.Time) error {
		n := c.cur.Add(1)
		defer c.cur.Add(-1)
		for m := c.max.Load(); n > m && !c.max.CompareAndSwap(m, n); m = c.max.Load() {
		}
		c.mu.Lock()
		c.ids[id]++
		c.intended[id] = intended
		c.mu.Unlock()
		return fn(ctx, id, intended)
	}
}

func succeed(context.Context, uint64, time.Time) error { return nil }

func blockUntilDone(ctx context.Context, _ uint64, _ time.Time) error {
	<-ctx.Done()
	return ctx.Err()
}

// run drives one generator to the end and fills a variant.
func run(t *testing.T, cfg Config, waitFor time.Duration) (*Generator, result.Variant, time.Time) {
	t.Helper()
	cfg.Recorder = metrics.NewRecorder(cfg.Duration, time.Minute)
	g := New(cfg)
	start, err := g.Run(context.Background())
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	g.Wait(ctx)
	var v result.Variant
	cfg.Recorder.Fill(&v, g.RecordedWindow())
	checkInvariants(t, v)
	return g, v, start
}

func checkInvariants(t *testing.T, v result.Variant) {
	t.Helper()
	r := v.Requests
	if r.Succeeded+r.Failed != r.Offered {
		t.Errorf("succeeded %d + failed %d != offered %d", r.Succeeded, r.Failed, r.Offered)
	}
	var sum int64
	for _, c := range r.Errors {
		sum += c
	}
	if sum != r.Failed {
		t.Errorf("errors %v sum to %d, failed is %d", r.Errors, sum, r.Failed)
	}
	if r.Errors["dropped"] != r.Offered-r.Sent {
		t.Errorf("dropped %d, offered-sent %d", r.Errors["dropped"], r.Offered-r.Sent)
	}
}

func TestGeneratorOutcomesAndWarmup(t *testing.T) {
	c := newCalls()
	target := c.wrap(func(_ context.Context, id uint64, _ time.Time) error {
		if id%2 == 1 {
			return connect.NewError(connect.CodeUnavailable, errors.New("odd"))
		}
		return nil
	})
	pacer := Constant(testRate)
	g, v, start := run(t, Config{
		Pacer: pacer, Warmup: testWarmup, Duration: testDuration,
		Timeout: time.Second, MaxInFlight: 64, Target: target,
	}, time.Minute)

	r := v.Requests
	if r.Offered != testRecorded {
		t.Errorf("offered %d, want %d (warm-up excluded)", r.Offered, testRecorded)
	}
	// Nothing is dropped unless every worker was busy for over a second.
	if r.Sent != r.Offered {
		t.Errorf("sent %d of %d", r.Sent, r.Offered)
	}
	if r.Succeeded != testRecorded/2 || r.Errors["unavailable"] != testRecorded/2 {
		t.Errorf("succeeded %d unavailable %d, want %d each", r.Succeeded, r.Errors["unavailable"], testRecorded/2)
	}
	if len(c.ids) != testTotal {
		t.Errorf("target saw %d ids, want %d (warm-up requests are sent)", len(c.ids), testTotal)
	}
	for id := range uint64(testTotal) {
		if c.ids[id] != 1 {
			t.Errorf("id %d called %d times", id, c.ids[id])
		}
		if got := c.intended[id].Sub(start); got != pacer.At(id) {
			t.Errorf("id %d intended at +%v, want +%v", id, got, pacer.At(id))
		}
	}
	if got := g.RecordStart(); !got.Equal(start.Add(testWarmup)) {
		t.Errorf("RecordStart %v, want start+warmup", got)
	}
	if g.RecordedWindow() != testDuration {
		t.Errorf("recorded window %v, want %v", g.RecordedWindow(), testDuration)
	}
	if len(v.Timeline) != 1 || v.Timeline[0].Offered != testRecorded {
		t.Errorf("timeline %+v", v.Timeline)
	}
}

func TestGeneratorMaxInFlight(t *testing.T) {
	c := newCalls()
	target := c.wrap(func(ctx context.Context, _ uint64, _ time.Time) error {
		timer := time.NewTimer(5 * time.Millisecond)
		defer timer.Stop()
		select {
		case <-timer.C:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	const limit = 4
	g, v, _ := run(t, Config{
		Pacer: Constant(testRate), Warmup: testWarmup, Duration: testDuration,
		Timeout: time.Second, MaxInFlight: limit, Target: target,
	}, time.Minute)
	if m := c.max.Load(); m > limit || m < 1 {
		t.Errorf("target saw %d concurrent requests, limit %d", m, limit)
	}
	if m := v.Generator.MaxInFlight; m > limit || m < 1 {
		t.Errorf("recorder max in flight %d, limit %d", m, limit)
	}
	if g.InFlight() != 0 {
		t.Errorf("in flight after Wait: %d", g.InFlight())
	}
	// 4 workers × 5 ms each serve at most 800/s, less than the 2000/s
	// offered: the schedule cannot be kept, and the report must say so. (A
	// slower machine only falls further behind.)
	if !v.Generator.Behind {
		t.Errorf("not flagged behind; send lag %+v", v.Generator.SendLagMS)
	}
}

func TestGeneratorWaitAborts(t *testing.T) {
	c := newCalls()
	_, v, _ := run(t, Config{
		Pacer: Constant(testRate), Warmup: testWarmup, Duration: testDuration,
		Timeout: time.Hour, MaxInFlight: 1000, Target: c.wrap(blockUntilDone),
	}, 0) // Wait gives up at once
	r := v.Requests
	if r.Offered != testRecorded || r.Succeeded != 0 {
		t.Errorf("offered %d succeeded %d", r.Offered, r.Succeeded)
	}
	if r.Errors["aborted"]+r.Errors["dropped"] != r.Offered {
		t.Errorf("aborted %d + dropped %d != offered %d", r.Errors["aborted"], r.Errors["dropped"], r.Offered)
	}
	if r.Errors["aborted"] != r.Sent {
		t.Errorf("aborted %d, sent %d", r.Errors["aborted"], r.Sent)
	}
	if c.cur.Load() != 0 {
		t.Errorf("%d target calls still running after Wait", c.cur.Load())
	}
}

func TestGeneratorDropsWhenSaturated(t *testing.T) {
	// One worker, held forever by the first request: the rest wait for it
	// until a second past the end of the schedule, then are dropped.
	_, v, _ := run(t, Config{
		Pacer: Constant(testRate), Duration: testDuration,
		Timeout: time.Hour, MaxInFlight: 1, Target: blockUntilDone,
	}, 0)
	r := v.Requests
	if r.Offered != testRecorded || r.Sent != 1 {
		t.Errorf("offered %d sent %d, want %d and 1", r.Offered, r.Sent, testRecorded)
	}
	if r.Errors["dropped"] != testRecorded-1 || r.Errors["aborted"] != 1 {
		t.Errorf("errors %v", r.Errors)
	}
	if !v.Generator.Behind {
		t.Errorf("not flagged behind")
	}
}

func TestGeneratorCancel(t *testing.T) {
	c := newCalls()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	target := c.wrap(func(context.Context, uint64, time.Time) error {
		c.mu.Lock()
		n := len(c.ids)
		c.mu.Unlock()
		if n >= 50 {
			cancel()
		}
		return nil
	})
	rec := metrics.NewRecorder(time.Hour, time.Minute)
	g := New(Config{
		Pacer: Constant(testRate), Duration: time.Hour, // only cancellation ends this
		Timeout: time.Second, MaxInFlight: 8, Recorder: rec, Target: target,
	})
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, err := g.Run(ctx); err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second): // a watchdog, not a timing assertion
		t.Fatal("Run did not return after cancellation")
	}
	g.Wait(context.Background())
	w := g.RecordedWindow()
	if w <= 0 || w >= time.Hour {
		t.Errorf("recorded window %v", w)
	}
	var v result.Variant
	rec.Fill(&v, w)
	checkInvariants(t, v)
	if v.Requests.Offered < 50 || v.Requests.Offered >= testRate*3600 {
		t.Errorf("offered %d", v.Requests.Offered)
	}
	// Every request intended before the cut was offered; none after.
	if limit := uint64(w*testRate/time.Second) + 1; uint64(v.Requests.Offered) > limit {
		t.Errorf("offered %d, more than scheduled before the cut (%d)", v.Requests.Offered, limit)
	}
}

func TestGeneratorLifecycle(t *testing.T) {
	if _, err := New(Config{}).Run(context.Background()); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("empty config: %v, want ErrInvalidConfig", err)
	}
	var onStart []time.Time
	cfg := Config{
		Pacer: Constant(1000), Duration: 10 * time.Millisecond, Target: succeed,
		OnStart: func(start time.Time) { onStart = append(onStart, start) },
	}
	g := New(cfg)
	if !g.RecordStart().IsZero() {
		t.Errorf("RecordStart before Run is not zero")
	}
	start, err := g.Run(context.Background())
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(onStart) != 1 || !onStart[0].Equal(start) {
		t.Errorf("OnStart called with %v, want once with %v", onStart, start)
	}
	select {
	case <-g.Started():
	default:
		t.Errorf("Started not closed after Run")
	}
	if _, err := g.Run(context.Background()); !errors.Is(err, ErrRunTwice) {
		t.Errorf("second Run: %v, want ErrRunTwice", err)
	}
	g.Wait(context.Background())
	g.Wait(context.Background()) // idempotent

	g = New(cfg)
	g.Wait(context.Background())
	if _, err := g.Run(context.Background()); !errors.Is(err, ErrRunTwice) {
		t.Errorf("Run after Wait: %v, want ErrRunTwice", err)
	}
}

func TestGeneratorWaitStopsRun(t *testing.T) {
	g := New(Config{Pacer: Constant(testRate), Duration: time.Hour, MaxInFlight: 8, Target: blockUntilDone})
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = g.Run(context.Background())
	}()
	<-g.Started()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	g.Wait(ctx) // gives up at once: stops Run and every request
	select {
	case <-done:
	case <-time.After(30 * time.Second): // a watchdog, not a timing assertion
		t.Fatal("Run still running after Wait returned")
	}
}

// A scheduler asleep until the next request (an hour away, so on its
// alarm where there is one) wakes when ctx is cancelled and when Wait gives
// up: nothing but the stop can end Run within the watchdog.
func TestGeneratorStopWakesLongSleep(t *testing.T) {
	for _, how := range []string{"cancel", "wait"} {
		t.Run(how, func(t *testing.T) {
			sent := make(chan struct{}, 1)
			g := New(Config{
				Pacer: Constant(1.0 / 3600), Duration: 2 * time.Hour, MaxInFlight: 8,
				Target: func(context.Context, uint64, time.Time) error {
					sent <- struct{}{}
					return nil
				},
			})
			runCtx, cancelRun := context.WithCancel(context.Background())
			defer cancelRun()
			done := make(chan struct{})
			go func() {
				defer close(done)
				_, _ = g.Run(runCtx)
			}()
			<-sent // request 0 went; the scheduler now sleeps an hour
			if how == "cancel" {
				cancelRun()
			} else {
				waitCtx, cancelWait := context.WithCancel(context.Background())
				gave := make(chan struct{})
				go func() { defer close(gave); g.Wait(waitCtx) }()
				cancelWait() // Wait gives up: stops Run
				<-gave
			}
			select {
			case <-done:
			case <-time.After(30 * time.Second): // a watchdog, not a timing assertion
				t.Fatal("Run still asleep after the stop")
			}
			g.Wait(context.Background())
		})
	}
}
