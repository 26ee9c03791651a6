// Package sim is the engine: for each variant of a scenario it builds the
// world (broker, services, gateway, registry), drives it with open-loop load,
// drains, tears it down and returns what it measured.
//
//	for each variant:  start world ─► load (warm-up, then recorded window) ─► drain ─► close ─► result
package sim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/faultline-sim/faultline/reports/result"
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/faultline-sim/faultline/sim/gateway"
	"github.com/faultline-sim/faultline/sim/load"
	"github.com/faultline-sim/faultline/sim/metrics"
	"github.com/faultline-sim/faultline/sim/rpc/simv1"
	"github.com/faultline-sim/faultline/sim/service"
)

// InterruptedDrain bounds the drain after the run's context is cancelled
// (Ctrl-C): long enough to let answers in flight land, short enough to feel
// immediate.
const InterruptedDrain = 2 * time.Second

// Progress is a snapshot of a running variant.
type Progress struct {
	Variant string
	// Elapsed since the load started (warm-up included) and the planned total.
	Elapsed, Total time.Duration
	// Recorded-window counters so far.
	Sent, Succeeded, Failed int64
}

// Options tune Run. The zero value is valid.
type Options struct {
	// Progress, when set, is called about four times a second from a
	// goroutine of Run while a variant's load runs.
	Progress func(Progress)
	// Repeat runs every variant this many times (0 or 1: once), each
	// repetition in a fresh world, interleaved: all variants once, then all
	// again, so a drift of the machine hits every variant alike.
	Repeat int
	// Metrics, when set, gets a collector that exports the run's
	// measurements live (Prometheus), read at scrape time.
	Metrics prometheus.Registerer
	// Log receives structured logs of the run (variants, faults); nil:
	// none.
	Log *slog.Logger
	// StateDir is where the stores of stateful variants are written, a
	// folder per variant run; "" puts them in a temporary folder removed
	// after the variant.
	StateDir string
}

// ErrRun marks a failure of the run itself (a world that could not start,
// a harness that ran out of resources), as opposed to bad input or a
// missed expectation.
var ErrRun = errors.New("run failed")

// ErrHarness marks a variant during which the harness itself ran out of a
// resource (descriptors, local ports, memory): its failures are not the
// system's, so the variant is invalid (result.Variant.HarnessFailed). It
// comes wrapped with ErrRun.
var ErrHarness = errors.New("the harness ran out of resources (too many open files, no free port or no memory); the variant's results are invalid")

// Run runs every variant of sc in order, each in a fresh world, and returns
// the result. When ctx is cancelled the running variant stops its load,
// drains for at most InterruptedDrain, and is still reported; later variants
// are skipped and the result is marked interrupted. The error wraps ErrRun
// when a variant could not be run; the result then holds what was measured.
func Run(ctx context.Context, sc *scenarios.Scenario, opt Options) (*result.Result, error) {
	res := &result.Result{
		Schema:       result.Schema,
		Scenario:     sc.Name,
		Description:  sc.Description,
		File:         sc.File,
		Seed:         sc.Seed,
		StartedAt:    time.Now().UTC(),
		Environment:  environment(),
		Config:       runConfig(sc),
		Variants:     []result.Variant{},
		Expectations: []result.Expectation{},
	}
	var errs []error
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	var lv *live
	if opt.Metrics != nil {
		lv = &live{}
		if err := opt.Metrics.Register(lv); err != nil {
			return res, fmt.Errorf("%w: metrics: %w", ErrRun, err)
		}
		defer opt.Metrics.Unregister(lv)
	}
	reps := max(opt.Repeat, 1)
	if reps > 1 {
		res.Config.Repeat = reps
	}
	res.Config.SeedPolicy = result.SeedPerRepetition
	res.Config.FaultsSHA256 = digest(sc.Faults)
	for rep := 1; rep <= reps; rep++ {
		for _, v := range sc.Variants {
			if ctx.Err() != nil {
				break
			}
			label := v.Name
			if reps > 1 {
				label = fmt.Sprintf("%s #%d", v.Name, rep)
			}
			// Each repetition draws its own work times, errors and arrivals
			// (SeedPerRepetition), so repetitions sample the scenario's
			// distributions, not only the machine's noise.
			seed := sc.Seed + uint64(rep-1)
			opt.Log.Info("variant starting", "variant", label, "topology", v.Topology.Name, "seed", seed)
			rv, err := runVariant(ctx, sc, v, seed, opt, lv, label)
			if reps > 1 {
				rv.Repetition = rep
			}
			opt.Log.Info("variant finished", "variant", label, "availability", rv.Availability,
				"p99_ms", rv.LatencyMS.P99, "behind", rv.Generator.Behind, "error", rv.Error)
			if err != nil {
				rv.Error = err.Error()
				errs = append(errs, fmt.Errorf("%w: variant %s: %w", ErrRun, rv.Label(), err))
			} else if rv.HarnessFailed() {
				errs = append(errs, fmt.Errorf("%w: variant %s: %w (%d failed dials or accepts, %d requests failed as harness)",
					ErrRun, rv.Label(), ErrHarness, rv.HarnessErrors, rv.Requests.Errors["harness"]))
			}
			res.Variants = append(res.Variants, rv)
		}
	}
	res.Interrupted = ctx.Err() != nil
	res.FinishedAt = time.Now().UTC()
	res.Expectations = sc.Check(res)
	return res, errors.Join(errs...)
}

