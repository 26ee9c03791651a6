package metrics

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"syscall"

	"connectrpc.com/connect"
)

// Outcome is the result of one client request. The zero value is OK.
type Outcome uint8

// Outcomes, in the order of reports.Requests error kinds. String gives the
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
}

// String returns the outcome's name as used in results.json ("ok",
// "timeout", "unavailable", "rejected", "breaker_open", "internal",
// "aborted", "dropped", "other"); an out-of-range value is "other".
func (o Outcome) String() string {
	if o >= NumOutcomes {
		return outcomeNames[Other]
	}
	return outcomeNames[o]
}

// OutcomeOf classifies the error a request returned: nil is OK; a Connect
// error by its code (connect.CodeOf); otherwise context.DeadlineExceeded is
// Timeout, context.Canceled is Aborted, connection errors are Unavailable
// (or Timeout when the network said so) and anything else is Other. It never
// returns Dropped or BreakerOpen. Safe for concurrent use.
func OutcomeOf(err error) Outcome {
	if err == nil {
		return OK
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
