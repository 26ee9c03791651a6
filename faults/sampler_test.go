package faults

import (
	"slices"
	"testing"
	"time"
)

func draws(s *sampler, spec LatencySpec, k int) []time.Duration {
	out := make([]time.Duration, k)
	for i := range out {
		out[i] = s.draw(spec)
	}
	return out
}

// The same seed, link, ordinal and direction replay the same delays; any
// other stream differs.
func TestSamplerReplays(t *testing.T) {
	spec := LatencySpec{Mean: 20 * time.Millisecond, Jitter: 5 * time.Millisecond, Dist: DistNormal}
	link := Link{"order#0", "payment#1"}
	want := draws(newSampler(42, link, 0, Outbound), spec, 100)
	if got := draws(newSampler(42, link, 0, Outbound), spec, 100); !slices.Equal(got, want) {
		t.Fatal("same seed drew different delays")
	}
	for name, s := range map[string]*sampler{
		"seed":      newSampler(43, link, 0, Outbound),
		"link":      newSampler(42, Link{"order#0", "payment#0"}, 0, Outbound),
		"ordinal":   newSampler(42, link, 1, Outbound),
		"direction": newSampler(42, link, 0, Inbound),
	} {
		if slices.Equal(draws(s, spec, 100), want) {
			t.Errorf("another %s drew the same delays", name)
		}
	}
}

// Connections dialed in the same order under the same seed get the same
// streams, so a run replays.
func TestConnSamplersReplay(t *testing.T) {
	spec := LatencySpec{Mean: time.Hour, Jitter: time.Minute}
	first := func() [][]time.Duration {
		n := NewNet()
		n.SetSeed(7)
		defer n.Apply(LinkRule{Match: LinkSpec{From: "a", To: "b", Both: true}, Latency: spec})()
		var out [][]time.Duration
		for range 2 {
			c, _ := pipeConn(t, n, Link{"a", "b"})
			for _, d := range []Direction{Outbound, Inbound} {
				out = append(out, draws(c.lines[d].smp, spec, 10))
			}
		}
		return out
	}
	a, b := first(), first()
	for i := range a {
		if !slices.Equal(a[i], b[i]) {
			t.Fatalf("stream %d differs between runs", i)
		}
	}
	if want := draws(newSampler(7, Link{"a", "b"}, 1, Inbound), spec, 10); !slices.Equal(a[3], want) {
		t.Fatal("second conn's inbound stream is not (seed, link, 1, in)")
	}
}

// Draws follow the spec and never go below zero.
func TestSamplerDistributions(t *testing.T) {
	const mean, jit = 10 * time.Millisecond, 4 * time.Millisecond
	s := newSampler(1, Link{"a", "b"}, 0, Outbound)
	for _, tc := range []struct {
		spec     LatencySpec
		min, max time.Duration
	}{
		{LatencySpec{Mean: mean}, mean, mean},
		{LatencySpec{Mean: mean, Jitter: jit, Dist: DistFixed}, mean, mean},
		{LatencySpec{Mean: mean, Jitter: jit}, mean - jit, mean + jit},
		{LatencySpec{Mean: mean, Jitter: jit, Dist: "bogus"}, mean - jit, mean + jit},
		{LatencySpec{Mean: mean, Jitter: 5 * mean, Dist: DistNormal}, 0, time.Hour},
		{LatencySpec{Mean: mean, Jitter: jit, Dist: DistLognormal}, 1, time.Hour},
		{LatencySpec{Jitter: jit, Dist: DistLognormal}, 0, 0},
	} {
		var below int
		for _, d := range draws(s, tc.spec, 2000) {
			if d < tc.min || d > tc.max {
				t.Fatalf("%+v drew %v, want in [%v, %v]", tc.spec, d, tc.min, tc.max)
			}
			if d < tc.spec.Mean {
				below++
			}
		}
		if tc.spec.Jitter > 0 && tc.spec.Mean > 0 && tc.spec.Dist != DistFixed && (below < 800 || below > 1200) {
			t.Errorf("%+v: %d of 2000 draws below the mean/median", tc.spec, below)
		}
	}
}
