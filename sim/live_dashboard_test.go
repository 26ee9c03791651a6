package sim

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// The Grafana dashboard shipped in docs/grafana reads only series the live
// collector exports, and shows rate, errors, p99 from the native histogram,
// consumer lag and active faults.
func TestGrafanaDashboardReadsExportedSeries(t *testing.T) {
	data, err := os.ReadFile("../docs/grafana/faultline.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
	}
	if err := json.Unmarshal(data, &dash); err != nil {
		t.Fatal(err)
	}
	exported := map[string]bool{}
	ch := make(chan *prometheus.Desc, 16)
	(&live{}).Describe(ch)
	close(ch)
	fq := regexp.MustCompile(`fqName: "([^"]+)"`)
	for d := range ch {
		if m := fq.FindStringSubmatch(d.String()); m != nil {
			exported[m[1]] = true
		}
	}
	series := regexp.MustCompile(`faultline_[a-z_]+`)
	var all []string
	for _, p := range dash.Panels {
		for _, tg := range p.Targets {
			all = append(all, tg.Expr)
			for _, s := range series.FindAllString(tg.Expr, -1) {
				if !exported[s] && !exported[strings.TrimSuffix(s, "_bucket")] {
					t.Errorf("panel %q reads %s, which is not exported (exported: %v)", p.Title, s, exported)
				}
			}
		}
	}
	exprs := strings.Join(all, "\n")
	for _, want := range []string{
		`stage="sent"`, `stage="failed"`,
		`histogram_quantile(0.99, sum by (variant) (rate(faultline_request_duration_seconds{`, // native: no _bucket, no le
		"faultline_consumer_lag", "faultline_fault_active",
	} {
		if !strings.Contains(exprs, want) {
			t.Errorf("no panel reads %s", want)
		}
	}
}
