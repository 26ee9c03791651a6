package service

import (
	"errors"

	"connectrpc.com/connect"
)

// callError is what a service answers when its call to callee failed: the
// callee's code, and its message after "call <callee>: ". Only the
// message is repeated, not the code, so a failure three hops down reads
// "unavailable: call payment: call bank: circuit breaker open" rather than
// repeating the code at every hop. err stays wrapped, for errors.Is within
// the process.
func callError(callee string, err error) error {
	msg := err.Error()
	var ce *connect.Error
	if errors.As(err, &ce) {
		msg = ce.Message()
	}
	return connect.NewError(connect.CodeOf(err), &hopError{msg: "call " + callee + ": " + msg, err: err})
}

// hopError carries a message and the error it came from.
type hopError struct {
	msg string
	err error
}

func (e *hopError) Error() string { return e.msg }
func (e *hopError) Unwrap() error { return e.err }
