package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/faultline-sim/faultline/reports"
)

// gate compares a results file to a baseline: exit 0 pass, 1 regression,
// 2 bad input.
func gate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("gate", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	baseline := fs.String("baseline", "", "baseline results file (required)")
	limits := fs.String("max", reports.DefaultLimits, "how much worse each metric may get: metric=LIMIT,...")
	alpha := fs.Float64("alpha", 0.05, "significance level of the Mann-Whitney U test")
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			fmt.Fprintf(stderr, "faultline gate: %v\n%s", err, usage)
			return ExitBadInput
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
	bad := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "faultline gate: "+format+"\n", a...)
		return ExitBadInput
	}
	switch {
	case len(positional) != 1:
		return bad("want exactly one current results file, got %d\n%s", len(positional), usage)
	case *baseline == "":
		return bad("--baseline is required")
	case !(*alpha > 0 && *alpha < 1):
		return bad("--alpha must be between 0 and 1, got %v", *alpha)
	}
	ls, err := reports.ParseLimits(*limits)
	if err != nil {
		return bad("--max: %v", err)
	}
	cur, err := reports.ReadFile(positional[0])
	if err != nil {
		return bad("%v", err)
	}
	base, err := reports.ReadFile(*baseline)
	if err != nil {
		return bad("%v", err)
	}
	rows, err := reports.Gate(cur, base, ls, *alpha)
	if err != nil {
		return bad("%s against %s: %v", positional[0], *baseline, err)
	}
	fmt.Fprintf(stdout, "gate: %s against baseline %s (alpha %g)\n", positional[0], *baseline, *alpha)
	if err := reports.WriteGate(stdout, rows); err != nil {
		fmt.Fprintf(stderr, "faultline gate: %v\n", err)
	}
	if n := reports.Regressions(rows); n > 0 {
		fmt.Fprintf(stderr, "faultline gate: %d metric(s) regressed\n", n)
		return ExitExpect
	}
	return ExitOK
}
