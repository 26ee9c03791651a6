package result

// Consistency is what the checker found in the stores of a stateful
// variant: each operation (an order placed) read back from every service's
// store and the ledger after the drain, and judged consistent and terminal
// (confirmed with exactly one charge and one reservation, or cancelled with
// a net charge of 0 and nothing reserved) or counted under a violation.
// Stateless variants have none (Variant.Consistency nil).
type Consistency struct {
	// Operations counts the operations the stores know of (orders
	// placed); Confirmed and Cancelled those that ended so.
	Operations int64 `json:"operations"`
	Confirmed  int64 `json:"confirmed"`
	Cancelled  int64 `json:"cancelled"`
	// Consistent counts the operations consistent and terminal.
	Consistent int64 `json:"consistent"`
	// Violations is the sum of the eight kinds below.
	Violations int64 `json:"violations"`
	// DoubleCharges counts operations charged more than once;
	// OrphanCharges those whose money was taken while the order was not
	// confirmed and never refunded; OrphanReservations those with stock
	// reserved while the order was not confirmed and never released;
	// ConfirmedUnpaid orders confirmed without a charge.
	DoubleCharges int64 `json:"double_charges"`
	// DoubleReservations counts operations that reserved stock more than
	// once; ConfirmedUnreserved orders confirmed holding no stock.
	DoubleReservations  int64 `json:"double_reservations"`
	ConfirmedUnreserved int64 `json:"confirmed_unreserved"`
	OrphanCharges       int64 `json:"orphan_charges"`
	OrphanReservations  int64 `json:"orphan_reservations"`
	ConfirmedUnpaid     int64 `json:"confirmed_unpaid"`
	// NegativeStock counts items whose stock went below 0.
	NegativeStock int64 `json:"negative_stock"`
	// Stuck counts operations not terminal at the end of the drain.
	Stuck int64 `json:"stuck"`
	// Samples lists up to 10 operation ids per violation kind (keys: the
	// JSON names above, ConsistencyKinds).
	Samples map[string][]uint64 `json:"samples,omitempty"`
	// TimeToConsistencyMS is, over the operations that became consistent
	// and terminal, the time from the intended send time until they did;
	// nil when none did. Histograms.TimeToConsistency holds its histogram.
	TimeToConsistencyMS *Percentiles `json:"time_to_consistency_ms,omitempty"`
	// Timeline is the checker's sample of each second during the run.
	Timeline []ConsistencySecond `json:"timeline,omitempty"`
	// Error is set when a store could not be read; then nothing above is
	// claimed, and the variant has none of the consistency metrics.
	Error string `json:"error,omitempty"`
}

// ConsistencySecond is one sample of the checker during the run.
type ConsistencySecond struct {
	// T is in seconds from the start of the recorded window.
	T float64 `json:"t"`
	// Violations counts the violations seen in that sample (stuck
	// excluded: an operation still under way is not yet final).
	Violations int64 `json:"violations"`
	// Pending counts the operations not yet terminal.
	Pending int64 `json:"pending"`
}

// ConsistencyKinds names the violation kinds, in display order: the JSON
// names of their counts, the keys of Consistency.Samples and the metrics
// expect: and gate --max name.
var ConsistencyKinds = []string{"double_charges", "double_reservations", "orphan_charges", "orphan_reservations", "confirmed_unpaid", "confirmed_unreserved", "negative_stock", "stuck"}

// Count returns the count of violation kind k (one of ConsistencyKinds),
// and false for any other name.
func (c *Consistency) Count(k string) (int64, bool) {
	switch k {
	case "double_charges":
		return c.DoubleCharges, true
	case "orphan_charges":
		return c.OrphanCharges, true
	case "orphan_reservations":
		return c.OrphanReservations, true
	case "confirmed_unpaid":
		return c.ConfirmedUnpaid, true
	case "double_reservations":
		return c.DoubleReservations, true
	case "confirmed_unreserved":
		return c.ConfirmedUnreserved, true
	case "negative_stock":
		return c.NegativeStock, true
	case "stuck":
		return c.Stuck, true
	}
	return 0, false
}

// CheckedConsistency returns v's consistency block when the checker read every store
// (a stateful variant, no Error), nil otherwise: a stateless variant, or a
// store that could not be read, claims nothing.
func (v *Variant) CheckedConsistency() *Consistency {
	if v.Consistency == nil || v.Consistency.Error != "" {
		return nil
	}
	return v.Consistency
}
