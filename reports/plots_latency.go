package reports

import (
	"errors"
	"fmt"
	"math"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
	"gonum.org/v1/plot/plotter"
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

// percentilePlot draws latency by percentile, one line per column: client
// latency, or with completion set the event completion latency of
// event-driven columns. It returns nil when no column has a histogram.
func percentilePlot(cols []column, completion bool) (*canvas, []string, error) {
	what, title := "latency", "Client latency by percentile (recorded window, from intended send time)"
	if completion {
		what, title = "completion", "Event completion latency by percentile (until every subscriber processed)"
	}
	var (
		notes  []string
		lines  []plotter.XYs
		labels []string
		index  []int
	)
	for i, c := range cols {
		encoded := c.V.Histograms.Latency
		if completion {
			if !c.V.EventDriven {
				continue
			}
			encoded = c.V.Histograms.Completion
		}
		if encoded == "" {
			continue
		}
		h, err := decodeHistogram(encoded)
		if err != nil {
			notes = append(notes, fmt.Sprintf("%s: the %s histogram could not be decoded (%v); it is left out of the plot.", c.Label, what, err))
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
	p := newPlot(title, "percentile", "latency (ms)")
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
