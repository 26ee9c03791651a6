package scenarios

import (
	"path/filepath"
	"strings"
	"testing"
)

// warnTopology is a two-service chain whose call has a 50ms timeout.
const warnTopology = `entry: order
services:
  - name: order
    calls: [{service: payment, policy: {timeout: 50ms}}]
  - name: payment
`

// warnScenario returns a scenario over warnTopology with the given load
// (line 3) and faults (from line 6).
func warnScenario(load string, faults ...string) string {
	lines := []string{"name: w", "duration: 10s", "load: " + load, "variants:", "  - {name: sync, topology: t.yaml}"}
	if len(faults) > 0 {
		lines = append(lines, "faults:")
		lines = append(lines, faults...)
	}
	return doc(lines...)
}

func TestWarnings(t *testing.T) {
	cases := []struct {
		name, scenario string
		line           int
		key, msg       string
	}{
		{"load timeout", warnScenario("{rate: 10, timeout: 5ms}"), 3, "load.timeout", "is 5ms, under 10ms: a unit slip"},
		{"fault for", warnScenario("{rate: 10}", "  - {at: 2s, for: 2ms, crash: payment}"), 7, "faults[0].for", "is 2ms, under 10ms: a unit slip"},
		{"fault shorter than a sample", warnScenario("{rate: 10}", "  - at: 2s", "    for: 500ms", "    crash: payment"), 8, "faults[0].for", "shorter than one sample of the timeline (1s)"},
		{"latency over the client's timeout", warnScenario("{rate: 10, timeout: 2s}", "  - at: 2s", "    for: 3s", "    latency:", "      from: client", "      to: gateway", "      mean: 2s"),
			12, "faults[0].latency.mean", "2s is at least the client's timeout (load.timeout 2s)"},
		{"latency over a call's timeout", warnScenario("{rate: 10}", "  - {at: 2s, for: 3s, latency: {from: order, to: payment, mean: 60ms}}"),
			7, "faults[0].latency.mean", "adds 60ms to the call order -> payment, at least its timeout (50ms, variant sync)"},
		{"latency both ways over a call's timeout", warnScenario("{rate: 10}", "  - {at: 2s, for: 3s, latency: {from: payment#0, to: order, mean: 30ms, both: true}}"),
			7, "faults[0].latency.mean", "adds 60ms to the call order -> payment"},
		{"request delay over a call's timeout", warnScenario("{rate: 10}", "  - {at: 2s, for: 3s, request: {service: payment, delay: 80ms}}"),
			7, "faults[0].request.delay", "80ms is at least the timeout of the call order -> payment (50ms, variant sync)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := write(t, map[string]string{"q.yaml": c.scenario, "t.yaml": warnTopology})
			file := filepath.Join(dir, "q.yaml")
			s, err := ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			ws := s.Warnings()
			if len(ws) != 1 {
				t.Fatalf("got %d warnings, want 1: %v", len(ws), ws)
			}
			if w := ws[0]; w.File != file || w.Line != c.line || w.Key != c.key || !strings.Contains(w.Msg, c.msg) {
				t.Errorf("warning = %s\nwant %s:%d: %s: ...%s...", w, file, c.line, c.key, c.msg)
			}
		})
	}
}

// Values well clear of a slip, and a latency below the call's timeout,
// warn of nothing.
func TestNoWarnings(t *testing.T) {
	src := warnScenario("{rate: 10, timeout: 1s}",
		"  - {at: 2s, for: 1s, crash: payment}",
		"  - {at: 4s, for: 3s, latency: {from: order, to: payment, mean: 20ms}}",
		"  - {at: 4s, for: 3s, request: {service: payment, delay: 40ms}}",
		"  - {at: 8s, reset: {from: order, to: payment}}")
	dir := write(t, map[string]string{"q.yaml": src, "t.yaml": warnTopology})
	s, err := ReadFile(filepath.Join(dir, "q.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if ws := s.Warnings(); len(ws) != 0 {
		t.Errorf("warnings: %v", ws)
	}
	shipped, _ := filepath.Glob("*.yaml")
	for _, f := range shipped {
		s, err := ReadFile(f)
		if err != nil {
			continue // topologies, or checked by other tests
		}
		if ws := s.Warnings(); len(ws) != 0 {
			t.Errorf("%s: warnings: %v", f, ws)
		}
	}
}

// A topology's slips come with the scenario's, once per file.
func TestWarningsOfTopologies(t *testing.T) {
	topo := doc(
		"entry: order",
		"policies:",
		"  fast: {timeout: 5ms}", // 3
		"services:",
		"  - name: order",
		"    calls:",
		"      - {service: payment, timeout: 2ms}", // 7
		"      - {service: stock, policy: fast}",
		"      - service: ledger",
		"        policy: {timeout: 3ms}", // 10
		"  - name: payment",
		"    publish: [x]",
		"  - {name: stock}",
		"  - {name: ledger}",
		"  - name: mail",
		"    consume: [{subject: x, ack_wait: 1ms}]", // 16
	)
	src := doc("name: w", "load: {rate: 10}", "variants:", "  - {name: a, topology: t.yaml}", "  - {name: b, topology: t.yaml}")
	dir := write(t, map[string]string{"q.yaml": src, "t.yaml": topo})
	s, err := ReadFile(filepath.Join(dir, "q.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	tf := filepath.Join(dir, "t.yaml")
	want := []string{
		tf + ":3: policies.fast.timeout: is 5ms, under 10ms",
		tf + ":7: services.order.calls[0].timeout: is 2ms, under 10ms",
		tf + ":10: services.order.calls[2].policy.timeout: is 3ms, under 10ms",
		tf + ":16: services.mail.consume[0].ack_wait: is 1ms, under 10ms",
	}
	ws := s.Warnings()
	if len(ws) != len(want) {
		t.Fatalf("got %d warnings, want %d: %v", len(ws), len(want), ws)
	}
	for i, w := range ws {
		if !strings.HasPrefix(w.String(), want[i]) {
			t.Errorf("warning %d = %s\nwant %s...", i, w, want[i])
		}
	}
}
