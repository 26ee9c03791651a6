package scenarios

import (
	"path/filepath"
	"slices"
	"testing"
)

// TestLibrary checks that the built-in library holds every shipped scenario
// and that each one reads from it, its topologies resolved inside it, as
// it reads from disk.
func TestLibrary(t *testing.T) {
	onDisk, err := filepath.Glob("*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	names := LibraryNames()
	if len(names) == 0 || len(names) != len(onDisk) {
		t.Fatalf("library has %d scenarios %v, the folder %d", len(names), names, len(onDisk))
	}
	if !slices.Contains(names, "quickstart") {
		t.Fatalf("no quickstart in %v", names)
	}
	for _, name := range names {
		p, ok := LibraryPath(name)
		if !ok {
			t.Fatalf("LibraryPath(%q) not found", name)
		}
		sc, err := ReadFS(Library(), p)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		disk, err := ReadFile(name + ".yaml")
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range sc.Variants {
			if v.Topology == nil {
				t.Errorf("%s: variant %s has no topology", name, v.Name)
				continue
			}
			if len(v.Topology.Services) != len(disk.Variants[i].Topology.Services) {
				t.Errorf("%s: variant %s: %d services from the library, %d from disk", name, v.Name,
					len(v.Topology.Services), len(disk.Variants[i].Topology.Services))
			}
		}
	}
	for _, bad := range []string{"", "no-such-scenario", "../scenarios/quickstart", "scenarios/quickstart"} {
		if _, ok := LibraryPath(bad); ok {
			t.Errorf("LibraryPath(%q) found", bad)
		}
	}
}
