package main

import (
	"strings"
	"testing"

	"github.com/faultline-sim/faultline/reports"
	"github.com/faultline-sim/faultline/reports/result"
)

// gateResult is a results file of the configuration a current run of
// faultline records: variants "sync" and "events", n repetitions each with
// the given p99 and availability, every new field set.
func gateResult(n int, p99, avail float64) *result.Result {
	r := &result.Result{
		Schema: result.Schema, Scenario: "q", Seed: 42, Variants: []result.Variant{},
		Environment: result.Environment{GoVersion: "go1.26.8", CPUs: 2},
		Config: result.RunConfig{Arrival: "constant", RateRPS: 200, DurationS: 5, WarmupS: 2, DrainS: 10, TimeoutMS: 5000,
			MaxInFlight: 1064, Repeat: n, SeedPolicy: result.SeedPerRepetition, FaultsSHA256: "f0"},
	}
	for rep := 1; rep <= n; rep++ {
		for _, name := range []string{"sync", "events"} {
			r.Variants = append(r.Variants, result.Variant{Name: name, Repetition: rep, Seed: 41 + uint64(rep),
				Topology: "order-" + name, TopologySHA256: "t-" + name, EventDriven: name == "events",
				Requests:     result.Requests{Offered: 1000, Succeeded: int64(1000 * avail), Failed: 1000 - int64(1000*avail)},
				Availability: avail, ThroughputRPS: 200 * avail, LatencyMS: result.Percentiles{P99: p99 + float64(rep)},
				CompletionMS: &result.Percentiles{P99: 300}})
		}
	}
	return r
}

