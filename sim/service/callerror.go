package service

import (
	"errors"

	"connectrpc.com/connect"

	"github.com/faultline-sim/faultline/sim/metrics"
)

// callError is what a service answers when its call to callee failed: the
// callee's code, and its message after "call <callee>: ". Only the
// message is repeated, not the code, so a failure three hops down reads
// "unavailable: call payment: call bank: circuit breaker open" rather than
// repeating the code at every hop. err stays wrapped, for errors.Is within
// the process. A failure caused by the harness running out of a resource
// here or at any hop below (metrics.IsHarness) is marked with
// metrics.HarnessKey, so the mark reaches the client.
func callError(callee string, err error) error {
	msg := err.Error()
	var ce *connect.Error
	if errors.As(err, &ce) {
		msg = ce.Message()
	}
	return metrics.MarkHarness(connect.NewError(connect.CodeOf(err), &hopError{msg: "call " + callee + ": " + msg, err: err}), err)
}

// hopError carries a message and the error it came from.
type hopError struct {
	msg string
	err error
}

func (e *hopError) Error() string { return e.msg }
func (e *hopError) Unwrap() error { return e.err }
