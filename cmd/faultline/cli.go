package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/reports"
	"github.com/faultline-sim/faultline/reports/result"
	"github.com/faultline-sim/faultline/scenarios"
	"github.com/faultline-sim/faultline/sim"
	"github.com/faultline-sim/faultline/topologies"
)

// Exit codes.
const (
	ExitOK       = 0
	ExitExpect   = 1 // an expectation missed, or the gate failed (a regression, a failed or missing variant)
	ExitBadInput = 2 // bad input or usage, a world beyond the open-file limit
	ExitRun      = 3 // a variant could not run, or its harness ran out of resources (sim.ErrHarness)
	// ExitInterrupted: the run was interrupted (Ctrl-C, SIGTERM); the
	// results hold what was measured until then, and gate refuses them.
	// 130 is what shells report for a command ended by SIGINT.
	ExitInterrupted = 130
)

const usage = `usage:
  faultline run SCENARIO|FOLDER|NAME [--out DIR] [--duration D] [--rate R] [--seed N] [--variant NAME] [--repeat N]
                         [--format table|benchstat|bmf] [--metrics-addr 127.0.0.1:PORT] [--log-level LEVEL]
                         [--cpuprofile FILE] [--quiet]
                         (a FOLDER runs each of its *.yaml scenarios; --variant needs one scenario;
                          a NAME that is not a file runs the built-in scenario, see faultline scenarios)
  faultline gate CURRENT.json --baseline BASELINE.json [--max metric=LIMIT|off,...] [--alpha 0.05]
                         [--min-repeat N] [--allow-mismatch[=KEY,...]] [--json FILE]
  faultline gate CURRENT.json --baseline BASELINE.json --update --reason "WHY"
  faultline report RESULTS.json... [--out DIR | --format table|benchstat|bmf]
  faultline validate FILE...
  faultline scenarios
  faultline init DIR
  faultline version
  faultline help [COMMAND]    (or faultline COMMAND --help: its flags, their defaults and examples)
`

// Main runs the command line args and returns the exit code. Everything the
// user sees goes to stdout (results) and stderr (problems).
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return ExitBadInput
	}
	switch args[0] {
	case "run":
		cfg, err := ParseRunFlags(args[1:])
		if err != nil {
			return usageError("run", err, stdout, stderr)
		}
		return Run(ctx, cfg, stdout, stderr)
	case "report":
		return report(args[1:], stdout, stderr)
	case "validate":
		files, err := parseArgs("validate", args[1:])
		if err != nil {
			return usageError("validate", err, stdout, stderr)
		}
		return validate(files, processFDLimit(), stdout, stderr)
	case "gate":
		return gate(args[1:], stdout, stderr)
	case "version":
		if rest, err := parseArgs("version", args[1:]); err != nil || len(rest) > 0 {
			return usageError("version", err, stdout, stderr)
		}
		fmt.Fprintln(stdout, "faultline", version())
		return ExitOK
	case "scenarios":
		return listScenarios(args[1:], stdout, stderr)
	case "init":
		return initFolder(args[1:], stdout, stderr)
	case "help", "-h", "--help", "-help":
		return help(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "faultline: unknown command %q\n%s", args[0], usage)
	return ExitBadInput
}

