package reports

import (
	"errors"
	"fmt"
	"math"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
	"gonum.org/v1/plot/plotter"

	"github.com/faultline-sim/faultline/reports/result"
)

// maxNines is the right end of a percentile plot: p99.99 (x = 4).
const maxNines = 4

// ninesStep is the x resolution of a percentile plot's lines.
const ninesStep = 0.02

// decodeHistogram decodes a histogram of Variant.Histograms: HdrHistogram
// V2 compressed, base64, values in microseconds.
func decodeHistogram(encoded string) (*hdr.Histogram, error) {
	if encoded == "" {
		return nil, errors.New("no histogram")
	}
	h, err := hdr.Decode([]byte(encoded))
	if err != nil {
		return nil, err
	}
	return h, nil
}

// percentileCurve reads h at percentiles from p0 to p99.99, evenly spaced
// in nines (x = -log10(1-q)): x, and the latency in milliseconds. Values
// are read off the histogram, never interpolated between percentiles.
func percentileCurve(h *hdr.Histogram) plotter.XYs {
	n := int(math.Round(maxNines/ninesStep)) + 1
	xys := make(plotter.XYs, n)
	for i := range xys {
		x := float64(i) * ninesStep
		q := 100 * (1 - math.Pow(10, -x))
		xys[i] = plotter.XY{X: x, Y: float64(h.ValueAtQuantile(q)) / 1e3}
	}
	return xys
}

// histogramKind is one histogram of Variant.Histograms a percentile plot
// draws: what it is called in notes, the plot's title and y label, and
// which columns have it.
type histogramKind struct {
	what, title, yLabel string
	// encoded returns the column's histogram, false when the column does
	// not have this kind (completion of a synchronous variant).
	encoded func(v *result.Variant) (string, bool)
}

// The histograms percentile plots draw.
var (
	latencyHistogram = histogramKind{"latency", "Client latency by percentile (recorded window, from intended send time)", "latency (ms)",
		func(v *result.Variant) (string, bool) { return v.Histograms.Latency, true }}
	completionHistogram = histogramKind{"completion", "Event completion latency by percentile (until every subscriber processed)", "latency (ms)",
		func(v *result.Variant) (string, bool) { return v.Histograms.Completion, v.EventDriven }}
	consistencyHistogram = histogramKind{"time to consistency", "Time to consistency by percentile (until the operation was consistent and terminal)", "time to consistency (ms)",
		func(v *result.Variant) (string, bool) {
			return v.Histograms.TimeToConsistency, v.CheckedConsistency() != nil
		}}
)

// percentilePlot draws the histogram kind by percentile, one line per
// column that has it: client latency, the event completion latency of
// event-driven columns, the time to consistency of stateful ones. It
// returns nil when no column has a histogram of that kind.
func percentilePlot(cols []column, kind histogramKind) (*canvas, []string, error) {
	var (
		notes  []string
		lines  []plotter.XYs
		labels []string
		index  []int
	)
	for i, c := range cols {
		encoded, ok := kind.encoded(c.V)
		if !ok || encoded == "" {
			continue
		}
		h, err := decodeHistogram(encoded)
		if err != nil {
			notes = append(notes, fmt.Sprintf("%s: the %s histogram could not be decoded (%v); it is left out of the plot.", c.Label, kind.what, err))
			continue
		}
		if h.TotalCount() == 0 {
			continue
		}
		lines = append(lines, percentileCurve(h))
		labels = append(labels, fmt.Sprintf("%s (%d values)", c.Label, h.TotalCount()))
		index = append(index, i)
	}
	if len(lines) == 0 {
		return nil, notes, nil
	}
	p := newPlot(kind.title, "percentile", kind.yLabel)
	p.X.Min, p.X.Max = 0, maxNines
	p.X.Tick.Marker = ninesTicks
	scaleY(p, lines)
	for k, xys := range lines {
		if err := addLine(p, index[k], labels[k], xys, false); err != nil {
			return nil, notes, err
		}
	}
	legendAbove(p, len(lines))
	c, err := renderOne(p)
	return c, notes, err
}
