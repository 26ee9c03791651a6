// Command faultline runs scenarios that compare a synchronous call chain with
// an event-driven design under load and failures, against real servers.
//
//	faultline run SCENARIO [--out DIR] [--duration D] [--rate R] [--seed N] [--variant NAME]
//	faultline validate FILE...
//	faultline version
//
// Exit codes: 0 ok, 1 an expectation missed, 2 bad input or usage, 3 the run
// itself failed.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C ends the process at once
	}()
	code := Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
