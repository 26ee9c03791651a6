package result

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// module is this repository's module path.
const module = "github.com/faultline-sim/faultline"

// TestSimulationDoesNotImportRendering checks the point of this package:
// the packages that run simulations record their results through it and
// never import the rendering package reports, nor plots or templates. It
// follows the imports of sim, sim/metrics, sim/service and scenarios (non-test
// files) through every package of this module they reach.
func TestSimulationDoesNotImportRendering(t *testing.T) {
	forbidden := func(path string) bool {
		return path == module+"/reports" || path == "html/template" || path == "text/template" ||
			strings.HasPrefix(path, "gonum.org/")
	}
	root := filepath.Join("..", "..")
	seen := map[string]bool{}
	queue := []string{"sim", "sim/metrics", "sim/service", "scenarios"}
	via := map[string]string{}
	for len(queue) > 0 {
		pkg := queue[0]
		queue = queue[1:]
		if seen[pkg] {
			continue
		}
		seen[pkg] = true
		files, err := filepath.Glob(filepath.Join(root, filepath.FromSlash(pkg), "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		if len(files) == 0 {
			t.Fatalf("package %s has no Go files under %s", pkg, root)
		}
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range f.Imports {
				path, err := strconv.Unquote(imp.Path.Value)
				if err != nil {
					t.Fatal(err)
				}
				if forbidden(path) {
					t.Errorf("%s imports %s%s: simulation code must import reports/result, not rendering", file, path, via[pkg])
				}
				if sub, ok := strings.CutPrefix(path, module+"/"); ok && !seen[sub] {
					queue = append(queue, sub)
					if _, ok := via[sub]; !ok {
						via[sub] = " (reached from " + pkg + ")"
					}
				}
			}
		}
	}
	for _, pkg := range []string{"sim", "scenarios", "reports/result"} {
		if !seen[pkg] {
			t.Errorf("the walk never reached %s: the test no longer follows the imports it should", pkg)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("%s is not the module root: %v", root, err)
	}
}
