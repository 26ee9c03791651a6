package scenarios

import (
	"errors"
	"fmt"
	"github.com/faultline-sim/faultline/faults"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/topologies"
)

func doc(lines ...string) string { return strings.Join(lines, "\n") + "\n" }

// valid is a scenario with every key; cases replace one of its lines.
var valid = []string{
	"name: q",              // 1
	"description: a test",  // 2
	"duration: 20s",        // 3
	"warmup: 2s",           // 4
	"drain: 10s",           // 5
	"seed: 42",             // 6
	"load:",                // 7
	"  arrival: constant",  // 8
	"  rate: 200",          // 9
	"  timeout: 5s",        // 10
	"variants:",            // 11
	"  - name: sync",       // 12
	"    topology: s.yaml", // 13
	"  - name: events",     // 14
	"    topology: e.yaml", // 15
}

// with returns valid with line n (1-based) replaced by the given lines
// (none to delete it).
func with(n int, lines ...string) string {
	out := append([]string{}, valid[:n-1]...)
	out = append(out, lines...)
	return doc(append(out, valid[n:]...)...)
}

// problem is one message a case expects: at line, about key, containing msg.
type problem struct {
	line int
	key  string
	msg  string
}

func (p problem) prefix(file string) string {
	s := fmt.Sprintf("%s:%d:", file, p.line)
	if p.key != "" {
		s += " " + p.key + ":"
	}
	return s
}

// checkProblems asserts that err holds a problem for each of want, each
// matching topologies.ErrInvalid.
func checkProblems(t *testing.T, file string, err error, want ...problem) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %v", want)
	}
	var leaves []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		leaves = j.Unwrap()
	} else {
		leaves = []error{err}
	}
	for _, e := range leaves {
		var fe *topologies.FieldError
		if !errors.As(e, &fe) || !errors.Is(e, topologies.ErrInvalid) {
			t.Errorf("problem %q is not a FieldError matching ErrInvalid", e)
		}
	}
	for _, w := range want {
		found := false
		for _, e := range leaves {
			if s := e.Error(); strings.HasPrefix(s, w.prefix(file)+" ") && strings.Contains(s, w.msg) {
				found = true
			}
		}
		if !found {
			t.Errorf("missing problem %q ... %q in:\n%v", w.prefix(file), w.msg, err)
		}
	}
}

func TestParseValid(t *testing.T) {
	s, err := Parse("dir/q.yaml", []byte(doc(valid...)))
	if err != nil {
		t.Fatal(err)
	}
	want := Load{Arrival: ArrivalConstant, Rate: 200, Timeout: 5 * time.Second, Line: 7}
	if s.Name != "q" || s.Seed != 42 || s.Duration != 20*time.Second || !reflect.DeepEqual(s.Load, want) || len(s.Variants) != 2 {
		t.Errorf("scenario = %+v", s)
	}
	if v := s.Variants[0]; v.Name != "sync" || v.TopologyPath != "s.yaml" || v.Path != filepath.Join("dir", "s.yaml") || v.Line != 12 || v.Topology != nil {
		t.Errorf("variant = %+v", v)
	}
}

func TestParseDefaults(t *testing.T) {
	s, err := Parse("dir/mine.yaml", []byte(doc("load: {rate: 1.5}", "variants: [{name: a, topology: /abs/a.yaml}]")))
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "mine" || s.Duration != DefaultDuration || s.Warmup != DefaultWarmup || s.Drain != DefaultDrain || s.Seed != DefaultSeed {
		t.Errorf("scenario = %+v", s)
	}
	if s.Load.Arrival != ArrivalConstant || s.Load.Timeout != DefaultTimeout || s.Load.MaxInFlight != 0 || s.Variants[0].Path != "/abs/a.yaml" {
		t.Errorf("load = %+v, variant = %+v", s.Load, s.Variants[0])
	}
}

func TestParseTenSeconds(t *testing.T) {
	_, err := Parse("quickstart.yaml", []byte(doc(valid[0], valid[1], valid[3], "duration: ten seconds", "load: {rate: 1}", "variants: [{name: a, topology: a.yaml}]")))
	want := `quickstart.yaml:4: duration: "ten seconds" is not a duration (e.g. 20s, 150ms)`
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}
}

