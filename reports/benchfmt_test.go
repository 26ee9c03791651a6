package reports_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/faultline-sim/faultline/reports"
	"github.com/faultline-sim/faultline/reports/result"
	"github.com/faultline-sim/faultline/reports/result/resulttest"
)

// checkGolden compares got with testdata/name, rewriting it with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run go test -update after checking it):\n--- got\n%s--- want\n%s", golden, got, want)
	}
}

func TestWriteBenchstatGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := reports.WriteBenchstat(&buf, resulttest.Fixture()); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "benchstat.golden", buf.Bytes())
}

func TestWriteBMFMediansOfRepetitions(t *testing.T) {
	r := resulttest.Fixture()
	a, b := r.Variants[0], r.Variants[0]
	a.Repetition, b.Repetition = 1, 2
	a.LatencyMS.P99, b.LatencyMS.P99 = 100, 300
	r.Variants = []result.Variant{a, b}
	var buf bytes.Buffer
	if err := reports.WriteBMF(&buf, r); err != nil {
		t.Fatal(err)
	}
	var got map[string]map[string]struct {
		Value      float64  `json:"value"`
		LowerValue *float64 `json:"lower_value"`
		UpperValue *float64 `json:"upper_value"`
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("%v\n%s", err, buf.Bytes())
	}
	p99 := got[r.Scenario+"/"+a.Name]["p99-ms"]
	if p99.Value != 200 || p99.LowerValue == nil || *p99.LowerValue != 100 || *p99.UpperValue != 300 {
		t.Errorf("p99 %+v in\n%s", p99, buf.Bytes())
	}
}

func TestBenchName(t *testing.T) {
	for in, want := range map[string]string{"quickstart": "BenchmarkQuickstart", "broker-node-loss": "BenchmarkBrokerNodeLoss", "a b_c9": "BenchmarkABC9"} {
		if got := reports.BenchName(in); got != want {
			t.Errorf("BenchName(%q) = %q, want %q", in, got, want)
		}
	}
}