// RunConfig is what `faultline run` was asked to do.
type RunConfig struct {
	Scenario string
	Out      string
	Duration time.Duration
	Rate     float64
	Seed     uint64
	seedSet  bool
	Variant  string
	// CPUProfile, when set, is where a CPU profile of the run is written.
	CPUProfile string
	// Repeat runs every variant this many times (default 1).
	Repeat int
	// Format is how results are printed: "table" (default), "benchstat"
	// or "bmf". With a machine format, stdout holds only that output.
	Format string
	// MetricsAddr, when set, is the loopback host:port where Prometheus
	// metrics are served while the run lasts.
	MetricsAddr string
	// LogLevel is the level of the structured logs on stderr: debug, info,
	// warn (default: quiet unless something goes wrong) or error.
	LogLevel slog.Level
	// Progress forces the live display on (true) or off (false); nil decides
	// by the terminals (see chooseProgress).
	Progress *bool
	// Quiet silences progress, live or line by line (--quiet).
	Quiet bool
	// progressEvery, when > 0, replaces progressEvery (tests).
	progressEvery time.Duration
	// fdLimit, when not 0, replaces the open-file limit every world is
	// checked against before it runs (tests); below 0 nothing is checked.
	// 0: the soft RLIMIT_NOFILE, raised to the hard limit (sim.RaiseFDLimit).
	fdLimit int64
}

// openFileLimit returns the descriptor limit worlds are checked against.
func (cfg RunConfig) openFileLimit() int64 {
	if cfg.fdLimit != 0 {
		return cfg.fdLimit
	}
	return processFDLimit()
}

// processFDLimit raises the soft RLIMIT_NOFILE to the hard limit and
// returns it; 0 (no check) when it cannot be read.
func processFDLimit() int64 {
	n, err := sim.RaiseFDLimit()
	if err != nil {
		return 0
	}
	return n
}

// Output formats of run.
const (
	FormatTable     = "table"
	FormatBenchstat = "benchstat" // Go benchmark format, for benchstat
	FormatBMF       = "bmf"       // Bencher Metric Format JSON
)

var formats = []string{FormatTable, FormatBenchstat, FormatBMF}

// writeResults prints res in format.
func writeResults(w io.Writer, format string, res *result.Result) error {
	switch format {
	case FormatBenchstat:
		return reports.WriteBenchstat(w, res)
	case FormatBMF:
		return reports.WriteBMF(w, res)
	}
	return reports.WriteTable(w, res)
}

// maxRepeat bounds --repeat: every repetition is a full run.
const maxRepeat = 100

// runFlagSet returns the flags of `faultline run`, stored into cfg; the
// help text is made from them. Parsing returns errors without printing.
func runFlagSet(cfg *RunConfig) *flag.FlagSet {
	fs := newFlagSet("run")
	fs.StringVar(&cfg.Out, "out", "", "output `folder` (default out/<scenario or folder>-<timestamp>)")
	fs.DurationVar(&cfg.Duration, "duration", 0, "recorded load duration (default: the scenario's `duration`)")
	fs.Float64Var(&cfg.Rate, "rate", 0, "operations per second (default: the scenario's load `rate`)")
	fs.Func("seed", "random `seed` (default: the scenario's seed, 1 when it has none)", func(s string) error {
		var err error
		_, err = fmt.Sscan(s, &cfg.Seed)
		cfg.seedSet = err == nil
		return err
	})
	fs.StringVar(&cfg.Variant, "variant", "", "run only this `variant` (default: every variant)")
	fs.StringVar(&cfg.CPUProfile, "cpuprofile", "", "write a CPU profile of the run to this `file` (default: none)")
	fs.IntVar(&cfg.Repeat, "repeat", 1, "run every variant this many times, interleaved")
	fs.StringVar(&cfg.Format, "format", FormatTable, "how to print the results: table, benchstat or bmf")
	fs.StringVar(&cfg.MetricsAddr, "metrics-addr", "", "serve Prometheus metrics on this loopback `address` during the run, e.g. 127.0.0.1:9464 (default: none)")
	cfg.LogLevel = slog.LevelWarn
	fs.BoolVar(&cfg.Quiet, "quiet", false, "show no progress (default: a live line on a terminal, a line every 10s on stderr otherwise)")
	fs.TextVar(&cfg.LogLevel, "log-level", slog.LevelWarn, "structured log `level` on stderr: debug, info, warn or error")
	return fs
}

