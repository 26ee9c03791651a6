package sim

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/reports/result"
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/faultline-sim/faultline/topologies"
)

// A retried call is a new attempt: each attempt draws its own error (and
// request-fault decision), so with a transient failure probability p per
// attempt and k attempts, a call fails with probability p^k and makes
// (1 − p^k)/(1 − p) attempts on average. A sticky failure follows the
// operation: retries do not help.

// retryPair is order → payment, payment failing at error_rate %g (sticky
// when %t), order retrying internal errors up to %d attempts at once.
const retryPair = `
name: retry-pair
entry: order
services:
  - name: order
    work: 1ms
    calls:
      - service: payment
        policy: {retry: {max_attempts: %d, backoff: 0s, on: [internal, unavailable]}}
  - name: payment
    work: 1ms
    error_rate: %g
    error_sticky: %t
`

// runRetryPair runs yaml at 400/s for 5 s (2,000 operations; under the
// race detector, which slows the harness several times, 100/s for 5 s)
// with fs active over the whole run, and returns the variant and its
// order → payment edge.
func runRetryPair(t *testing.T, yaml string, fs ...faults.Fault) (result.Variant, result.Edge) {
	t.Helper()
	top, err := topologies.Parse("retry-pair.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	rate := 400.0
	if raceDetector {
		rate = 100
	}
	sc := &scenarios.Scenario{
		Name: "retry", Seed: 11, Duration: 5 * time.Second, Warmup: 500 * time.Millisecond, Drain: 10 * time.Second,
		Load:     scenarios.Load{Arrival: "constant", Rate: rate, Timeout: 5 * time.Second},
		Variants: []scenarios.Variant{{Name: "sync", Topology: top}},
	}
	for i := range fs {
		fs[i].For = sc.Warmup + sc.Duration + time.Second
	}
	sc.Faults = fs
	res, err := Run(context.Background(), sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	v := res.Variants[0]
	if v.Error != "" {
		t.Fatal(v.Error)
	}
	if r := v.Requests; r.Offered < int64(rate*4) || r.Succeeded+r.Failed != r.Offered {
		t.Fatalf("requests %+v", r)
	}
	for _, e := range v.Edges {
		if e.From == "order" && e.To == "payment" {
			return v, e
		}
	}
	t.Fatalf("no order → payment edge in %+v", v.Edges)
	return v, result.Edge{}
}

// binomialInterval returns the central 99% interval [lo, hi] of the number
// of successes of n trials with success probability p (exact, from the
// binomial distribution).
func binomialInterval(n int64, p float64) (lo, hi int64) {
	cdf := 0.0
	lo, hi = -1, n
	for k := int64(0); k <= n; k++ {
		cdf += math.Exp(logBinomial(n, k, p))
		if lo < 0 && cdf > 0.005 {
			lo = k
		}
		if cdf >= 0.995 {
			hi = k
			break
		}
	}
	return lo, hi
}

// logBinomial is the log of the binomial probability of k successes in n.
func logBinomial(n, k int64, p float64) float64 {
	a, _ := math.Lgamma(float64(n + 1))
	b, _ := math.Lgamma(float64(k + 1))
	c, _ := math.Lgamma(float64(n - k + 1))
	switch {
	case p == 0 && k == 0, p == 1 && k == n:
		return 0
	case p == 0 || p == 1:
		return math.Inf(-1)
	}
	return a - b - c + float64(k)*math.Log(p) + float64(n-k)*math.Log1p(-p)
}

// attemptsTolerance returns the mean attempts per call of k attempts at
// per-attempt failure probability p, and a tolerance for the mean over n
// calls: 3.29 standard errors (a 99.9% normal interval; n is ~2,000 here,
// so the mean is close to normal).
func attemptsTolerance(p float64, k int, n int64) (mean, tol float64) {
	var m1, m2 float64 // E[A], E[A²]: A > j with probability p^j, j < k
	for j := 1; j <= k; j++ {
		pj := math.Pow(p, float64(j-1))
		m1 += pj
		m2 += float64(2*j-1) * pj
	}
	return m1, 3.29 * math.Sqrt((m2-m1*m1)/float64(n))
}

// decided returns the requests of v that the injected errors decided (a
// success or an internal error) and the others: timeouts or unavailable
// calls of a harness stalled by a loaded machine, which this test is not
// about. It fails the test when those are more than 5% of the requests.
func decided(t *testing.T, v result.Variant) (n, other int64) {
	t.Helper()
	r := v.Requests
	n = r.Succeeded + r.Errors["internal"]
	other = r.Offered - n
	if other > r.Offered/20 {
		t.Fatalf("%d of %d requests failed other than by an injected error (%v): the run says nothing about retries", other, r.Offered, r.Errors)
	}
	return n, other
}

// checkAvailability checks that v's successes are within the 99% binomial
// interval of the decided requests at probability want.
func checkAvailability(t *testing.T, v result.Variant, want float64) {
	t.Helper()
	n, other := decided(t, v)
	ok := v.Requests.Succeeded
	lo, hi := binomialInterval(n, want)
	t.Logf("availability %.4f (%d of %d decided, %d other failures); theory %.4f, 99%% interval [%d, %d]", float64(ok)/float64(n), ok, n, other, want, lo, hi)
	if ok < lo || ok > hi {
		t.Errorf("availability %.4f (%d of %d), want %.4f: 99%% interval [%d, %d] successes; errors %v",
			float64(ok)/float64(n), ok, n, want, lo, hi, v.Requests.Errors)
	}
}

// checkAttempts checks the edge's attempts per call against mean ± tol,
// widened by the most the other failures can move it: each such call made
// between 1 and k attempts.
func checkAttempts(t *testing.T, v result.Variant, e result.Edge, mean, tol float64, k int) {
	t.Helper()
	_, other := decided(t, v)
	tol += float64(k-1) * float64(other) / float64(e.Requests)
	got := float64(e.Attempts) / float64(e.Requests)
	t.Logf("attempts per call %.4f (%d / %d); theory %.4f ± %.4f", got, e.Attempts, e.Requests, mean, tol)
	if math.Abs(got-mean) > tol {
		t.Errorf("attempts per call %.4f (%d / %d), want %.4f ± %.4f", got, e.Attempts, e.Requests, mean, tol)
	}
}

// checkIndependent checks availability 1 − p^k and the attempts per call of
// k independent attempts failing with probability p each.
func checkIndependent(t *testing.T, v result.Variant, e result.Edge, p float64, k int) {
	t.Helper()
	checkAvailability(t, v, 1-math.Pow(p, float64(k)))
	mean, tol := attemptsTolerance(p, k, e.Requests)
	checkAttempts(t, v, e, mean, tol, k)
}

func TestRetriedTransientErrorsAreIndependentAttempts(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end runs")
	}
	t.Run("error_rate p=0.2 k=4", func(t *testing.T) {
		const p, k = 0.2, 4
		v, e := runRetryPair(t, fmt.Sprintf(retryPair, k, p, false))
		checkIndependent(t, v, e, p, k)
	})
	t.Run("request share 0.3 k=3", func(t *testing.T) {
		const p, k = 0.3, 3
		v, e := runRetryPair(t, fmt.Sprintf(retryPair, k, 0.0, false),
			faults.Fault{Kind: &faults.Request{Service: "payment", Share: p, Code: "internal"}})
		checkIndependent(t, v, e, p, k)
	})
	t.Run("errors fault 0.3 k=3", func(t *testing.T) {
		const p, k = 0.3, 3
		v, e := runRetryPair(t, fmt.Sprintf(retryPair, k, 0.0, false),
			faults.Fault{Kind: &faults.Errors{Target: "payment", Rate: p}})
		checkIndependent(t, v, e, p, k)
	})
}

func TestStickyErrorsFollowTheOperation(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end runs")
	}
	// Every attempt of a failing operation fails: availability 1 − p
	// whatever k, and a failing call makes all k attempts, so attempts per
	// call are 1 + p(k − 1).
	check := func(t *testing.T, v result.Variant, e result.Edge, p float64, k int) {
		t.Helper()
		checkAvailability(t, v, 1-p)
		// Attempts per call: 1 + (k − 1)·B/n with B ~ Binomial(n, p).
		n := e.Requests
		checkAttempts(t, v, e, 1+float64(k-1)*p, 3.29*float64(k-1)*math.Sqrt(p*(1-p)/float64(n)), k)
	}
	t.Run("error_sticky p=0.2 k=4", func(t *testing.T) {
		const p, k = 0.2, 4
		v, e := runRetryPair(t, fmt.Sprintf(retryPair, k, p, true))
		check(t, v, e, p, k)
	})
	t.Run("sticky request share 0.3 k=3", func(t *testing.T) {
		const p, k = 0.3, 3
		v, e := runRetryPair(t, fmt.Sprintf(retryPair, k, 0.0, false),
			faults.Fault{Kind: &faults.Request{Service: "payment", Share: p, Code: "internal", Sticky: true}})
		check(t, v, e, p, k)
	})
}
