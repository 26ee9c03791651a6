package sim

import (
	"context"
	"log/slog"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/reports/result"
	"github.com/faultline-sim/faultline/sim/metrics"
	"github.com/faultline-sim/faultline/sim/service"
)

// timeline applies a scenario's faults to one variant's world at their
// times, from the start of the load, and removes them when their time is up:
//
//	OnStart ─► wait At ─► apply ─► record start ─► wait At+For ─► remove ─► record end
//
// stop removes whatever is still active (Ctrl-C) and waits for the loop.
type timeline struct {
	w      *world
	rec    *metrics.Recorder
	faults []faults.Fault
	seed   uint64
	warmup time.Duration

	mu      sync.Mutex
	results []result.Fault
	active  map[int]func() error // fault index → remove
	// log hears of every fault applied and removed.
	log *slog.Logger
	// edges are the variant's call edges, for their counts during a fault.
	edges *metrics.Edges
	// ledger, for event-driven variants, gives the completion of the
	// operations intended in a fault's windows; nil: none.
	ledger *metrics.Ledger
	// edgesAt holds, per fault, the edges' counts when it was applied.
	edgesAt []map[[2]string][2]int64
	// lateness holds, per latency fault, the fault layer's delivery counts
	// when it was applied.
	lateness []faults.LatenessMark
	// links holds, per link fault, the connections it was seen acting on.
	links []map[string]bool
	start time.Time

	begun chan time.Time
	done  chan struct{}
	wg    sync.WaitGroup // the loop and measurements in the background
	// ctx bounds measurements in the background; stop cancels it.
	ctx    context.Context
	cancel context.CancelFunc

	// blackhole is the index of the partition applied last, whose flow
	// events (bytes held, released) are being recorded; -1 when none.
	blackhole int
	// members logs the registry's membership changes.
	members members
}

func newTimeline(w *world, rec *metrics.Recorder, fs []faults.Fault, seed uint64, warmup time.Duration) *timeline {
	t := &timeline{w: w, rec: rec, faults: fs, seed: seed, warmup: warmup,
		results: make([]result.Fault, len(fs)), active: map[int]func() error{},
		lateness: make([]faults.LatenessMark, len(fs)),
		edgesAt:  make([]map[[2]string][2]int64, len(fs)),
		links:    make([]map[string]bool, len(fs)),
		begun:    make(chan time.Time, 1), done: make(chan struct{}), blackhole: -1,
		log: slog.New(slog.DiscardHandler)}
	for i, f := range fs {
		t.results[i] = result.Fault{Name: f.Name(), Kind: f.Key(), AtS: f.At.Seconds(), ForS: f.For.Seconds()}
	}
	t.ctx, t.cancel = context.WithCancel(context.Background())
	w.net.OnEvent(t.onFlow)
	w.reg.OnChange(t.members.add)
	t.wg.Add(1)
	go t.loop()
	return t
}

// onFlow records, for the last partition, when bytes actually stopped
// (the first held after it started) and started flowing again (the first
// released after it was healed).
func (t *timeline) onFlow(e faults.Event) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.blackhole < 0 {
		return
	}
	r := &t.results[t.blackhole]
	at := e.At.UTC()
	switch {
	case e.Kind == faults.EventHeld && r.BytesStopped == nil && !r.Started.IsZero() && r.Ended.IsZero():
		r.BytesStopped = &at
	case e.Kind == faults.EventReleased && r.BytesStarted == nil && !r.Ended.IsZero():
		r.BytesStarted = &at
	}
}

// begin starts the clock: faults are timed from the load's start.
func (t *timeline) begin(start time.Time) { t.begun <- start }

// step is one thing to do at an offset: apply (or remove) fault i.
type step struct {
	at     time.Duration
	i      int
	remove bool
}

func (t *timeline) loop() {
	defer t.wg.Done()
	var start time.Time
	select {
	case start = <-t.begun:
	case <-t.done:
		return
	}
	t.mu.Lock()
	t.start = start
	t.mu.Unlock()
	var steps []step
	for i, f := range t.faults {
		steps = append(steps, step{at: f.At, i: i})
		if !f.Instant() {
			steps = append(steps, step{at: f.At + f.For, i: i, remove: true})
		}
	}
	slices.SortStableFunc(steps, func(a, b step) int { return int(a.at - b.at) })
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for _, s := range steps {
		timer.Reset(time.Until(start.Add(s.at)))
		select {
		case <-timer.C:
		case <-t.done:
			return
		}
		if s.remove {
			t.remove(s.i)
		} else {
			t.apply(s.i)
		}
	}
}

