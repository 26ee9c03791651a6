package result

import (
	"fmt"
	"slices"
	"strings"
)

// This file holds the cells of the measures list: how each measure of a
// variant reads in the terminal table and the report's summary.

// num is a summary row every variant has.
func num(name string, u Unit, f func(v *Variant) float64) Row {
	return Row{Name: name, Unit: u, Value: func(v *Variant) (float64, bool) { return f(v), true }}
}

// eventNum is a summary row only event-driven variants have.
func eventNum(name string, u Unit, f func(v *Variant) float64) Row {
	return Row{Name: name, Unit: u, Value: func(v *Variant) (float64, bool) { return f(v), v.EventDriven }}
}

// completionNum is the completion quantile f as a summary row: NA for an
// event-driven variant none of whose operations completed.
func completionNum(name string, f func(p *Percentiles) float64) Row {
	return Row{Name: name, Unit: UnitMS, Value: func(v *Variant) (float64, bool) {
		p := v.Completion()
		if p == nil {
			return 0, false
		}
		return f(p), true
	}, Missing: func(v *Variant) string {
		if v.EventDriven {
			return NA
		}
		return ""
	}}
}

// ConsistencyRow is a row of figure f of the consistency block, which
// only stateful variants have: "-" for a stateless variant, NA for one
// whose stores could not be read or whose block lacks the figure (f
// returns false: no operation became consistent).
func ConsistencyRow(name string, u Unit, f func(c *Consistency) (float64, bool)) Row {
	return Row{Name: name, Unit: u, Value: func(v *Variant) (float64, bool) {
		if c := v.CheckedConsistency(); c != nil {
			return f(c)
		}
		return 0, false
	}, Missing: func(v *Variant) string {
		if v.Consistency != nil {
			return NA
		}
		return ""
	}}
}

// consistencyCell is the cell f of a stateful variant's consistency block:
// "-" for a stateless variant, NA when its stores could not be read.
func consistencyCell(f func(c *Consistency) string) func(v *Variant) string {
	return func(v *Variant) string {
		switch {
		case v.Consistency == nil:
			return "-"
		case v.Consistency.Error != "":
			return NA
		}
		return f(v.Consistency)
	}
}

// violations is the count of violations with their kinds:
// "14 (orphan_charges 7, orphan_reservations 2, stuck 5)".
func violations(c *Consistency) string {
	var parts []string
	for _, k := range ConsistencyKinds {
		if n, _ := c.Count(k); n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", k, n))
		}
	}
	if len(parts) == 0 {
		return fmt.Sprint(c.Violations)
	}
	return fmt.Sprintf("%d (%s)", c.Violations, strings.Join(parts, ", "))
}

// text is a summary row of text.
func text(name string, f func(v *Variant) string) Row {
	return Row{Name: name, Text: f}
}

// eventCell is the cell f for event-driven variants, "-" for the others.
func eventCell(f func(v *Variant) string) func(v *Variant) string {
	return func(v *Variant) string {
		if !v.EventDriven {
			return "-"
		}
		return f(v)
	}
}

func design(v *Variant) string {
	if v.EventDriven {
		return "event-driven"
	}
	return "sync chain"
}

// pct formats f(p), or NA when p is nil (nothing measured).
func pct(p *Percentiles, f func(*Percentiles) float64) string {
	if p == nil {
		return NA
	}
	return FormatMS(f(p))
}

// failed is the count of v's failed requests with their kinds.
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

// failureKinds lists the failures of v by kind, "none" without failures.
func failureKinds(v *Variant) string {
	var parts, other []string
	for _, k := range ErrorKinds {
		if n := v.Requests.Errors[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", k, n))
		}
	}
	for k, n := range v.Requests.Errors { // kinds this version does not know
		if n > 0 && !slices.Contains(ErrorKinds, k) {
			other = append(other, fmt.Sprintf("%s %d", k, n))
		}
	}
	slices.Sort(other)
	if parts = append(parts, other...); len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// generatorState says whether v's load generator kept its schedule.
func generatorState(v *Variant) string {
	switch {
	case v.Error != "":
		return "FAILED"
	case v.HarnessFailed():
		return "HARNESS"
	case v.Generator.Behind:
		return "BEHIND"
	}
	return "on schedule"
}