func TestParseProblems(t *testing.T) {
	cases := []struct {
		name string
		src  string
		want []problem
	}{
		{"empty", "", []problem{{1, "", "empty document"}}},
		{"invalid yaml", with(9, "  rate: [200"), []problem{{9, "", "invalid YAML"}}},
		{"list root", "- a\n", []problem{{1, "", "must be a mapping, got a list"}}},
		{"unknown key", with(6, "seeds: 42"), []problem{{6, "seeds", "unknown key (expected one of: name, description"}}},
		{"unknown load key", with(10, "  timeout: 5s", "  rps: 3"), []problem{{11, "load.rps", "unknown key"}}},
		{"unknown variant key", with(13, "    topology: s.yaml", "    fault: x"), []problem{{14, "variants.sync.fault", "unknown key"}}},
		{"ten seconds", with(4, "warmup: ten seconds"), []problem{{4, "warmup", `"ten seconds" is not a duration (e.g. 20s, 150ms)`}}},
		{"zero duration", with(3, "duration: 0s"), []problem{{3, "duration", "must be positive, got 0s"}}},
		{"negative duration", with(3, "duration: -1s"), []problem{{3, "duration", "must be positive, got -1s"}}},
		{"negative warmup", with(4, "warmup: -1s"), []problem{{4, "warmup", "must not be negative"}}},
		{"negative drain", with(5, "drain: -1s"), []problem{{5, "drain", "must not be negative"}}},
		{"seed negative", with(6, "seed: -1"), []problem{{6, "seed", `"-1" is not a non-negative integer`}}},
		{"rate zero", with(9, "  rate: 0"), []problem{{9, "load.rate", "must be positive, got 0"}}},
		{"rate negative", with(9, "  rate: -5"), []problem{{9, "load.rate", "must be positive, got -5"}}},
		{"rate missing", with(9), []problem{{7, "load.rate", "required"}}},
		{"load missing", doc("variants: [{name: a, topology: a.yaml}]"), []problem{{1, "load.rate", "required"}}},
		{"rate text", with(9, "  rate: lots"), []problem{{9, "load.rate", `"lots" is not a finite number`}}},
		{"rate infinite", with(9, "  rate: .inf"), []problem{{9, "load.rate", "not a finite number"}}},
		{"unknown arrival", with(8, "  arrival: gaussian"), []problem{{8, "load.arrival", `unknown arrival "gaussian"`}}},
		{"timeout zero", with(10, "  timeout: 0s"), []problem{{10, "load.timeout", "must be positive"}}},
		{"max in flight negative", with(10, "  timeout: 5s", "  max_in_flight: -1"), []problem{{11, "load.max_in_flight", "must not be negative"}}},
		{"load scalar", doc("load: 200", "variants: [{name: a, topology: a.yaml}]"), []problem{{1, "load", "must be a mapping"}}},
		{"no variants", doc(valid[:10]...), []problem{{1, "variants", "at least one variant"}}},
		{"empty variants", doc(append(slices.Clone(valid[:10]), "variants: []")...), []problem{{11, "variants", "at least one variant"}}},
		{"variants mapping", doc(append(slices.Clone(valid[:10]), "variants: {sync: s.yaml}")...), []problem{{11, "variants", "must be a list"}}},
		{"duplicate variant", with(14, "  - name: sync"), []problem{{14, "variants.sync.name", `duplicate variant name "sync" (first at line 12)`}}},
		{"empty variant name", with(14, "  - name: ''"), []problem{{14, "variants[1].name", "required"}}},
		{"no variant name", with(14, "  - topology: x.yaml", "    name:"), []problem{{15, "variants[1].name", "must be a string, got null"}}},
		{"bad variant name", with(14, "  - name: a b"), []problem{{14, "variants[1].name", "not a valid name"}}},
		{"missing topology key", with(13), []problem{{12, "variants.sync.topology", "required"}}},
		{"topology not a string", with(13, "    topology: [s.yaml]"), []problem{{13, "variants.sync.topology", "must be a string"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := Parse("q.yaml", []byte(c.src))
			if s != nil {
				t.Error("Parse returned a scenario with an error")
			}
			checkProblems(t, "q.yaml", err, c.want...)
		})
	}
}

// Every problem is reported at once, each once, in line order.
func TestParseEveryProblem(t *testing.T) {
	_, err := Parse("q.yaml", []byte(doc(
		"duration: 0s",    // 1
		"warmup: -1s",     // 2
		"colour: blue",    // 3
		"load: {rate: 0}", // 4
		"variants:",
		"  - {name: a}",              // 6
		"  - {name: a, topology: x}", // 7
	)))
	want := []problem{
		{1, "duration", "must be positive"},
		{2, "warmup", "must not be negative"},
		{3, "colour", "unknown key"},
		{4, "load.rate", "must be positive"},
		{6, "variants.a.topology", "required"},
		{7, "variants.a.name", "duplicate"},
	}
	checkProblems(t, "q.yaml", err, want...)
	if n := strings.Count(err.Error(), "\n") + 1; n != len(want) {
		t.Errorf("got %d problems, want %d:\n%v", n, len(want), err)
	}
}

func TestReadFileQuickstart(t *testing.T) {
	s, err := ReadFile("quickstart.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "quickstart" || s.Duration != 20*time.Second || s.Warmup != 2*time.Second || s.Drain != 10*time.Second || s.Seed != 42 {
		t.Errorf("scenario = %+v", s)
	}
	if s.Load.Arrival != ArrivalConstant || s.Load.Rate != 200 || s.Load.Timeout != 5*time.Second {
		t.Errorf("load = %+v", s.Load)
	}
	want := map[string]string{"sync": "order-sync", "events": "order-events"}
	if len(s.Variants) != 2 {
		t.Fatalf("variants = %+v", s.Variants)
	}
	for _, v := range s.Variants {
		if v.Topology == nil || v.Topology.Name != want[v.Name] || v.Path != filepath.Join("..", "topologies", want[v.Name]+".yaml") {
			t.Errorf("variant %+v", v)
		}
	}
	if got := s.Variants[1].Topology.Subscribers()["orders.placed"]; len(got) != 3 {
		t.Errorf("events subscribers = %v", got)
	}
}

// write puts files (name -> content) in a temporary directory and returns
// its path.
func write(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestReadFileMissingTopology(t *testing.T) {
	dir := write(t, map[string]string{"q.yaml": doc(valid...), "s.yaml": "entry: a\nservices: [{name: a}]\n"})
	file := filepath.Join(dir, "q.yaml")
	_, err := ReadFile(file)
	checkProblems(t, file, err, problem{15, "variants.events.topology", "cannot read " + filepath.Join(dir, "e.yaml") + ": no such file"})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("errors.Is(err, fs.ErrNotExist) = false for %v", err)
	}
}

func TestReadFileTopologyProblems(t *testing.T) {
	bad := doc("entry: a", "services:", "  - name: a", "    replicas: 0")
	dir := write(t, map[string]string{"q.yaml": with(15, "    topology: s.yaml"), "s.yaml": bad})
	_, err := ReadFile(filepath.Join(dir, "q.yaml"))
	checkProblems(t, filepath.Join(dir, "s.yaml"), err, problem{4, "services.a.replicas", "must be at least 1"})
	if n := strings.Count(err.Error(), "replicas"); n != 1 {
		t.Errorf("a topology shared by two variants was reported %d times:\n%v", n, err)
	}
}

func TestReadFileMissing(t *testing.T) {
	_, err := ReadFile(filepath.Join(t.TempDir(), "nope.yaml"))
	if !errors.Is(err, topologies.ErrInvalid) || !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "nope.yaml") {
		t.Errorf("err = %v", err)
	}
}

