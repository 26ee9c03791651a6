package reports_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/reports"
	"github.com/faultline-sim/faultline/reports/result/resulttest"
)

// summaryFixture is a summary of three scenarios: one with a missed
// expectation, one that passed with a repeated variant and text that needs
// escaping, one whose variant could not run; and one not run at all.
func summaryFixture() *reports.Summary {
	missed := resulttest.Fixture()

	passed := resulttest.Fixture()
	passed.Scenario = "partition"
	passed.Description = `<b>cut</b> | *payment* & [friends]`
	passed.StartedAt = missed.FinishedAt.Add(time.Second)
	passed.FinishedAt = passed.StartedAt.Add(40 * time.Second)
	passed.Expectations = passed.Expectations[:1]
	passed.Config.Repeat = 3
	ev := passed.Variants[1]
	passed.Variants = nil
	for i, p99 := range []float64{6, 9, 7} {
		v := ev
		v.Repetition = i + 1
		v.LatencyMS.P99 = p99
		v.Events.Lost = int64(i)
		passed.Variants = append(passed.Variants, v)
	}

	broken := resulttest.Fixture()
	broken.Scenario = "broker-crash"
	broken.Description = ""
	broken.StartedAt = passed.FinishedAt.Add(time.Second)
	broken.FinishedAt = broken.StartedAt.Add(2 * time.Second)
	broken.Variants = broken.Variants[1:]
	broken.Variants[0].Error = "start world: broker: boom"
	broken.Expectations = nil

	return &reports.Summary{
		Title: "faultline summary: scenarios",
		Runs: []reports.SummaryRun{
			{Result: missed, Dir: "quickstart"},
			{Result: passed, Dir: "part (1)"},
			{Result: broken, Dir: "broker-crash/"},
		},
		NotRun: []string{"retry-storm"},
	}
}

func TestSummaryMarkdownGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := summaryFixture().WriteMarkdown(&buf); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "summary.md.golden", buf.Bytes())
}

func TestWriteSummary(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	paths, err := reports.WriteSummary(dir, summaryFixture())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(dir, reports.SummaryMarkdownFile), filepath.Join(dir, reports.SummaryHTMLFile)}
	if !slices.Equal(paths, want) {
		t.Fatalf("WriteSummary returned %v, want %v", paths, want)
	}
	page := read(t, want[1])
	hrefs := checkSummaryPage(t, page)
	wantHrefs := []string{
		"quickstart/report.html", "quickstart/report.md",
		"part%20%281%29/report.html", "part%20%281%29/report.md",
		"broker-crash/report.html", "broker-crash/report.md",
	}
	if !slices.Equal(hrefs, wantHrefs) {
		t.Errorf("links %q, want %q", hrefs, wantHrefs)
	}
	for _, w := range []string{
		`<tr class="fail">`, `<tr class="ok">`, "1/2 met: FAIL", "1/1 met: pass", "run failed: ERROR",
		"availability 100.000%, p99 7.00ms, completion p99 180.2ms, lost 1 (median of 3)",
		"could not run: start world: broker: boom", "not run: retry-storm",
		"&lt;b&gt;cut&lt;/b&gt; | *payment* &amp; [friends]",
	} {
		if !strings.Contains(page, w) {
			t.Errorf("index.html lacks %q", w)
		}
	}
	if strings.Contains(page, "<b>cut") {
		t.Error("index.html holds unescaped markup from a result")
	}
	md := read(t, want[0])
	if !strings.Contains(md, "[report.html](part%20%281%29/report.html)") {
		t.Errorf("index.md links:\n%s", md)
	}
}

func TestSummaryWithoutResultFails(t *testing.T) {
	s := &reports.Summary{Runs: []reports.SummaryRun{{Dir: "x"}}}
	if err := s.WriteHTML(io.Discard); err == nil {
		t.Error("WriteHTML: no error for a run without result")
	}
	dir := filepath.Join(t.TempDir(), "out")
	if _, err := reports.WriteSummary(dir, s); err == nil {
		t.Error("WriteSummary: no error for a run without result")
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("WriteSummary created %s for a summary it could not render", dir)
	}
}

// checkSummaryPage parses page as strict XML (index.html is written as
// well-formed markup) and returns the href of every link, in order. It
// fails on anything that would load another resource.
func checkSummaryPage(t *testing.T, page string) (hrefs []string) {
	t.Helper()
	walkPage(t, "index.html", page, func(x xml.StartElement) {
		switch x.Name.Local {
		case "script", "link", "img", "iframe", "object":
			t.Errorf("index.html has <%s>", x.Name.Local)
		}
		for _, a := range x.Attr {
			if a.Name.Local == "href" {
				if strings.Contains(a.Value, ":") || strings.HasPrefix(a.Value, "/") {
					t.Errorf("link %q is not relative", a.Value)
				}
				hrefs = append(hrefs, a.Value)
			}
		}
	})
	return hrefs
}
