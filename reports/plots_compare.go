package reports

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/faultline-sim/faultline/reports/result"
)

// compareChart draws three panels side by side, one bar per column: p99
// latency, availability and throughput over the recorded window. It
// returns nil without columns.
func compareChart(cols []column) (*canvas, []string, error) {
	if len(cols) == 0 {
		return nil, nil, nil
	}
	panels := []struct {
		title string
		value func(v *result.Variant) float64
		label func(x float64) string
		max   float64 // fixed top of the axis; 0: from the data
	}{
		{"p99 latency (ms)", func(v *result.Variant) float64 { return v.LatencyMS.P99 }, result.FormatMS, 0},
		{"availability (%)", func(v *result.Variant) float64 { return 100 * v.Availability }, func(x float64) string { return percent(x / 100) }, 100},
		{"throughput (succeeded / s)", func(v *result.Variant) float64 { return v.ThroughputRPS }, result.FormatRate, 0},
	}
	names := make([]string, len(cols))
	long := len(cols) > 3
	for i, c := range cols {
		names[i] = c.Label
		long = long || len(c.Label) > 14
	}
	// Bars share a panel's width, with room between them for the values;
	// past 6 bars the values would overlap and are left to the tables.
	width := vg.Points(math.Min(40, 110/float64(len(cols))))
	values := len(cols) <= 6
	row := make([]*plot.Plot, len(panels))
	for k, pn := range panels {
		p := plot.New()
		p.Title.Text = pn.title
		styleText(p)
		p.Title.TextStyle.Font.Size = vg.Points(12)
		p.Y.Tick.Marker = plainTicks
		grid := plotter.NewGrid()
		grid.Vertical.Width = 0
		grid.Horizontal.Color = color.Gray{Y: 0xe0}
		p.Add(grid)
		p.Y.Min = 0
		hi := 0.0
		var at plotter.XYs
		var texts []string
		for i, c := range cols {
			x := pn.value(c.V)
			if math.IsNaN(x) || math.IsInf(x, 0) {
				x = 0
			}
			hi = math.Max(hi, x)
			bar, err := plotter.NewBarChart(plotter.Values{x}, width)
			if err != nil {
				return nil, nil, err
			}
			bar.XMin = float64(i)
			bar.Color = palette[i%len(palette)]
			bar.LineStyle.Width = 0
			p.Add(bar)
			at = append(at, plotter.XY{X: float64(i), Y: x})
			texts = append(texts, pn.label(x))
		}
		top := hi * 1.18
		if pn.max > 0 {
			top = pn.max * 1.12
		}
		if top == 0 {
			top = 1
		}
		p.Y.Max = top
		if values {
			labels, err := plotter.NewLabels(plotter.XYLabels{XYs: at, Labels: texts})
			if err != nil {
				return nil, nil, err
			}
			for i := range labels.TextStyle {
				labels.TextStyle[i].Font = font.From(labels.TextStyle[i].Font, vg.Points(8))
				labels.TextStyle[i].Font.Variant = "Sans"
				labels.TextStyle[i].XAlign = draw.XCenter
			}
			labels.Offset = vg.Point{Y: vg.Points(3)}
			p.Add(labels)
		}
		p.NominalX(names...)
		if long {
			p.X.Tick.Label.Rotation = math.Pi / 6
			p.X.Tick.Label.XAlign = draw.XRight
			p.X.Tick.Label.YAlign = draw.YCenter
		}
		row[k] = p
	}
	h := 4.5 * vg.Inch
	if long {
		h = 5.5 * vg.Inch
	}
	c, err := renderGrid(plotWidth, h, [][]*plot.Plot{row})
	return c, nil, err
}
