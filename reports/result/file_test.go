package result_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/faultline-sim/faultline/reports/result"
	"github.com/faultline-sim/faultline/reports/result/resulttest"
)

func TestWriteFileReadFileRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out", "run") // WriteFile creates it
	want := resulttest.Fixture()
	path, err := result.WriteFile(dir, want)
	if err != nil {
		t.Fatal(err)
	}
	if path != filepath.Join(dir, result.FileName) {
		t.Errorf("WriteFile returned %q, want %q", path, filepath.Join(dir, result.FileName))
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != result.FileName {
		t.Errorf("output folder holds %v, want only %s", entries, result.FileName)
	}
	got, err := result.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("round trip changed the result:\n got %+v\nwant %+v", got, want)
	}

	// Writing again replaces the file whole.
	want.Seed = 43
	if _, err := result.WriteFile(dir, want); err != nil {
		t.Fatal(err)
	}
	if got, err := result.ReadFile(path); err != nil || got.Seed != 43 {
		t.Errorf("after rewrite: seed %v, %v; want 43", got, err)
	}
}

func TestReadFileRejects(t *testing.T) {
	for _, tc := range []struct {
		name, content string
		schema        bool   // the error must match ErrSchema
		mention       string // the error must mention this
	}{
		{"other schema", `{"schema": "faultline.result/v0", "scenario": "x"}`, true, "faultline.result/v0"},
		{"no schema", `{"scenario": "x"}`, true, `""`},
		// A newer faultline's file: the schema is the news, not its new fields.
		{"newer schema", "{\n  \"schema\": \"faultline.result/v2\",\n  \"colour\": \"red\"\n}", true, ":2: schema: unsupported result schema: this file is faultline.result/v2; this binary reads faultline.result/v1: upgrade faultline"},
		{"unknown field", `{"schema": "` + result.Schema + `", "scenario": "x", "colour": "red"}`, false, "colour"},
		{"unknown field in a variant", `{"schema": "` + result.Schema + `", "variants": [{"name": "a", "latency_p50": 3}]}`, false, "latency_p50"},
		{"not JSON", `schema: faultline.result/v1`, false, "invalid character"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), result.FileName)
			if err := os.WriteFile(path, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			r, err := result.ReadFile(path)
			if err == nil {
				t.Fatalf("ReadFile accepted %s: %+v", tc.content, r)
			}
			if errors.Is(err, result.ErrSchema) != tc.schema {
				t.Errorf("errors.Is(%v, ErrSchema) = %v, want %v", err, !tc.schema, tc.schema)
			}
			if !strings.Contains(err.Error(), tc.mention) || !strings.Contains(err.Error(), path) {
				t.Errorf("error %q should name the file and mention %s", err, tc.mention)
			}
		})
	}
}

func TestReadFileMissing(t *testing.T) {
	_, err := result.ReadFile(filepath.Join(t.TempDir(), result.FileName))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ReadFile of a missing file: %v, want os.ErrNotExist", err)
	}
}
