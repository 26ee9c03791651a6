package result

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// FileName is the name of the result file in an output folder.
const FileName = "results.json"

// WriteFile writes r as indented JSON to dir/results.json, creating dir, and
// returns the file's path. The file appears whole or not at all.
func WriteFile(dir string, r *Result) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, FileName)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o644); err != nil {
		return "", err
	}
	return path, os.Rename(tmp, path)
}

// ErrSchema is returned by ReadFile for a file of another schema.
var ErrSchema = errors.New("unsupported result schema")

// readSchemas are the schemas ReadFile reads, oldest first.
var readSchemas = []string{SchemaV1, Schema}

// ReadSchemas returns the schemas ReadFile reads, oldest first: SchemaV1,
// whose files are those of Schema without consistency blocks, then Schema.
func ReadSchemas() []string { return slices.Clone(readSchemas) }

// ReadFile reads and decodes a results.json, rejecting unknown fields and
// any schema but those of ReadSchemas: a v1 file is read as it was written
// (Schema stays SchemaV1; it has no consistency block, and one found in it
// is refused). The schema is checked first, so a file written by a newer
// faultline is refused with a message saying to upgrade, naming the file
// and the line of its schema key, rather than with the first field this
// binary does not know. A file without a schema key is not a result file
// and is refused too. Both schema errors match ErrSchema.
func ReadFile(path string) (*Result, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var head struct {
		Schema string `json:"schema"`
	}
	if err := json.Unmarshal(data, &head); err == nil && !slices.Contains(readSchemas, head.Schema) {
		at := path
		if i := bytes.Index(data, []byte(`"schema"`)); i >= 0 {
			at = fmt.Sprintf("%s:%d: schema", path, 1+bytes.Count(data[:i], []byte("\n")))
		}
		if v, ok := strings.CutPrefix(head.Schema, schemaPrefix); ok && newerSchema(v) {
			return nil, fmt.Errorf("%s: %w: this file is %s; this binary reads %s: upgrade faultline", at, ErrSchema, head.Schema, Schema)
		}
		return nil, fmt.Errorf("%s: %w %q (want %s)", at, ErrSchema, head.Schema, quoted(readSchemas))
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var r Result
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if r.Schema == SchemaV1 {
		for i := range r.Variants {
			if v := &r.Variants[i]; v.Consistency != nil || v.Histograms.TimeToConsistency != "" {
				return nil, fmt.Errorf("%s: variant %s: a %s file has no consistency block (it came with %s)", path, v.Label(), SchemaV1, Schema)
			}
		}
	}
	return &r, nil
}

// quoted lists schemas quoted, joined by " or ".
func quoted(schemas []string) string {
	q := make([]string, len(schemas))
	for i, s := range schemas {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, " or ")
}

// schemaPrefix is Schema without its version.
const schemaPrefix = "faultline.result/"

// newerSchema reports whether v, the version part of a result schema
// ("v2"), is newer than Schema's.
func newerSchema(v string) bool {
	n, err := strconv.Atoi(strings.TrimPrefix(v, "v"))
	cur, _ := strconv.Atoi(strings.TrimPrefix(Schema, schemaPrefix+"v"))
	return strings.HasPrefix(v, "v") && err == nil && n > cur
}
