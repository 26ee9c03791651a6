package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// command describes one command for its help text; the flags are those the
// command parses, so the help cannot drift from them.
type command struct {
	name     string
	synopsis string // after "faultline "
	about    string
	examples []string
	// flags returns a fresh flag set of the command (nil: no flags).
	flags func() *flag.FlagSet
}

// commands are the commands of faultline, in the order of the usage.
var commands = []command{
	{
		name:     "run",
		synopsis: "run SCENARIO|FOLDER|NAME [flags]",
		about: `Runs every variant of a scenario under the same load and faults, prints the
comparison table and writes results.json, report.md and report.html into the
output folder. A FOLDER runs each of its *.yaml scenarios (topology files in
it are skipped). A NAME that is not a file or folder on disk runs the
scenario of that name built into faultline (see faultline scenarios).
Exit codes: 0 ok, 1 an expectation missed, 2 bad input or usage, 3 the run
itself failed.`,
		examples: []string{
			"faultline run quickstart",
			"faultline run scenarios/retry-storm.yaml --duration 10s --repeat 5 --out out/storm",
		},
		flags: func() *flag.FlagSet { return runFlagSet(&RunConfig{}) },
	},
	{
		name:     "gate",
		synopsis: "gate CURRENT.json --baseline BASELINE.json [flags]",
		about: `Compares a results file with a baseline, metric by metric, and fails (exit 1)
on a significant regression beyond its limit, or when a variant failed, is
missing or has fewer repetitions than needed. A baseline measured under
another configuration is refused (exit 2) unless --allow-mismatch.`,
		examples: []string{
			"faultline gate out/now/results.json --baseline scenarios/quickstart.baseline.json",
			"faultline gate out/now/results.json --baseline base.json --max p99=+20%,lost=off --alpha 0.01",
		},
		flags: func() *flag.FlagSet { fs, _ := gateFlagSet(); return fs },
	},
	{
		name:     "report",
		synopsis: "report RESULTS.json... [flags]",
		about: `Writes one report (report.md, report.html and the plots) of the variants of
one or more results files, the first file's variants first; with --format it
prints the results to stdout instead.`,
		examples: []string{
			"faultline report out/quickstart-20260101-120000/results.json",
			"faultline report before/results.json after/results.json --out out/compare",
		},
		flags: func() *flag.FlagSet { return reportFlagSet(&ReportConfig{}) },
	},
	{
		name:     "validate",
		synopsis: "validate FILE...",
		about: `Checks scenario and topology files without running them: every problem is
printed with its file, line and key (exit 2), every warning too (exit 0).`,
		examples: []string{
			"faultline validate scenarios/quickstart.yaml",
			"faultline validate scenarios/*.yaml topologies/*.yaml",
		},
	},
	{
		name:     "scenarios",
		synopsis: "scenarios",
		about: `Lists the scenarios built into faultline with their descriptions; run one by
its name, or copy quickstart to edit with faultline init.`,
		examples: []string{
			"faultline scenarios",
			"faultline run retry-storm --duration 10s",
		},
	},
	{
		name:     "init",
		synopsis: "init DIR",
		about: `Writes a starter scenario to edit into DIR: quickstart.yaml and its two
topologies, topologies/order-sync.yaml and topologies/order-events.yaml.
DIR is created when missing; an existing file is never overwritten (exit 2).`,
		examples: []string{
			"faultline init my-lab",
			"faultline init my-lab && faultline run my-lab/quickstart.yaml --duration 5s",
		},
	},
	{
		name:     "version",
		synopsis: "version",
		about:    `Prints the version of faultline and of the Go it was built with.`,
		examples: []string{
			"faultline version",
			"go version -m $(command -v faultline)",
		},
	},
	{
		name:     "help",
		synopsis: "help [COMMAND]",
		about:    `Prints the usage of every command, or the flags, defaults and examples of one.`,
		examples: []string{
			"faultline help",
			"faultline help run",
		},
	},
}

// newFlagSet returns an empty flag set for a command: parsing returns its
// errors (flag.ErrHelp for -h and --help) and prints nothing.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// lookupCommand returns the command called name.
func lookupCommand(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// commandHelp returns the help text of the command called name: synopsis,
// what it does, every flag with its default, and examples.
func commandHelp(name string) string {
	c, ok := lookupCommand(name)
	if !ok {
		return usage
	}
	var b strings.Builder
	fmt.Fprintf(&b, "usage: faultline %s\n\n%s\n", c.synopsis, c.about)
	if c.flags != nil {
		b.WriteString("\nFlags:\n")
		c.flags().VisitAll(func(f *flag.Flag) { writeFlag(&b, f) })
	}
	b.WriteString("\nExamples:\n")
	for _, e := range c.examples {
		fmt.Fprintf(&b, "  %s\n", e)
	}
	return b.String()
}

// writeFlag writes one flag's help: its name and value, then what it does
// and its default, which the usage string states itself when the zero
// value would mislead ("(default: the scenario's ...)").
func writeFlag(w io.Writer, f *flag.Flag) {
	name, text := flag.UnquoteUsage(f)
	if name != "" {
		name = " " + name
	}
	if !strings.Contains(text, "default") && !strings.Contains(text, "required") {
		def := f.DefValue
		if def == "" {
			def = "none"
		}
		text += " (default " + def + ")"
	}
	fmt.Fprintf(w, "  --%s%s\n        %s\n", f.Name, name, text)
}

// help runs `faultline help [COMMAND]`.
func help(args []string, stdout, stderr io.Writer) int {
	switch {
	case len(args) == 0:
		fmt.Fprint(stdout, usage)
		return ExitOK
	case len(args) > 1:
		fmt.Fprintf(stderr, "faultline help: want at most one command, got %d\n%s", len(args), usage)
		return ExitBadInput
	}
	if _, ok := lookupCommand(args[0]); !ok {
		fmt.Fprintf(stderr, "faultline help: unknown command %q\n%s", args[0], usage)
		return ExitBadInput
	}
	fmt.Fprint(stdout, commandHelp(args[0]))
	return ExitOK
}

// usageError reports a command-line error of the command called name: for
// -h or --help (flag.ErrHelp) its help on stdout and exit 0, otherwise the
// error and the help on stderr and exit 2. A nil err means unexpected
// arguments.
func usageError(name string, err error, stdout, stderr io.Writer) int {
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, commandHelp(name))
		return ExitOK
	}
	if err == nil {
		err = errors.New("unexpected arguments")
	}
	fmt.Fprintf(stderr, "faultline %s: %v\n\n%s", name, err, commandHelp(name))
	return ExitBadInput
}

// parseArgs parses the arguments of a command without flags, returning the
// others; -h and --help anywhere give flag.ErrHelp.
func parseArgs(name string, args []string) ([]string, error) {
	fs := newFlagSet(name)
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return rest, nil
		}
		rest = append(rest, fs.Arg(0))
		args = fs.Args()[1:]
	}
}
