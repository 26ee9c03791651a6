package load

import (
	"errors"
	"math"
	"testing"
	"time"
)

func TestConstant(t *testing.T) {
	tests := []struct {
		rate float64
		n    uint64
		want time.Duration
	}{
		{1000, 0, 0},
		{1000, 1, time.Millisecond},
		{1000, 3, 3 * time.Millisecond},
		{1000, 1_000_000, 1000 * time.Second},
		{3, 1, 333_333_333},
		{3, 2, 666_666_667},
		{3, 3, time.Second},
		{3, 3_000_000, 1_000_000 * time.Second},
		{0.5, 1, 2 * time.Second},
		{2500, 7, 2800 * time.Microsecond},
		{1e9, 12345, 12345},
		{0, 1, time.Duration(math.MaxInt64)},
		{-5, 1, time.Duration(math.MaxInt64)},
		{math.NaN(), 1, time.Duration(math.MaxInt64)},
		{1e-9, math.MaxUint64, time.Duration(math.MaxInt64)}, // saturates
	}
	for _, tt := range tests {
		if got := Constant(tt.rate).At(tt.n); got != tt.want {
			t.Errorf("Constant(%v).At(%d) = %v, want %v", tt.rate, tt.n, got, tt.want)
		}
	}
}

func TestConstantNoAccumulatedError(t *testing.T) {
	p := Constant(7)
	for n := uint64(0); n <= 7_000_000; n += 7 {
		if got, want := p.At(n), time.Duration(n/7)*time.Second; got != want {
			t.Fatalf("At(%d) = %v, want %v", n, got, want)
		}
	}
}

func TestPoissonMean(t *testing.T) {
	const draws = 100_000
	for _, rate := range []float64{10, 1000, 50_000} {
		p := Poisson(rate, 42)
		last := p.At(draws - 1)
		mean := last.Seconds() / draws
		want := 1 / rate
		// The mean of 100k exponential gaps has a relative standard error of
		// 1/sqrt(100k) ≈ 0.32%; 2% is over six standard errors.
		if math.Abs(mean-want)/want > 0.02 {
			t.Errorf("rate %v: mean gap %v s, want %v s ±2%%", rate, mean, want)
		}
	}
}

func TestPoissonDeterministic(t *testing.T) {
	a, b, c := Poisson(100, 7), Poisson(100, 7), Poisson(100, 8)
	differ := false
	for n := range uint64(1000) {
		x, y, z := a.At(n), b.At(n), c.At(n)
		if x != y {
			t.Fatalf("same seed, At(%d): %v != %v", n, x, y)
		}
		differ = differ || x != z
	}
	if !differ {
		t.Errorf("seeds 7 and 8 gave the same schedule")
	}
	// Going back replays the same schedule.
	want := a.At(10)
	if got := Poisson(100, 7).At(10); got != want {
		t.Errorf("fresh At(10) = %v, want %v", got, want)
	}
	if got := a.At(10); got != want {
		t.Errorf("replayed At(10) = %v, want %v", got, want)
	}
	if Poisson(0, 1).At(0) != time.Duration(math.MaxInt64) {
		t.Errorf("rate 0 schedules something")
	}
}

func TestPacersNonDecreasing(t *testing.T) {
	pacers := map[string]Pacer{
		"constant 1000":   Constant(1000),
		"constant 3":      Constant(3),
		"constant 1e7":    Constant(1e7),
		"poisson 1000":    Poisson(1000, 1),
		"poisson 1e6":     Poisson(1e6, 2),
		"poisson 0.01/s":  Poisson(0.01, 3),
		"constant 0.01/s": Constant(0.01),
	}
	for name, p := range pacers {
		prev := p.At(0)
		if prev < 0 {
			t.Errorf("%s: At(0) = %v", name, prev)
		}
		for n := uint64(1); n < 100_000; n++ {
			cur := p.At(n)
			if cur < prev {
				t.Fatalf("%s: At(%d) = %v < At(%d) = %v", name, n, cur, n-1, prev)
			}
			prev = cur
		}
	}
}

