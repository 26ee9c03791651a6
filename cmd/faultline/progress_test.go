package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/sim"
)

// TestProgressLogEveryInterval feeds a non-terminal writer the callbacks a
// run makes (four a second) and checks one line per interval, each with the
// variant, phase, elapsed, rate and errors, restarting with each variant.
func TestProgressLogEveryInterval(t *testing.T) {
	var b bytes.Buffer
	show := progressFunc(progressLines, nil, &b, 5*time.Second, 10*time.Second)
	total := 35 * time.Second // 5s warm-up + 30s load
	for _, v := range []string{"sync", "events"} {
		for ms := 250; ms <= 37000; ms += 250 {
			el := time.Duration(ms) * time.Millisecond
			sent := int64(0)
			if el > 5*time.Second {
				sent = int64((el - 5*time.Second) / (10 * time.Millisecond)) // 100/s
			}
			show(sim.Progress{Variant: v, Elapsed: el, Total: total, Sent: sent, Failed: sent / 100})
		}
	}
	want := []string{
		"progress: [sync] load 10s/35s  rate 100/s  sent 500  errors 5",
		"progress: [sync] load 20s/35s  rate 100/s  sent 1500  errors 15",
		"progress: [sync] load 30s/35s  rate 100/s  sent 2500  errors 25",
		"progress: [events] load 10s/35s  rate 100/s  sent 500  errors 5",
		"progress: [events] load 20s/35s  rate 100/s  sent 1500  errors 15",
		"progress: [events] load 30s/35s  rate 100/s  sent 2500  errors 25",
	}
	if got := strings.Split(strings.TrimSpace(b.String()), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), strings.Join(want, "\n"))
	}
	if strings.Contains(b.String(), "\033") || strings.Contains(b.String(), "\r") {
		t.Errorf("terminal control in a log: %q", b.String())
	}

	// Phases: warm-up (no rate yet) and drain.
	b.Reset()
	show = progressFunc(progressLines, nil, &b, 15*time.Second, 10*time.Second)
	show(sim.Progress{Variant: "sync", Elapsed: 10 * time.Second, Total: 20 * time.Second})
	show(sim.Progress{Variant: "sync", Elapsed: 21 * time.Second, Total: 20 * time.Second, Sent: 600})
	if got := b.String(); !strings.Contains(got, "[sync] warm-up 10s/20s  rate -  sent 0") || !strings.Contains(got, "[sync] drain 21s/20s  rate 100/s  sent 600") {
		t.Errorf("phases: %q", got)
	}
}

func TestChooseProgress(t *testing.T) {
	var info, stderr bytes.Buffer // not terminals
	on, off := true, false
	for _, c := range []struct {
		cfg  RunConfig
		want progressMode
	}{
		{RunConfig{}, progressLines},
		{RunConfig{Quiet: true}, progressOff},
		{RunConfig{Quiet: true, Progress: &on}, progressOff},
		{RunConfig{Progress: &on}, progressLive},
		{RunConfig{Progress: &off}, progressOff},
	} {
		if got := chooseProgress(c.cfg, &info, &stderr); got != c.want {
			t.Errorf("%+v: %v, want %v", c.cfg, got, c.want)
		}
	}
}

// TestRunWritesProgressLinesToANonTerminal runs the quickstart with stderr
// a buffer (as in CI): progress lines appear there; --quiet silences them.
func TestRunWritesProgressLinesToANonTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end run")
	}
	sc := quickstartNoExpect(t, t.TempDir())
	for _, quiet := range []bool{false, true} {
		args := []string{sc, "--duration", "2s", "--rate", "50", "--variant", "sync", "--out", filepath.Join(t.TempDir(), "out")}
		if quiet {
			args = append(args, "--quiet")
		}
		cfg, err := ParseRunFlags(args)
		if err != nil {
			t.Fatal(err)
		}
		cfg.progressEvery = 500 * time.Millisecond
		var stdout, stderr bytes.Buffer
		if code := Run(context.Background(), cfg, &stdout, &stderr); code != ExitOK {
			t.Fatalf("exit %d\n%s\n%s", code, stdout.String(), stderr.String())
		}
		n := strings.Count(stderr.String(), "progress: [sync] ")
		switch {
		case quiet && n != 0:
			t.Errorf("--quiet: %d progress lines:\n%s", n, stderr.String())
		case !quiet && n < 2: // ≥ 2 s of load at a line per 0.5 s; the ticks are 4/s, so even a slow machine gives ≥ 2
			t.Errorf("%d progress lines in stderr:\n%s", n, stderr.String())
		}
		if strings.Contains(stdout.String(), "progress:") {
			t.Errorf("progress on stdout:\n%s", stdout.String())
		}
	}
}
