package faults

import (
	"sync"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// lateness counts how late delayed bytes left their line against their due
// time: the fault layer's own error on an injected latency. Pumps record
// into it; a fault's owner reads it over the fault's window (LatenessMark,
// LatenessSince). Bytes are never due early, so every value is >= 0.
type lateness struct {
	mu sync.Mutex
	h  *hdrhistogram.Histogram // microseconds; allocated on first use
}

// latenessMaxUS bounds a recorded lateness (60 s); larger values are
// clamped, so a stalled machine still shows as a huge number.
const latenessMaxUS = 60_000_000

// record adds one delivery ns nanoseconds after its due time. It does not
// allocate once the histogram exists.
func (l *lateness) record(ns int64) {
	us := min(max(ns/1000, 0), latenessMaxUS)
	l.mu.Lock()
	if l.h == nil {
		l.h = hdrhistogram.New(1, latenessMaxUS, 3)
	}
	l.h.RecordValue(us)
	l.mu.Unlock()
}

// LatenessMark is a reading of a Net's lateness counts.
type LatenessMark struct{ counts []int64 }

// Lateness summarizes deliveries between two readings.
type Lateness struct {
	// Deliveries counts runs of delayed bytes delivered.
	Deliveries int64
	// P50 ... Max are how late they left, against their due time.
	P50, P90, P99, P999, Max float64 // milliseconds
}

// LatenessMark reads how many delayed runs were delivered so far, and how
// late, for LatenessSince.
func (n *Net) LatenessMark() LatenessMark {
	n.late.mu.Lock()
	defer n.late.mu.Unlock()
	if n.late.h == nil {
		return LatenessMark{}
	}
	return LatenessMark{counts: n.late.h.Export().Counts}
}

// LatenessSince reports how late delayed bytes were delivered since m, on
// every link of n: when latency faults overlap, each one's window includes
// the others' deliveries.
func (n *Net) LatenessSince(m LatenessMark) Lateness {
	n.late.mu.Lock()
	if n.late.h == nil {
		n.late.mu.Unlock()
		return Lateness{}
	}
	s := n.late.h.Export()
	n.late.mu.Unlock()
	for i := range m.counts {
		s.Counts[i] -= m.counts[i]
	}
	h := hdrhistogram.Import(s)
	ms := func(us int64) float64 { return float64(us) / 1e3 }
	return Lateness{
		Deliveries: h.TotalCount(),
		P50:        ms(h.ValueAtQuantile(50)),
		P90:        ms(h.ValueAtQuantile(90)),
		P99:        ms(h.ValueAtQuantile(99)),
		P999:       ms(h.ValueAtQuantile(99.9)),
		Max:        ms(h.Max()),
	}
}