// ParseRunFlags parses the arguments of `faultline run`; flags may come
// before or after the scenario path.
func ParseRunFlags(args []string) (RunConfig, error) {
	var cfg RunConfig
	fs := runFlagSet(&cfg)
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return cfg, err
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(positional) != 1 {
		return cfg, fmt.Errorf("want exactly one scenario file or folder, got %d", len(positional))
	}
	cfg.Scenario = positional[0]
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["duration"] && cfg.Duration <= 0 {
		return cfg, fmt.Errorf("--duration must be positive, got %v", cfg.Duration)
	}
	if set["rate"] && !(cfg.Rate > 0) {
		return cfg, fmt.Errorf("--rate must be positive, got %v", cfg.Rate)
	}
	if set["metrics-addr"] {
		if err := loopbackAddr(cfg.MetricsAddr); err != nil {
			return cfg, fmt.Errorf("--metrics-addr: %w", err)
		}
	}
	if !slices.Contains(formats, cfg.Format) {
		return cfg, fmt.Errorf("--format must be one of %s, got %q", strings.Join(formats, ", "), cfg.Format)
	}
	if cfg.Repeat < 1 || cfg.Repeat > maxRepeat {
		return cfg, fmt.Errorf("--repeat must be between 1 and %d, got %d", maxRepeat, cfg.Repeat)
	}
	return cfg, nil
}

// Run loads the scenario, runs it, prints the comparison and writes the
// result file. A Ctrl-C (ctx cancelled) still writes what was measured.
// When cfg.Scenario is a folder, Run runs every scenario in it (see
// runFolder).
func Run(ctx context.Context, cfg RunConfig, stdout, stderr io.Writer) int {
	if isDir(cfg.Scenario) {
		return runFolder(ctx, cfg, stdout, stderr)
	}
	sc, err := readScenario(cfg.Scenario)
	if err == nil {
		err = apply(sc, cfg)
	}
	if err != nil {
		printProblems(stderr, err)
		return ExitBadInput
	}
	printWarnings(stderr, sc.Warnings())
	out := cfg.Out
	if out == "" {
		out = filepath.Join("out", fmt.Sprintf("%s-%s", sc.Name, time.Now().Format("20060102-150405")))
	}
	r, code := newRunner(cfg, stdout, stderr)
	if r == nil {
		return code
	}
	defer r.close()
	code, _ = r.run(ctx, cfg.Scenario, sc, out)
	return code
}

// runner runs scenarios for one `faultline run`: what they share is set up
// once (output streams, logs, metrics server, CPU profile).
type runner struct {
	cfg            RunConfig
	stdout, stderr io.Writer
	// info is where everything but the results goes: stdout for the
	// table, stderr with a machine format.
	info     io.Writer
	progress progressMode
	opt      sim.Options
	// bmf, when not nil, collects the results instead of printing them
	// (a folder's BMF is printed once, as one JSON document).
	bmf   *[]*result.Result
	stops []func()
}

// newRunner sets up what every scenario of the run shares. When that
// fails it prints why and returns nil and the exit code.
func newRunner(cfg RunConfig, stdout, stderr io.Writer) (*runner, int) {
	r := &runner{cfg: cfg, stdout: stdout, stderr: stderr, info: stdout}
	// With a machine format, stdout carries only that; the rest goes to
	// stderr.
	if cfg.Format != FormatTable {
		r.info = stderr
	}
	r.progress = chooseProgress(cfg, r.info, stderr)
	r.opt = sim.Options{Repeat: cfg.Repeat,
		Log: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))}
	if cfg.MetricsAddr != "" {
		reg, addr, stopMetrics, err := serveMetrics(cfg.MetricsAddr)
		if err != nil {
			fmt.Fprintf(stderr, "faultline run: --metrics-addr: %v\n", err)
			return nil, ExitBadInput
		}
		r.stops = append(r.stops, stopMetrics)
		r.opt.Metrics = reg
		fmt.Fprintf(r.info, "metrics: http://%s/metrics\n", addr)
	}
	if cfg.CPUProfile != "" {
		stopProfile, err := startCPUProfile(cfg.CPUProfile)
		if err != nil {
			r.close()
			fmt.Fprintf(stderr, "faultline run: --cpuprofile: %v\n", err)
			return nil, ExitBadInput
		}
		r.stops = append(r.stops, stopProfile)
	}
	return r, ExitOK
}

