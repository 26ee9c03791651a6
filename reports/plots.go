package reports

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/faultline-sim/faultline/reports/result"
)

// Plot file names, in the order the report shows them.
const (
	plotCompare     = "comparison.png"
	plotLatency     = "latency-percentiles.png"
	plotCompletion  = "completion-percentiles.png"
	plotThroughput  = "throughput-availability.png"
	plotP99         = "p99-over-time.png"
	plotCompletionT = "completion-p99-over-time.png"
	plotConsumerLag = "consumer-lag.png"
	plotConsistency = "consistency-over-time.png"
	plotConsistPct  = "time-to-consistency-percentiles.png"
)

// plotFiles lists every plot a report can have.
var plotFiles = []string{plotCompare, plotLatency, plotCompletion, plotThroughput, plotP99, plotCompletionT, plotConsumerLag, plotConsistency, plotConsistPct}

// Size of the plots: 960 × 480 pixels for a single plot, readable on a
// laptop screen and on paper.
const (
	plotDPI    = 96
	plotWidth  = 10 * vg.Inch
	plotHeight = 5 * vg.Inch
)

// palette is the Okabe-Ito palette without its yellow: told apart with
// colour-blindness, and in print. Lines past its end are dashed.
var palette = []color.Color{
	color.RGBA{0x00, 0x72, 0xB2, 0xff}, // blue
	color.RGBA{0xD5, 0x5E, 0x00, 0xff}, // vermillion
	color.RGBA{0x00, 0x9E, 0x73, 0xff}, // bluish green
	color.RGBA{0xCC, 0x79, 0xA7, 0xff}, // reddish purple
	color.RGBA{0xE6, 0x9F, 0x00, 0xff}, // orange
	color.RGBA{0x56, 0xB4, 0xE9, 0xff}, // sky blue
	color.RGBA{0x00, 0x00, 0x00, 0xff}, // black
}

// lineStyle is the style of the i-th column's line.
func lineStyle(i int) draw.LineStyle {
	s := draw.LineStyle{Color: palette[i%len(palette)], Width: vg.Points(1.75)}
	if i >= len(palette) {
		s.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
	}
	return s
}

// drawPlots draws every plot the columns have data for. notes are problems
// that left a column out of a plot (a histogram that does not decode).
func drawPlots(cols []column) (plots []Plot, notes []string, err error) {
	type drawer struct {
		file, title string
		draw        func([]column) (*canvas, []string, error)
	}
	for _, d := range []drawer{
		{plotCompare, "p99, availability and throughput by variant", compareChart},
		{plotLatency, "Client latency by percentile", func(c []column) (*canvas, []string, error) { return percentilePlot(c, latencyHistogram) }},
		{plotCompletion, "Event completion latency by percentile", func(c []column) (*canvas, []string, error) { return percentilePlot(c, completionHistogram) }},
		{plotThroughput, "Throughput and availability per second", throughputPlot},
		{plotP99, "p99 latency per second", p99Plot},
		{plotCompletionT, "Completion p99 per second", completionP99Plot},
		{plotConsumerLag, "Consumer lag per second", lagPlot},
		{plotConsistency, "Violations over time", consistencyPlot},
		{plotConsistPct, "Time to consistency by percentile", func(c []column) (*canvas, []string, error) { return percentilePlot(c, consistencyHistogram) }},
	} {
		c, n, err := d.draw(cols)
		notes = append(notes, n...)
		if err != nil {
			return nil, notes, fmt.Errorf("reports: plot %s: %w", d.file, err)
		}
		if c == nil {
			continue
		}
		png, err := c.png()
		if err != nil {
			return nil, notes, fmt.Errorf("reports: plot %s: %w", d.file, err)
		}
		plots = append(plots, Plot{File: d.file, Title: d.title, PNG: png})
	}
	return plots, notes, nil
}

// canvas is a drawn image waiting to be encoded.
type canvas struct{ c *vgimg.Canvas }

