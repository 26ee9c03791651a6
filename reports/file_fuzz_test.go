package reports_test

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/faultline-sim/faultline/reports"
	"github.com/faultline-sim/faultline/reports/result"
	"github.com/faultline-sim/faultline/reports/result/resulttest"
)

// FuzzReadResults: a results file a user hands to `faultline report` or
// `faultline gate` is read or refused, and whatever is read can be printed,
// gated against itself and turned into a report without a panic.
func FuzzReadResults(f *testing.F) {
	good, err := json.Marshal(resulttest.Fixture())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	stateful, err := json.Marshal(resulttest.Stateful())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(stateful)
	f.Add([]byte(`{"schema": "faultline.result/v2", "variants": [{"name": "a", "consistency": {"timeline": [{"t": -1e300, "violations": -5}], "time_to_consistency_ms": {"p99": -1}, "samples": {"stuck": null}}, "histograms": {"latency": "", "time_to_consistency": "!!"}}]}`))
	f.Add([]byte(`{"schema": "faultline.result/v2", "variants": [{"name": "a", "consistency": {"error": "x"}}, {"name": "a", "repetition": 2, "consistency": {}}]}`))
	f.Add([]byte(`{"schema": "faultline.result/v1", "variants": [{"name": "a", "repetition": 2, "histograms": {"latency": "!!"}}]}`))
	f.Add([]byte(`{"schema": "faultline.result/v1", "variants": [{"name": "a", "timeline": [{"second": -5}], "faults": [{"at_s": 1e300, "for_s": -1}]}]}`))
	f.Add([]byte(`{"schema": "faultline.result/v1", "config": {"warmup_s": -1}, "variants": [{"name": "a", "latency_ms": {"p99": -1}}]}`))
	f.Add([]byte(`{}`))
	limits, err := reports.ParseLimits(reports.DefaultLimits)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		path := filepath.Join(dir, "results.json")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := result.ReadFile(path)
		if err != nil {
			return
		}
		reports.WriteTable(io.Discard, r)
		reports.WriteBenchstat(io.Discard, r)
		reports.WriteBMF(io.Discard, r)
		if rows, err := reports.Gate(r, r, limits, 0.05); err == nil {
			reports.WriteGate(io.Discard, rows)
		}
		if _, err := reports.NewReport(r); err != nil {
			return
		}
	})
}
