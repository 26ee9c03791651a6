package metrics

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"syscall"

	"connectrpc.com/connect"

	"github.com/faultline-sim/faultline/faults"
)

// HarnessKey is the Connect error metadata key (sent as a response header
// or trailer) that marks an error caused by the harness running out of a
// resource at some hop. The hop that meets the errno sets it (MarkHarness);
// every hop that answers with its callee's error passes it on, so the load
// client sees it at the top of the chain, where the errno itself is gone.
const HarnessKey = "Faultline-Harness"

// IsHarness reports whether err was caused by the harness running out of a
// resource: an errno of faults.IsHarnessErr in its chain (this process
// dialed and failed), or a Connect error marked with HarnessKey (a hop
// below did). Safe for concurrent use.
func IsHarness(err error) bool {
	if err == nil {
		return false
	}
	if faults.IsHarnessErr(err) {
		return true
	}
	var he *harnessDuring
	if errors.As(err, &he) {
		return true
	}
	var ce *connect.Error
	return errors.As(err, &ce) && ce.Meta().Get(HarnessKey) != ""
}

// HarnessDuring returns err attributed to the harness (IsHarness is then
// true) when err is a timeout or an unavailability, kinds a harness out of
// descriptors causes without saying so (a connection the server could not
// accept waits in the backlog until the call times out or its ping goes
// unanswered); other errors, and nil, are returned as they are. The
// caller decides when: a request that failed while harness errors were
// counted in its world. Allocates only for an error it wraps.
func HarnessDuring(err error) error {
	if err == nil || IsHarness(err) {
		return err
	}
	switch OutcomeOf(err) {
	case Timeout, Unavailable:
		return &harnessDuring{err: err}
	}
	return err
}

// harnessDuring is an error that happened while the harness was failing.
type harnessDuring struct{ err error }

func (e *harnessDuring) Error() string {
	return e.err.Error() + " (while the harness ran out of resources)"
}
func (e *harnessDuring) Unwrap() error { return e.err }

// MarkHarness sets HarnessKey on ce when cause IsHarness, so that the
// mark travels with ce to the caller, and returns ce. A nil ce is returned
// as is.
func MarkHarness(ce *connect.Error, cause error) *connect.Error {
	if ce != nil && IsHarness(cause) {
		ce.Meta().Set(HarnessKey, "1")
	}
	return ce
}

// Outcome is the result of one client request. The zero value is OK.
type Outcome uint8

// Outcomes, in the order of result.Requests error kinds. String gives the
// name used as a key of Requests.Errors.
const (
	// OK is a successful request.
	OK Outcome = iota
	// Timeout is a request that ran out of time: connect.CodeDeadlineExceeded,
	// context.DeadlineExceeded or a network timeout.
	Timeout
	// Unavailable is connect.CodeUnavailable and connection errors (refused,
	// reset, closed, EOF).
	Unavailable
	// Rejected is connect.CodeResourceExhausted: a capacity limit said no.
	Rejected
	// BreakerOpen is reserved for a circuit breaker that refused the call;
	// nothing maps to it yet.
	BreakerOpen
	// Internal is connect.CodeInternal, CodeUnknown and CodeDataLoss: the
	// server failed.
	Internal
	// Aborted is connect.CodeCanceled and context.Canceled: the request was
	// cut off by the end of the drain or by an interrupt.
	Aborted
	// Dropped is a request that was scheduled but never sent because the
	// generator was behind. [Recorder.Fill] derives it from Offered − Sent.
	Dropped
	// Other is every other error, including errors that are neither Connect,
	// context nor network errors.
	Other
	// Harness is a request that failed because the harness itself ran out
	// of a resource (descriptors, local ports, memory: see IsHarness), at
	// any hop of its chain. It is never the system's failure: a variant
	// with one is invalid.
	Harness
	// NumOutcomes is the number of outcomes; not an outcome itself.
	NumOutcomes
)

var outcomeNames = [NumOutcomes]string{
	OK:          "ok",
	Timeout:     "timeout",
	Unavailable: "unavailable",
	Rejected:    "rejected",
	BreakerOpen: "breaker_open",
	Internal:    "internal",
	Aborted:     "aborted",
	Dropped:     "dropped",
	Other:       "other",
	Harness:     "harness",
}

// String returns the outcome's name as used in results.json ("ok",
// "timeout", "unavailable", "rejected", "breaker_open", "internal",
// "aborted", "dropped", "other", "harness"); an out-of-range value is
// "other".
func (o Outcome) String() string {
	if o >= NumOutcomes {
		return outcomeNames[Other]
	}
	return outcomeNames[o]
}

// OutcomeOf classifies the error a request returned: nil is OK; a harness
// error (IsHarness) is Harness, whatever its code; a Connect error by its
// code (connect.CodeOf); otherwise context.DeadlineExceeded is
// Timeout, context.Canceled is Aborted, connection errors are Unavailable
// (or Timeout when the network said so) and anything else is Other. It never
// returns Dropped or BreakerOpen. Safe for concurrent use.
func OutcomeOf(err error) Outcome {
	if err == nil {
		return OK
	}
	if IsHarness(err) {
		return Harness
	}
	var ce *connect.Error
	if errors.As(err, &ce) {
		return outcomeOfCode(connect.CodeOf(err))
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return Timeout
	case errors.Is(err, context.Canceled):
		return Aborted
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return Timeout
	}
	if isConnError(err) {
		return Unavailable
	}
	return Other
}

func outcomeOfCode(c connect.Code) Outcome {
	switch c {
	case connect.CodeDeadlineExceeded:
		return Timeout
	case connect.CodeUnavailable:
		return Unavailable
	case connect.CodeResourceExhausted:
		return Rejected
	case connect.CodeInternal, connect.CodeUnknown, connect.CodeDataLoss:
		return Internal
	case connect.CodeCanceled:
		return Aborted
	default:
		return Other
	}
}

// isConnError reports whether err says a connection could not be made or
// broke.
func isConnError(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) {
		return true
	}
	for _, target := range connErrors {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

var connErrors = []error{
	net.ErrClosed, io.EOF, io.ErrUnexpectedEOF,
	syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.ECONNABORTED,
	syscall.EPIPE, syscall.EHOSTUNREACH, syscall.ENETUNREACH,
}
