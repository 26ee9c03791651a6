package reports_test

import (
	"strings"
	"testing"

	"github.com/faultline-sim/faultline/reports"
	"github.com/faultline-sim/faultline/reports/result"
	"github.com/faultline-sim/faultline/reports/result/resulttest"
)

func f64(x float64) *float64 { return &x }

// An event-driven variant's fault windows show completion p50/p99,
// completed per second and the backlog; a part where nothing completed
// reads n/a, not 0; a part another fault was applied in is marked and
// footnoted, in the text table and in the report.
func TestFaultWindowsEventFigures(t *testing.T) {
	r := resulttest.Fixture()
	var ev *result.Variant
	for i := range r.Variants {
		if r.Variants[i].EventDriven {
			ev = &r.Variants[i]
		}
	}
	if ev == nil {
		t.Fatal("fixture has no event-driven variant")
	}
	ev.Faults = []result.Fault{{
		Name: "crash inventory", Kind: "crash", AtS: 6.5, ForS: 2,
		Before: &result.WindowStats{FromS: 2, ToS: 4, Offered: 400, Succeeded: 400, Availability: 1, ThroughputRPS: 200, P99MS: 13.4,
			Completion:  &result.WindowCompletion{Completed: 400, CompletedRPS: 200, P50MS: f64(7.5), P99MS: f64(21.5)},
			ConsumerLag: &result.WindowLag{Seconds: 2, Max: 75, Mean: 70}},
		During: &result.WindowStats{FromS: 4, ToS: 6, Offered: 400, Succeeded: 400, Availability: 1, ThroughputRPS: 200, P99MS: 13.4,
			Completion:     &result.WindowCompletion{Completed: 400, CompletedRPS: 200, P50MS: f64(1000), P99MS: f64(2950)},
			ConsumerLag:    &result.WindowLag{Seconds: 1, Missing: 1, Max: 274, Mean: 174},
			ContaminatedBy: []string{"partition order->broker"}},
		After: &result.WindowStats{FromS: 6, ToS: 8, Offered: 400, Succeeded: 0, ThroughputRPS: 0, P99MS: 2000,
			Completion:  &result.WindowCompletion{Completed: 0},
			ConsumerLag: &result.WindowLag{Missing: 2}},
	}}
	var b strings.Builder
	if err := reports.WriteFaults(&b, r); err != nil {
		t.Fatal(err)
	}
	text := b.String()
	rep, err := reports.NewReport(r)
	if err != nil {
		t.Fatal(err)
	}
	var md strings.Builder
	if err := rep.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{text, md.String()} {
		for _, want := range []string{"completion p99", "21.5ms", "2.95s", "200.0/s", "75 / 70", "274 / 174",
			"during †", "also under partition order->broker", "from the start of the recorded window", "at 4 s for 2 s"} {
			if !strings.Contains(out, want) {
				t.Errorf("lacks %q:\n%s", want, out)
			}
		}
	}
	// The after part: nothing completed and no lag sample: n/a, not 0.
	var after string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, "after 6-8s") {
			after = l
		}
	}
	if strings.Count(after, result.NA) != 3 || strings.Contains(after, "0.00ms") {
		t.Errorf("after part with nothing completed: %q, want completion p50, p99 and backlog n/a", after)
	}
}
