package load

import (
	"math"
	"testing"
	"time"
)

// Shapes the tests below run, with the load's end (warm-up + duration).
var testShapes = []struct {
	name  string
	shape Shape
	end   time.Duration
}{
	{"ramp up", Shape{Arrival: ArrivalRamp, Rate: 100, To: 2000, End: 22 * time.Second}, 22 * time.Second},
	{"ramp down", Shape{Arrival: ArrivalRamp, Rate: 3000, To: 7, End: 10 * time.Second}, 12 * time.Second},
	{"ramp flat", Shape{Arrival: ArrivalRamp, Rate: 300, To: 300, End: 5 * time.Second}, 5 * time.Second},
	{"ramp slight", Shape{Arrival: ArrivalRamp, Rate: 1000, To: 1000.001, End: 20 * time.Second}, 20 * time.Second},
	{"steps", Shape{Arrival: ArrivalSteps, Rate: 100, Steps: []Step{{5 * time.Second, 500}, {10 * time.Second, 1000}}}, 22 * time.Second},
	{"steps odd", Shape{Arrival: ArrivalSteps, Rate: 3, Steps: []Step{{0, 7}, {1234567 * time.Microsecond, 0.5}, {3 * time.Second, 999.9}}}, 9 * time.Second},
	{"burst", Shape{Arrival: ArrivalBurst, Rate: 200, Burst: Burst{At: 8 * time.Second, For: 5 * time.Second, Rate: 2000}}, 22 * time.Second},
	{"burst at 0", Shape{Arrival: ArrivalBurst, Rate: 10, Burst: Burst{For: 333 * time.Millisecond, Rate: 30_000}}, 2 * time.Second},
	{"burst to end", Shape{Arrival: ArrivalBurst, Rate: 50, Burst: Burst{At: 1500 * time.Millisecond, For: 500 * time.Millisecond, Rate: 7777}}, 2 * time.Second},
}

