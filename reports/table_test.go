package reports_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faultline-sim/faultline/reports"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestWriteTableGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := reports.WriteTable(&buf, fixture()); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "table.golden")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got := buf.Bytes(); !bytes.Equal(got, want) {
		t.Errorf("WriteTable output differs from %s (run go test -update after checking it):\n--- got\n%s--- want\n%s", golden, got, want)
	}
}

func TestWriteTableInterruptedNamesWindows(t *testing.T) {
	r := fixture()
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
