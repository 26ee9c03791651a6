package load

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/faultline-sim/faultline/faults/alarm"
	"github.com/faultline-sim/faultline/sim/metrics"
)

// Target performs one request: opID is the request's pacer index and
// intended its scheduled time. It must return promptly once ctx is done.
// The returned error becomes the request's outcome via metrics.OutcomeOf.
// It is called from many goroutines at once.
type Target func(ctx context.Context, opID uint64, intended time.Time) error

// Defaults applied by Run to zero Config fields.
const (
	DefaultTimeout     = 10 * time.Second
	DefaultMaxInFlight = 1024
)

// giveUpAfter is how long past the end of the schedule the scheduler keeps
// waiting for a free worker before dropping what is left.
const giveUpAfter = time.Second

// Config configures a Generator. Pacer and Target are required.
type Config struct {
	// Pacer schedules the requests.
	Pacer Pacer
	// Warmup: requests intended before Warmup are sent but not recorded.
	Warmup time.Duration
	// Duration is the recorded load after the warm-up; load stops at
	// Warmup+Duration.
	Duration time.Duration
	// Timeout is each request's deadline from the moment it is sent;
	// DefaultTimeout when zero.
	Timeout time.Duration
	// MaxInFlight bounds concurrent requests; the worker pool grows up to it.
	// DefaultMaxInFlight when zero.
	MaxInFlight int
	// Recorder receives the recorded requests; nil records nothing.
	Recorder *metrics.Recorder
	// Target performs one request.
	Target Target
	// OnStart, if not nil, is called once by Run, on Run's goroutine, with
	// the start time offsets count from, before the first request is sent.
	// It should return quickly: its time shows as send lag.
	OnStart func(start time.Time)
}

// Errors returned by Run, matched with errors.Is.
var (
	ErrInvalidConfig = errors.New("load: invalid config")
	ErrRunTwice      = errors.New("load: Run called twice")
)

// job is one request handed to a worker.
type job struct {
	n        uint64
	at       time.Duration // intended offset from start
	intended time.Time
}

// Generator sends open-loop load. Create it with New, call Run once, then
// Wait. Its methods are safe for concurrent use.
type Generator struct {
	cfg Config

	mu       sync.Mutex
	running  bool // Run began
	closed   bool // Wait ran before Run
	start    time.Time
	cut      time.Duration // offset at which scheduling stopped
	started  chan struct{}
	runDone  chan struct{}
	stop     chan struct{}
	stopOnce sync.Once

	jobs       chan job
	workers    sync.WaitGroup
	reqCtx     context.Context
	cancelReqs context.CancelFunc
	inFlight   atomic.Int64
	alarm      atomic.Pointer[alarm.Alarm] // the scheduler's, while it runs
	waitOnce   sync.Once
}

// New returns a Generator for cfg. It has no side effects; cfg is checked by
// Run.
func New(cfg Config) *Generator {
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxInFlight == 0 {
		cfg.MaxInFlight = DefaultMaxInFlight
	}
	return &Generator{
		cfg:     cfg,
		started: make(chan struct{}),
		runDone: make(chan struct{}),
		stop:    make(chan struct{}),
		jobs:    make(chan job),
	}
}

func (c *Config) validate() error {
	var errs []error
	if c.Pacer == nil {
		errs = append(errs, errors.New("Pacer is nil"))
	}
	if c.Target == nil {
		errs = append(errs, errors.New("Target is nil"))
	}
	if c.Warmup < 0 || c.Duration < 0 || c.Timeout < 0 {
		errs = append(errs, errors.New("Warmup, Duration and Timeout must not be negative"))
	}
	if c.MaxInFlight < 0 {
		errs = append(errs, errors.New("MaxInFlight must not be negative"))
	}
	if len(errs) > 0 {
		return errors.Join(append([]error{ErrInvalidConfig}, errs...)...)
	}
	return nil
}

// Run sends the load and blocks until nothing more will be sent: until the
// schedule passes Warmup+Duration, ctx is done, or Wait gave up waiting.
// start is the time offsets count from. In-flight requests keep running
// after Run returns (Wait ends them); they do not use ctx's cancellation,
// only its values.
//
// A request whose intended time passed but that could not be sent — every
// worker busy and the schedule ended more than a second ago, or ctx done — is
// offered but never sent (dropped). On ctx cancellation scheduling stops at
// once: requests intended later are not offered. Cancellation is not an
// error: err is non-nil only for an invalid Config, a second Run, or Run
// after Wait.
func (g *Generator) Run(ctx context.Context) (start time.Time, err error) {
	g.mu.Lock()
	switch {
	case g.running:
		g.mu.Unlock()
		return time.Time{}, ErrRunTwice
	case g.closed:
		g.mu.Unlock()
		return time.Time{}, ErrRunTwice
	}
	if err := g.cfg.validate(); err != nil {
		g.mu.Unlock()
		return time.Time{}, err
	}
	g.running = true
	g.reqCtx, g.cancelReqs = context.WithCancel(context.WithoutCancel(ctx))
	g.start = time.Now()
	start = g.start
	close(g.started)
	g.mu.Unlock()
	if g.cfg.OnStart != nil {
		g.cfg.OnStart(start)
	}

	cut := g.schedule(ctx, start)

	g.mu.Lock()
	g.cut = cut
	g.mu.Unlock()
	close(g.jobs) // idle workers exit; busy ones after their request
	close(g.runDone)
	return start, nil
}

// RecordStart returns start + Warmup: the wall time the recorded window
// begins. It is the zero time until Run began; Started tells when it did.
func (g *Generator) RecordStart() time.Time {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.running {
		return time.Time{}
	}
	return g.start.Add(g.cfg.Warmup)
}

// Started returns a channel closed once Run has chosen its start time.
func (g *Generator) Started() <-chan struct{} { return g.started }

// RecordedWindow returns how much of the recorded window was scheduled:
// Duration after a complete run, less when ctx ended it early, 0 before Run
// returned.
func (g *Generator) RecordedWindow() time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	return min(max(g.cut-g.cfg.Warmup, 0), g.cfg.Duration)
}

// InFlight returns the number of requests in flight now.
func (g *Generator) InFlight() int64 { return g.inFlight.Load() }

// Wait waits until every in-flight request has finished or ctx is done; then
// it cancels the remaining requests (they record Aborted), stops Run if it is
// still scheduling, and waits for every worker goroutine to exit, so that no
// goroutine of the generator remains when it returns. Called before Run
// finished, it first waits for Run (or ctx). Wait before Run makes Run fail.
// Idempotent: later calls return once the first has finished.
func (g *Generator) Wait(ctx context.Context) {
	g.waitOnce.Do(func() { g.wait(ctx) })
}

func (g *Generator) wait(ctx context.Context) {
	g.mu.Lock()
	if !g.running {
		g.closed = true
		g.mu.Unlock()
		return
	}
	g.mu.Unlock()

	select {
	case <-g.runDone:
	case <-ctx.Done():
		g.abort()
	}
	<-g.runDone // Run checks stop at every wait; no more workers start

	done := make(chan struct{})
	go func() { g.workers.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		g.abort()
	}
	<-done
	g.cancelReqs() // release the context
}

// abort stops the scheduler and cancels every request in flight.
func (g *Generator) abort() {
	g.stopOnce.Do(func() {
		close(g.stop)
		if a := g.alarm.Load(); a != nil {
			a.Kick() // the scheduler asleep on it looks at stop
		}
	})
	g.cancelReqs()
}
