package reports

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
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

// ReadFile reads and decodes a results.json, rejecting unknown fields and
// any schema other than Schema.
func ReadFile(path string) (*Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	dec.DisallowUnknownFields()
	var r Result
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if r.Schema != Schema {
		return nil, fmt.Errorf("%s: %w %q (want %q)", path, ErrSchema, r.Schema, Schema)
	}
	return &r, nil
}