// peakRate is the highest rate the scenario's load reaches.
func peakRate(sc *scenarios.Scenario) float64 { return loadShape(sc).Peak() }

// maxInFlight is the generator's bound when the scenario sets none: enough
// for every request of one timeout's worth of load at the peak rate, within
// sane limits.
func maxInFlight(sc *scenarios.Scenario) int {
	if sc.Load.MaxInFlight > 0 {
		return sc.Load.MaxInFlight
	}
	n := int(loadShape(sc).Peak()*sc.Load.Timeout.Seconds()) + 64
	return min(max(n, 256), 20000)
}

// loadShape is the scenario's load as the generator's pacer takes it; a
// ramp ends with the load.
func loadShape(sc *scenarios.Scenario) load.Shape {
	l := sc.Load
	s := load.Shape{Arrival: l.Arrival, Rate: l.Rate, To: l.To, End: sc.Warmup + sc.Duration}
	for _, st := range l.Steps {
		s.Steps = append(s.Steps, load.Step{At: st.At, Rate: st.Rate})
	}
	if b := l.Burst; b != nil {
		s.Burst = load.Burst{At: b.At, For: b.For, Rate: b.Rate}
	}
	return s
}

func runConfig(sc *scenarios.Scenario) result.RunConfig {
	return result.RunConfig{
		Arrival:     sc.Load.Arrival,
		RateRPS:     sc.Load.Rate,
		RateTo:      sc.Load.To,
		Steps:       resultSteps(sc.Load.Steps),
		Burst:       resultBurst(sc.Load.Burst),
		DurationS:   sc.Duration.Seconds(),
		WarmupS:     sc.Warmup.Seconds(),
		DrainS:      sc.Drain.Seconds(),
		TimeoutMS:   float64(sc.Load.Timeout) / float64(time.Millisecond),
		MaxInFlight: maxInFlight(sc),
	}
}

// resultSteps and resultBurst put a shaped load into the result.
func resultSteps(in []scenarios.Step) []result.RateStep {
	var out []result.RateStep
	for _, st := range in {
		out = append(out, result.RateStep{AtS: st.At.Seconds(), RateRPS: st.Rate})
	}
	return out
}

func resultBurst(b *scenarios.Burst) *result.RateBurst {
	if b == nil {
		return nil
	}
	return &result.RateBurst{AtS: b.At.Seconds(), ForS: b.For.Seconds(), RateRPS: b.Rate}
}

