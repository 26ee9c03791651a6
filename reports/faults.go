package reports

import (
	"fmt"
	"io"
	"math"
	"text/tabwriter"
	"time"

	"github.com/faultline-sim/faultline/reports/result"
)

// WriteFaults writes, for every variant with faults, each fault as applied
// (how late it started and ended against the ask) and availability, p99
// and throughput before, during and after it; for event-driven variants
// also the completion p50 and p99 and the completed operations per second
// of the operations intended in each part, and the consumer backlog (max /
// mean of the per-second samples). Every time is in seconds from the start
// of the recorded window (FaultFrame); a part another fault was applied in
// is marked † and footnoted. It writes nothing when no variant has faults.
func WriteFaults(w io.Writer, r *result.Result) error {
	for _, v := range r.Variants {
		if len(v.Faults) == 0 {
			continue
		}
		fmt.Fprintf(w, "\nfaults in %s (%s):\n", v.Label(), FaultFrame)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		var notes []string
		head := "  fault\tasked\tapplied\twindow\tavailability\tp99\tthroughput\t"
		if v.EventDriven {
			head += "completion p50\tcompletion p99\tcompleted\tbacklog max / mean\t"
		}
		fmt.Fprintln(tw, head)
		for _, f := range v.Faults {
			asked := askedIn(&f, r.Config.WarmupS)
			applied := fmt.Sprintf("+%.1fms / +%.1fms", f.StartErrMS, f.EndErrMS)
			if f.Error != "" {
				applied = "FAILED: " + f.Error
			}
			for i, part := range []struct {
				name string
				s    *result.WindowStats
			}{{"before", f.Before}, {"during", f.During}, {"after", f.After}} {
				name, a, ap := "", "", ""
				if i == 0 {
					name, a, ap = f.Name, asked, applied
				}
				if part.s == nil {
					row := fmt.Sprintf("  %s\t%s\t%s\t%s\t-\t-\t-\t", name, a, ap, part.name)
					if v.EventDriven {
						row += "-\t-\t-\t-\t"
					}
					fmt.Fprintln(tw, row)
					continue
				}
				c := cellsOf(part.s, v.EventDriven)
				row := fmt.Sprintf("  %s\t%s\t%s\t%s %s-%ss\t%s\t%s\t%s\t", name, a, ap, partLabel(part.name, part.s),
					result.Trim(part.s.FromS), result.Trim(part.s.ToS), c.Avail, c.P99, c.Throughput)
				if v.EventDriven {
					row += fmt.Sprintf("%s\t%s\t%s\t%s\t", c.CompletionP50, c.CompletionP99, c.Completed, c.Backlog)
				}
				fmt.Fprintln(tw, row)
				if n := contaminationNote(f.Name, part.name, part.s); n != "" {
					notes = append(notes, "  "+n)
				}
			}
			if f.MatchedNothing {
				notes = append(notes, fmt.Sprintf("  %s: MATCHED NOTHING in %s: no link or process it names exists here, so it changed nothing", f.Name, v.Name))
			}
			if f.PublishableAfterMS != nil {
				notes = append(notes, fmt.Sprintf("  %s: publishes acknowledged again %s after the crash", f.Name, result.FormatMS(*f.PublishableAfterMS)))
			}
			if f.CaughtUpAfterMS != nil {
				notes = append(notes, fmt.Sprintf("  %s: the restarted node caught up %s after the restart", f.Name, result.FormatMS(*f.CaughtUpAfterMS)))
			}
			for _, e := range f.Edges {
				if e.Amplification > 1 {
					notes = append(notes, fmt.Sprintf("  %s: %s->%s sent %s attempts per call while it lasted (%d calls)", f.Name, e.From, e.To, result.Trim(math.Round(e.Amplification*100)/100), e.Requests))
				}
			}
			if d := f.DelayErrorMS; d != nil && f.DelayedRuns > 0 {
				notes = append(notes, fmt.Sprintf("  %s: delayed bytes left late by p50 %s, p99 %s, max %s (%d deliveries)",
					f.Name, result.FormatMS(d.P50), result.FormatMS(d.P99), result.FormatMS(d.Max), f.DelayedRuns))
			}
			if hurt := f.Before != nil && f.During != nil && f.During.Availability < 0.99*f.Before.Availability; hurt && f.RecoveredAfterS != nil {
				notes = append(notes, fmt.Sprintf("  %s: availability back to its level before %ss after the fault ended (1 s resolution)", f.Name, result.Trim(*f.RecoveredAfterS)))
			} else if hurt {
				notes = append(notes, fmt.Sprintf("  %s: availability not back to its level before by the end of the recorded window", f.Name))
			}
			for _, c := range f.Registry {
				notes = append(notes, "  "+f.Name+": "+registryNote(c))
			}
			if f.BytesStopped != nil {
				notes = append(notes, fmt.Sprintf("  %s: bytes stopped %s after it was applied", f.Name, result.FormatMS(msBetween(f.Started, *f.BytesStopped))))
			}
			if f.BytesStarted != nil {
				notes = append(notes, fmt.Sprintf("  %s: held bytes flowed again %s after the heal", f.Name, result.FormatMS(msBetween(f.Ended, *f.BytesStarted))))
			}
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if v.EventDriven {
			notes = append(notes, "  completion and completed: the operations intended in each part (started while the fault lasted, for during), however late they completed; backlog: events pending or unacked on the busiest consumer, per-second samples")
		}
		for _, n := range notes {
			fmt.Fprintln(w, n)
		}
	}
	return nil
}

func msBetween(a, b time.Time) float64 { return float64(b.Sub(a)) / float64(time.Millisecond) }