// render draws on a w × h canvas with a white background; a panic of the
// plotting library becomes an error.
func render(w, h vg.Length, f func(dc draw.Canvas)) (c *canvas, err error) {
	defer func() {
		if r := recover(); r != nil {
			c, err = nil, fmt.Errorf("drawing failed: %v", r)
		}
	}()
	img := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(plotDPI), vgimg.UseBackgroundColor(color.White))
	f(draw.New(img))
	return &canvas{img}, nil
}

// renderOne draws a single plot at the standard size.
func renderOne(p *plot.Plot) (*canvas, error) {
	return render(plotWidth, plotHeight, p.Draw)
}

// renderGrid draws plots in rows × columns, their data areas aligned.
func renderGrid(w, h vg.Length, plots [][]*plot.Plot) (*canvas, error) {
	return render(w, h, func(dc draw.Canvas) {
		tiles := draw.Tiles{Rows: len(plots), Cols: len(plots[0]), PadX: vg.Points(12), PadY: vg.Points(12),
			PadTop: vg.Points(4), PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(8)}
		canvases := plot.Align(plots, tiles, dc)
		for i := range plots {
			for j, p := range plots[i] {
				if p != nil {
					p.Draw(canvases[i][j])
				}
			}
		}
	})
}

func (c *canvas) png() ([]byte, error) {
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c.c}).WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// newPlot returns a plot with the report's common settings.
func newPlot(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	styleText(p)
	p.X.Tick.Marker, p.Y.Tick.Marker = plainTicks, plainTicks
	grid := plotter.NewGrid()
	grid.Vertical.Color = color.Gray{Y: 0xe0}
	grid.Horizontal.Color = color.Gray{Y: 0xe0}
	p.Add(grid)
	return p
}

// styleText sets the plot's fonts: sans-serif, the title a little larger.
func styleText(p *plot.Plot) {
	for _, f := range []*font.Font{
		&p.Title.TextStyle.Font, &p.X.Label.TextStyle.Font, &p.Y.Label.TextStyle.Font,
		&p.X.Tick.Label.Font, &p.Y.Tick.Label.Font, &p.Legend.TextStyle.Font,
	} {
		f.Variant = "Sans"
	}
	p.Title.TextStyle.Font.Size = vg.Points(13)
	p.Legend.TextStyle.Font.Size = vg.Points(10)
}

// legendAbove moves a legend of n entries out of the data area, between
// the title and the data, so that it never hides a line.
func legendAbove(p *plot.Plot, n int) {
	if n == 0 {
		return
	}
	p.Legend.Padding = vg.Points(2)
	h := p.Legend.TextStyle.FontExtents().Height + p.Legend.Padding
	p.Title.Padding = vg.Length(n)*h + vg.Points(6)
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.YOffs = p.Title.Padding
}

// headroom leaves space above the highest value hi of a linear axis for
// the faults' names.
func headroom(p *plot.Plot, hi float64) {
	if hi > 0 {
		p.Y.Max = max(p.Y.Max, hi*1.15)
	}
}

// addLine adds a line of the i-th column, labelled in the legend.
func addLine(p *plot.Plot, i int, label string, xys plotter.XYs, step bool) error {
	if len(xys) == 0 {
		return nil
	}
	l, err := plotter.NewLine(xys)
	if err != nil {
		return err
	}
	l.LineStyle = lineStyle(i)
	if step {
		l.StepStyle = plotter.PostStep
	}
	p.Add(l)
	p.Legend.Add(label, l)
	return nil
}

// scaleY chooses the y axis for lines and fits it: logarithmic when
// their positive values span more than 50×, so that a fast variant's line
// is not flattened against the axis by a slow one's tail, linear from 0
// otherwise, with room above the highest value either way. A log axis is
// drawn as log10 of the values on a linear axis (gonum's log scale places
// the axis label off centre), so scaleY rewrites the lines' y in place.
func scaleY(p *plot.Plot, lines []plotter.XYs) {
	lo, hi := math.Inf(1), 0.0
	for _, xys := range lines {
		for _, xy := range xys {
			if xy.Y > 0 {
				lo, hi = min(lo, xy.Y), max(hi, xy.Y)
			}
		}
	}
	if hi == 0 || hi/lo <= 50 {
		p.Y.Min = 0
		headroom(p, hi)
		return
	}
	floor := max(lo/1.25, 0.001)
	for _, xys := range lines {
		for i := range xys {
			xys[i].Y = math.Log10(max(xys[i].Y, floor))
		}
	}
	p.Y.Min, p.Y.Max = math.Log10(floor), math.Log10(hi*2)
	p.Y.Tick.Marker = decadeTicks
	p.Y.Label.Text += " (log scale)"
}