func mustPacer(t testing.TB, s Shape) Pacer {
	t.Helper()
	p, err := NewPacer(s, 1)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func mustRates(t testing.TB, s Shape) *rateFunc {
	t.Helper()
	f, err := s.rates()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// offsets returns every offset p schedules before end.
func offsets(p Pacer, end time.Duration) []time.Duration {
	var out []time.Duration
	for n := uint64(0); ; n++ {
		at := p.At(n)
		if at >= end {
			return out
		}
		out = append(out, at)
	}
}

func TestShapedNonDecreasing(t *testing.T) {
	for _, tt := range testShapes {
		got := offsets(mustPacer(t, tt.shape), 2*tt.end)
		if len(got) == 0 || got[0] != 0 {
			t.Errorf("%s: first offsets %v, want 0 first", tt.name, got[:min(len(got), 3)])
			continue
		}
		for n := 1; n < len(got); n++ {
			if got[n] < got[n-1] {
				t.Fatalf("%s: At(%d) = %v < At(%d) = %v", tt.name, n, got[n], n-1, got[n-1])
			}
		}
	}
}

// The requests in every window are the integral of the rate over it, within
// one, for windows of several lengths, aligned or not with the pieces.
func TestShapedCountsMatchIntegral(t *testing.T) {
	for _, tt := range testShapes {
		f := mustRates(t, tt.shape)
		got := offsets(mustPacer(t, tt.shape), tt.end)
		for _, w := range []time.Duration{time.Second, 100 * time.Millisecond, 37 * time.Millisecond, 1234567 * time.Microsecond, tt.end} {
			i := 0 // first offset at or after t0
			for t0 := time.Duration(0); t0 < tt.end; t0 += w {
				t1 := min(t0+w, tt.end)
				j := i
				for j < len(got) && got[j] < t1 {
					j++
				}
				if want := f.count(t1) - f.count(t0); math.Abs(float64(j-i)-want) > 1 {
					t.Errorf("%s: %d requests in [%v, %v), integral %.3f", tt.name, j-i, t0, t1, want)
				}
				i = j
			}
		}
		if want := f.count(tt.end); math.Abs(float64(len(got))-want) > 1 {
			t.Errorf("%s: %d requests in all, integral %.3f", tt.name, len(got), want)
		}
	}
}

func TestStepsBoundaries(t *testing.T) {
	p := mustPacer(t, Shape{Arrival: ArrivalSteps, Rate: 100, Steps: []Step{{5 * time.Second, 500}, {10 * time.Second, 1000}}})
	want := map[uint64]time.Duration{
		0:    0,
		1:    10 * time.Millisecond,
		499:  4990 * time.Millisecond,
		500:  5 * time.Second, // the first step, exactly
		501:  5002 * time.Millisecond,
		2999: 9998 * time.Millisecond, // 500 + 5 s × 500/s = 3000 at 10 s
		3000: 10 * time.Second,
		3001: 10001 * time.Millisecond,
		5000: 12 * time.Second, // 1000/s holds after the last step
	}
	for n := uint64(0); n <= 5000; n++ { // in order, as the generator asks
		got := p.At(n)
		if w, ok := want[n]; ok && got != w {
			t.Errorf("At(%d) = %v, want %v", n, got, w)
		}
	}
	// A step at 0 replaces the base rate from the start.
	q := mustPacer(t, Shape{Arrival: ArrivalSteps, Rate: 1, Steps: []Step{{0, 1000}}})
	if got := q.At(1); got != time.Millisecond {
		t.Errorf("step at 0: At(1) = %v, want 1ms", got)
	}
}

func TestBurstBoundaries(t *testing.T) {
	p := mustPacer(t, Shape{Arrival: ArrivalBurst, Rate: 200, Burst: Burst{At: 8 * time.Second, For: 5 * time.Second, Rate: 2000}})
	want := map[uint64]time.Duration{
		1599:  7995 * time.Millisecond,
		1600:  8 * time.Second, // the burst starts
		1601:  8000500 * time.Microsecond,
		11599: 12999500 * time.Microsecond, // 1600 + 5 s × 2000/s = 11600 at 13 s
		11600: 13 * time.Second,            // the base rate again
		11601: 13005 * time.Millisecond,
		13400: 22 * time.Second,
	}
	for n := uint64(0); n <= 13400; n++ {
		got := p.At(n)
		if w, ok := want[n]; ok && got != w {
			t.Errorf("At(%d) = %v, want %v", n, got, w)
		}
	}
}

func TestRampEndpoints(t *testing.T) {
	const from, to = 100.0, 2000.0
	end := 22 * time.Second
	p := mustPacer(t, Shape{Arrival: ArrivalRamp, Rate: from, To: to, End: end})
	// N(end) = (100 + 2000)/2 × 22 = 23100.
	const last = 23100
	near := func(got, want time.Duration, tol time.Duration) bool { return (got - want).Abs() <= tol }
	var at [last + 3]time.Duration
	for n := range uint64(len(at)) {
		at[n] = p.At(n)
	}
	if at[0] != 0 {
		t.Errorf("At(0) = %v, want 0", at[0])
	}
	// The first gap is one request at the start rate (the rate rises a
	// little within it: slope 86.4/s²).
	if gap := at[1] - at[0]; !near(gap, time.Second/100, 50*time.Microsecond) {
		t.Errorf("first gap %v, want about %v", gap, time.Second/100)
	}
	if !near(at[last], end, time.Nanosecond) {
		t.Errorf("At(%d) = %v, want %v", last, at[last], end)
	}
	if gap := at[last] - at[last-1]; !near(gap, time.Second/2000, 100*time.Nanosecond) {
		t.Errorf("last gap of the ramp %v, want about %v", gap, time.Second/2000)
	}
	for n := last + 1; n < len(at); n++ { // after the end the rate holds at to
		if gap := at[n] - at[n-1]; !near(gap, time.Second/2000, time.Nanosecond) {
			t.Errorf("gap after the end At(%d)-At(%d) = %v, want %v", n, n-1, gap, time.Second/2000)
		}
	}
	// Half-way in time the rate is the mean of the two.
	f := mustRates(t, Shape{Arrival: ArrivalRamp, Rate: from, To: to, End: end})
	if r := f.rate(end / 2); math.Abs(r-(from+to)/2) > 1e-9 {
		t.Errorf("rate at half-way = %v, want %v", r, (from+to)/2)
	}
}

// Asking again for an earlier request gives the same offset.
func TestShapedOutOfOrder(t *testing.T) {
	for _, tt := range testShapes {
		p := mustPacer(t, tt.shape)
		want := offsets(mustPacer(t, tt.shape), tt.end)
		for _, n := range []int{len(want) - 1, 0, len(want) / 2, 1, len(want) - 1, len(want) / 3} {
			if got := p.At(uint64(n)); got != want[n] {
				t.Errorf("%s: At(%d) out of order = %v, want %v", tt.name, n, got, want[n])
			}
		}
	}
}

func TestPacersAllocateNothing(t *testing.T) {
	pacers := map[string]Pacer{"constant": Constant(1000), "poisson": Poisson(1000, 1)}
	for _, tt := range testShapes {
		pacers[tt.name] = mustPacer(t, tt.shape)
	}
	for name, p := range pacers {
		var n uint64
		if a := testing.AllocsPerRun(10_000, func() { p.At(n); n += 7 }); a != 0 {
			t.Errorf("%s: %v allocations per At", name, a)
		}
	}
}

func TestPeak(t *testing.T) {
	tests := []struct {
		shape Shape
		want  float64
	}{
		{Shape{Arrival: ArrivalConstant, Rate: 100, To: 5000}, 100},
		{Shape{Arrival: ArrivalPoisson, Rate: 100}, 100},
		{Shape{Arrival: ArrivalRamp, Rate: 100, To: 2000}, 2000},
		{Shape{Arrival: ArrivalRamp, Rate: 2000, To: 100}, 2000},
		{Shape{Arrival: ArrivalSteps, Rate: 100, Steps: []Step{{1, 700}, {2, 300}}}, 700},
		{Shape{Arrival: ArrivalSteps, Rate: 900, Steps: []Step{{1, 700}}}, 900},
		{Shape{Arrival: ArrivalBurst, Rate: 300, Burst: Burst{Rate: 3000}}, 3000},
	}
	for _, tt := range tests {
		if got := tt.shape.Peak(); got != tt.want {
			t.Errorf("%+v.Peak() = %v, want %v", tt.shape, got, tt.want)
		}
	}
}

func BenchmarkPacerShaped(b *testing.B) {
	for _, tt := range testShapes {
		b.Run(tt.name, func(b *testing.B) {
			p := mustPacer(b, tt.shape)
			b.ReportAllocs()
			var n uint64
			for b.Loop() {
				_ = p.At(n)
				n++
			}
		})
	}
}
