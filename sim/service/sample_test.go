package service

import (
	"slices"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/topologies"
)

func TestSamplerLognormalQuantiles(t *testing.T) {
	svc := &topologies.Service{Name: "payment", Work: topologies.Dist{P50: 5 * time.Millisecond, P99: 150 * time.Millisecond}}
	s := NewSampler(42, svc)
	const n = 200_000
	d := make([]time.Duration, n)
	for i := range d {
		d[i] = s.Work(uint64(i), 0, 1)
	}
	slices.Sort(d)
	// Generous statistical bounds: with 200k draws the empirical quantiles
	// are within a few percent of the asked ones.
	p50, p99 := d[n/2], d[n*99/100]
	if p50 < 4700*time.Microsecond || p50 > 5300*time.Microsecond {
		t.Errorf("p50 = %v, want ~5ms", p50)
	}
	if p99 < 135*time.Millisecond || p99 > 165*time.Millisecond {
		t.Errorf("p99 = %v, want ~150ms", p99)
	}
}

func TestSamplerRepeatableAndIndependent(t *testing.T) {
	svc := &topologies.Service{Name: "payment", Work: topologies.Dist{P50: time.Millisecond, P99: 10 * time.Millisecond}, ErrorRate: 0.1}
	a, b := NewSampler(7, svc), NewSampler(7, svc)
	other := NewSampler(8, svc)
	same, fails := 0, 0
	for op := range uint64(10_000) {
		if a.Work(op, 0, 1) != b.Work(op, 0, 1) || a.Fails(op, 0, 1) != b.Fails(op, 0, 1) {
			t.Fatalf("op %d: same seed, different draws", op)
		}
		if a.Work(op, 0, 1) == other.Work(op, 0, 1) {
			same++
		}
		if a.Fails(op, 0, 1) {
			fails++
		}
	}
	if same > 10 {
		t.Errorf("%d of 10000 draws equal under another seed", same)
	}
	if fails < 800 || fails > 1200 {
		t.Errorf("%d failures of 10000 at rate 0.1", fails)
	}
	// A retry (another attempt) draws afresh.
	differ := 0
	for op := range uint64(1000) {
		if a.Work(op, 0, 1) != a.Work(op, 0, 2) {
			differ++
		}
	}
	if differ < 990 {
		t.Errorf("only %d of 1000 retries drew a new work time", differ)
	}
}

func TestSamplerFixed(t *testing.T) {
	s := NewSampler(1, &topologies.Service{Name: "x", Work: topologies.Dist{P50: 3 * time.Millisecond}})
	for op := range uint64(100) {
		if got := s.Work(op, 0, 1); got != 3*time.Millisecond {
			t.Fatalf("fixed work = %v", got)
		}
		if s.Fails(op, 0, 1) {
			t.Fatal("error rate 0 failed")
		}
	}
}

func TestPoisonedIsAShareOfEventsWhateverTheAttempt(t *testing.T) {
	s := NewSampler(7, &topologies.Service{Name: "payment", Work: topologies.Dist{P50: time.Millisecond}})
	n := 0
	for ev := uint64(1); ev <= 100_000; ev++ {
		if s.Poisoned(0.01, ev) {
			n++
		}
		if s.Poisoned(0.01, ev) != s.Poisoned(0.01, ev) {
			t.Fatalf("event %d: not repeatable", ev)
		}
	}
	// 1% of 100,000 is 1,000; 5 standard deviations is ~157.
	if n < 843 || n > 1157 {
		t.Errorf("%d of 100000 events poisoned at 1%%", n)
	}
	if s.Poisoned(0, 1) {
		t.Error("rate 0 poisoned an event")
	}
}
