package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/faultline-sim/faultline/reports/result"
	"github.com/faultline-sim/faultline/sim"
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(runChild()) // a child of a test, re-executed (see lowfd_test.go)
	}
	goleak.VerifyTestMain(m)
}

func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = Main(context.Background(), args, &o, &e)
	return code, o.String(), e.String()
}

// write puts a file in dir and returns its path.
// quickstartNoExpect writes scenarios/quickstart.yaml without its expect
// block into dir (topology paths made absolute) and returns its path: the
// shipped expectations predict the scenario at its own rate and duration,
// which the short runs of these tests override.
func quickstartNoExpect(t *testing.T, dir string) string {
	t.Helper()
	data, err := os.ReadFile("../../scenarios/quickstart.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text, _, _ := strings.Cut(string(data), "\nexpect:")
	top, err := filepath.Abs("../../topologies")
	if err != nil {
		t.Fatal(err)
	}
	return write(t, dir, "quickstart.yaml", strings.ReplaceAll(text, "../topologies", top)+"\n")
}

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBadInputExitsTwo(t *testing.T) {
	dir := t.TempDir()
	topo, err := filepath.Abs("../../topologies/order-sync.yaml")
	if err != nil {
		t.Fatal(err)
	}
	scenario := func(extra string) string {
		return "name: bad\n" + extra + "variants:\n  - {name: sync, topology: " + topo + "}\n"
	}
	cases := []struct {
		name string
		args []string
		want []string // substrings of stderr
	}{
		{"no args", nil, []string{"usage"}},
		{"unknown command", []string{"fly"}, []string{`unknown command "fly"`}},
		{"missing file", []string{"run", filepath.Join(dir, "nope.yaml")}, []string{"nope.yaml"}},
		{"invalid yaml", []string{"run", write(t, dir, "invalid.yaml", "name: [unclosed\n")}, []string{"invalid.yaml"}},
		{"rate zero", []string{"run", write(t, dir, "rate.yaml", scenario("load: {rate: 0}\n"))}, []string{"rate.yaml:2", "rate"}},
		{"ten seconds", []string{"run", write(t, dir, "dur.yaml", scenario("load: {rate: 10}\nduration: ten seconds\n"))}, []string{"dur.yaml:3", "duration", "ten seconds"}},
		{"broker sync", []string{"run", write(t, dir, "sync.yaml", scenario("load: {rate: 10}\nbroker: {sync: sometimes}\n"))}, []string{"sync.yaml:3", "broker.sync", "sometimes"}},
		{"missing topology", []string{"run", write(t, dir, "topo.yaml", "name: t\nload: {rate: 10}\nvariants:\n  - name: sync\n    topology: missing.yaml\n")}, []string{"topo.yaml:5", "missing.yaml"}},
		{"two scenarios", []string{"run", "a.yaml", "b.yaml"}, []string{"exactly one scenario"}},
		{"bad flag", []string{"run", "--rate", "fast", "a.yaml"}, []string{"rate"}},
		{"negative rate flag", []string{"run", "--rate=-5", "a.yaml"}, []string{"--rate must be positive"}},
		{"unknown variant", []string{"run", "--variant", "nope", "../../scenarios/quickstart.yaml"}, []string{"nope", "sync", "events"}},
		{"repeat zero", []string{"run", "--repeat", "0", "a.yaml"}, []string{"--repeat must be between 1 and 100"}},
		{"unknown format", []string{"run", "--format", "csv", "a.yaml"}, []string{"--format must be one of table, benchstat, bmf"}},
		{"metrics beyond loopback", []string{"run", "--metrics-addr", "0.0.0.0:9464", "a.yaml"}, []string{"not a loopback address"}},
		{"metrics without port", []string{"run", "--metrics-addr", "127.0.0.1", "a.yaml"}, []string{"is not host:port"}},
		{"unknown log level", []string{"run", "--log-level", "chatty", "a.yaml"}, []string{"log-level"}},
		{"validate bad topology", []string{"validate", write(t, dir, "topo2.yaml", "name: x\nentry: ghost\nservices:\n  - {name: a, work: 1ms}\n")}, []string{"topo2.yaml:2", "ghost"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := run(t, c.args...)
			if code != ExitBadInput {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, ExitBadInput, stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			if strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "panic") {
				t.Errorf("stack trace in stderr:\n%s", stderr)
			}
		})
	}
}

func TestValidateShippedFiles(t *testing.T) {
	files, _ := filepath.Glob("../../topologies/*.yaml")
	scen, _ := filepath.Glob("../../scenarios/*.yaml")
	files = append(files, scen...)
	if len(files) < 3 {
		t.Fatalf("found only %v", files)
	}
	code, stdout, stderr := run(t, append([]string{"validate"}, files...)...)
	if code != ExitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if got := strings.Count(stdout, ": ok"); got != len(files) {
		t.Errorf("%d ok lines for %d files:\n%s", got, len(files), stdout)
	}
}

// A latency between order and payment acts on the sync design (order
// calls payment) and on nothing in the event-driven one: validate says so
// for that variant, with the fault's file and line, and still exits 0.
func TestValidateWarnsFaultMatchingNothing(t *testing.T) {
	dir := t.TempDir()
	sync, err1 := filepath.Abs("../../topologies/order-sync.yaml")
	events, err2 := filepath.Abs("../../topologies/order-events.yaml")
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	file := write(t, dir, "s.yaml", "name: s\nduration: 5s\nload: {rate: 10}\nvariants:\n"+
		"  - {name: sync, topology: "+sync+"}\n  - {name: events, topology: "+events+"}\n"+
		"faults:\n  - {at: 1s, for: 1s, latency: {from: order, to: payment, mean: 5ms}}\n")
	code, stdout, stderr := run(t, "validate", file)
	if code != ExitOK || !strings.Contains(stdout, ": ok") {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	want := "warning: " + file + ":8: faults[0].latency: variant events: latency order->payment 5ms matches no link"
	if !strings.Contains(stderr, want) || strings.Contains(stderr, "variant sync") {
		t.Errorf("stderr:\n%s\nwant one warning %q", stderr, want)
	}
}

func TestVersion(t *testing.T) {
	code, stdout, _ := run(t, "version")
	if code != ExitOK || !strings.HasPrefix(stdout, "faultline ") {
		t.Fatalf("exit %d, %q", code, stdout)
	}
}

func TestRunWritesResults(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end run")
	}
	out := t.TempDir()
	code, stdout, stderr := run(t, "run", quickstartNoExpect(t, t.TempDir()), "--duration", "1s", "--rate", "50", "--variant", "events", "--seed", "9", "--out", out)
	if code != ExitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, w := range []string{"latency p99", "completion p99", "lost", "results: "} {
		if !strings.Contains(stdout, w) {
			t.Errorf("stdout lacks %q:\n%s", w, stdout)
		}
	}
	res, err := result.ReadFile(filepath.Join(out, result.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if res.Seed != 9 || len(res.Variants) != 1 || res.Variants[0].Name != "events" || res.Config.RateRPS != 50 {
		t.Errorf("result: seed %d, variants %d, rate %v", res.Seed, len(res.Variants), res.Config.RateRPS)
	}
}

func TestProgressLineRateOverLastUpdate(t *testing.T) {
	var b bytes.Buffer
	show := progressLine(&b, 2*time.Second)
	show(sim.Progress{Variant: "sync", Elapsed: time.Second, Total: 7 * time.Second})
	if !strings.Contains(b.String(), "[sync] warm-up") {
		t.Errorf("during warm-up: %q", b.String())
	}
	show(sim.Progress{Variant: "sync", Elapsed: 3 * time.Second, Total: 7 * time.Second, Sent: 200})
	b.Reset()
	show(sim.Progress{Variant: "sync", Elapsed: 3500 * time.Millisecond, Total: 7 * time.Second, Sent: 300, Failed: 2})
	if got := b.String(); !strings.Contains(got, "sent 300  200/s  errors 2") {
		t.Errorf("rate over the last half second: %q", got)
	}
}

func TestRunExitsOneWhenAnExpectationMisses(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end run")
	}
	dir := t.TempDir()
	top, err := filepath.Abs("../../topologies/one-hop.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sc := filepath.Join(dir, "x.yaml")
	src := "duration: 1s\nwarmup: 0s\ndrain: 1s\nload: {rate: 50}\nvariants: [{name: a, topology: " + top + "}]\n" +
		"expect:\n  a: {availability: '>= 0%', p99: '< 0s'}\n"
	if err := os.WriteFile(sc, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, "run", sc, "--out", dir)
	if code != ExitExpect {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, ExitExpect, stdout, stderr)
	}
	if !strings.Contains(stdout, "expectations: 1 of 2 met") || !strings.Contains(stderr, "x.yaml:7: a: p99 < 0s (observed ") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", stdout, stderr)
	}
	res, err := result.ReadFile(filepath.Join(dir, result.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Expectations) != 2 || !res.Expectations[0].OK || res.Expectations[1].OK {
		t.Errorf("expectations in results: %+v", res.Expectations)
	}
}

func TestRunLogsFaultsAtInfo(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end run")
	}
	dir := t.TempDir()
	top, err := filepath.Abs("../../topologies/one-hop.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sc := write(t, dir, "f.yaml", "duration: 2s\nwarmup: 0s\ndrain: 1s\nload: {rate: 50}\nvariants: [{name: a, topology: "+top+"}]\n"+
		"faults: [{at: 500ms, for: 500ms, latency: {from: gateway, to: a, mean: 1ms}}]\n")
	code, _, stderr := run(t, "run", sc, "--out", dir, "--log-level", "info", "--metrics-addr", "127.0.0.1:0")
	if code != ExitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	for _, w := range []string{"level=INFO msg=\"variant starting\" variant=a", "msg=\"fault applied\"", "msg=\"fault removed\"", "msg=\"variant finished\""} {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, stderr)
		}
	}
	// Quiet by default.
	code, _, stderr = run(t, "run", sc, "--out", dir)
	if code != ExitOK || strings.Contains(stderr, "level=") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
}
