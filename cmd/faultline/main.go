// Command faultline runs scenarios that compare a synchronous call chain with
// an event-driven design under load and failures, against real servers.
//
//	faultline run SCENARIO|FOLDER [--out DIR] [--duration D] [--rate R] [--seed N] [--variant NAME]
//	faultline validate FILE...
//	faultline version
//
// Exit codes: 0 ok, 1 an expectation missed, 2 bad input or usage (a world
// that cannot fit in the open-file limit too), 3 the run itself failed (a
// variant that could not start, or a harness that ran out of descriptors,
// ports or memory during it), 130 the run was interrupted (Ctrl-C or
// SIGTERM; the results hold what was measured until then).
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/faultline-sim/faultline/sim/broker"
)

// gcPercent is the GOGC faultline runs with unless GOGC is set: the heap of
// a run is small, so the default (100) collects 40–200 times a second, and the
// collector's CPU competes with the servers it measures. At 5,000 event-driven
// operations/s on 2 cores, 400 turned a run that fell behind into one that
// (mostly) kept its schedule (see docs/measurement.md).
const gcPercent = 400

func main() {
	// A broker node process is this binary re-executed: it runs the node
	// and exits here.
	broker.RunIfNodeProcess()
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C ends the process at once
	}()
	code := Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
