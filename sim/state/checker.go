package state

import (
	"slices"
	"strconv"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Kind is a kind of broken invariant.
type Kind uint8

// The kinds of violation, in the order of Report.Violations. An operation
// can break several invariants; it counts once under each.
const (
	// DoubleCharge: the operation was charged more than once, even if a
	// refund gave it all back later (the duplicated effect happened).
	DoubleCharge Kind = iota
	// OrphanCharge: money taken and not given back (net charge ≠ 0) for an
	// order that is not confirmed: cancelled, never placed, or, in a final
	// check, still pending.
	OrphanCharge
	// DoubleReservation: the operation reserved more than one unit, even if
	// it released them later.
	DoubleReservation
	// OrphanReservation: units held for an order that is not confirmed
	// (as for OrphanCharge).
	OrphanReservation
	// ConfirmedUnpaid: a confirmed order with no money taken for it (never
	// charged, or refunded).
	ConfirmedUnpaid
	// ConfirmedUnreserved: a confirmed order holding no unit of stock.
	ConfirmedUnreserved
	// NegativeStock: an item's stock is below zero. It is counted per item,
	// not per operation, and its samples are item numbers.
	NegativeStock
	// Stuck: in a final check, an order still pending: the saga never
	// ended.
	Stuck

	numKinds
)

var kindNames = [numKinds]string{
	DoubleCharge: "double_charge", OrphanCharge: "orphan_charge",
	DoubleReservation: "double_reservation", OrphanReservation: "orphan_reservation",
	ConfirmedUnpaid: "confirmed_unpaid", ConfirmedUnreserved: "confirmed_unreserved",
	NegativeStock: "negative_stock", Stuck: "stuck",
}

// Kinds returns every kind of violation, in the order of
// Report.Violations.
func Kinds() []Kind {
	ks := make([]Kind, numKinds)
	for i := range ks {
		ks[i] = Kind(i)
	}
	return ks
}

// String returns the kind's name in snake case (double_charge, …).
func (k Kind) String() string {
	if k < numKinds {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// MarshalText writes the kind's name.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// DefaultSamples is how many sample ids a violation keeps when
// Input.Samples is 0.
const DefaultSamples = 10

// MaxTimeToConsistency is the highest time to consistency the histogram
// tells apart; longer ones are recorded as this.
const MaxTimeToConsistency = time.Hour

// Input is what Check reads: a snapshot of each store and, optionally, the
// operations intended.
type Input struct {
	Orders    OrdersSnapshot
	Payments  PaymentsSnapshot
	Inventory InventorySnapshot
	// Intended holds the operations sent, by id, with their intended send
	// times. An intended operation with no state in any store counts as
	// not placed; time to consistency is measured from its intended time.
	// Operations found in the stores and not here are checked all the
	// same, without a time to consistency. May be nil.
	Intended map[uint64]time.Time
	// Final says the run is drained: an order still pending is stuck, and
	// money or stock taken for it is orphaned. Otherwise (a sample during
	// the run) an operation whose order is pending or not there yet is in
	// flight, and counts only under what no later step can undo: double
	// charge and double reservation. Terminal orders and stock are checked
	// in full either way.
	Final bool
	// Samples bounds the ids each violation keeps; DefaultSamples when 0.
	Samples int
}

// Violation is one kind of broken invariant: how many operations (items,
// for NegativeStock) broke it, and the smallest of their ids.
type Violation struct {
	Kind    Kind
	Count   int64
	Samples []uint64
}

// Durations are quantiles of a histogram of durations.
type Durations struct {
	Count         int64
	P50, P99, Max time.Duration
}

// Report is the checker's verdict. Every operation checked is counted in
// exactly one of Confirmed, Cancelled, InFlight, NotPlaced and
// Inconsistent.
type Report struct {
	// Ops is the number of operations checked: intended, or found in any
	// store.
	Ops int64
	// Confirmed and Cancelled count the operations that are consistent and
	// terminal: confirmed with exactly one charge (not refunded) and one
	// unit reserved (not released), or cancelled with a net charge of 0
	// and nothing held; in either case never charged or reserved twice.
	Confirmed int64
	Cancelled int64
	// InFlight counts operations whose saga has not ended, in a sample; 0
	// in a final check.
	InFlight int64
	// NotPlaced counts, in a final check, the operations with no order
	// and nothing charged or held: the request failed before an order was
	// placed (or, with no order, what was taken was given back). In a
	// sample they are in flight.
	NotPlaced int64
	// Inconsistent counts the operations with at least one violation.
	Inconsistent int64
	// Violations has one entry per kind, in the order of Kinds.
	Violations []Violation
	// TimeToConsistency is, over the consistent operations that were
	// intended, the time from the intended send time to the commit that
	// made the operation consistent and terminal (the last commit of any
	// of its state).
	TimeToConsistency Durations
	// Histogram holds those times in µs (1 µs to MaxTimeToConsistency, 3
	// significant digits), for merging.
	Histogram *hdr.Histogram
}

// Consistent returns the operations consistent and terminal.
func (r Report) Consistent() int64 { return r.Confirmed + r.Cancelled }

// Count returns the count of violations of kind k.
func (r Report) Count(k Kind) int64 {
	if int(k) < len(r.Violations) {
		return r.Violations[k].Count
	}
	return 0
}

// Violating returns the violation counts, summed over kinds.
func (r Report) Violating() int64 {
	var n int64
	for _, v := range r.Violations {
		n += v.Count
	}
	return n
}

// checker accumulates a Report.
type checker struct {
	in      Input
	r       Report
	samples int
	// intendedSeen counts the intended operations met in the stores.
	intendedSeen int64
}

// Check decides, for every operation intended or found in the snapshots,
// whether it is consistent and terminal, in flight, never placed, or
// breaks invariants (and which), and checks every item's stock. It only
// reads in.
//
// Take the orders snapshot first, then the others: a saga's last step is
// its order's status, so stores read after the orders hold everything a
// terminal order's saga did. Read the other way round, a sample taken
// while writers run can catch an order confirmed after its charge was
// read as not made yet.
func Check(in Input) Report {
	c := checker{in: in, samples: in.Samples}
	if c.samples <= 0 {
		c.samples = DefaultSamples
	}
	c.r.Violations = make([]Violation, numKinds)
	for k := range c.r.Violations {
		c.r.Violations[k].Kind = Kind(k)
	}
	c.r.Histogram = hdr.New(1, MaxTimeToConsistency.Microseconds(), 3)

	// Each operation once: those with an order, those with a payment and
	// no order, those with a reservation only.
	for op, order := range in.Orders.Orders {
		c.op(op, order)
	}
	for op := range in.Payments.Ops {
		if _, ok := in.Orders.Orders[op]; !ok {
			c.op(op, OrderState{})
		}
	}
	for op := range in.Inventory.Ops {
		_, ordered := in.Orders.Orders[op]
		_, paid := in.Payments.Ops[op]
		if !ordered && !paid {
			c.op(op, OrderState{})
		}
	}
	// Intended operations of which no store holds anything: counted, not
	// looked at one by one (no id of theirs is a sample).
	absent := int64(len(in.Intended)) - c.intendedSeen
	c.r.Ops += absent
	if in.Final {
		c.r.NotPlaced += absent
	} else {
		c.r.InFlight += absent
	}
	for item, n := range in.Inventory.Available {
		if n < 0 {
			c.violate(NegativeStock, uint64(item))
		}
	}
	for k := range c.r.Violations {
		v := &c.r.Violations[k]
		slices.Sort(v.Samples)
		v.Samples = slices.Clip(v.Samples[:min(len(v.Samples), c.samples)])
	}

	h := c.r.Histogram
	c.r.TimeToConsistency = Durations{Count: h.TotalCount()}
	if h.TotalCount() > 0 {
		c.r.TimeToConsistency.P50 = time.Duration(h.ValueAtQuantile(50)) * time.Microsecond
		c.r.TimeToConsistency.P99 = time.Duration(h.ValueAtQuantile(99)) * time.Microsecond
		c.r.TimeToConsistency.Max = time.Duration(h.Max()) * time.Microsecond
	}
	return c.r
}

// op classifies one operation; order is its order, the zero OrderState
// (NotPlaced) when it has none.
func (c *checker) op(op uint64, order OrderState) {
	c.r.Ops++
	intended, wasIntended := c.in.Intended[op]
	if wasIntended {
		c.intendedSeen++
	}
	pay := c.in.Payments.Ops[op]
	inv := c.in.Inventory.Ops[op]
	terminal := order.Status == Confirmed || order.Status == Cancelled

	var broken []Kind
	if pay.Charges > 1 {
		broken = append(broken, DoubleCharge)
	}
	if inv.Reservations > 1 {
		broken = append(broken, DoubleReservation)
	}
	if terminal || c.in.Final {
		if order.Status == Confirmed {
			if pay.Net <= 0 {
				broken = append(broken, ConfirmedUnpaid)
			}
			if inv.Held <= 0 {
				broken = append(broken, ConfirmedUnreserved)
			}
		} else {
			if pay.Net != 0 {
				broken = append(broken, OrphanCharge)
			}
			if inv.Held != 0 {
				broken = append(broken, OrphanReservation)
			}
		}
		if order.Status == Pending {
			broken = append(broken, Stuck)
		}
	}

	switch {
	case len(broken) > 0:
		c.r.Inconsistent++
		for _, k := range broken {
			c.violate(k, op)
		}
	case !terminal && c.in.Final:
		c.r.NotPlaced++ // not pending (that is Stuck), nothing kept (that is an orphan)
	case !terminal:
		c.r.InFlight++
	default:
		if order.Status == Confirmed {
			c.r.Confirmed++
		} else {
			c.r.Cancelled++
		}
		if wasIntended {
			last := latest(order.At, pay.At, inv.At)
			us := min(max(last.Sub(intended).Microseconds(), 1), MaxTimeToConsistency.Microseconds())
			_ = c.r.Histogram.RecordValue(us) // within range by construction
		}
	}
}

// violate counts one violation of kind k by id. Every id is kept until
// Check keeps the smallest.
func (c *checker) violate(k Kind, id uint64) {
	v := &c.r.Violations[k]
	v.Count++
	v.Samples = append(v.Samples, id)
}

// latest returns the latest of ts.
func latest(ts ...time.Time) time.Time {
	var l time.Time
	for _, t := range ts {
		if t.After(l) {
			l = t
		}
	}
	return l
}
