package reports_test

import (
	"bytes"
	"flag"
	"regexp"
	"strings"
	"testing"

	"github.com/faultline-sim/faultline/reports"
	"github.com/faultline-sim/faultline/reports/result"
	"github.com/faultline-sim/faultline/reports/result/resulttest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestWriteTableGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := reports.WriteTable(&buf, resulttest.Fixture()); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "table.golden", buf.Bytes())
}

func TestWriteTableInterruptedNamesWindows(t *testing.T) {
	r := resulttest.Fixture()
	r.Interrupted = true
	r.Variants[0].WindowS = 4.5
	r.Variants = r.Variants[:1]
	var b strings.Builder
	if err := reports.WriteTable(&b, r); err != nil {
		t.Fatal(err)
	}
	want := "before the interrupt (" + r.Variants[0].Name + " 4.5 s)"
	if !strings.Contains(b.String(), want) {
		t.Errorf("table lacks %q:\n%s", want, b.String())
	}
}

func TestWriteFaultsBeforeDuringAfter(t *testing.T) {
	r := resulttest.Fixture()
	r.Variants[0].Faults = []result.Fault{{
		Name: "crash payment", Kind: "crash", AtS: 8, ForS: 5, StartErrMS: 0.4, EndErrMS: 0.6,
		Before: &result.WindowStats{FromS: 1, ToS: 6, Offered: 1000, Succeeded: 1000, Availability: 1, ThroughputRPS: 200, P99MS: 150},
		During: &result.WindowStats{FromS: 6, ToS: 11, Offered: 1000, Succeeded: 400, Availability: 0.4, ThroughputRPS: 80, P99MS: 2000},
	}}
	var b strings.Builder
	if err := reports.WriteFaults(&b, r); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"faults in " + r.Variants[0].Name, "crash payment", "at 5.5 s for 5 s", "from the start of the recorded window", "+0.4ms / +0.6ms", "before 1-6s", "100.000%", "during 6-11s", "40.000%", "2.00s", "after"} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "faults in "+r.Variants[1].Name) {
		t.Errorf("a variant without faults is listed:\n%s", out)
	}
}

// Repetitions are named in the table and in the lines under it, with the
// seed each ran with.
func TestWriteTableNamesRepetitions(t *testing.T) {
	r := resulttest.Fixture()
	r.Config.SeedPolicy = result.SeedPerRepetition
	one := r.Variants[0]
	r.Variants = nil
	for k := 1; k <= 2; k++ {
		v := one
		v.Repetition, v.Seed = k, 41+uint64(k)
		v.Faults = []result.Fault{{Name: "crash payment", Kind: "crash", AtS: 1, ForS: 1}}
		r.Variants = append(r.Variants, v)
	}
	r.Variants[1].Error = "world did not start"
	var b strings.Builder
	if err := reports.WriteTable(&b, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{one.Name + " #2", "variant " + one.Name + " #2 failed: world did not start", "faults in " + one.Name + " #1 (", "faults in " + one.Name + " #2 ("} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
	if !regexp.MustCompile(`(?m)^\s*seed\s+42\s+43\s*$`).MatchString(b.String()) {
		t.Errorf("table lacks the seed row 42, 43:\n%s", b.String())
	}
}

// A table of sync variants shows no event rows (each would be all "-"),
// and its footnote explains no completion.
func TestWriteTableLeavesOutRowsNoVariantHas(t *testing.T) {
	r := &result.Result{Config: result.RunConfig{DurationS: 10, WarmupS: 2}, Variants: []result.Variant{
		{Name: "a", Availability: 1, Requests: result.Requests{Offered: 10, Succeeded: 10}},
		{Name: "b", Availability: 1, Requests: result.Requests{Offered: 10, Succeeded: 10}},
	}}
	var b strings.Builder
	if err := reports.WriteTable(&b, r); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, gone := range []string{"completion p99", "lost*", "max consumer lag", "events acked*", "completion: until"} {
		if strings.Contains(out, gone) {
			t.Errorf("a table of sync variants shows %q:\n%s", gone, out)
		}
	}
	for _, kept := range []string{"availability", "latency p99", "requests"} {
		if !strings.Contains(out, kept) {
			t.Errorf("the table lost %q:\n%s", kept, out)
		}
	}
	r.Variants[1].EventDriven = true
	b.Reset()
	if err := reports.WriteTable(&b, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "completion p99") || !strings.Contains(b.String(), "lost*") {
		t.Errorf("with an event-driven variant the event rows are gone:\n%s", b.String())
	}
}
