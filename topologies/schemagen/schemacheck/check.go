// Package schemacheck compares the JSON Schemas built by schemagen with the
// copies checked in under docs/schema and validates files against them.
// Only tests import it.
package schemacheck

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"github.com/faultline-sim/faultline/topologies/schemagen"
)

// Marshal returns schema as the indented JSON checked in, keys sorted.
func Marshal(schema schemagen.S) []byte {
	data, err := json.MarshalIndent(schema, "", "  ")
	if err != nil {
		panic(err)
	}
	return append(data, '\n')
}

// Golden compares schema with the file at path, the copy checked in, and
// fails t when they differ: the model changed and the schema was not
// regenerated. With update it writes the file instead.
func Golden(t testing.TB, path string, schema schemagen.S, update bool) {
	t.Helper()
	want := Marshal(schema)
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (write it with go test -run %s -update)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the schema of the Go model: regenerate it with go test -run %s -update", path, t.Name())
	}
}

// Validate checks every file against the schema at schemaPath; YAML files
// are converted to JSON first. It fails t for each file that does not
// validate.
func Validate(t testing.TB, schemaPath string, files ...string) {
	t.Helper()
	sch, err := Compile(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if err := ValidateFile(sch, f); err != nil {
			t.Errorf("%s does not validate against %s: %v", f, schemaPath, err)
		}
	}
}

// Compile compiles the schema in the file at path.
func Compile(path string) (*jsonschema.Schema, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	return c.Compile(abs)
}

// ValidateFile checks the file at path (JSON, or YAML when its name ends
// in .yaml or .yml) against sch.
func ValidateFile(sch *jsonschema.Schema, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if ext := filepath.Ext(path); ext == ".yaml" || ext == ".yml" {
		if data, err = YAMLToJSON(data); err != nil {
			return err
		}
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return err
	}
	return sch.Validate(doc)
}

// YAMLToJSON converts a YAML document to JSON (aliases expanded).
func YAMLToJSON(data []byte) ([]byte, error) {
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

// Modeline is the first line of a shipped YAML file that points editors
// (yaml-language-server) to its schema, rel being the schema's path
// relative to the file.
func Modeline(rel string) string { return "# yaml-language-server: $schema=" + rel }

// CheckHeader fails t when the file at path does not start with the two
// lines every shipped YAML file starts with: Modeline(rel), then
// "faultline: <version>".
func CheckHeader(t testing.TB, path, rel, version string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitN(string(data), "\n", 3)
	want := []string{Modeline(rel), "faultline: " + version}
	for i, w := range want {
		if i >= len(lines) || lines[i] != w {
			got := ""
			if i < len(lines) {
				got = lines[i]
			}
			t.Errorf("%s:%d is %q, want %q", path, i+1, got, w)
		}
	}
}
