package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/faultline-sim/faultline/scenarios"
)

// readScenario reads the scenario named on the command line: a file on
// disk, or else, for a bare name ("quickstart"), the built-in scenario of
// that name.
func readScenario(name string) (*scenarios.Scenario, error) {
	if _, err := os.Stat(name); errors.Is(err, fs.ErrNotExist) {
		if p, ok := scenarios.LibraryPath(name); ok {
			return scenarios.ReadFS(scenarios.Library(), p)
		}
	}
	return scenarios.ReadFile(name)
}

// listScenarios runs `faultline scenarios`: the built-in scenarios, one a
// line, with their descriptions.
func listScenarios(args []string, stdout, stderr io.Writer) int {
	if rest, err := parseArgs("scenarios", args); err != nil || len(rest) > 0 {
		return usageError("scenarios", err, stdout, stderr)
	}
	tw := tabwriter.NewWriter(stdout, 0, 8, 2, ' ', 0)
	for _, name := range scenarios.LibraryNames() {
		p, _ := scenarios.LibraryPath(name)
		data, err := fs.ReadFile(scenarios.Library(), p)
		if err != nil {
			fmt.Fprintf(stderr, "faultline scenarios: %v\n", err)
			return ExitRun
		}
		sc, err := scenarios.Parse(p, data)
		if err != nil {
			fmt.Fprintf(stderr, "faultline scenarios: %v\n", err)
			return ExitRun
		}
		fmt.Fprintf(tw, "%s\t%s\n", name, sc.Description)
	}
	tw.Flush()
	fmt.Fprintln(stdout, "\nRun one with: faultline run NAME; copy one to edit with: faultline init DIR (quickstart)")
	return ExitOK
}

// starter is the scenario faultline init copies, and the topologies it
// uses, as "../topologies/X.yaml" in it.
const starter = "quickstart"

// initFolder runs `faultline init DIR`: it writes the starter scenario to
// DIR/quickstart.yaml and its topologies to DIR/topologies/, with the
// scenario's paths made to point there. It writes nothing when one of the
// files exists (exit 2).
func initFolder(args []string, stdout, stderr io.Writer) int {
	rest, err := parseArgs("init", args)
	if err == nil && len(rest) != 1 {
		err = fmt.Errorf("want one folder, got %d", len(rest))
	}
	if err != nil {
		return usageError("init", err, stdout, stderr)
	}
	files, err := starterFiles()
	if err != nil {
		fmt.Fprintf(stderr, "faultline init: %v\n", err)
		return ExitRun
	}
	dir := rest[0]
	var exist []string
	for _, f := range files {
		if _, err := os.Lstat(filepath.Join(dir, f.path)); !errors.Is(err, fs.ErrNotExist) {
			exist = append(exist, filepath.Join(dir, f.path))
		}
	}
	if len(exist) > 0 {
		fmt.Fprintf(stderr, "faultline init: not overwriting %s; nothing written\n", strings.Join(exist, ", "))
		return ExitBadInput
	}
	for _, f := range files {
		p := filepath.Join(dir, f.path)
		if err := writeNew(p, f.data); err != nil {
			fmt.Fprintf(stderr, "faultline init: %v\n", err)
			return ExitBadInput
		}
		fmt.Fprintf(stdout, "wrote %s\n", p)
	}
	fmt.Fprintf(stdout, "run it with: faultline run %s\n", filepath.Join(dir, starter+".yaml"))
	return ExitOK
}

// starterFile is one file faultline init writes, path relative to DIR.
type starterFile struct {
	path string
	data []byte
}

// starterFiles returns the starter scenario, its topology paths rewritten
// from ../topologies/ to topologies/, and the topologies it names.
func starterFiles() ([]starterFile, error) {
	lib := scenarios.Library()
	p, _ := scenarios.LibraryPath(starter)
	sc, err := scenarios.ReadFS(lib, p)
	if err != nil {
		return nil, err
	}
	data, err := fs.ReadFile(lib, p)
	if err != nil {
		return nil, err
	}
	text := strings.ReplaceAll(string(data), "topology: ../topologies/", "topology: topologies/")
	text = strings.ReplaceAll(text, "go run ./cmd/faultline run scenarios/"+starter+".yaml", "faultline run "+starter+".yaml")
	files := []starterFile{{path: starter + ".yaml", data: []byte(text)}}
	seen := map[string]bool{}
	for _, v := range sc.Variants {
		if seen[v.Path] {
			continue
		}
		seen[v.Path] = true
		top, err := fs.ReadFile(lib, v.Path)
		if err != nil {
			return nil, err
		}
		files = append(files, starterFile{path: filepath.Join("topologies", filepath.Base(v.Path)), data: top})
	}
	return files, nil
}

// writeNew creates the file at path, and its folders, with data; it fails
// when the file exists.
func writeNew(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