// close stops what newRunner started, last started first.
func (r *runner) close() {
	for i := len(r.stops) - 1; i >= 0; i-- {
		r.stops[i]()
	}
	r.stops = nil
}

// run runs the scenario sc read from file, prints the comparison, writes
// the results and the report into out and returns the exit code and the
// result (nil when nothing was measured).
func (r *runner) run(ctx context.Context, file string, sc *scenarios.Scenario, out string) (int, *result.Result) {
	info, stderr, opt := r.info, r.stderr, r.opt
	opt.Progress = progressFunc(r.progress, info, stderr, sc.Warmup, r.cfg.progressEvery)
	opt.StateDir = filepath.Join(out, "state") // the stores of stateful variants
	seeds := fmt.Sprintf("seed %d", sc.Seed)
	if opt.Repeat > 1 {
		seeds = fmt.Sprintf("%d repetitions, seeds %d to %d", opt.Repeat, sc.Seed, sc.Seed+uint64(opt.Repeat-1))
	}
	fmt.Fprintf(info, "faultline: %s — %d variant(s), %s at %.0f/s (%s), warm-up %s, drain %s, %s\n",
		sc.Name, len(sc.Variants), sc.Duration, sc.Load.Rate, sc.Load.Arrival, sc.Warmup, sc.Drain, seeds)
	res, runErr := sim.Run(ctx, sc, opt)
	if res != nil {
		cfg := r.cfg
		cfg.Scenario = file
		res.Command = commandLine(cfg)
	}
	if r.progress == progressLive {
		fmt.Fprint(info, "\r\033[K")
	}
	if res != nil {
		if r.bmf != nil {
			*r.bmf = append(*r.bmf, res)
		} else if err := writeResults(r.stdout, r.cfg.Format, res); err != nil {
			fmt.Fprintf(stderr, "faultline: %v\n", err)
		}
		path, err := result.WriteFile(out, res)
		if err != nil {
			fmt.Fprintf(stderr, "faultline: writing results: %v\n", err)
			return ExitRun, res
		}
		fmt.Fprintf(info, "results: %s\n", path)
		writeRunReport(info, stderr, out, res)
		if res.Interrupted {
			fmt.Fprintln(stderr, "faultline: interrupted; the results hold what was measured until then")
		}
	}
	if runErr != nil {
		fmt.Fprintf(stderr, "faultline: %v\n", runErr)
	}
	if res != nil && res.Interrupted {
		return ExitInterrupted, res // whatever else went wrong, the run is incomplete
	}
	if runErr != nil {
		return ExitRun, res
	}
	if missed := result.Missed(res); len(missed) > 0 {
		for _, e := range missed {
			fmt.Fprintf(stderr, "faultline: expectation missed: %s:%d: %s: %s (%s)\n", sc.File, e.Line, e.Variant, e.Expr, describeMiss(e))
		}
		return ExitExpect, res
	}
	return ExitOK, res
}

// commandLine returns the command that reproduces a run: the same
// arguments, with the seed made explicit, without --out and --cpuprofile.
func commandLine(cfg RunConfig) string {
	parts := []string{"faultline", "run", quote(cfg.Scenario)}
	if cfg.Duration > 0 {
		parts = append(parts, "--duration", cfg.Duration.String())
	}
	if cfg.Rate > 0 {
		parts = append(parts, "--rate", strconv.FormatFloat(cfg.Rate, 'f', -1, 64))
	}
	if cfg.seedSet {
		parts = append(parts, "--seed", strconv.FormatUint(cfg.Seed, 10))
	}
	if cfg.Variant != "" {
		parts = append(parts, "--variant", quote(cfg.Variant))
	}
	if cfg.Repeat > 1 {
		parts = append(parts, "--repeat", strconv.Itoa(cfg.Repeat))
	}
	return strings.Join(parts, " ")
}

