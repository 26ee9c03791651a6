package reports

import (
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/faultline-sim/faultline/reports/result"
)

// consistencySamples turns the checker's samples of a column into a line:
// f of each sample at its time.
func consistencySamples(tl []result.ConsistencySecond, f func(s *result.ConsistencySecond) int64) plotter.XYs {
	xys := make(plotter.XYs, len(tl))
	for i := range tl {
		xys[i] = plotter.XY{X: tl[i].T, Y: float64(f(&tl[i]))}
	}
	return xys
}

// consistencyPlot draws, one above the other, the violations the checker
// saw in each sample during the run and the operations not yet terminal,
// one line per stateful column whose stores were read, faults shaded; nil
// when no column has a sample.
func consistencyPlot(cols []column) (*canvas, []string, error) {
	var stateful []column
	var index []int
	for i, c := range cols {
		if cc := c.V.CheckedConsistency(); cc != nil && len(cc.Timeline) > 0 {
			stateful, index = append(stateful, c), append(index, i)
		}
	}
	if len(stateful) == 0 {
		return nil, nil, nil
	}
	top := timePlot(stateful, "Violations over time: broken invariants in each sample of the stores (shaded: faults)", "violations (operations)", true)
	bottom := timePlot(stateful, "Operations not yet terminal in each sample", "pending operations", false)
	top.Y.Min, bottom.Y.Min = 0, 0
	hiV, hiP := 0.0, 0.0
	for k, c := range stateful {
		tl := c.V.Consistency.Timeline
		v := consistencySamples(tl, func(s *result.ConsistencySecond) int64 { return s.Violations })
		p := consistencySamples(tl, func(s *result.ConsistencySecond) int64 { return s.Pending })
		for i := range v {
			hiV, hiP = max(hiV, v[i].Y), max(hiP, p[i].Y)
		}
		if err := addLine(top, index[k], c.Label, v, false); err != nil {
			return nil, nil, err
		}
		if err := addLine(bottom, index[k], c.Label, p, false); err != nil {
			return nil, nil, err
		}
	}
	for _, a := range []struct {
		p  *plot.Plot
		hi float64
	}{{top, hiV}, {bottom, hiP}} {
		if a.hi == 0 { // a flat line at 0 stays visible above the axis
			a.p.Y.Max = 1
		}
		headroom(a.p, a.hi)
	}
	bottom.Legend = plot.NewLegend() // the top plot's legend serves both
	legendAbove(top, len(stateful))
	c, err := renderGrid(plotWidth, 8*vg.Inch, [][]*plot.Plot{{top}, {bottom}})
	return c, nil, err
}
