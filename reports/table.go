package reports

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteTable writes the side-by-side comparison of every variant in r: one
// column per variant, one row per measure. Cells that do not apply to a
// variant (completion for a synchronous design) show "-"; those it has but
// could not measure (completion when no operation completed) show NA.
func WriteTable(w io.Writer, r *Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	// row prints one measure across the variants, and nothing when no
	// variant has it (every cell "-"): a table of sync variants shows no
	// event rows.
	row := func(name string, cell func(v *Variant) string) {
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
	row("", func(v *Variant) string { return v.Label() })
	for _, t := range tableRows {
		if t.when == nil || t.when(r) {
			row(t.name, t.cell)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, v := range r.Variants {
		if v.Error != "" {
			fmt.Fprintf(w, "variant %s failed: %s\n", v.Label(), v.Error)
		}
		for _, k := range ErrorKinds {
			if msg, ok := v.Requests.ErrorSamples[k]; ok {
				fmt.Fprintf(w, "variant %s: first %s error: %s\n", v.Label(), k, msg)
			}
		}
		if v.HarnessFailed() {
			fmt.Fprintln(w, harnessNote(&v, "variant "+v.Name))
		}
		if v.Generator.Behind {
			fmt.Fprintf(w, "variant %s: the load generator fell behind its schedule (sent %.0f/s of %.0f/s, send lag p99 %s); its latencies include that delay.%s\n",
				v.Label(), v.AchievedRPS, v.OfferedRPS, ms(v.Generator.SendLagMS.P99), stalledBy(v.Harness))
		}
	}
	if err := WriteFaults(w, r); err != nil {
		return err
	}
	if err := WriteExpectations(w, r); err != nil {
		return err
	}
	window := trim(r.Config.DurationS) + " s"
	if r.Interrupted {
		var parts []string
		for _, v := range r.Variants {
			parts = append(parts, fmt.Sprintf("%s %s s", v.Label(), trim(v.WindowS)))
		}
		window = "the part of the window run before the interrupt (" + strings.Join(parts, ", ") + ")"
	}
	eventDriven := false
	for _, v := range r.Variants {
		eventDriven = eventDriven || v.EventDriven
	}
	if !eventDriven { // no completion nor event rows to explain
		_, err := fmt.Fprintf(w, "Requests and latency: over %s after %s s of warm-up; latency from each request's intended send time.\n",
			window, trim(r.Config.WarmupS))
		return err
	}
	_, err := fmt.Fprintf(w, "Requests, latency and completion: over %s after %s s of warm-up; latency from each request's intended send time;\n"+
		"completion: until every subscriber processed every event of the operation. *: every event of the run, warm-up included.\n",
		window, trim(r.Config.WarmupS))
	return err
}

func failed(v *Variant) string {
	if v.Requests.Failed == 0 {
		return "0"
	}
	var parts []string
	for _, k := range ErrorKinds {
		if n := v.Requests.Errors[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", k, n))
		}
	}
	return fmt.Sprintf("%d (%s)", v.Requests.Failed, strings.Join(parts, ", "))
}

// ErrorKinds lists the error kinds of Requests.Errors in display order.
// "harness" is a failure of the harness itself (it ran out of descriptors,
// ports or memory), never the system's.
var ErrorKinds = []string{"timeout", "unavailable", "rejected", "breaker_open", "internal", "aborted", "dropped", "other", "harness"}

func rate(r float64) string { return fmt.Sprintf("%.1f/s", r) }

func ms(v float64) string {
	switch {
	case v >= 1000:
		return fmt.Sprintf("%.2fs", v/1000)
	case v >= 10:
		return fmt.Sprintf("%.1fms", v)
	}
	return fmt.Sprintf("%.2fms", v)
}

// pct formats f(p), or NA when p is nil (nothing measured).
func pct(p *Percentiles, f func(*Percentiles) float64) string {
	if p == nil {
		return NA
	}
	return ms(f(p))
}

func trim(f float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.3f", f), "0"), ".")
}
