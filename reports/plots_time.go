package reports

import (
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/faultline-sim/faultline/reports/result"
)

const secondsLabel = "seconds of the recorded window (from the end of warm-up)"

// perSecond turns a column's timeline into a step line: f's value over
// [s, s+1) for every second s it returns true for.
func perSecond(tl []result.Second, f func(s *result.Second) (float64, bool)) plotter.XYs {
	var xys plotter.XYs
	for i := range tl {
		s := &tl[i]
		if y, ok := f(s); ok {
			xys = append(xys, plotter.XY{X: float64(s.Second), Y: y})
		}
	}
	if n := len(xys); n > 0 { // close the last second
		xys = append(xys, plotter.XY{X: xys[n-1].X + 1, Y: xys[n-1].Y})
	}
	return xys
}

// timePlot is a plot over the recorded window's seconds with the faults of
// cols shaded; the names of the faults are written when labels is set.
func timePlot(cols []column, title, yLabel string, labels bool) *plot.Plot {
	p := newPlot(title, secondsLabel, yLabel)
	p.X.Min = 0
	if spans := faultSpans(cols); len(spans) > 0 {
		p.Add(faultShade{spans: spans, labels: labels})
	}
	return p
}

// hasTimeline reports whether any column has a timeline.
func hasTimeline(cols []column) bool {
	for _, c := range cols {
		if len(c.V.Timeline) > 0 {
			return true
		}
	}
	return false
}

// throughputPlot draws, one above the other, succeeded requests per second
// and availability per second of every column.
func throughputPlot(cols []column) (*canvas, []string, error) {
	if !hasTimeline(cols) {
		return nil, nil, nil
	}
	top := timePlot(cols, "Throughput: succeeded requests per second (shaded: faults)", "succeeded / s", true)
	bottom := timePlot(cols, "Availability per second: succeeded / offered", "availability (%)", false)
	top.Y.Min = 0
	lo, hi := 100.0, 0.0
	for i, c := range cols {
		ok := perSecond(c.V.Timeline, func(s *result.Second) (float64, bool) { return float64(s.Succeeded), true })
		avail := perSecond(c.V.Timeline, func(s *result.Second) (float64, bool) {
			if s.Offered == 0 {
				return 0, false
			}
			return 100 * float64(s.Succeeded) / float64(s.Offered), true
		})
		for _, xy := range avail {
			lo = min(lo, xy.Y)
		}
		for _, xy := range ok {
			hi = max(hi, xy.Y)
		}
		if err := addLine(top, i, c.Label, ok, true); err != nil {
			return nil, nil, err
		}
		if err := addLine(bottom, i, c.Label, avail, true); err != nil {
			return nil, nil, err
		}
	}
	// Near 100% the lines would sit on the frame: show at least 99-100%.
	lo = min(lo, 99)
	bottom.Y.Min = max(0, lo-(100-lo)*0.1)
	bottom.Y.Max = 100 + (100-bottom.Y.Min)*0.08
	bottom.Legend = plot.NewLegend() // the top plot's legend serves both
	headroom(top, hi)
	legendAbove(top, len(cols))
	c, err := renderGrid(plotWidth, 8*vg.Inch, [][]*plot.Plot{{top}, {bottom}})
	return c, nil, err
}

// p99Plot draws each column's p99 latency per second.
func p99Plot(cols []column) (*canvas, []string, error) {
	if !hasTimeline(cols) {
		return nil, nil, nil
	}
	p := timePlot(cols, "p99 latency per second, from intended send time (shaded: faults)", "p99 latency (ms)", true)
	lines := make([]plotter.XYs, len(cols))
	points := 0
	for i, c := range cols {
		lines[i] = perSecond(c.V.Timeline, func(s *result.Second) (float64, bool) { return s.P99MS, s.Offered > 0 })
		points += len(lines[i])
	}
	if points == 0 {
		return nil, nil, nil
	}
	scaleY(p, lines)
	for i, c := range cols {
		if err := addLine(p, i, c.Label, lines[i], true); err != nil {
			return nil, nil, err
		}
	}
	legendAbove(p, len(cols))
	c, err := renderOne(p)
	return c, nil, err
}

// completionP99Plot draws the completion p99 per second of every
// event-driven column (the operations intended in that second); nil when
// no operation of any completed.
func completionP99Plot(cols []column) (*canvas, []string, error) {
	var events []column
	var index []int
	for i, c := range cols {
		if c.V.EventDriven && len(c.V.Timeline) > 0 {
			events, index = append(events, c), append(index, i)
		}
	}
	p := timePlot(events, "Completion p99 per second, operations by intended send time (shaded: faults)", "completion p99 (ms)", true)
	lines := make([]plotter.XYs, len(events))
	points := 0
	for k, c := range events {
		lines[k] = perSecond(c.V.Timeline, func(s *result.Second) (float64, bool) {
			if s.CompletionP99MS == nil {
				return 0, false
			}
			return *s.CompletionP99MS, true
		})
		points += len(lines[k])
	}
	if points == 0 {
		return nil, nil, nil
	}
	scaleY(p, lines)
	for k, c := range events {
		if err := addLine(p, index[k], c.Label, lines[k], true); err != nil {
			return nil, nil, err
		}
	}
	legendAbove(p, len(events))
	c, err := renderOne(p)
	return c, nil, err
}

// lagPlot draws the consumer lag of every event-driven column; nil when
// there is none.
func lagPlot(cols []column) (*canvas, []string, error) {
	var events []column
	var index []int
	for i, c := range cols {
		if c.V.EventDriven && len(c.V.Timeline) > 0 {
			events, index = append(events, c), append(index, i)
		}
	}
	if len(events) == 0 {
		return nil, nil, nil
	}
	p := timePlot(events, "Consumer lag: most events pending or unacked on any durable consumer (shaded: faults)", "events", true)
	p.Y.Min = 0
	hi := 0.0
	for k, c := range events {
		xys := perSecond(c.V.Timeline, func(s *result.Second) (float64, bool) { return float64(s.ConsumerLag), !s.LagMissing })
		for _, xy := range xys {
			hi = math.Max(hi, xy.Y)
		}
		if err := addLine(p, index[k], c.Label, xys, true); err != nil {
			return nil, nil, err
		}
	}
	if hi == 0 {
		p.Y.Max = 1
	}
	headroom(p, hi)
	legendAbove(p, len(events))
	c, err := renderOne(p)
	return c, nil, err
}
