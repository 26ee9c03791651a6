package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/faultline-sim/faultline/reports"
	"github.com/faultline-sim/faultline/reports/result"
)

// ReportConfig is what `faultline report` was asked to do.
type ReportConfig struct {
	// Files are the results files, in the order their variants become
	// columns; the first is the baseline of the differences.
	Files []string
	// Out is the folder the report is written to; default: the folder of
	// the first results file.
	Out string
	// Format, when set (table, benchstat or bmf), prints the results in
	// that format to stdout instead of writing the report.
	Format string
}

// reportFlagSet returns the flags of `faultline report`, stored into cfg.
func reportFlagSet(cfg *ReportConfig) *flag.FlagSet {
	fs := newFlagSet("report")
	fs.StringVar(&cfg.Out, "out", "", "output `folder` (default: the folder of the first results file)")
	fs.StringVar(&cfg.Format, "format", "", "print the results as table, benchstat or bmf instead of writing the report (default: none, the report is written)")
	return fs
}

// ParseReportFlags parses the arguments of `faultline report`; --out may
// come before or after the files.
func ParseReportFlags(args []string) (ReportConfig, error) {
	var cfg ReportConfig
	fs := reportFlagSet(&cfg)
	for {
		if err := fs.Parse(args); err != nil {
			return cfg, err
		}
		if fs.NArg() == 0 {
			break
		}
		cfg.Files = append(cfg.Files, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(cfg.Files) == 0 {
		return cfg, errors.New("no results file given")
	}
	if cfg.Format != "" && !slices.Contains(formats, cfg.Format) {
		return cfg, fmt.Errorf("--format must be one of %s, got %q", strings.Join(formats, ", "), cfg.Format)
	}
	if cfg.Out == "" {
		cfg.Out = filepath.Dir(cfg.Files[0])
	}
	return cfg, nil
}

// report runs `faultline report RESULTS.json... [--out DIR]`: it reads
// every results file, then writes report.md, report.html and the plots of
// all of them into one folder. A file that cannot be read, is not a
// results file or has another schema is bad input (exit 2), each named
// with its reason; a report that cannot be written exits 3.
func report(args []string, stdout, stderr io.Writer) int {
	cfg, err := ParseReportFlags(args)
	if err != nil {
		return usageError("report", err, stdout, stderr)
	}
	var results []*result.Result
	for _, f := range cfg.Files {
		r, err := result.ReadFile(f)
		if err != nil {
			fmt.Fprintf(stderr, "faultline report: %s\n", readProblem(f, err))
			continue
		}
		results = append(results, r)
	}
	if len(results) != len(cfg.Files) {
		return ExitBadInput
	}
	if cfg.Format != "" {
		for _, r := range results {
			if err := writeResults(stdout, cfg.Format, r); err != nil {
				fmt.Fprintf(stderr, "faultline report: %v\n", err)
				return ExitRun
			}
		}
		return ExitOK
	}
	paths, err := reports.WriteReport(cfg.Out, results...)
	if err != nil {
		fmt.Fprintf(stderr, "faultline report: %v\n", err)
		return ExitRun
	}
	printReport(stdout, paths)
	return ExitOK
}

// readProblem says why the results file path could not be used, naming it.
func readProblem(path string, err error) string {
	switch {
	case errors.Is(err, result.ErrSchema):
		return err.Error() // names the file and both schemas
	case errors.Is(err, os.ErrNotExist):
		return path + ": no such file"
	}
	var pathErr *os.PathError
	if errors.As(err, &pathErr) {
		return fmt.Sprintf("%s: cannot read: %v", path, pathErr.Err)
	}
	// ReadFile's decoding errors start with the file's name.
	return fmt.Sprintf("%s: not a results file: %s", path, strings.TrimPrefix(err.Error(), path+": "))
}

// writeRunReport writes the report of a run's result next to its
// results.json. A failure is printed, not returned: the run's exit code
// stays the run's.
func writeRunReport(info, stderr io.Writer, dir string, res *result.Result) {
	paths, err := reports.WriteReport(dir, res)
	if err != nil {
		fmt.Fprintf(stderr, "faultline: writing the report: %v\n", err)
		return
	}
	printReport(info, paths)
}

// printReport names the report's HTML and Markdown files.
func printReport(w io.Writer, paths []string) {
	for _, p := range paths {
		if base := filepath.Base(p); base == reports.HTMLFile || base == reports.MarkdownFile {
			fmt.Fprintf(w, "report: %s\n", p)
		}
	}
}
