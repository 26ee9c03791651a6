package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestValidateVersionAndKind: `faultline validate` recognises a topology by
// its parsed keys (here written in flow style, with no line starting
// "services:"), and a file of a newer format version exits 2 naming the
// file, line and key and saying to upgrade, for topologies and scenarios.
func TestValidateVersionAndKind(t *testing.T) {
	dir := t.TempDir()
	put := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	flow := put("flow.yaml", "{faultline: v1, entry: a, services: [{name: a}]}\n")
	if code, out, errs := run(t, "validate", flow); code != ExitOK || !strings.Contains(out, "flow.yaml: ok") {
		t.Errorf("validate of a flow-style topology: exit %d\n%s%s", code, out, errs)
	}
	for name, data := range map[string]string{
		"top2.yaml":  "# next year's topology\nfaultline: v2\nentry: a\nservices: [{name: a, mesh: true}]\n",
		"scen2.yaml": "# next year's scenario\nfaultline: v2\nvariants: [{name: a, topology: x.yaml}]\nchaos: {}\n",
	} {
		p := put(name, data)
		code, out, errs := run(t, "validate", p)
		want := p + ":2: faultline: this file is faultline v2; this binary reads v1: upgrade faultline\n"
		if code != ExitBadInput || errs != want {
			t.Errorf("validate %s: exit %d, stderr\n%s\nwant exit 2, stderr\n%s(stdout %q)", name, code, errs, want, out)
		}
	}
}