// runVariant runs v once with seed: its services' draws, the pacer's
// arrivals and the faults' draws all derive from it.
func runVariant(ctx context.Context, sc *scenarios.Scenario, v scenarios.Variant, seed uint64, opt Options, lv *live, label string) (result.Variant, error) {
	top := v.Topology
	rv := result.Variant{
		Name:        v.Name,
		Topology:    top.Name,
		EventDriven: len(top.Subjects()) > 0,
		Wire:        top.Wire.Protocol + "/" + top.Wire.HTTP,
		Timeline:    []result.Second{},
		Faults:      []result.Fault{},
	}
	rv.Seed, rv.TopologySHA256 = seed, digest(top)
	maxLatency := sc.Load.Timeout + sc.Drain + sc.Duration + sc.Warmup
	rec := metrics.NewRecorder(sc.Duration, maxLatency)
	ledger := metrics.NewLedger(top.Subscribers(), maxLatency)
	edges := metrics.NewEdges(top, maxLatency)

	sw, err := openState(top, opt.StateDir, label, peakRate(sc), sc.Warmup+sc.Duration)
	if err != nil {
		return rv, err
	}
	var stores *service.Stores
	if sw != nil {
		stores = sw.stores
		defer sw.close() // after the world's replicas stopped using them
	}
	w, err := startWorld(ctx, top, seed, sc.Broker, ledger, edges, stores)
	if err != nil {
		return rv, err
	}
	defer w.close()

	pacer, err := load.NewPacer(loadShape(sc), seed)
	if err != nil {
		return rv, err
	}
	client := w.client
	mon := startMonitor(w, rec, label, sc.Warmup, sc.Warmup+sc.Duration, opt.Progress)
	tl := newTimeline(w, rec, sc.Faults, seed, sc.Warmup)
	samples := newConsistencySampler(sw, sc.Duration)
	tl.log = opt.Log.With("variant", label)
	tl.edges = edges
	tl.ledger = ledger
	ledger.PerSecond(sc.Duration)
	if lv != nil {
		lv.add(&liveVariant{label: label, rec: rec, mon: mon, tl: tl, edges: edges})
	}
	gen := load.New(load.Config{
		Pacer:       pacer,
		Warmup:      sc.Warmup,
		Duration:    sc.Duration,
		Timeout:     sc.Load.Timeout,
		MaxInFlight: maxInFlight(sc),
		Recorder:    rec,
		OnStart: func(start time.Time) {
			ledger.Start(start.Add(sc.Warmup))
			edges.Start(start.Add(sc.Warmup), sc.Duration)
			mon.begin(start)
			tl.begin(start)
			samples.begin(start.Add(sc.Warmup))
		},
		Target: func(ctx context.Context, op uint64, intended time.Time) error {
			if sw != nil {
				sw.intend(op, intended)
			}
			before := w.net.HarnessErrors()
			_, err := client.Call(ctx, gateway.Name, &simv1.HandleRequest{OpId: op, IntendedUnixNano: intended.UnixNano()})
			if err != nil && w.net.HarnessErrors() != before {
				// The harness failed a dial or an accept while this
				// request ran: a timeout or an unavailability is not
				// the system's to claim (see metrics.HarnessDuring).
				err = metrics.HarnessDuring(err)
			}
			return err
		},
	})

	_, runErr := gen.Run(ctx)
	samples.stop()

	drain := sc.Drain
	if ctx.Err() != nil {
		drain = min(drain, InterruptedDrain)
	}
	drainCtx, cancel := context.WithTimeout(context.Background(), drain)
	defer cancel()
	gen.Wait(drainCtx)
	waitLedger(drainCtx, ledger)
	if sw != nil {
		waitSaga(drainCtx, ledger, sw)
	}
	tl.stop()
	maxLag := mon.stop()

	window := gen.RecordedWindow()
	rv.WindowS = window.Seconds()
	rec.Fill(&rv, window)
	// The broker's consumer states are read before the ledger (see
	// settleEvents).
	var inspect brokerInspector
	if w.broker != nil {
		inspect = w.broker
	}
	settleEvents(inspect, ledger, &rv)
	edges.Fill(&rv)
	tl.fill(&rv)
	rv.Events.MaxConsumerLag = maxLag
	rv.Harness = mon.harness()
	rv.Ejections = w.ejections()
	rv.HarnessErrors = w.net.HarnessErrors()
	if sw != nil {
		if err := fillConsistency(&rv, sw, samples); err != nil {
			return rv, err
		}
	}
	if runErr != nil && !errors.Is(runErr, context.Canceled) {
		return rv, runErr
	}
	return rv, nil
}

// waitLedger waits until every acked event was processed by every subscriber
// that should, or ctx is done.
func waitLedger(ctx context.Context, l *metrics.Ledger) {
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for l.Outstanding() > 0 {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func environment() result.Environment {
	env := result.Environment{
		GoVersion: runtime.Version(),
		GOOS:      runtime.GOOS,
		GOARCH:    runtime.GOARCH,
		CPUs:      runtime.NumCPU(),
		Modules:   map[string]string{},
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			switch d.Path {
			case "github.com/nats-io/nats-server/v2", "github.com/nats-io/nats.go", "connectrpc.com/connect",
				"github.com/HdrHistogram/hdrhistogram-go", "google.golang.org/protobuf":
				env.Modules[d.Path] = d.Version
			}
		}
	}
	return env
}
