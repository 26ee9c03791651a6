package reports

import (
	"testing"
	"time"

	"github.com/faultline-sim/faultline/reports/result"
)

func TestSpanOf(t *testing.T) {
	t0 := time.Date(2025, 3, 14, 15, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		f    result.Fault
		want faultSpan
	}{
		{"as asked when never applied", result.Fault{Name: "x", AtS: 12.5, ForS: 10},
			faultSpan{Name: "x", From: 10, To: 20}},
		{"as asked when it failed", result.Fault{Name: "x", AtS: 12.5, ForS: 10, Started: t0, Error: "boom"},
			faultSpan{Name: "x", From: 10, To: 20}},
		{"applied late", result.Fault{Name: "x", AtS: 12.5, ForS: 10, Started: t0, Ended: t0.Add(10 * time.Second), StartErrMS: 250, EndErrMS: 500},
			faultSpan{Name: "x", From: 10.25, To: 20.5, Applied: true}},
		{"in the warm-up", result.Fault{Name: "x", AtS: 1, ForS: 2, Started: t0, Ended: t0.Add(2 * time.Second)},
			faultSpan{Name: "x", From: -1.5, To: 0.5, Applied: true}},
		{"instant", result.Fault{Name: "x", Kind: "reset", AtS: 5, Started: t0, Ended: t0, StartErrMS: 1000, EndErrMS: 1000},
			faultSpan{Name: "x", From: 3.5, To: 3.5, Applied: true}},
		{"never removed", result.Fault{Name: "x", AtS: 5, ForS: 1, Started: t0},
			faultSpan{Name: "x", From: 2.5, To: 3.5, Applied: true, Open: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := spanOf(2.5, &tc.f); got != tc.want {
				t.Errorf("spanOf = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestFormatDiff(t *testing.T) {
	for _, tc := range []struct {
		unit      result.Unit
		base, x   float64
		want      string
		wantValue string
	}{
		{result.UnitMS, 200, 250, "+50.0ms (+25.0%)", "250.0ms"},
		{result.UnitMS, 312.75, 6, "-306.8ms (-98.1%)", "6.00ms"},
		{result.UnitRatio, 0.99, 0.999, "+0.900 pp (+0.9%)", "99.900%"},
		{result.UnitRate, 500, 495.5, "-4.5/s (-0.9%)", "495.5/s"},
		{result.UnitCount, 0, 3, "+3", "3"},
		{result.UnitCount, 10, 10, "+0 (+0.0%)", "10"},
		{result.UnitTimes, 1, 1.25, "+0.25x (+25.0%)", "1.25x"},
		{result.UnitMS, 100, 99.9999, "+0.00ms (+0.0%)", "100.0ms"}, // never "-0"
	} {
		if got := formatDiff(tc.unit, tc.base, tc.x); got != tc.want {
			t.Errorf("formatDiff(%v, %v, %v) = %q, want %q", tc.unit, tc.base, tc.x, got, tc.want)
		}
		if got := formatValue(tc.unit, tc.x); got != tc.wantValue {
			t.Errorf("formatValue(%v, %v) = %q, want %q", tc.unit, tc.x, got, tc.wantValue)
		}
	}
}

func TestRunLabels(t *testing.T) {
	t0 := time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)
	got := runLabels([]*result.Result{
		{Scenario: "quickstart", StartedAt: t0},
		{Scenario: "quickstart", StartedAt: t0.Add(time.Minute)},
		{Scenario: "partition", StartedAt: t0},
		{Scenario: "retry", StartedAt: t0},
		{Scenario: "retry", StartedAt: t0},
	})
	want := []string{"quickstart@2025-03-14T15:09:26Z", "quickstart@2025-03-14T15:10:26Z", "partition",
		"retry@2025-03-14T15:09:26Z#4", "retry@2025-03-14T15:09:26Z#5"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("label %d = %q, want %q", i, got[i], want[i])
		}
	}
}

func TestMarkdownEscaping(t *testing.T) {
	for _, tc := range []struct{ in, text, cell string }{
		{"plain words", "plain words", "plain words"},
		{"a|b", `a\|b`, `a\|b`},
		{"# not a heading", `\# not a heading`, `# not a heading`},
		{"- not a list", `\- not a list`, `- not a list`},
		{"1. not a list", `1\. not a list`, `1. not a list`},
		{"500.0/s", "500.0/s", "500.0/s"},
		{"<b>*x*</b>", `\<b>\*x\*\</b>`, `\<b>\*x\*\</b>`},
		{"two\nlines", "two lines", "two lines"},
	} {
		if got := mdText(tc.in); got != tc.text {
			t.Errorf("mdText(%q) = %q, want %q", tc.in, got, tc.text)
		}
		if got := mdCell(tc.in); got != tc.cell {
			t.Errorf("mdCell(%q) = %q, want %q", tc.in, got, tc.cell)
		}
	}
}
