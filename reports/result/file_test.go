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
		{"other schema", `{"schema": "faultline.result/v0", "scenario": "x"}`, true, `"faultline.result/v0" (want "faultline.result/v1" or "faultline.result/v2")`},
		{"no schema", `{"scenario": "x"}`, true, `""`},
		// A newer faultline's file: the schema is the news, not its new fields.
		{"newer schema", "{\n  \"schema\": \"faultline.result/v3\",\n  \"colour\": \"red\"\n}", true, ":2: schema: unsupported result schema: this file is faultline.result/v3; this binary reads faultline.result/v2: upgrade faultline"},
		// v1 came before the consistency block: one in a v1 file is not what v1 wrote.
		{"consistency in v1", `{"schema": "faultline.result/v1", "variants": [{"name": "a", "consistency": {"operations": 1}}]}`, false, "variant a: a faultline.result/v1 file has no consistency block"},
		{"time to consistency in v1", `{"schema": "faultline.result/v1", "variants": [{"name": "a", "histograms": {"latency": "", "time_to_consistency": "x"}}]}`, false, "no consistency block"},
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

// TestReadFileReadsV1 reads the shipped baseline, a v1 file written before
// the consistency block: it reads as written, with no consistency block,
// and writing it back keeps it a v1 file that reads the same.
func TestReadFileReadsV1(t *testing.T) {
	const baseline = "../../scenarios/quickstart.baseline.json"
	r, err := result.ReadFile(baseline)
	if err != nil {
		t.Fatal(err)
	}
	if r.Schema != result.SchemaV1 {
		t.Fatalf("%s: schema %q, want %q (the test needs a v1 file)", baseline, r.Schema, result.SchemaV1)
	}
	if len(r.Variants) == 0 {
		t.Fatalf("%s has no variants", baseline)
	}
	for _, v := range r.Variants {
		if v.Consistency != nil || v.CheckedConsistency() != nil || v.Histograms.TimeToConsistency != "" {
			t.Errorf("variant %s of a v1 file has a consistency block", v.Name)
		}
	}
	path, err := result.WriteFile(t.TempDir(), r)
	if err != nil {
		t.Fatal(err)
	}
	back, err := result.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, r) {
		t.Errorf("a v1 file written back reads differently")
	}
	if want := []string{result.SchemaV1, result.Schema}; !reflect.DeepEqual(result.ReadSchemas(), want) {
		t.Errorf("ReadSchemas() = %q, want %q", result.ReadSchemas(), want)
	}
}

// TestRoundTripConsistency writes and reads a result of stateful variants:
// the consistency block, its samples, timeline, percentiles and histogram
// come back as written, and a stateless variant stays without one.
func TestRoundTripConsistency(t *testing.T) {
	want := resulttest.Stateful()
	path, err := result.WriteFile(t.TempDir(), want)
	if err != nil {
		t.Fatal(err)
	}
	got, err := result.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("round trip changed the result:\n got %+v\nwant %+v", got, want)
	}
	if got.Schema != result.Schema {
		t.Errorf("schema %q, want %q", got.Schema, result.Schema)
	}
	stateful := 0
	for _, v := range got.Variants {
		if c := v.Consistency; c != nil {
			stateful++
			if c.Error == "" && (len(c.Timeline) == 0 || c.TimeToConsistencyMS == nil || v.Histograms.TimeToConsistency == "") {
				t.Errorf("variant %s: consistency block lost its timeline, percentiles or histogram: %+v", v.Name, c)
			}
		}
	}
	if stateful == 0 || stateful == len(got.Variants) {
		t.Errorf("%d of %d variants stateful: the fixture should mix both", stateful, len(got.Variants))
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"consistency"`, `"double_charges"`, `"samples"`, `"time_to_consistency_ms"`, `"time_to_consistency"`} {
		if !strings.Contains(string(raw), key) {
			t.Errorf("results.json lacks %s", key)
		}
	}
}

func TestReadFileMissing(t *testing.T) {
	_, err := result.ReadFile(filepath.Join(t.TempDir(), result.FileName))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ReadFile of a missing file: %v, want os.ErrNotExist", err)
	}
}