func (t *timeline) apply(i int) {
	f := t.faults[i]
	asked := t.start.Add(f.At)
	// The fault takes effect from now (a crash cuts links first). Started
	// is set before it is applied, so that flow events it causes at once
	// are attributed to it.
	t.mu.Lock()
	now := time.Now()
	r := &t.results[i]
	r.Started, r.StartErrMS = now.UTC(), ms(now.Sub(asked))
	if f.Traits().Holds {
		t.blackhole = i
	}
	t.mu.Unlock()
	if f.Traits().Lateness {
		t.lateness[i] = t.w.net.LatenessMark()
	}
	t.edgesAt[i] = edgeCounts(t.edges)
	if f.IsLink() && f.Instant() {
		t.noteLinks(i) // the connections it is about to reset or close
	}
	remove, err := t.w.applyFault(f, t.seed, observer{t, i})
	if err == nil && f.IsLink() && !f.Instant() {
		t.noteLinks(i)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if err != nil {
		r.Error = err.Error()
		t.log.Warn("fault not applied", "fault", r.Name, "error", err)
		return
	}
	t.log.Info("fault applied", "fault", r.Name, "late_ms", r.StartErrMS)
	if f.Instant() {
		r.Ended, r.EndErrMS = r.Started, r.StartErrMS
		return
	}
	t.active[i] = remove
}

func (t *timeline) remove(i int) {
	f := t.faults[i]
	t.mu.Lock()
	remove := t.active[i]
	delete(t.active, i)
	if remove == nil {
		t.mu.Unlock()
		return
	}
	// Ended is set before the heal so the release it causes is attributed.
	now := time.Now()
	r := &t.results[i]
	r.Ended, r.EndErrMS = now.UTC(), ms(now.Sub(t.start.Add(f.At+f.For)))
	t.mu.Unlock()
	if f.IsLink() {
		t.noteLinks(i) // connections dialed while it was active
	}
	err := remove()
	t.mu.Lock()
	defer t.mu.Unlock()
	if err != nil && r.Error == "" {
		r.Error = err.Error()
	}
	t.log.Info("fault removed", "fault", r.Name, "late_ms", r.EndErrMS, "error", err)
	r.Edges = edgesSince(t.edgesAt[i], edgeCounts(t.edges))
	if f.Traits().Lateness {
		l := t.w.net.LatenessSince(t.lateness[i])
		r.DelayedRuns = l.Deliveries
		r.DelayErrorMS = &result.Percentiles{P50: l.P50, P90: l.P90, P99: l.P99, P999: l.P999, Max: l.Max}
	}
	recordStart := t.start.Add(t.warmup)
	for at := r.Started.Sub(recordStart).Truncate(time.Second); at < now.Sub(recordStart); at += time.Second {
		if at >= 0 {
			t.rec.ActiveFault(at, r.Name)
		}
	}
}

// noteLinks records the live connections link fault i selects.
func (t *timeline) noteLinks(i int) {
	f := t.faults[i]
	var names []string
	for _, c := range t.w.net.Conns(faults.Link{}) {
		if f.Selects(c.Link()) {
			names = append(names, c.Link().String())
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.links[i] == nil {
		t.links[i] = map[string]bool{}
	}
	for _, n := range names {
		t.links[i][n] = true
	}
}

// activeNames returns every fault of the timeline by name, true while it
// is applied, for live export.
func (t *timeline) activeNames() map[string]bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make(map[string]bool, len(t.faults))
	for i := range t.faults {
		name := t.results[i].Name
		_, on := t.active[i]
		out[name] = out[name] || on
	}
	return out
}

// stop ends the loop and removes every fault still active, latest first.
func (t *timeline) stop() {
	close(t.done)
	t.wg.Wait()
	t.mu.Lock()
	var idx []int
	for i := range t.active {
		idx = append(idx, i)
	}
	t.mu.Unlock()
	slices.Sort(idx)
	for _, i := range slices.Backward(idx) {
		t.remove(i)
	}
	t.cancel()
	t.wg.Wait()
	t.w.net.OnEvent(nil)
	t.w.reg.OnChange(nil)
}

// observer lets a fault being applied measure its effect in the
// background and record it in its result.
type observer struct {
	t *timeline
	i int
}

// measure runs f on a tracked goroutine with a context that stop cancels.
func (o observer) measure(f func(ctx context.Context)) {
	o.t.wg.Add(1)
	go func() {
		defer o.t.wg.Done()
		f(o.t.ctx)
	}()
}

// record changes the fault's result under the timeline's lock.
func (o observer) record(f func(r *result.Fault)) {
	o.t.mu.Lock()
	defer o.t.mu.Unlock()
	f(&o.t.results[o.i])
}

// processes records the replicas a process fault targets.
func (o observer) processes(reps []*service.Replica) {
	names := make([]string, len(reps))
	for i, r := range reps {
		names[i] = r.Name()
	}
	o.record(func(r *result.Fault) { r.MatchedProcesses = names })
}

// fill writes the faults into v with before/during/after summaries.
func (t *timeline) fill(v *result.Variant) {
	t.mu.Lock()
	defer t.mu.Unlock()
	spans := t.appliedSpans()
	for i, f := range t.faults {
		r := t.results[i]
		r.MatchedLinks = slices.Sorted(maps.Keys(t.links[i]))
		r.MatchedNothing = !r.Started.IsZero() && r.Error == "" && len(r.MatchedLinks) == 0 && len(r.MatchedProcesses) == 0
		at := f.At - t.warmup // in the recorded window
		span := max(f.For, time.Second)
		r.Before = t.window(at-span, at, i, spans, v.EventDriven)
		r.During = t.window(at, at+span, i, spans, v.EventDriven)
		r.After = t.window(at+span, at+2*span, i, spans, v.EventDriven)
		r.RecoveredAfterS = t.recovery(at+f.For, r.Before)
		ttl := t.w.reg.DetectionDelay()
		r.Registry = t.members.during(r.Started, r.Ended, ttl, ttl/5)
		v.Faults = append(v.Faults, r)
	}
}

// window summarizes [from, to) of the recorded window for fault self:
// the recorder's requests and consumer lag, the ledger's completions when
// the variant is event-driven, and the other faults applied within it
// (spans, see contaminators). nil when it lies outside the window.
func (t *timeline) window(from, to time.Duration, self int, spans []appliedSpan, eventDriven bool) *result.WindowStats {
	w := t.rec.Window(from, to)
	if w == nil {
		return nil
	}
	if eventDriven && t.ledger != nil {
		w.Completion = t.ledger.CompletionWindow(from, to)
	}
	w.ContaminatedBy = contaminators(w.FromS, w.ToS, spans, self)
	return w
}

// appliedSpan is when a fault was in effect, in seconds from the start of
// the recorded window: [from, to), or the instant from when instant; to is
// +Inf for a fault never removed. ok is false for a fault never applied.
type appliedSpan struct {
	name     string
	from, to float64
	instant  bool
	ok       bool
}

// appliedSpans places every fault where it was in effect (applied until
// removed, wall clock). t.mu is held.
func (t *timeline) appliedSpans() []appliedSpan {
	out := make([]appliedSpan, len(t.faults))
	recordStart := t.start.Add(t.warmup)
	for i, f := range t.faults {
		r := &t.results[i]
		out[i].name = r.Name
		if t.start.IsZero() || r.Started.IsZero() || (r.Error != "" && r.Ended.IsZero()) {
			continue // never applied
		}
		out[i].ok = true
		out[i].from = r.Started.Sub(recordStart).Seconds()
		switch {
		case f.Instant():
			out[i].to, out[i].instant = out[i].from, true
		case r.Ended.IsZero():
			out[i].to = math.Inf(1)
		default:
			out[i].to = r.Ended.Sub(recordStart).Seconds()
		}
	}
	return out
}

// contaminators names the faults other than self that were in effect at
// some time within [from, to) seconds of the recorded window, each once,
// in timeline order; nil when none. A window so marked does not show fault
// self alone: it is reported marked rather than cut to the seconds free of
// other faults, so that every fault's windows keep the same length.
func contaminators(from, to float64, spans []appliedSpan, self int) []string {
	var out []string
	for j, s := range spans {
		if j == self || !s.ok || slices.Contains(out, s.name) {
			continue
		}
		var hit bool
		if s.instant {
			hit = from <= s.from && s.from < to
		} else {
			hit = s.from < to && s.to > from
		}
		if hit {
			out = append(out, s.name)
		}
	}
	return out
}

// edgeCounts reads every edge's requests and attempts so far.
func edgeCounts(e *metrics.Edges) map[[2]string][2]int64 {
	out := map[[2]string][2]int64{}
	e.EachCount(func(from, to, what string, n int64) {
		c := out[[2]string{from, to}]
		switch what {
		case "requests":
			c[0] = n
		case "attempts":
			c[1] = n
		}
		out[[2]string{from, to}] = c
	})
	return out
}

// edgesSince returns each edge's requests and attempts between two
// readings, in a stable order; edges without requests are left out.
func edgesSince(from, to map[[2]string][2]int64) []result.FaultEdge {
	var out []result.FaultEdge
	for k, c := range to {
		req, att := c[0]-from[k][0], c[1]-from[k][1]
		if req <= 0 {
			continue
		}
		out = append(out, result.FaultEdge{From: k[0], To: k[1], Requests: req, Attempts: att, Amplification: float64(att) / float64(req)})
	}
	slices.SortFunc(out, func(a, b result.FaultEdge) int { return strings.Compare(a.From+">"+a.To, b.From+">"+b.To) })
	return out
}

// recoveryShare is how close to its level before a fault availability
// must come back for the variant to count as recovered.
const recoveryShare = 0.99

// recovery returns the seconds from a fault's end (offset end in the
// recorded window) to the start of the first whole second after it whose
// availability was back to recoveryShare of the before window's; nil
// without a before window or when it never came back within the window.
// Its resolution is the timeline's: one second.
func (t *timeline) recovery(end time.Duration, before *result.WindowStats) *float64 {
	if before == nil || before.Offered == 0 || end < 0 {
		return nil
	}
	want := recoveryShare * before.Availability
	for s := end.Truncate(time.Second); ; s += time.Second {
		if s < end {
			continue // the second the fault ended in is partly faulty
		}
		w := t.rec.Window(s, s+time.Second)
		if w == nil || w.ToS <= w.FromS {
			return nil // past the recorded window
		}
		if w.Offered > 0 && w.Availability >= want {
			after := (s - end).Seconds()
			return &after
		}
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
