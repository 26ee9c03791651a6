package reports

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/faultline-sim/faultline/reports/result"
)

// WriteTable writes the side-by-side comparison of every variant in r: one
// column per variant, one row per measure. Cells that do not apply to a
// variant (completion for a synchronous design) show "-"; those it has but
// could not measure (completion when no operation completed) show NA.
func WriteTable(w io.Writer, r *result.Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	// row prints one measure across the variants, and nothing when no
	// variant has it (every cell "-"): a table of sync variants shows no
	// event rows.
	row := func(name string, cell func(v *result.Variant) string) {
		cells := make([]string, len(r.Variants))
		has := len(r.Variants) == 0
		for i := range r.Variants {
			cells[i] = cell(&r.Variants[i])
			has = has || cells[i] != "-"
		}
		if !has {
			return
		}
		fmt.Fprintf(tw, "%s\t", name)
		for _, c := range cells {
			fmt.Fprintf(tw, "%s\t", c)
		}
		fmt.Fprintln(tw)
	}
	row("", func(v *result.Variant) string { return v.Label() })
	for _, t := range result.TableRows() {
		if t.When == nil || t.When(r) {
			row(t.Name, t.Cell)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, v := range r.Variants {
		if v.Error != "" {
			fmt.Fprintf(w, "variant %s failed: %s\n", v.Label(), v.Error)
		}
		for _, k := range result.ErrorKinds {
			if msg, ok := v.Requests.ErrorSamples[k]; ok {
				fmt.Fprintf(w, "variant %s: first %s error: %s\n", v.Label(), k, msg)
			}
		}
		if v.HarnessFailed() {
			fmt.Fprintln(w, harnessNote(&v, "variant "+v.Name))
		}
		if c := v.Consistency; c != nil && c.Error != "" {
			fmt.Fprintf(w, "variant %s: the consistency checker could not read the stores: %s; nothing is claimed about its consistency.\n", v.Label(), c.Error)
		}
		if v.Generator.Behind {
			fmt.Fprintf(w, "variant %s: the load generator fell behind its schedule (sent %.0f/s of %.0f/s, send lag p99 %s); its latencies include that delay.%s\n",
				v.Label(), v.AchievedRPS, v.OfferedRPS, result.FormatMS(v.Generator.SendLagMS.P99), stalledBy(v.Harness))
		}
	}
	if err := WriteFaults(w, r); err != nil {
		return err
	}
	if err := WriteExpectations(w, r); err != nil {
		return err
	}
	window := result.Trim(r.Config.DurationS) + " s"
	if r.Interrupted {
		var parts []string
		for _, v := range r.Variants {
			parts = append(parts, fmt.Sprintf("%s %s s", v.Label(), result.Trim(v.WindowS)))
		}
		window = "the part of the window run before the interrupt (" + strings.Join(parts, ", ") + ")"
	}
	eventDriven, stateful := false, false
	for _, v := range r.Variants {
		eventDriven = eventDriven || v.EventDriven
		stateful = stateful || v.Consistency != nil
	}
	var err error
	if !eventDriven { // no completion nor event rows to explain
		_, err = fmt.Fprintf(w, "Requests and latency: over %s after %s s of warm-up; latency from each request's intended send time.\n",
			window, result.Trim(r.Config.WarmupS))
	} else {
		_, err = fmt.Fprintf(w, "Requests, latency and completion: over %s after %s s of warm-up; latency from each request's intended send time;\n"+
			"completion: until every subscriber processed every event of the operation. *: every event of the run, warm-up included.\n",
			window, result.Trim(r.Config.WarmupS))
	}
	if err != nil || !stateful {
		return err
	}
	_, err = fmt.Fprintln(w, "violations: operations the stores, read back after the drain, show broken (by kind: "+strings.Join(result.ConsistencyKinds, ", ")+");\n"+
		"consistency: from the intended send time until the operation was consistent and terminal.")
	return err
}
