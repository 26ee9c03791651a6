package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/reports"
	"github.com/faultline-sim/faultline/reports/result"
)

// gate compares a results file to a baseline: exit 0 pass, 1 regression or
// a current run unfit to pass (a variant failed, missing or short of
// repetitions), 2 bad input, including a baseline whose configuration
// differs from the current run's (unless --allow-mismatch) and interrupted
// results on either side. The verdict is printed as text, written as JSON
// with --json FILE, and appended as a Markdown table to the file named by
// GITHUB_STEP_SUMMARY when it is set. With --update it writes the current
// results as the new baseline instead (see gateUpdate).
func gate(args []string, stdout, stderr io.Writer) int {
	fs, g := gateFlagSet()
	baseline, limits, alpha, minRepeat, allow := g.baseline, g.limits, g.alpha, g.minRepeat, g.allow
	jsonPath, update, reason := g.jsonPath, g.update, g.reason
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
	case *update:
		if *jsonPath != "" {
			return bad("--json cannot be used with --update: nothing is gated")
		}
		return gateUpdate(positional[0], *baseline, *reason, stdout, stderr)
	case *reason != "":
		return bad("--reason is only for --update")
	case !(*alpha > 0 && *alpha < 1):
		return bad("--alpha must be between 0 and 1, got %v", *alpha)
	case *minRepeat < 0:
		return bad("--min-repeat must be 0 or more, got %d", *minRepeat)
	}
	v := evaluateGate(positional[0], *baseline, *limits, *alpha, *minRepeat, allow)
	code := v.ExitCode
	if code == ExitBadInput {
		for _, r := range v.Refused {
			fmt.Fprintf(stderr, "faultline gate: %s\n", r)
		}
	} else {
		writeGateText(stdout, stderr, v)
	}
	if *jsonPath != "" {
		if err := writeGateJSON(*jsonPath, v); err != nil {
			fmt.Fprintf(stderr, "faultline gate: --json: %v\n", err)
			code = worseGateExit(code, ExitBadInput)
		}
	}
	if path := os.Getenv(stepSummaryEnv); path != "" {
		if err := appendStepSummary(path, v); err != nil {
			fmt.Fprintf(stderr, "faultline gate: warning: %s: %v\n", stepSummaryEnv, err)
		}
	}
	return code
}

// worseGateExit keeps a refusal (2) over a failure (1) over a pass (0).
func worseGateExit(a, b int) int {
	if a == ExitBadInput || b == ExitBadInput {
		return ExitBadInput
	}
	return max(a, b)
}

// evaluateGate reads both files and reaches the verdict; every problem is
// in the verdict (a refusal, exit 2, for bad input).
func evaluateGate(current, baseline, limits string, alpha float64, minRepeat int, allow *mismatchAllowance) *gateVerdict {
	v := &gateVerdict{Schema: gateSchema, Current: current, BaselineFile: baseline, Alpha: alpha}
	refuse := func(format string, a ...any) *gateVerdict {
		v.Refused = append(v.Refused, fmt.Sprintf(format, a...))
		v.Verdict, v.ExitCode = verdictRefused, ExitBadInput
		return v
	}
	ls, err := reports.Limits(limits)
	if err != nil {
		return refuse("--max: %v", err)
	}
	cur, err := result.ReadFile(current)
	if err != nil {
		return refuse("%v", err)
	}
	base, err := result.ReadFile(baseline)
	if err != nil {
		return refuse("%v", err)
	}
	v.BaselineInfo = base.Baseline
	for _, side := range []struct {
		path string
		res  *result.Result
	}{{current, cur}, {baseline, base}} {
		if side.res.Interrupted {
			refuse("%s: the run was interrupted (results.json has \"interrupted\": true): its variants did not run their planned load, so it cannot be gated; run it again to the end", side.path)
		}
	}
	if len(v.Refused) > 0 {
		return v
	}
	var refused []string
	for _, m := range reports.CompareConfig(cur, base) {
		switch {
		case m.Unknown:
			v.Notes = append(v.Notes, m.Text)
		case allow.allows(m.Key):
			v.Warnings = append(v.Warnings, m.Text)
		default:
			refused = append(refused, m.Text)
		}
	}
	if len(refused) > 0 {
		for _, n := range v.Notes {
			refused = append(refused, "(not compared) "+n)
		}
		return refuse("%s against %s: the baseline was measured under another configuration, so the comparison would not mean anything:\n  %s\n"+
			"Measure the baseline again with the current configuration, or pass --allow-mismatch (or --allow-mismatch=KEY,...) to gate anyway.",
			current, baseline, strings.Join(refused, "\n  "))
	}
	rows, err := reports.Gate(cur, base, ls, alpha)
	if err != nil {
		return refuse("%s against %s: %v", current, baseline, err)
	}
	v.rows = rows
	for _, r := range rows {
		v.Rows = append(v.Rows, jsonRow(r))
	}
	v.Failures, v.Added = reports.Coverage(cur, base, minRepeat)
	v.Regressions = reports.Regressions(rows)
	v.Verdict, v.ExitCode = verdictPass, ExitOK
	if v.Regressions > 0 || len(v.Failures) > 0 {
		v.Verdict, v.ExitCode = verdictFail, ExitExpect
	}
	return v
}

