package metrics

import (
	"sync/atomic"
	"testing"
	"time"
)

func BenchmarkRecorderRecord(b *testing.B) {
	r := NewRecorder(60*time.Second, time.Minute)
	b.ReportAllocs()
	var i int
	for b.Loop() {
		at := time.Duration(i%60_000) * time.Millisecond
		r.Offered(at)
		r.Sent(at, 20*time.Microsecond)
		r.Record(at, time.Duration(i%5000)*time.Microsecond, OK)
		i++
	}
}

func BenchmarkRecorderRecordParallel(b *testing.B) {
	r := NewRecorder(60*time.Second, time.Minute)
	var seq atomic.Int64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := seq.Add(1)
			at := time.Duration(i%60_000) * time.Millisecond
			r.Offered(at)
			r.Sent(at, 20*time.Microsecond)
			r.Record(at, time.Duration(i%5000)*time.Microsecond, Outcome(i%int64(NumOutcomes)))
			r.InFlight(i % 64)
		}
	})
}

// BenchmarkLedger is one event's life: publish, ack, processing by each of
// two fan-out groups. The ledger keeps every event (for duplicates and
// lost), so its maps grow with b.N; allocations are that growth, amortized.
func BenchmarkLedger(b *testing.B) {
	l := NewLedger(map[string][]string{"order.placed": {"payment", "shipping"}}, time.Minute)
	now := time.Now()
	l.Start(now)
	b.ReportAllocs()
	var id uint64
	for b.Loop() {
		id++
		l.Publishing(id, id, now, "order.placed")
		l.Acked(id)
		l.Processed(id, "payment", false, now)
		l.Processed(id, "shipping", false, now)
	}
}

// BenchmarkEdgeRecord is one call's record on an edge: counters and the
// latency histogram. It must not allocate.
func BenchmarkEdgeRecord(b *testing.B) {
	e := NewEdges(nil, time.Minute)
	now := time.Now()
	e.Start(now, time.Hour)
	s := e.Edge("order", "payment")
	b.ReportAllocs()
	var i int
	for b.Loop() {
		s.Record(EdgeCall{Intended: now, Latency: time.Duration(i%5000) * time.Microsecond, Attempts: 1 + i%3, Retries: i % 3, OK: i%7 != 0})
		i++
	}
}