// quote quotes s for a POSIX shell when it needs it.
func quote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=+,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// describeMiss says what was observed against the threshold.
func describeMiss(e result.Expectation) string {
	if e.Missing {
		return "metric absent: the variant has this metric but it was not measured"
	}
	m, err := result.ResolveMetric(e.Metric)
	if err != nil {
		return "observed " + strconv.FormatFloat(e.Observed, 'g', -1, 64)
	}
	return "observed " + m.Format(e.Observed) + ", threshold " + e.Bound(m.Format)
}

// apply puts the command-line overrides into the scenario.
func apply(sc *scenarios.Scenario, cfg RunConfig) error {
	if cfg.Duration > 0 {
		sc.Duration = cfg.Duration
	}
	if cfg.Rate > 0 {
		sc.Load.Rate = cfg.Rate
	}
	if cfg.seedSet {
		sc.Seed = cfg.Seed
	}
	if cfg.Variant != "" {
		if err := sc.Only(cfg.Variant); err != nil {
			return err
		}
	}
	// The overrides can make faults end after the load, for one.
	if err := sc.Validate(); err != nil {
		return err
	}
	// A world that cannot fit in the open-file limit would fail in ways
	// that look like the system's: refuse it before it starts.
	return sim.CheckFDs(sc, cfg.openFileLimit())
}

// validate checks scenario and topology files, reporting every problem
// (exit 2), including worlds that need more file descriptors than fdLimit
// (≤ 0: no check; a topology alone is checked with a one-node broker and
// no link fault), and every warning (which changes no exit code).
func validate(files []string, fdLimit int64, stdout, stderr io.Writer) int {
	if len(files) == 0 {
		fmt.Fprint(stderr, "faultline validate: no file given\n", usage)
		return ExitBadInput
	}
	code := ExitOK
	for _, f := range files {
		var err error
		var warnings []topologies.Warning
		if isTopology(f) {
			var top *topologies.Topology
			if top, err = topologies.ReadFile(f); err == nil {
				warnings = top.Warnings()
				err = sim.CheckFDs(&scenarios.Scenario{File: f, Broker: scenarios.BrokerSpec{Nodes: 1},
					Variants: []scenarios.Variant{{Name: top.Name, Topology: top}}}, fdLimit)
			}
		} else {
			var sc *scenarios.Scenario
			if sc, err = scenarios.ReadFile(f); err == nil {
				warnings = sc.Warnings()
				err = sim.CheckFDs(sc, fdLimit)
			}
		}
		if err != nil {
			printProblems(stderr, err)
			code = ExitBadInput
			continue
		}
		printWarnings(stderr, warnings)
		fmt.Fprintf(stdout, "%s: ok\n", f)
	}
	return code
}

// isTopology reports whether the file holds a topology: see
// topologies.IsTopology (its parsed top-level keys decide, not its text).
func isTopology(path string) bool {
	data, err := os.ReadFile(path)
	return err == nil && topologies.IsTopology(data)
}

// printProblems prints one line per problem of a joined error.
// printWarnings prints one line per warning, "warning: file:line: key: msg".
func printWarnings(w io.Writer, ws []topologies.Warning) {
	for _, x := range ws {
		fmt.Fprintln(w, "warning:", x)
	}
}

func printProblems(w io.Writer, err error) {
	var walk func(error)
	walk = func(e error) {
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
			return
		}
		fmt.Fprintln(w, e)
	}
	walk(err)
}

func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := bi.Main.Version
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	return v + " " + bi.GoVersion
}