func writeGateResult(t *testing.T, r *result.Result) string {
	t.Helper()
	path, err := result.WriteFile(t.TempDir(), r)
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// A baseline measured under another configuration is refused (exit 2) with
// every difference listed, unless --allow-mismatch. Before, a run with two
// faults gated against a baseline without them reported REGRESSED.
func TestGateRefusesAMismatchedBaseline(t *testing.T) {
	base := writeGateResult(t, gateResult(5, 150, 1))
	cur := gateResult(5, 150, 0.7)
	cur.Config.RateRPS = 400
	cur.Config.DurationS = 10
	cur.Config.Arrival = "burst"
	cur.Config.Burst = &result.RateBurst{AtS: 3, ForS: 1, RateRPS: 800}
	cur.Config.FaultsSHA256 = "f1"
	cur.Environment.CPUs = 4
	cur.Environment.GoVersion = "go1.27.0"
	for i := range cur.Variants {
		v := &cur.Variants[i]
		v.Faults = []result.Fault{{Name: "crash payment", Kind: "crash", AtS: 3, ForS: 2}, {Name: "slow link", Kind: "latency", AtS: 4, ForS: 1}}
		if v.Name == "sync" {
			v.TopologySHA256 = "t-other"
		}
	}
	path := writeGateResult(t, cur)
	code, stdout, stderr := run(t, "gate", path, "--baseline", base)
	if code != ExitBadInput {
		t.Fatalf("exit %d, want %d (refused)\nstdout:\n%s\nstderr:\n%s", code, ExitBadInput, stdout, stderr)
	}
	for _, want := range []string{"another configuration", "rate: baseline 200/s, current 400/s", "duration: baseline 5s, current 10s",
		`arrival: baseline "constant", current "burst"`, "burst: baseline none, current 800/s at 3s for 1s",
		"topology of sync (\"order-sync\"): content differs", "faults of sync: baseline none; current crash payment (crash at 3s for 2s), slow link",
		"faults of events", "cpus: baseline 2, current 4", "go_version: baseline go1.26.8, current go1.27.0", "--allow-mismatch"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, "topology of events") {
		t.Errorf("events' topology did not change but is listed:\n%s", stderr)
	}
	if strings.Contains(stdout, "REGRESSED") {
		t.Errorf("a refused baseline was gated:\n%s", stdout)
	}

	// --allow-mismatch: the differences become warnings and gating goes on
	// (availability 70% against 100% regresses).
	code, stdout, stderr = run(t, "gate", path, "--baseline", base, "--allow-mismatch")
	if code != ExitExpect || !strings.Contains(stdout, "warning: configuration differs (allowed by --allow-mismatch): rate: baseline 200/s") ||
		!strings.Contains(stdout, "REGRESSED") {
		t.Errorf("--allow-mismatch: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	// Allowing some kinds still refuses the others.
	code, _, stderr = run(t, "gate", path, "--baseline", base, "--allow-mismatch=cpus,go_version")
	if code != ExitBadInput || strings.Contains(stderr, "cpus:") || !strings.Contains(stderr, "rate:") {
		t.Errorf("--allow-mismatch=cpus,go_version: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := run(t, "gate", path, "--baseline", base, "--allow-mismatch=colour"); code != ExitBadInput || !strings.Contains(stderr, `unknown difference "colour"`) {
		t.Errorf("--allow-mismatch=colour: exit %d\n%s", code, stderr)
	}
}

// A baseline written before digests and seed policies were recorded is
// gated, with a note saying what could not be compared.
func TestGateOldBaselineIsNotRefusedForMissingDigests(t *testing.T) {
	old := gateResult(5, 150, 1)
	old.Config.SeedPolicy, old.Config.FaultsSHA256 = "", ""
	for i := range old.Variants {
		old.Variants[i].TopologySHA256, old.Variants[i].Seed = "", 0
	}
	code, stdout, stderr := run(t, "gate", writeGateResult(t, gateResult(5, 150, 1)), "--baseline", writeGateResult(t, old))
	if code != ExitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"note: not compared: topology of sync: the baseline records no content digest", "note: not compared: seed_policy: the baseline records no seed policy"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
}

// A current run whose variant failed, is missing or has fewer repetitions
// than required fails the gate (exit 1) with the reason; a variant new in
// the current run is reported and passes. Before, all of these passed.
func TestGateFailsOnFailedMissingOrShortVariants(t *testing.T) {
	base := writeGateResult(t, gateResult(5, 150, 1))
	cases := []struct {
		name   string
		edit   func(r *result.Result)
		args   []string
		code   int
		reason string
	}{
		{"failed repetition", func(r *result.Result) { r.Variants[3].Error = "broker did not start" }, nil, ExitExpect,
			"FAILED: variant events #2 failed: broker did not start"},
		{"missing variant", func(r *result.Result) { r.Variants = onlyVariant(r, "sync") }, nil, ExitExpect,
			"FAILED: variant events: missing from the current run"},
		{"fewer repetitions", func(r *result.Result) { r.Variants = r.Variants[:8] }, nil, ExitExpect,
			"FAILED: variant sync: 4 repetition(s) ran without error, 5 required (as many as the baseline)"},
		{"fewer repetitions, --min-repeat 4", func(r *result.Result) { r.Variants = r.Variants[:8] }, []string{"--min-repeat", "4"}, ExitOK, ""},
		{"--min-repeat 6", func(r *result.Result) {}, []string{"--min-repeat", "6"}, ExitExpect,
			"FAILED: variant sync: 5 repetition(s) ran without error, 6 required (--min-repeat)"},
		{"new variant", func(r *result.Result) {
			for i := range 5 {
				v := r.Variants[2*i]
				v.Name = "sync-resilient"
				r.Variants = append(r.Variants, v)
			}
		}, nil, ExitOK, "variant sync-resilient: new in the current run, not in the baseline: not gated"},
	}
	for _, c := range cases {
		cur := gateResult(5, 150, 1)
		c.edit(cur)
		args := append([]string{"gate", writeGateResult(t, cur), "--baseline", base}, c.args...)
		code, stdout, stderr := run(t, args...)
		if code != c.code || !strings.Contains(stdout, c.reason) {
			t.Errorf("%s: exit %d (want %d), want %q in\nstdout:\n%s\nstderr:\n%s", c.name, code, c.code, c.reason, stdout, stderr)
		}
	}
}

func onlyVariant(r *result.Result, name string) []result.Variant {
	var out []result.Variant
	for _, v := range r.Variants {
		if v.Name == name {
			out = append(out, v)
		}
	}
	return out
}

// --max adds to the default limits or overrides them metric by metric:
// setting p99 alone still gates availability. metric=off removes one.
// Before, --max p99=+20ms replaced every default and availability falling
// from 100% to 70% passed.
func TestGateMaxMergesWithDefaults(t *testing.T) {
	base := writeGateResult(t, gateResult(5, 150, 1))
	worse := writeGateResult(t, gateResult(5, 150, 0.7))
	code, stdout, stderr := run(t, "gate", worse, "--baseline", base, "--max", "p99=+20ms")
	if code != ExitExpect || !strings.Contains(stdout, "availability") || !strings.Contains(stdout, "REGRESSED") {
		t.Errorf("--max p99=+20ms: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "+20 ms") {
		t.Errorf("the p99 limit is not the one given:\n%s", stdout)
	}
	code, stdout, stderr = run(t, "gate", worse, "--baseline", base, "--max", "availability=off,throughput=off")
	if code != ExitOK || strings.Contains(stdout, "availability") {
		t.Errorf("availability=off: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	var allOff []string // every default limit off: nothing to gate
	for _, l := range strings.Split(reports.DefaultLimits, ",") {
		name, _, _ := strings.Cut(l, "=")
		allOff = append(allOff, name+"=off")
	}
	for _, max := range []string{"p50=off", strings.Join(allOff, ","), "p99=soon"} {
		if code, _, stderr := run(t, "gate", worse, "--baseline", base, "--max", max); code != ExitBadInput || !strings.HasPrefix(stderr, "faultline gate: --max: ") {
			t.Errorf("--max %s: exit %d, %s", max, code, stderr)
		}
	}
}

// A limit and the change it is compared with are printed in one unit: an
// availability limit of -0.1 pt beside a change of -30 pt, not -0.001
// beside -30 pt.
func TestGatePrintsLimitAndChangeInOneUnit(t *testing.T) {
	base := writeGateResult(t, gateResult(5, 150, 1))
	worse := writeGateResult(t, gateResult(5, 180, 0.7))
	_, stdout, _ := run(t, "gate", worse, "--baseline", base, "--max", "p50=+5ms")
	for _, want := range []string{"-30 pt", "-0.1 pt", "+19.6% (+30 ms)", "+15% (+23 ms)"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "-0.001") {
		t.Errorf("the availability limit is still a fraction:\n%s", stdout)
	}
}