func TestOnly(t *testing.T) {
	s, err := Parse("q.yaml", []byte(doc(valid...)))
	if err != nil {
		t.Fatal(err)
	}
	err = s.Only("nope")
	if !errors.Is(err, topologies.ErrInvalid) || err.Error() != `q.yaml:11: variants: no variant "nope" (available: sync, events)` {
		t.Errorf("Only(nope) = %v", err)
	}
	if len(s.Variants) != 2 {
		t.Errorf("a failed Only changed the variants: %+v", s.Variants)
	}
	if err := s.Only("events"); err != nil || len(s.Variants) != 1 || s.Variants[0].Name != "events" {
		t.Errorf("Only(events) = %v, variants %+v", err, s.Variants)
	}
}

func FuzzParse(f *testing.F) {
	quick, err := os.ReadFile("quickstart.yaml")
	if err != nil {
		f.Fatal(err)
	}
	seeds := []string{string(quick), doc(valid...), "", "~", "- a", "load: {rate: .nan}", "variants: [&v {name: a}, *v]", "faults: []",
		"faultline: v2\nchaos: 1", "faultline: &v v1\nname: *v", "{faultline: [v1], faultline: v9}"}
	for _, name := range []string{"partition.yaml", "broker-crash.yaml", "broker-node-loss.yaml", "burst.yaml"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, string(data))
	}
	seeds = append(seeds,
		plus("broker: {nodes: 3, replicas: 2}", "faults:",
			"  - {at: 8s, for: 5s, crash: broker#leader}",
			"  - {at: 4s, for: 3s, latency: {from: order, to: payment, mean: 50ms, jitter: 20ms, dist: lognormal, both: true}}",
			"  - {at: 5s, for: 3s, bandwidth: {from: '*', to: broker#1, rate: 100000}}",
			"  - {at: 14s, for: 3s, partition: [[order], [payment#0, broker], [gateway]]}",
			"  - {at: 6s, reset: {from: client, to: gateway, both: true}}",
			"  - {at: 6s, for: 4s, request: {service: payment, share: 0.5, code: unavailable, method: Handle, header: 'x-canary: 1', delay: 10ms}}",
			"  - {at: 3s, for: 2s, pause: payment#0}",
			"  - {at: 3s, for: 2s, slow: {target: payment, factor: 3}}",
			"  - {at: 3s, for: 2s, errors: {target: inventory#1, rate: 0.5}}",
			"expect:",
			"  sync: {p99: '< 200ms', availability: '>= 99.9%', 'faults[2].during.p99': '< 1s'}",
			"  events: ['lost == 0', 'completion_p99 < 1s', 'amplification(gateway->order) <= 1x']",
			"  '*': {throughput: '> 100/s'}"),
		plus("faults:", "  - at: 1s", "    for: 2s", "    partition:", "      - [&o order]", "      - [*o, '*', []]"),
		plus("broker: {nodes: 5}", "faults: [{at: 20s, for: 3s, crash: broker#5, pause: x}, {at: -1s, reset: {}}]"),
		with(8, "  arrival: ramp", "  to: 2000"),
		with(8, "  arrival: steps", "  steps: [{at: 0s, rate: 5}, {at: 5s, rate: 500}, {at: 21.999s, rate: 1000}]"),
		with(8, "  arrival: steps", "  steps:", "    - at: 5s", "      rate: 500", "    - {at: 4s, rate: .nan, for: 1s}"),
		with(8, "  arrival: burst", "  burst: {at: 8s, for: 5s, rate: 2000}"),
		with(8, "  arrival: burst", "  burst: {at: 20s, for: 2s, rate: 1e-3}", "  to: 5", "  steps: []"),
		with(8, "  arrival: ramp", "  to: -1", "  burst: ~"),
	)
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("f.yaml", data)
		if err != nil {
			if s != nil || !errors.Is(err, topologies.ErrInvalid) {
				t.Fatalf("Parse = %v, %v", s, err)
			}
			return
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("Parse accepted a scenario that Validate rejects: %v", err)
		}
		for i, f := range s.Faults {
			if !slices.Contains(faults.Keys(), f.Key()) || f.File != "f.yaml" || f.Line < 1 || f.Name() == "" {
				t.Fatalf("Parse accepted faults[%d] = %+v", i, f)
			}
		}
		checkAcceptedLoad(t, s)
	})
}
