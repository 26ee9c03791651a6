package reports_test

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/faultline-sim/faultline/reports"
	"github.com/faultline-sim/faultline/reports/result"
	"github.com/faultline-sim/faultline/reports/result/resulttest"
)

func TestReportMarkdownGolden(t *testing.T) {
	rep, err := reports.NewReport(resulttest.Fixture())
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := rep.WriteMarkdown(&buf); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "report.md.golden", buf.Bytes())
}

// writeReport writes the report of results into a new folder and returns
// the folder and the paths written.
func writeReport(t *testing.T, results ...*result.Result) (string, []string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "out")
	paths, err := reports.WriteReport(dir, results...)
	if err != nil {
		t.Fatal(err)
	}
	return dir, paths
}

// pngFiles returns the names of the PNG files in dir, sorted.
func pngFiles(t *testing.T, dir string) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.png"))
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range names {
		names[i] = filepath.Base(n)
	}
	slices.Sort(names)
	return names
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var mdImage = regexp.MustCompile(`!\[[^\]]*\]\(([^)]+)\)`)

// TestWriteReport checks the files of one report: every plot as a PNG
// that report.md shows, and a self-contained report.html.
func TestWriteReport(t *testing.T) {
	dir, paths := writeReport(t, resulttest.Fixture())
	t.Run("plots", func(t *testing.T) { checkPlots(t, dir, paths) })
	t.Run("html", func(t *testing.T) { checkHTML(t, dir) })
}

