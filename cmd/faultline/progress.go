package main

import (
	"fmt"
	"io"
	"time"

	"github.com/faultline-sim/faultline/sim"
)

// progressEvery is how often a progress line is written when stderr is
// not a terminal (a CI log): often enough to show a run is alive, rarely
// enough to keep the log short.
const progressEvery = 10 * time.Second

// progressMode is how a run shows its progress.
type progressMode int

const (
	progressOff   progressMode = iota // nothing (--quiet, or no terminal to redraw and stderr a terminal)
	progressLive                      // one redrawn line on the terminal that gets the run's information
	progressLines                     // a line every progressEvery on stderr (stderr is not a terminal)
)

// chooseProgress decides how progress is shown: --quiet silences it;
// cfg.Progress forces the live display on or off; else a live display when
// info (where the run's information goes) is a terminal, and a line every
// progressEvery on stderr when stderr is not a terminal (a CI log).
func chooseProgress(cfg RunConfig, info, stderr io.Writer) progressMode {
	switch {
	case cfg.Quiet:
		return progressOff
	case cfg.Progress != nil && *cfg.Progress:
		return progressLive
	case cfg.Progress != nil:
		return progressOff
	case isTerminal(info):
		return progressLive
	case !isTerminal(stderr):
		return progressLines
	}
	return progressOff
}

// progressFunc returns the sim.Options.Progress callback of mode for a
// scenario with this warm-up (nil: none). every ≤ 0 means progressEvery.
func progressFunc(mode progressMode, info, stderr io.Writer, warmup, every time.Duration) func(sim.Progress) {
	switch mode {
	case progressLive:
		return progressLine(info, warmup)
	case progressLines:
		if every <= 0 {
			every = progressEvery
		}
		return progressLog(stderr, warmup, every)
	}
	return nil
}

// phase names the part of a variant's run at elapsed: warm-up, load (the
// recorded window) or drain (after the planned total).
func phase(p sim.Progress, warmup time.Duration) string {
	switch {
	case p.Elapsed < warmup:
		return "warm-up"
	case p.Elapsed >= p.Total:
		return "drain"
	}
	return "load"
}

// progressLine returns a Progress callback that redraws one terminal line:
// elapsed, the send rate over the last update, and errors so far.
func progressLine(w io.Writer, warmup time.Duration) func(sim.Progress) {
	var last sim.Progress
	return func(p sim.Progress) {
		if p.Variant != last.Variant || p.Elapsed < last.Elapsed {
			last = sim.Progress{Variant: p.Variant}
		}
		rate := 0.0
		if p.Elapsed >= warmup {
			if dt := (p.Elapsed - last.Elapsed).Seconds(); dt > 0 && last.Elapsed >= warmup {
				rate = float64(p.Sent-last.Sent) / dt
			}
		}
		fmt.Fprintf(w, "\r\033[K[%s] %s %5.1fs/%.0fs  sent %d  %.0f/s  errors %d",
			p.Variant, phase(p, warmup), p.Elapsed.Seconds(), p.Total.Seconds(), p.Sent, rate, p.Failed)
		last = p
	}
}

// progressLog returns a Progress callback that writes a plain line (no
// terminal control) each time a variant's elapsed time passes a multiple of
// every: the variant, the phase, elapsed of planned, the send rate since
// the previous line (recorded window only; "-" in the warm-up), requests
// sent and errors so far. Lines restart with each variant (and repetition).
func progressLog(w io.Writer, warmup, every time.Duration) func(sim.Progress) {
	var last sim.Progress
	next := every
	return func(p sim.Progress) {
		if p.Variant != last.Variant || p.Elapsed < last.Elapsed {
			last, next = sim.Progress{Variant: p.Variant}, every
		}
		if p.Elapsed < next {
			return
		}
		for next <= p.Elapsed {
			next += every
		}
		rate := "-"
		if from := max(last.Elapsed, warmup); p.Elapsed > from {
			rate = fmt.Sprintf("%.0f/s", float64(p.Sent-last.Sent)/(p.Elapsed-from).Seconds())
		}
		fmt.Fprintf(w, "progress: [%s] %s %.0fs/%.0fs  rate %s  sent %d  errors %d\n",
			p.Variant, phase(p, warmup), p.Elapsed.Seconds(), p.Total.Seconds(), rate, p.Sent, p.Failed)
		last = p
	}
}
