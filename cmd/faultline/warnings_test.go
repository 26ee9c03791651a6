package main

import (
	"strings"
	"testing"
)

// A plausible unit slip is printed as a warning by validate, which still
// exits 0.
func TestValidatePrintsWarnings(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "t.yaml", "entry: a\nservices:\n  - name: a\n    calls: [{service: b, timeout: 5ms}]\n  - name: b\n")
	scen := write(t, dir, "q.yaml", "name: w\nload: {rate: 10}\nvariants:\n  - {name: s, topology: t.yaml}\nfaults:\n  - {at: 2s, for: 2ms, crash: b}\n")
	code, stdout, stderr := run(t, "validate", scen)
	if code != ExitOK {
		t.Fatalf("exit %d, want %d:\n%s", code, ExitOK, stderr)
	}
	for _, want := range []string{
		"warning: " + scen + ":6: faults[0].for: is 2ms, under 10ms",
		"t.yaml:4: services.a.calls[0].timeout: is 5ms, under 10ms",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if !strings.Contains(stdout, scen+": ok") {
		t.Errorf("stdout = %q", stdout)
	}
}
