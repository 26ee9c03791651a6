package main

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/faultline-sim/faultline/reports"
)

// gate compares a results file to a baseline: exit 0 pass, 1 regression or
// a current run unfit to pass (a variant failed, missing or short of
// repetitions), 2 bad input, including a baseline whose configuration
// differs from the current run's (unless --allow-mismatch).
func gate(args []string, stdout, stderr io.Writer) int {
	fs, g := gateFlagSet()
	baseline, limits, alpha, minRepeat, allow := g.baseline, g.limits, g.alpha, g.minRepeat, g.allow
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return usageError("gate", err, stdout, stderr)
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
		return bad("want exactly one current results file, got %d\n%s", len(positional), commandHelp("gate"))
	case *baseline == "":
		return bad("--baseline is required")
	case !(*alpha > 0 && *alpha < 1):
		return bad("--alpha must be between 0 and 1, got %v", *alpha)
	case *minRepeat < 0:
		return bad("--min-repeat must be 0 or more, got %d", *minRepeat)
	}
	ls, err := reports.Limits(*limits)
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
	var refused, warned, notes []string
	for _, m := range reports.CompareConfig(cur, base) {
		switch {
		case m.Unknown:
			notes = append(notes, m.Text)
		case allow.allows(m.Key):
			warned = append(warned, m.Text)
		default:
			refused = append(refused, m.Text)
		}
	}
	if len(refused) > 0 {
		for _, n := range notes {
			refused = append(refused, "(not compared) "+n)
		}
		return bad("%s against %s: the baseline was measured under another configuration, so the comparison would not mean anything:\n  %s\n"+
			"Measure the baseline again with the current configuration, or pass --allow-mismatch (or --allow-mismatch=KEY,...) to gate anyway.",
			positional[0], *baseline, strings.Join(refused, "\n  "))
	}
	rows, err := reports.Gate(cur, base, ls, *alpha)
	if err != nil {
		return bad("%s against %s: %v", positional[0], *baseline, err)
	}
	failures, added := reports.Coverage(cur, base, *minRepeat)
	fmt.Fprintf(stdout, "gate: %s against baseline %s (alpha %g)\n", positional[0], *baseline, *alpha)
	for _, w := range warned {
		fmt.Fprintf(stdout, "warning: configuration differs (allowed by --allow-mismatch): %s\n", w)
	}
	for _, n := range notes {
		fmt.Fprintf(stdout, "note: not compared: %s\n", n)
	}
	if err := reports.WriteGate(stdout, rows); err != nil {
		fmt.Fprintf(stderr, "faultline gate: %v\n", err)
	}
	for _, a := range added {
		fmt.Fprintf(stdout, "%s\n", a)
	}
	n := reports.Regressions(rows)
	for _, f := range failures {
		fmt.Fprintf(stdout, "FAILED: %s\n", f)
	}
	if n > 0 || len(failures) > 0 {
		fmt.Fprintf(stderr, "faultline gate: %d metric(s) regressed, %d other failure(s)\n", n, len(failures))
		return ExitExpect
	}
	return ExitOK
}

// gateFlags holds the values of the flags of `faultline gate`.
type gateFlags struct {
	baseline, limits *string
	alpha            *float64
	minRepeat        *int
	allow            *mismatchAllowance
}

// gateFlagSet returns the flags of `faultline gate` and where their values go.
func gateFlagSet() (*flag.FlagSet, gateFlags) {
	fs := newFlagSet("gate")
	baseline := fs.String("baseline", "", "baseline results `file` (required)")
	limits := fs.String("max", "", "limits added to or overriding the defaults ("+reports.DefaultLimits+"), metric by metric: metric=LIMIT,...; metric=off removes one")
	alpha := fs.Float64("alpha", 0.05, "significance level of the Mann-Whitney U test")
	minRepeat := fs.Int("min-repeat", 0, "repetitions each variant needs in the current run; 0: as many as the baseline has")
	allow := &mismatchAllowance{}
	fs.Var(allow, "allow-mismatch", "gate a baseline whose configuration differs (warning only): all differences, or =KEY,... ("+strings.Join(reports.MismatchKeys, ", ")+") (default: none allowed)")
	return fs, gateFlags{baseline, limits, alpha, minRepeat, allow}
}

// mismatchAllowance is the value of --allow-mismatch: given alone, every
// configuration difference is allowed; given as =KEY,..., those kinds.
type mismatchAllowance struct {
	all  bool
	keys []string
}

func (a *mismatchAllowance) String() string {
	if a == nil || a.all {
		return ""
	}
	return strings.Join(a.keys, ",")
}

// IsBoolFlag lets --allow-mismatch stand alone (then Set gets "true").
func (a *mismatchAllowance) IsBoolFlag() bool { return true }

func (a *mismatchAllowance) Set(s string) error {
	switch s {
	case "true":
		a.all = true
		return nil
	case "false":
		a.all, a.keys = false, nil
		return nil
	}
	for _, k := range strings.Split(s, ",") {
		k = strings.TrimSpace(k)
		if !slices.Contains(reports.MismatchKeys, k) {
			return fmt.Errorf("--allow-mismatch: unknown difference %q (one of: %s)", k, strings.Join(reports.MismatchKeys, ", "))
		}
		a.keys = append(a.keys, k)
	}
	return nil
}

func (a *mismatchAllowance) allows(key string) bool { return a.all || slices.Contains(a.keys, key) }