// writeGateText prints the verdict as text: the table on stdout, the
// failure count on stderr.
func writeGateText(stdout, stderr io.Writer, v *gateVerdict) {
	fmt.Fprintf(stdout, "gate: %s against baseline %s (alpha %g)\n", v.Current, v.BaselineFile, v.Alpha)
	if b := v.BaselineInfo; b != nil {
		fmt.Fprintf(stdout, "baseline: written %s from %s: %s\n", b.Date.Format(time.DateOnly), b.Source, b.Reason)
	}
	for _, w := range v.Warnings {
		fmt.Fprintf(stdout, "warning: configuration differs (allowed by --allow-mismatch): %s\n", w)
	}
	for _, n := range v.Notes {
		fmt.Fprintf(stdout, "note: not compared: %s\n", n)
	}
	if err := reports.WriteGate(stdout, v.rows); err != nil {
		fmt.Fprintf(stderr, "faultline gate: %v\n", err)
	}
	for _, a := range v.Added {
		fmt.Fprintf(stdout, "%s\n", a)
	}
	for _, f := range v.Failures {
		fmt.Fprintf(stdout, "FAILED: %s\n", f)
	}
	if v.ExitCode == ExitExpect {
		fmt.Fprintf(stderr, "faultline gate: %d metric(s) regressed, %d other failure(s)\n", v.Regressions, len(v.Failures))
	}
}

// gateUpdate writes the results file current as the baseline file
// baseline, recording reason, the date and current's path in it. It
// refuses (exit 2) without a reason, and results that would make a baseline
// nothing can pass against: an interrupted run, or a repetition that failed.
func gateUpdate(current, baseline, reason string, stdout, stderr io.Writer) int {
	bad := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "faultline gate --update: "+format+"\n", a...)
		return ExitBadInput
	}
	if strings.TrimSpace(reason) == "" {
		return bad("--reason is required: say why the baseline changes (it is recorded in the file)")
	}
	cur, err := result.ReadFile(current)
	if err != nil {
		return bad("%v", err)
	}
	if cur.Interrupted {
		return bad("%s: the run was interrupted: it cannot become a baseline; run it again to the end", current)
	}
	if failures, _ := reports.Coverage(cur, cur, 0); len(failures) > 0 {
		return bad("%s cannot become a baseline:\n  %s", current, strings.Join(failures, "\n  "))
	}
	info := result.BaselineInfo{Reason: strings.TrimSpace(reason), Date: time.Now().UTC().Truncate(time.Second), Source: current}
	if err := result.WriteBaseline(baseline, cur, info); err != nil {
		return bad("%v", err)
	}
	fmt.Fprintf(stdout, "baseline: wrote %s from %s (reason: %s)\n", baseline, current, info.Reason)
	return ExitOK
}

// gateFlags holds the values of the flags of `faultline gate`.
type gateFlags struct {
	baseline, limits *string
	alpha            *float64
	minRepeat        *int
	allow            *mismatchAllowance
	jsonPath, reason *string
	update           *bool
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
	jsonPath := fs.String("json", "", "also write the verdict as JSON to this `file` (default: none)")
	update := fs.Bool("update", false, "write CURRENT.json as the new baseline (to --baseline) instead of gating; needs --reason")
	reason := fs.String("reason", "", "with --update: why the baseline is refreshed, recorded in it (required with --update)")
	return fs, gateFlags{baseline, limits, alpha, minRepeat, allow, jsonPath, reason, update}
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
