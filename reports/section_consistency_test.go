package reports_test

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/faultline-sim/faultline/reports"
	"github.com/faultline-sim/faultline/reports/result"
	"github.com/faultline-sim/faultline/reports/result/resulttest"
)

// consistencyPlots are the plots only stateful variants have.
var consistencyPlots = []string{"consistency-over-time.png", "time-to-consistency-percentiles.png"}

// TestReportConsistencySection: a result with stateful variants gets a
// Consistency section (counts, sample ids, time to consistency) and its
// plots, in report.md and report.html; a result without any gets neither.
func TestReportConsistencySection(t *testing.T) {
	dir, _ := writeReport(t, resulttest.Stateful())
	md := read(t, filepath.Join(dir, reports.MarkdownFile))
	page := read(t, filepath.Join(dir, reports.HTMLFile))
	for _, want := range []string{
		"## Consistency",
		"| violations (sum of the kinds below) | 14 | 1 |",
		"| orphan charges | 7 | 0 |",
		"| double charges | 0 | 1 |",
		"| time to consistency p99 | 850.2ms | 300.0ms |",
		"orchestrated, orphan charges: 5012, 5013, 5240, 6001, 7123, 8800, 9004",
		"choreography, double charges: 4711",
		"](consistency-over-time.png)",
		"](time-to-consistency-percentiles.png)",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	section := md[strings.Index(md, "## Consistency"):]
	section = section[:strings.Index(section[3:], "\n## ")+3]
	if strings.Contains(section, "stateless") {
		t.Errorf("the consistency section shows the stateless variant:\n%s", section)
	}
	if srcs := checkPage(t, page); len(srcs) != len(pngFiles(t, dir)) {
		t.Errorf("report.html embeds %d images, want the %d plots", len(srcs), len(pngFiles(t, dir)))
	}
	for _, want := range []string{`<section id="consistency">`, "orchestrated, orphan charges: 5012", `class="fail"`} {
		if !strings.Contains(page, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	got := pngFiles(t, dir)
	for _, name := range consistencyPlots {
		if !slices.Contains(got, name) {
			t.Errorf("plot %s not written (plots: %v)", name, got)
			continue
		}
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if b := img.Bounds(); b.Dx() < 800 || b.Dy() < 400 {
			t.Errorf("%s is %dx%d pixels, too small to read", name, b.Dx(), b.Dy())
		}
	}

	// The same folder, now the report of a result without state: no
	// section, and the stale consistency plots are removed.
	if _, err := reports.WriteReport(dir, resulttest.Fixture()); err != nil {
		t.Fatal(err)
	}
	md = read(t, filepath.Join(dir, reports.MarkdownFile))
	if strings.Contains(md, "Consistency") || strings.Contains(read(t, filepath.Join(dir, reports.HTMLFile)), `id="consistency"`) {
		t.Errorf("a report without stateful variants has a consistency section")
	}
	for _, name := range consistencyPlots {
		if slices.Contains(pngFiles(t, dir), name) {
			t.Errorf("stale %s left beside a report without stateful variants", name)
		}
	}
}

// TestReportConsistencyUnreadable: a variant whose stores could not be
// read is warned about at the top and shows n/a, never zero violations.
func TestReportConsistencyUnreadable(t *testing.T) {
	r := resulttest.Stateful()
	r.Variants[1].Consistency = &result.Consistency{Error: "inventory: open store: disk full"}
	r.Variants[1].Histograms.TimeToConsistency = ""
	rep, err := reports.NewReport(r)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := rep.WriteMarkdown(&buf); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	warn := "choreography: the consistency checker could not read the stores: inventory: open store: disk full"
	if i := strings.Index(md, warn); i < 0 || i > strings.Index(md, "## ") {
		t.Errorf("no warning %q before the first section", warn)
	}
	for _, want := range []string{"| violations (sum of the kinds below) | 14 | n/a |", "choreography: the stores could not be read (inventory: open store: disk full)"} {
		if !strings.Contains(md, want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	// Its plots have only the variant that was read.
	for _, p := range rep.Plots() {
		if p.File == "consistency-over-time.png" && len(p.PNG) == 0 {
			t.Errorf("%s is empty", p.File)
		}
	}
}

// TestTableConsistency: the terminal table of stateful variants has the
// violations with their kinds and the time to consistency, "-" for the
// stateless variant, and says what they mean; a table without stateful
// variants has none of it (the golden table checks that).
func TestTableConsistency(t *testing.T) {
	r := resulttest.Stateful()
	r.Variants = append(r.Variants, r.Variants[0])
	r.Variants[3].Name = "unread"
	r.Variants[3].Consistency = &result.Consistency{Error: "payment: open store: permission denied"}
	var buf bytes.Buffer
	if err := reports.WriteTable(&buf, r); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"violations  14 (orphan_charges 7, orphan_reservations 2, stuck 5)  1 (double_charges 1)",
		"variant unread: the consistency checker could not read the stores: payment: open store: permission denied",
		"violations: operations the stores, read back after the drain, show broken",
		"consistency: from the intended send time until the operation was consistent and terminal.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	seen := 0
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) < 3 || f[0] != "consistency" {
			continue
		}
		seen++
		// Cells of orchestrated, choreography, stateless, unread.
		if got := strings.Join(f[2:], " "); got != map[string]string{"p50": "12.5ms 20.0ms - n/a", "p99": "850.2ms 300.0ms - n/a"}[f[1]] {
			t.Errorf("row consistency %s: %q", f[1], got)
		}
	}
	if seen != 2 {
		t.Errorf("%d consistency rows, want p50 and p99:\n%s", seen, out)
	}
}

// TestBenchstatConsistency: the machine formats carry violations and the
// time to consistency p99 of stateful variants only.
func TestBenchstatConsistency(t *testing.T) {
	var buf bytes.Buffer
	if err := reports.WriteBenchstat(&buf, resulttest.Stateful()); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(buf.String(), "\n") {
		switch {
		case strings.Contains(line, "variant=orchestrated "):
			if !strings.Contains(line, " 14 violations 850.25 consistency-p99-ms") {
				t.Errorf("orchestrated: %s", line)
			}
		case strings.Contains(line, "variant=choreography "):
			if !strings.Contains(line, " 1 violations 300 consistency-p99-ms") {
				t.Errorf("choreography: %s", line)
			}
		case strings.Contains(line, "variant=stateless "):
			if strings.Contains(line, "violations") || strings.Contains(line, "consistency") {
				t.Errorf("stateless: %s", line)
			}
		}
	}
	buf.Reset()
	if err := reports.WriteBMF(&buf, resulttest.Stateful()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"violations"`) || !strings.Contains(buf.String(), `"consistency-p99-ms"`) {
		t.Errorf("BMF lacks the consistency measures:\n%s", buf.String())
	}
}

// TestSummaryConsistency: the folder summary gives stateful variants their
// violations and time to consistency p99 (median over repetitions), n/a
// when the stores were not read, and explains them.
func TestSummaryConsistency(t *testing.T) {
	saga := resulttest.Stateful()
	orch := saga.Variants[0]
	saga.Variants = saga.Variants[1:]
	for i, n := range []int64{14, 2, 3} { // median 3
		v := orch
		c := *orch.Consistency
		c.Violations = n
		v.Consistency, v.Repetition = &c, i+1
		saga.Variants = append(saga.Variants, v)
	}
	unread := saga.Variants[0]
	unread.Name, unread.Consistency = "unread", &result.Consistency{Error: "disk full"}
	saga.Variants = append(saga.Variants, unread)
	var buf bytes.Buffer
	s := &reports.Summary{Runs: []reports.SummaryRun{{Result: saga}}}
	if err := s.WriteMarkdown(&buf); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	for _, want := range []string{
		"choreography: availability 100.000%, p99 6.00ms, completion p99 180.2ms, lost 0, violations 1, consistency p99 300.0ms",
		"orchestrated: availability 99.133%, p99 312.8ms, violations 3, consistency p99 850.2ms (median of 3)",
		"stateless: availability 99.133%, p99 312.8ms<br>",
		"unread: availability 100.000%, p99 6.00ms, completion p99 180.2ms, lost 0, violations n/a (stores not read)",
		"violations (stateful variants)",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("summary lacks %q:\n%s", want, md)
		}
	}
}