func TestNewPacer(t *testing.T) {
	steps := func(st ...Step) Shape { return Shape{Arrival: "steps", Rate: 100, Steps: st} }
	burst := func(b Burst) Shape { return Shape{Arrival: "burst", Rate: 100, Burst: b} }
	tests := []struct {
		name    string
		shape   Shape
		wantErr error
	}{
		{"constant", Shape{Arrival: "constant", Rate: 100}, nil},
		{"poisson", Shape{Arrival: "poisson", Rate: 100}, nil},
		{"ramp", Shape{Arrival: "ramp", Rate: 100, To: 2000, End: time.Second}, nil},
		{"ramp down", Shape{Arrival: "ramp", Rate: 2000, To: 100, End: time.Second}, nil},
		{"steps", steps(Step{0, 5}, Step{time.Second, 500}), nil},
		{"burst", burst(Burst{At: time.Second, For: time.Second, Rate: 1000}), nil},
		{"burst at 0", burst(Burst{For: time.Second, Rate: 1000}), nil},
		{"unknown", Shape{Arrival: "gaussian", Rate: 100}, ErrUnknownArrival},
		{"no arrival", Shape{Rate: 100}, ErrUnknownArrival},
		{"rate 0", Shape{Arrival: "constant"}, ErrInvalidRate},
		{"rate negative", Shape{Arrival: "poisson", Rate: -1}, ErrInvalidRate},
		{"rate inf", Shape{Arrival: "constant", Rate: math.Inf(1)}, ErrInvalidRate},
		{"rate nan", Shape{Arrival: "ramp", Rate: math.NaN(), To: 1, End: time.Second}, ErrInvalidRate},
		{"ramp to 0", Shape{Arrival: "ramp", Rate: 100, End: time.Second}, ErrInvalidRate},
		{"ramp no end", Shape{Arrival: "ramp", Rate: 100, To: 200}, ErrInvalidShape},
		{"no steps", steps(), ErrInvalidShape},
		{"step rate 0", steps(Step{time.Second, 0}), ErrInvalidRate},
		{"step negative", steps(Step{-time.Second, 5}), ErrInvalidShape},
		{"steps same at", steps(Step{time.Second, 5}, Step{time.Second, 6}), ErrInvalidShape},
		{"steps backwards", steps(Step{2 * time.Second, 5}, Step{time.Second, 6}), ErrInvalidShape},
		{"burst no length", burst(Burst{At: time.Second, Rate: 1000}), ErrInvalidShape},
		{"burst negative", burst(Burst{At: -time.Second, For: time.Second, Rate: 1000}), ErrInvalidShape},
		{"burst overflow", burst(Burst{At: never - 1, For: time.Second, Rate: 1000}), ErrInvalidShape},
		{"burst rate nan", burst(Burst{At: time.Second, For: time.Second, Rate: math.NaN()}), ErrInvalidRate},
	}
	for _, tt := range tests {
		p, err := NewPacer(tt.shape, 1)
		if !errors.Is(err, tt.wantErr) {
			t.Errorf("%s: NewPacer(%+v) error = %v, want %v", tt.name, tt.shape, err, tt.wantErr)
		}
		if (err == nil) != (p != nil) {
			t.Errorf("%s: NewPacer(%+v) = %v, %v", tt.name, tt.shape, p, err)
		}
	}
}

func BenchmarkPacerConstant(b *testing.B) {
	p := Constant(1000)
	b.ReportAllocs()
	var n uint64
	for b.Loop() {
		_ = p.At(n)
		n++
	}
}

func BenchmarkPacerPoisson(b *testing.B) {
	p := Poisson(1000, 42)
	b.ReportAllocs()
	var n uint64
	for b.Loop() {
		_ = p.At(n)
		n++
	}
}
