package scenarios

import (
	"embed"
	"io/fs"
	"path"
	"strings"

	"github.com/faultline-sim/faultline/topologies"
)

// shipped holds scenarios/*.yaml.
//
//go:embed *.yaml
var shipped embed.FS

// Library returns the scenario library built into the binary: the shipped
// scenarios under "scenarios/" and the topologies they use under
// "topologies/", so that a scenario's "../topologies/X.yaml" resolves inside
// it. It is read-only and safe for concurrent use. Read a scenario of it
// with ReadFS(Library(), "scenarios/quickstart.yaml").
func Library() fs.FS { return library }

var library = unionFS{"scenarios": shipped, "topologies": topologies.Library}

// LibraryPath returns the path in Library of the shipped scenario called
// name ("quickstart" or "quickstart.yaml"), and whether there is one.
func LibraryPath(name string) (string, bool) {
	if name == "" || strings.ContainsAny(name, `/\`) {
		return "", false
	}
	p := "scenarios/" + strings.TrimSuffix(name, ".yaml") + ".yaml"
	_, err := fs.Stat(library, p)
	return p, err == nil
}

// LibraryNames returns the names of the shipped scenarios, sorted.
func LibraryNames() []string {
	files, _ := fs.Glob(shipped, "*.yaml") // the pattern is valid
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = strings.TrimSuffix(f, ".yaml")
	}
	return names
}

// unionFS serves each of its file systems under its own top-level folder.
type unionFS map[string]fs.FS

// Open opens name in the file system of its first element.
func (u unionFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	dir, rest, _ := strings.Cut(name, "/")
	sub, ok := u[dir]
	if !ok || rest == "" {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	f, err := sub.Open(path.Clean(rest))
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: errorsUnwrap(err)}
	}
	return f, nil
}

// errorsUnwrap returns the cause of a *fs.PathError, or err.
func errorsUnwrap(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}
