package reports

import (
	"fmt"
	"strings"

	"github.com/faultline-sim/faultline/reports/result"
)

// FaultFrame names the time frame of every time the fault tables print:
// seconds from the start of the recorded window.
const FaultFrame = "times in seconds from the start of the recorded window (the end of warm-up)"

// windowCells are one fault window's printed figures; n/a where a measure
// the variant has could not be taken, "-" where it has none.
type windowCells struct {
	Avail, P99, Throughput                           string
	CompletionP50, CompletionP99, Completed, Backlog string
}

// cellsOf formats w for a variant; eventDriven adds the completion and
// backlog figures (else "-").
func cellsOf(w *result.WindowStats, eventDriven bool) windowCells {
	c := windowCells{Avail: "-", P99: "-", Throughput: result.FormatRate(w.ThroughputRPS),
		CompletionP50: "-", CompletionP99: "-", Completed: "-", Backlog: "-"}
	if w.Offered > 0 {
		c.Avail, c.P99 = percent(w.Availability), result.FormatMS(w.P99MS)
	}
	if eventDriven {
		c.CompletionP50, c.CompletionP99, c.Completed = result.NA, result.NA, result.NA
		if x := w.Completion; x != nil {
			c.Completed = result.FormatRate(x.CompletedRPS)
			if x.P50MS != nil && x.P99MS != nil {
				c.CompletionP50, c.CompletionP99 = result.FormatMS(*x.P50MS), result.FormatMS(*x.P99MS)
			}
		}
		c.Backlog = result.NA
	}
	if l := w.ConsumerLag; l != nil && l.Seconds > 0 {
		c.Backlog = fmt.Sprintf("%d / %s", l.Max, result.Trim(float64(int64(l.Mean*10+0.5))/10))
	}
	return c
}

// partLabel is the part's name with a mark when other faults touched the
// window; contaminationNote is the footnote the mark points to.
func partLabel(part string, w *result.WindowStats) string {
	if w != nil && len(w.ContaminatedBy) > 0 {
		return part + " †"
	}
	return part
}

// contaminationNote says which other faults were in effect in a window of
// fault name; "" when none.
func contaminationNote(name, part string, w *result.WindowStats) string {
	if w == nil || len(w.ContaminatedBy) == 0 {
		return ""
	}
	return fmt.Sprintf("† %s, %s %s–%s s: also under %s (applied within the window), so it does not show this fault alone",
		name, part, result.Trim(w.FromS), result.Trim(w.ToS), strings.Join(w.ContaminatedBy, ", "))
}

// askedIn prints a fault's ask in the recorded window's frame.
func askedIn(f *result.Fault, warmupS float64) string {
	return fmt.Sprintf("at %s s for %s s", result.Trim(f.AtS-warmupS), result.Trim(f.ForS))
}
