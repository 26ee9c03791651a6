package resulttest

import "github.com/faultline-sim/faultline/reports/result"

// Stateful returns a result whose variants keep state, beside one that
// does not: Fixture's sync variant as "orchestrated", a saga whose payment
// was slow (orphan charges and reservations, operations stuck at the end),
// its event-driven variant as "choreography" (one double charge), and a
// copy of the sync variant without state, "stateless", which has no
// consistency block. Every consistency field is set.
func Stateful() *result.Result {
	r := Fixture()
	r.Scenario, r.File = "saga", "scenarios/saga.yaml"
	r.Description = "Order, payment and inventory as an orchestrated saga against a choreographed one."
	plain := Fixture().Variants[0]
	plain.Name = "stateless"

	orch := &r.Variants[0]
	orch.Name, orch.Topology = "orchestrated", "saga-sync"
	orch.Consistency = &result.Consistency{
		Operations: 15000, Confirmed: 14800, Cancelled: 195, Consistent: 14986,
		Violations: 14, OrphanCharges: 7, OrphanReservations: 2, Stuck: 5,
		Samples: map[string][]uint64{
			"orphan_charges":      {5012, 5013, 5240, 6001, 7123, 8800, 9004},
			"orphan_reservations": {5240, 9004},
			"stuck":               {14996, 14997, 14998, 14999, 15000},
		},
		TimeToConsistencyMS: &result.Percentiles{P50: 12.5, P90: 40, P99: 850.25, P999: 1900, Max: 2400},
		Timeline: consistencyTimeline(func(t int) (int64, int64) {
			switch {
			case t < 10:
				return 0, 12
			case t < 20: // payment slow: charges the caller gave up on
				return int64(t - 9), 150
			}
			return 9, 12
		}),
	}
	orch.Histograms.TimeToConsistency = histogram(14986, 12500, 1.81)

	chor := &r.Variants[1]
	chor.Name, chor.Topology = "choreography", "saga-events"
	chor.Consistency = &result.Consistency{
		Operations: 15000, Confirmed: 14990, Cancelled: 10, Consistent: 14999,
		Violations: 1, DoubleCharges: 1,
		Samples:             map[string][]uint64{"double_charges": {4711}},
		TimeToConsistencyMS: &result.Percentiles{P50: 20, P90: 45.5, P99: 300, P999: 1100, Max: 1300},
		Timeline: consistencyTimeline(func(t int) (int64, int64) {
			if t < 24 {
				return 0, 40
			}
			return 1, 40 + int64(10*(t-23))
		}),
	}
	chor.Histograms.TimeToConsistency = histogram(14999, 20000, 1.16)

	r.Variants = append(r.Variants, plain)
	r.Expectations = []result.Expectation{
		{Variant: "orchestrated", Expr: "consistency_p99 < 1s", Metric: "consistency_p99", Op: "<", Threshold: 1000, Observed: 850.25, OK: true, Line: 40},
		{Variant: "choreography", Expr: "double_charges == 0", Metric: "double_charges", Op: "==", Threshold: 0, Observed: 1, OK: false, Line: 41},
	}
	return r
}

// consistencyTimeline is the checker's 30 samples, one at the end of each
// second of the recorded window: f gives the violations and the pending
// operations of second t.
func consistencyTimeline(f func(t int) (violations, pending int64)) []result.ConsistencySecond {
	out := make([]result.ConsistencySecond, 30)
	for t := range out {
		v, p := f(t)
		out[t] = result.ConsistencySecond{T: float64(t + 1), Violations: v, Pending: p}
	}
	return out
}
