package sim

import (
	"context"
	"sync"
	"time"

	"github.com/faultline-sim/faultline/reports/result"
	"github.com/faultline-sim/faultline/sim/metrics"
	"github.com/faultline-sim/faultline/sim/state"
)

// consistencySampler runs the checker once a second over the recorded
// window of a stateful variant (a sample: sagas under way are in flight,
// not violations), for the timeline of violations.
type consistencySampler struct {
	sw     *stateWorld
	window time.Duration

	begun chan time.Time
	done  chan struct{}
	wg    sync.WaitGroup

	mu      sync.Mutex
	seconds []result.ConsistencySecond
}

// newConsistencySampler returns a sampler of sw, started by begin; a
// sampler of a nil sw does nothing.
func newConsistencySampler(sw *stateWorld, window time.Duration) *consistencySampler {
	c := &consistencySampler{sw: sw, window: window, begun: make(chan time.Time, 1), done: make(chan struct{})}
	if sw != nil {
		c.wg.Add(1)
		go c.loop()
	}
	return c
}

// begin starts sampling at start, the start of the recorded window.
func (c *consistencySampler) begin(start time.Time) {
	select {
	case c.begun <- start:
	default:
	}
}

// stop ends sampling and waits for the loop.
func (c *consistencySampler) stop() {
	select {
	case <-c.done:
	default:
		close(c.done)
	}
	c.wg.Wait()
}

func (c *consistencySampler) loop() {
	defer c.wg.Done()
	var start time.Time
	select {
	case start = <-c.begun:
	case <-c.done:
		return
	}
	t := time.NewTimer(time.Until(start.Add(time.Second)))
	defer t.Stop()
	for n := 1; time.Duration(n)*time.Second <= c.window; n++ {
		select {
		case <-t.C:
		case <-c.done:
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		rep, err := c.sw.check(ctx, false)
		cancel()
		if err == nil {
			c.mu.Lock()
			c.seconds = append(c.seconds, result.ConsistencySecond{
				T: time.Since(start).Seconds(), Violations: rep.Violating() - rep.Count(state.Stuck), Pending: rep.InFlight,
			})
			c.mu.Unlock()
		}
		t.Reset(time.Until(start.Add(time.Duration(n+1) * time.Second)))
	}
}

// timeline returns the samples taken.
func (c *consistencySampler) timeline() []result.ConsistencySecond {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]result.ConsistencySecond(nil), c.seconds...)
}

// waitSaga waits, within ctx, until no event is outstanding and no saga is
// in flight, both at once: a saga step publishes more events, and an event
// starts a step.
func waitSaga(ctx context.Context, ledger *metrics.Ledger, sw *stateWorld) {
	for ctx.Err() == nil {
		waitLedger(ctx, ledger)
		sw.waitSettled(ctx)
		if ledger.Outstanding() == 0 && sw.settled(ctx) {
			return
		}
	}
}

// resultKinds names the checker's kinds of violation as the results do
// (result.ConsistencyKinds).
var resultKinds = map[state.Kind]string{
	state.DoubleCharge: "double_charges", state.DoubleReservation: "double_reservations",
	state.OrphanCharge: "orphan_charges", state.OrphanReservation: "orphan_reservations",
	state.ConfirmedUnpaid: "confirmed_unpaid", state.ConfirmedUnreserved: "confirmed_unreserved",
	state.NegativeStock: "negative_stock", state.Stuck: "stuck",
}

// fillConsistency runs the final check of sw and writes it into rv. A
// store that cannot be read fails the variant: nothing is reported as
// consistent that was not read.
func fillConsistency(rv *result.Variant, sw *stateWorld, samples *consistencySampler) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rep, err := sw.check(ctx, true)
	if err != nil {
		rv.Consistency = &result.Consistency{Error: err.Error()}
		return err
	}
	c := &result.Consistency{
		Operations:          rep.Ops - rep.NotPlaced,
		Confirmed:           rep.Confirmed,
		Cancelled:           rep.Cancelled,
		Consistent:          rep.Consistent(),
		DoubleCharges:       rep.Count(state.DoubleCharge),
		DoubleReservations:  rep.Count(state.DoubleReservation),
		ConfirmedUnreserved: rep.Count(state.ConfirmedUnreserved),
		OrphanCharges:       rep.Count(state.OrphanCharge),
		OrphanReservations:  rep.Count(state.OrphanReservation),
		ConfirmedUnpaid:     rep.Count(state.ConfirmedUnpaid),
		NegativeStock:       rep.Count(state.NegativeStock),
		Stuck:               rep.Count(state.Stuck),
		Timeline:            samples.timeline(),
	}
	c.Violations = rep.Violating()
	c.Samples = map[string][]uint64{}
	for _, v := range rep.Violations {
		if len(v.Samples) > 0 {
			c.Samples[resultKinds[v.Kind]] = v.Samples
		}
	}
	if rep.Histogram != nil && rep.Histogram.TotalCount() > 0 {
		p := metrics.HistogramPercentiles(rep.Histogram)
		c.TimeToConsistencyMS = &p
		rv.Histograms.TimeToConsistency = metrics.EncodeHistogram(rep.Histogram)
	}
	rv.Consistency = c
	return nil
}