func checkPlots(t *testing.T, dir string, paths []string) {
	if len(paths) < 2 || filepath.Base(paths[0]) != reports.MarkdownFile || filepath.Base(paths[1]) != reports.HTMLFile {
		t.Fatalf("WriteReport returned %v, want report.md and report.html first", paths)
	}
	want := []string{"comparison.png", "completion-percentiles.png", "consumer-lag.png", "latency-percentiles.png", "p99-over-time.png", "throughput-availability.png"}
	got := pngFiles(t, dir)
	if !slices.Equal(got, want) {
		t.Errorf("plots written: %v, want %v", got, want)
	}
	// report.md shows every plot written, by a path relative to itself.
	var linked []string
	for _, m := range mdImage.FindAllStringSubmatch(read(t, filepath.Join(dir, reports.MarkdownFile)), -1) {
		linked = append(linked, m[1])
	}
	slices.Sort(linked)
	if !slices.Equal(linked, want) {
		t.Errorf("report.md shows images %v, want %v", linked, want)
	}
	for _, name := range got {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if b := img.Bounds(); b.Dx() < 800 || b.Dy() < 400 {
			t.Errorf("%s is %dx%d pixels, too small to read", name, b.Dx(), b.Dy())
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

// checkPage parses page as strict XML (report.html is written as
// well-formed markup, so any unbalanced or unclosed tag fails) and returns
// the src of every img. It fails on anything that would need the network.
func checkPage(t *testing.T, page string) (srcs []string) {
	t.Helper()
	elements := map[string]int{}
	walkPage(t, "report.html", page, func(x xml.StartElement) {
		elements[x.Name.Local]++
		for _, a := range x.Attr {
			switch {
			case a.Name.Local == "src" && x.Name.Local == "img":
				srcs = append(srcs, a.Value)
			case a.Name.Local == "src" || (a.Name.Local == "href" && !strings.HasPrefix(a.Value, "#")):
				t.Errorf("<%s %s=%q> refers outside the page", x.Name.Local, a.Name.Local, a.Value)
			}
		}
	})
	for _, el := range []string{"html", "head", "body", "title", "style"} {
		if elements[el] != 1 {
			t.Errorf("%d <%s> elements, want 1", elements[el], el)
		}
	}
	for _, el := range []string{"script", "link", "iframe", "object"} {
		if elements[el] != 0 {
			t.Errorf("report.html has <%s>", el)
		}
	}
	return srcs
}

// walkPage parses page (named name in messages) as strict XML with HTML
// entities, fails unless it is one well-formed <html> element, and calls
// start for every element opened.
func walkPage(t *testing.T, name, page string, start func(xml.StartElement)) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(page))
	d.Strict = true
	d.Entity = xml.HTMLEntity
	var stack []string
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line, col := d.InputPos()
			t.Fatalf("%s is not well-formed at %d:%d: %v", name, line, col, err)
		}
		switch x := tok.(type) {
		case xml.StartElement:
			if len(stack) == 0 && x.Name.Local != "html" {
				t.Errorf("root element <%s>, want <html>", x.Name.Local)
			}
			stack = append(stack, x.Name.Local)
			start(x)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
	if len(stack) != 0 {
		t.Errorf("unclosed elements at the end: %v", stack)
	}
}

func checkHTML(t *testing.T, dir string) {
	page := read(t, filepath.Join(dir, reports.HTMLFile))
	srcs := checkPage(t, page)
	files := pngFiles(t, dir)
	const prefix = "data:image/png;base64,"
	if n := strings.Count(page, prefix); n != len(files) || len(srcs) != len(files) {
		t.Fatalf("%d data URIs and %d images in report.html, %d PNG files written", n, len(srcs), len(files))
	}
	embedded := map[string]bool{}
	for _, src := range srcs {
		if !strings.HasPrefix(src, prefix) {
			t.Errorf("image %.40q is not a PNG data URI", src)
			continue
		}
		data, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(src, prefix))
		if err != nil {
			t.Errorf("image data: %v", err)
			continue
		}
		if _, err := png.Decode(bytes.NewReader(data)); err != nil {
			t.Errorf("embedded image does not decode: %v", err)
		}
		embedded[string(data)] = true
	}
	for _, name := range files {
		if !embedded[read(t, filepath.Join(dir, name))] {
			t.Errorf("%s is not embedded in report.html", name)
		}
	}
	for _, want := range []string{"@media print", "Variants side by side", "events vs sync", "Read this first"} {
		if !strings.Contains(page, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
}

func TestReportEscapesText(t *testing.T) {
	r := resulttest.Fixture()
	r.Description = `<script>alert("x")</script> | *not bold* & _not italic_`
	r.Variants[0].Name = "a|b<i>"
	dir, _ := writeReport(t, r)
	page := read(t, filepath.Join(dir, reports.HTMLFile))
	checkPage(t, page)
	if strings.Contains(page, "<script") || strings.Contains(page, "<i>") {
		t.Error("report.html holds unescaped markup from the result")
	}
	md := read(t, filepath.Join(dir, reports.MarkdownFile))
	for _, want := range []string{`\<script>`, `\| \*not bold\* &amp; \_not italic\_`, `| a\|b\<i> |`} {
		if !strings.Contains(md, want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
}

func TestReportSkipsPlotsWithoutData(t *testing.T) {
	r := resulttest.Fixture()
	r.Variants = r.Variants[:1] // no event-driven variant
	dir := t.TempDir()
	stale := filepath.Join(dir, "consumer-lag.png")
	if err := os.WriteFile(stale, []byte("from an earlier report"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := reports.WriteReport(dir, r); err != nil {
		t.Fatal(err)
	}
	want := []string{"comparison.png", "latency-percentiles.png", "p99-over-time.png", "throughput-availability.png"}
	if got := pngFiles(t, dir); !slices.Equal(got, want) {
		t.Errorf("plots: %v, want %v", got, want)
	}
	md := read(t, filepath.Join(dir, reports.MarkdownFile))
	for _, gone := range []string{"completion-percentiles.png", "consumer-lag.png", "## Event ledger"} {
		if strings.Contains(md, gone) {
			t.Errorf("report.md of a sync-only run has %q", gone)
		}
	}

	// Nothing to plot at all: still a report.
	r.Variants = nil
	r.Expectations = nil
	dir, _ = writeReport(t, r)
	if got := pngFiles(t, dir); len(got) != 0 {
		t.Errorf("plots of a run without variants: %v", got)
	}
	checkPage(t, read(t, filepath.Join(dir, reports.HTMLFile)))
}

func TestReportFlagsProblemsAtTheTop(t *testing.T) {
	r := resulttest.Fixture()
	r.Interrupted = true
	r.Variants[0].WindowS = 12.5
	r.Variants[1].Error = "broker did not start"
	r.Variants[0].Faults[0].Error = "no such service"
	rep, err := reports.NewReport(r)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := rep.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	top := md[:strings.Index(md, "\n## ")]
	for _, want := range []string{
		"[!WARNING]",
		"The run was interrupted", "sync 12.5 s",
		"events could not be run: broker did not start",
		"sync: the load generator fell behind its schedule",
		`fault "slow payment x3" failed: no such service`,
	} {
		if !strings.Contains(top, want) {
			t.Errorf("the top of the report lacks %q:\n%s", want, top)
		}
	}
}

func TestReportFaultMeasurements(t *testing.T) {
	r := resulttest.Fixture()
	f := &r.Variants[1]
	started := r.StartedAt.Add(time.Minute)
	stopped, flowing := started.Add(1500*time.Microsecond), started.Add(5*time.Second+3*time.Millisecond)
	publishable, caughtUp := 850.5, 1200.0
	f.Faults = []result.Fault{
		{Name: "crash broker", Kind: "crash", AtS: 26.5, ForS: 2, Started: started, Ended: started.Add(2 * time.Second),
			StartErrMS: 2, EndErrMS: 1.25, PublishableAfterMS: &publishable, CaughtUpAfterMS: &caughtUp},
		{Name: "partition [order]|[payment]", Kind: "partition", AtS: 4.5, ForS: 5, Started: started, Ended: started.Add(5 * time.Second),
			BytesStopped: &stopped, BytesStarted: &flowing},
		{Name: "reset order->payment", Kind: "reset", AtS: 7.5, Started: started, Ended: started, StartErrMS: 2},
	}
	rep, err := reports.NewReport(r)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := rep.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| events | crash broker | crash | at 24 s for 2 s | 24.002–26.001 s | +2.00ms | +1.25ms | publishes acknowledged again 850.5ms after the crash; restarted node caught up 1.20s after the restart |",
		"bytes stopped 1.50ms after it was applied; held bytes flowed again 3.00ms after the heal",
		"| reset order->payment | reset | at 5 s for 0 s | at 5.002 s | +2.00ms | - |",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
}

func TestReportComparesRuns(t *testing.T) {
	a, b := resulttest.Fixture(), resulttest.Fixture()
	b.StartedAt = a.StartedAt.Add(time.Hour)
	c := resulttest.Fixture()
	c.Scenario = "partition"
	dir, _ := writeReport(t, a, b, c)
	md := read(t, filepath.Join(dir, reports.MarkdownFile))
	for _, want := range []string{
		"# faultline report: 3 runs of quickstart, partition",
		"| measure | quickstart@2025-03-14T15:09:26Z/sync | quickstart@2025-03-14T15:09:26Z/events | quickstart@2025-03-14T15:09:26Z/events vs quickstart@2025-03-14T15:09:26Z/sync |",
		"quickstart@2025-03-14T16:09:26Z/sync vs quickstart@2025-03-14T15:09:26Z/sync",
		"| partition/events |",
		"partition/sync: the load generator fell behind",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	checkPage(t, read(t, filepath.Join(dir, reports.HTMLFile)))
}

func TestNewReportWithoutResults(t *testing.T) {
	if _, err := reports.NewReport(); err == nil {
		t.Error("NewReport() without results succeeded")
	}
	if _, err := reports.NewReport(resulttest.Fixture(), nil); err == nil {
		t.Error("NewReport with a nil result succeeded")
	}
}

// TestReportFromFileStartsNothing makes a report the way `faultline
// report` does, from a results file: no goroutine is left running, and
// the package cannot reach the network or the simulator at all.
func TestReportFromFileStartsNothing(t *testing.T) {
	defer goleak.VerifyNone(t)
	dir := t.TempDir()
	path, err := result.WriteFile(dir, resulttest.Fixture())
	if err != nil {
		t.Fatal(err)
	}
	r, err := result.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reports.WriteReport(dir, r); err != nil {
		t.Fatal(err)
	}

	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to list the package's dependencies")
	}
	out, err := exec.Command(goCmd, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep == "net" || dep == "net/http" || dep == "crypto/tls" || dep == "os/exec" ||
			strings.HasPrefix(dep, "github.com/faultline-sim/faultline/sim") ||
			strings.HasPrefix(dep, "github.com/nats-io/") || strings.HasPrefix(dep, "connectrpc.com/") {
			t.Errorf("package reports depends on %s", dep)
		}
	}
}

func TestReportSurvivesBrokenVariants(t *testing.T) {
	r := resulttest.Fixture()
	r.Variants[0].Histograms.Latency = "not a histogram"
	r.Variants = append(r.Variants, result.Variant{Name: "broken", Error: "world did not start"})
	for i := range r.Variants[1].Timeline {
		r.Variants[1].Timeline[i].Offered = 0
	}
	dir, _ := writeReport(t, r)
	md := read(t, filepath.Join(dir, reports.MarkdownFile))
	for _, want := range []string{
		"sync: the latency histogram could not be decoded",
		"broken could not be run: world did not start",
		"| broken |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	checkHTML(t, dir)
}

// A generator that fell behind while the harness waited for a CPU is
// explained by that wait, in the report's warnings and in the table's.
func TestBehindExplainedByCPUWait(t *testing.T) {
	r := resulttest.Fixture()
	v := &r.Variants[0]
	v.Generator.Behind = true
	if v.Harness == nil {
		v.Harness = &result.Harness{}
	}
	v.Harness.CPUBusy = 0.24
	wait := 0.61
	v.Harness.CPUWaitShare = &wait
	rep, err := reports.NewReport(r)
	if err != nil {
		t.Fatal(err)
	}
	var md, tbl strings.Builder
	if err := rep.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if err := reports.WriteTable(&tbl, r); err != nil {
		t.Fatal(err)
	}
	want := "waited for a CPU 61% of the time they were ready to run (CPU busy 24%): other work on the machine stalled the harness"
	for name, out := range map[string]string{"report": md.String(), "table": tbl.String()} {
		if !strings.Contains(out, want) {
			t.Errorf("%s lacks %q:\n%s", name, want, out)
		}
	}
	// The wait a quiet machine shows (15% in the quickstart) explains
	// nothing: no blame on other work.
	quiet := 0.15
	v.Harness.CPUWaitShare = &quiet
	tbl.Reset()
	if err := reports.WriteTable(&tbl, r); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(tbl.String(), "other work on the machine") {
		t.Errorf("a wait share of 15%% blamed on other work:\n%s", tbl.String())
	}
	if !strings.Contains(tbl.String(), "24% (waited 15%)") {
		t.Errorf("table lacks the cpu wait:\n%s", tbl.String())
	}
}

// A fault that acted on nothing in a variant says so in the table's fault
// notes and in the report's faults section, with what the others acted on.
func TestFaultMatchedShown(t *testing.T) {
	r := resulttest.Fixture()
	fs := r.Variants[0].Faults
	fs[0].MatchedNothing = true
	if len(fs) > 1 {
		fs[1].MatchedLinks = []string{"order#0->payment#0"}
	}
	var tbl, md strings.Builder
	if err := reports.WriteTable(&tbl, r); err != nil {
		t.Fatal(err)
	}
	if want := fs[0].Name + ": MATCHED NOTHING in " + r.Variants[0].Name; !strings.Contains(tbl.String(), want) {
		t.Errorf("table lacks %q:\n%s", want, tbl.String())
	}
	rep, err := reports.NewReport(r)
	if err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "MATCHED NOTHING") {
		t.Errorf("report lacks MATCHED NOTHING")
	}
	if len(fs) > 1 && !strings.Contains(md.String(), "acted on order#0->payment#0") {
		t.Errorf("report lacks the links a fault acted on")
	}
}
