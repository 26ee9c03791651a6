package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// checkGolden compares got with testdata/name, rewriting it with -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	golden := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (run go test -update after checking it):\n--- got\n%s--- want\n%s", golden, got, want)
	}
}

// runMain runs Main with args and returns its exit code and outputs.
func runMain(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// TestHelp checks every way of asking for help: exit 0, the text on stdout
// and nothing on stderr, the same text each way, and the text against its
// golden file.
func TestHelp(t *testing.T) {
	code, out, errOut := runMain(t, "help")
	if code != ExitOK || errOut != "" {
		t.Fatalf("help: exit %d, stderr %q", code, errOut)
	}
	checkGolden(t, "help.golden", out)
	for _, c := range commands {
		t.Run(c.name, func(t *testing.T) {
			code, want, errOut := runMain(t, "help", c.name)
			if code != ExitOK || errOut != "" {
				t.Fatalf("help %s: exit %d, stderr %q", c.name, code, errOut)
			}
			checkGolden(t, "help-"+c.name+".golden", want)
			if c.name == "help" {
				return
			}
			for _, h := range []string{"--help", "-h", "-help"} {
				code, out, errOut := runMain(t, c.name, h)
				if code != ExitOK || errOut != "" || out != want {
					t.Errorf("%s %s: exit %d, stderr %q, stdout same as help %s: %v", c.name, h, code, errOut, c.name, out == want)
				}
			}
			if !strings.Contains(want, "Examples:\n  faultline ") || strings.Count(want, "\n  ") < 2 {
				t.Errorf("help %s has no two examples:\n%s", c.name, want)
			}
		})
	}
}

// TestHelpDescribesEveryFlag checks that every flag of every command is in
// its help with a description and a default (or "required").
func TestHelpDescribesEveryFlag(t *testing.T) {
	n := 0
	for _, c := range commands {
		if c.flags == nil {
			continue
		}
		text := commandHelp(c.name)
		c.flags().VisitAll(func(f *flag.Flag) {
			n++
			i := strings.Index(text, "\n  --"+f.Name+"\n")
			if i < 0 {
				i = strings.Index(text, "\n  --"+f.Name+" ")
			}
			if i < 0 {
				t.Errorf("help %s: no --%s", c.name, f.Name)
				return
			}
			rest := text[i+1:]
			desc, _, _ := strings.Cut(strings.SplitN(rest, "\n", 3)[1], "\n")
			if f.Usage == "" || !strings.Contains(desc, "default") && !strings.Contains(desc, "required") {
				t.Errorf("help %s: --%s: no description with a default: %q", c.name, f.Name, desc)
			}
		})
	}
	if n < 15 {
		t.Errorf("only %d flags seen", n)
	}
}

// TestUsageErrors checks that a flag a command does not have exits 2 with
// that command's usage on stderr and nothing on stdout.
func TestUsageErrors(t *testing.T) {
	for _, c := range commands {
		if c.name == "help" {
			continue
		}
		code, out, errOut := runMain(t, c.name, "--no-such-flag")
		if code != ExitBadInput || out != "" ||
			!strings.Contains(errOut, "flag provided but not defined: -no-such-flag") ||
			!strings.Contains(errOut, commandHelp(c.name)) {
			t.Errorf("%s --no-such-flag: exit %d, stdout %q, stderr:\n%s", c.name, code, out, errOut)
		}
	}
	for _, args := range [][]string{{"help", "nosuch"}, {"nosuch"}, {}} {
		if code, out, _ := runMain(t, args...); code != ExitBadInput || out != "" {
			t.Errorf("%q: exit %d, stdout %q", args, code, out)
		}
	}
}
