package metrics

import (
	"testing"
	"time"

	"github.com/faultline-sim/faultline/reports/result"
)

// Completions count in the second of their operation's intended send
// time, however late they complete, and a window merges its seconds'
// histograms (a p99 of per-second p99s would be wrong).
func TestLedgerCompletionWindow(t *testing.T) {
	t0 := time.Now()
	l := NewLedger(map[string][]string{"s": {"g"}}, time.Minute)
	l.PerSecond(4 * time.Second)
	l.Start(t0)
	id := uint64(0)
	op := func(intended, took time.Duration) {
		id++
		l.Publishing(id, id, t0.Add(intended), "s")
		l.Acked(id)
		l.Processed(id, "g", false, t0.Add(intended+took))
	}
	// Second 0: 99 fast operations and 1 slow; second 1: 100 at 5 ms;
	// second 2: 10 started there, completed 3 s later (in second 5);
	// second 3 (and past the window): none, then 1 at 7 s (counts in the
	// last second); warm-up (before t0): 1, left out.
	for i := range 99 {
		op(time.Duration(i)*time.Millisecond, time.Millisecond)
	}
	op(990*time.Millisecond, 900*time.Millisecond)
	for i := range 100 {
		op(time.Second+time.Duration(i)*time.Millisecond, 5*time.Millisecond)
	}
	for i := range 10 {
		op(2*time.Second+time.Duration(i)*time.Millisecond, 3*time.Second)
	}
	op(-time.Second, time.Millisecond)

	w := l.CompletionWindow(0, time.Second)
	if w == nil || w.Completed != 100 || w.P99MS == nil || *w.P99MS < 0.9 || *w.P99MS > 1.1 || *w.MaxMS < 899 {
		t.Errorf("second 0: %+v", w)
	}
	w = l.CompletionWindow(0, 2*time.Second) // 200 merged: p99 is the 198th value, 5 ms
	if w == nil || w.Completed != 200 || w.CompletedRPS != 100 || *w.P99MS < 4.9 || *w.P99MS > 5.1 {
		t.Errorf("seconds 0-2: %+v p50 %v p99 %v", w, deref(w.P50MS), deref(w.P99MS))
	}
	w = l.CompletionWindow(2*time.Second, 3*time.Second) // started in 2, completed in 5
	if w == nil || w.Completed != 10 || *w.P50MS < 2990 {
		t.Errorf("second 2: %+v", w)
	}
	w = l.CompletionWindow(1500*time.Millisecond, 2500*time.Millisecond) // rounded outwards: seconds 1 and 2
	if w == nil || w.Completed != 110 || w.CompletedRPS != 55 {
		t.Errorf("[1.5 s, 2.5 s): %+v", w)
	}
	w = l.CompletionWindow(3*time.Second, 4*time.Second) // none completed: n/a, not 0 ms
	if w == nil || w.Completed != 0 || w.P50MS != nil || w.P99MS != nil || w.CompletedRPS != 0 {
		t.Errorf("second 3, no completion: %+v", w)
	}
	if l.CompletionWindow(-2*time.Second, 0) != nil || l.CompletionWindow(4*time.Second, 6*time.Second) != nil {
		t.Error("a window outside the recorded one is not nil")
	}
	op(7*time.Second, 2*time.Millisecond) // past the window: its last second
	if w := l.CompletionWindow(3*time.Second, 4*time.Second); w.Completed != 1 {
		t.Errorf("an operation past the window does not count in its last second: %+v", w)
	}

	v := result.Variant{Timeline: make([]result.Second, 4)}
	for i := range v.Timeline {
		v.Timeline[i].Second = i
	}
	l.Fill(&v)
	if v.Completed != 211 {
		t.Errorf("completed %d, want 211 (warm-up left out)", v.Completed)
	}
	for i, want := range []int64{100, 100, 10, 1} {
		s := v.Timeline[i]
		if s.Completed != want || s.CompletionP99MS == nil {
			t.Errorf("timeline second %d: completed %d p99 %v, want %d", i, s.Completed, s.CompletionP99MS, want)
		}
	}
	if p := *v.Timeline[2].CompletionP99MS; p < 2990 {
		t.Errorf("second 2 completion p99 %v ms, want ~3000", p)
	}
}

// Without PerSecond, no window is kept and the timeline carries none.
func TestLedgerCompletionWindowOff(t *testing.T) {
	l := NewLedger(map[string][]string{"s": {"g"}}, time.Minute)
	t0 := time.Now()
	l.Start(t0)
	l.Publishing(1, 1, t0, "s")
	l.Acked(1)
	l.Processed(1, "g", false, t0.Add(time.Millisecond))
	if w := l.CompletionWindow(0, time.Second); w != nil {
		t.Errorf("window without PerSecond: %+v", w)
	}
	v := result.Variant{Timeline: []result.Second{{Second: 0}}}
	l.Fill(&v)
	if v.Timeline[0].CompletionP99MS != nil || v.Timeline[0].Completed != 0 {
		t.Errorf("timeline without PerSecond: %+v", v.Timeline[0])
	}
}

func deref(p *float64) float64 {
	if p == nil {
		return -1
	}
	return *p
}