// decadeTicks mark an axis of log10 values: labelled decades, unlabelled
// steps between them.
var decadeTicks = plot.TickerFunc(func(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
	for k := math.Floor(lo); k <= math.Ceil(hi); k++ {
		for m := 1; m < 10; m++ {
			v := k + math.Log10(float64(m))
			if v < lo || v > hi {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 {
				t.Label = strconv.FormatFloat(math.Pow(10, k), 'f', -1, 64)
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
})

// faultShade shades each fault's span over the plot's whole height and, if
// labels is set, writes the fault's name at its top. It adds nothing to
// the data range: a fault outside the plotted seconds is clipped away.
type faultShade struct {
	spans  []faultSpan
	labels bool
}

var shadeColor = color.NRGBA{R: 0xD5, G: 0x5E, B: 0x00, A: 0x30}

// Plot implements plot.Plotter.
func (s faultShade) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	sty := p.X.Tick.Label
	sty.Font = font.From(sty.Font, vg.Points(9))
	sty.Color = color.Gray{Y: 0x30}
	sty.XAlign, sty.YAlign = draw.XLeft, draw.YTop
	lineHeight := sty.FontExtents().Height
	for i, sp := range s.spans {
		x0 := trX(sp.From)
		x1 := c.Max.X
		if !sp.Open {
			x1 = trX(sp.To)
		}
		x0, x1 = max(x0, c.Min.X), min(x1, c.Max.X)
		if x1 < c.Min.X || x0 > c.Max.X || x0 > x1 {
			continue
		}
		if x1-x0 < vg.Points(2) { // an instant fault (a reset): a thin band
			x1 = min(x0+vg.Points(2), c.Max.X)
		}
		c.FillPolygon(shadeColor, []vg.Point{{X: x0, Y: c.Min.Y}, {X: x1, Y: c.Min.Y}, {X: x1, Y: c.Max.Y}, {X: x0, Y: c.Max.Y}})
		if s.labels {
			y := c.Max.Y - vg.Points(2) - vg.Length(i%3)*lineHeight
			c.FillText(sty, vg.Point{X: x0 + vg.Points(2), Y: y}, sp.Name)
		}
	}
}

// faultSpans returns the faults of cols on the timeline, one per fault: a
// fault every variant of a run had is shaded once, from its earliest
// applied start to its latest applied end.
func faultSpans(cols []column) []faultSpan {
	type key struct {
		name        string
		asked, span float64 // asked start on the timeline, asked length
	}
	var out []faultSpan
	index := map[key]int{}
	for _, c := range cols {
		for i := range c.V.Faults {
			f := &c.V.Faults[i]
			k := key{f.Name, f.AtS - c.Run.Config.WarmupS, f.ForS}
			sp := spanOf(c.Run.Config.WarmupS, f)
			j, ok := index[k]
			if !ok {
				index[k] = len(out)
				out = append(out, sp)
				continue
			}
			o := &out[j]
			o.From, o.To, o.Open = min(o.From, sp.From), max(o.To, sp.To), o.Open || sp.Open
		}
	}
	return out
}

// ninesTicks label the x axis of a percentile plot, x = -log10(1-q).
var ninesTicks = plot.ConstantTicks{
	{Value: 0, Label: "0%"},
	{Value: math.Log10(2), Label: "50%"},
	{Value: 1, Label: "90%"},
	{Value: 2, Label: "99%"},
	{Value: 3, Label: "99.9%"},
	{Value: 4, Label: "99.99%"},
}

// plainTicks are gonum's default ticks labelled without trailing zeros
// ("500", not "500.00").
var plainTicks = plot.TickerFunc(func(lo, hi float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(lo, hi)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = result.Trim(ticks[i].Value)
		}
	}
	return ticks
})
