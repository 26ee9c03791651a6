package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faultline-sim/faultline/sim"
)

// fanOutTopology is an entry service calling n-1 leaves in parallel, every
// service with replicas replicas.
func fanOutTopology(n, replicas int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "name: fan-out\nentry: s0\nservices:\n  - name: s0\n    replicas: %d\n    work: 1ms\n    parallel: true\n    calls: [", replicas)
	for i := 1; i < n; i++ {
		if i > 1 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "s%d", i)
	}
	b.WriteString("]\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "  - {name: s%d, replicas: %d, work: 1ms}\n", i, replicas)
	}
	return b.String()
}

// TestWorldBeyondFDLimitExitsTwo: a 10 × 50 fan-out needs ~50,000
// descriptors; against a limit of 20,000 run refuses it before starting
// anything, and validate reports it, both with exit 2, the estimate and the
// limit.
func TestWorldBeyondFDLimitExitsTwo(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "fan.yaml", fanOutTopology(10, 50))
	scenario := write(t, dir, "big.yaml", "name: big\nduration: 1s\nload: {rate: 200}\nvariants:\n  - {name: fan, topology: fan.yaml}\n")
	want := []string{"big.yaml:5", "variant fan", "estimated 50244", "connection pools 45102", "limit 20000"}
	check := func(t *testing.T, code int, stderr string) {
		t.Helper()
		if code != ExitBadInput {
			t.Fatalf("exit %d, want %d; stderr:\n%s", code, ExitBadInput, stderr)
		}
		for _, w := range want {
			if !strings.Contains(stderr, w) {
				t.Errorf("stderr lacks %q:\n%s", w, stderr)
			}
		}
		if strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "panic") {
			t.Errorf("stderr has a stack trace:\n%s", stderr)
		}
	}
	t.Run("run", func(t *testing.T) {
		cfg, err := ParseRunFlags([]string{scenario, "--out", filepath.Join(dir, "out")})
		if err != nil {
			t.Fatal(err)
		}
		cfg.fdLimit = 20000
		var o, e strings.Builder
		code := Run(context.Background(), cfg, &o, &e)
		check(t, code, e.String())
		if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
			t.Errorf("a refused world wrote results")
		}
	})
	t.Run("folder", func(t *testing.T) {
		cfg, err := ParseRunFlags([]string{dir, "--out", filepath.Join(dir, "out-folder")})
		if err != nil {
			t.Fatal(err)
		}
		cfg.fdLimit = 20000
		var o, e strings.Builder
		check(t, Run(context.Background(), cfg, &o, &e), e.String())
	})
	t.Run("validate", func(t *testing.T) {
		var o, e strings.Builder
		check(t, validate([]string{scenario}, 20000, &o, &e), e.String())
	})
	t.Run("validate topology", func(t *testing.T) {
		var o, e strings.Builder
		code := validate([]string{filepath.Join(dir, "fan.yaml")}, 20000, &o, &e)
		if code != ExitBadInput || !strings.Contains(e.String(), "fan.yaml: variant fan-out") || !strings.Contains(e.String(), "limit 20000") {
			t.Errorf("exit %d, stderr:\n%s", code, e.String())
		}
	})
	t.Run("fits", func(t *testing.T) {
		var o, e strings.Builder
		if code := validate([]string{scenario}, 60000, &o, &e); code != ExitOK {
			t.Errorf("exit %d at a limit of 60,000; stderr:\n%s", code, e.String())
		}
	})
}

// TestProcessFDLimit: the limit run checks against is the process's soft
// RLIMIT_NOFILE raised to the hard one, never 0 on this system.
func TestProcessFDLimit(t *testing.T) {
	n, err := sim.RaiseFDLimit()
	if err != nil || n <= 0 {
		t.Fatalf("RaiseFDLimit = %d, %v", n, err)
	}
	if got := processFDLimit(); got != n {
		t.Errorf("processFDLimit = %d, want %d", got, n)
	}
}
