package metrics

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"

	"connectrpc.com/connect"
)

func TestOutcomeOf(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want Outcome
	}{
		{"nil", nil, OK},
		{"deadline exceeded code", connect.NewError(connect.CodeDeadlineExceeded, errors.New("slow")), Timeout},
		{"context deadline", context.DeadlineExceeded, Timeout},
		{"wrapped context deadline", fmt.Errorf("call: %w", context.DeadlineExceeded), Timeout},
		{"os deadline", os.ErrDeadlineExceeded, Timeout},
		{"unavailable code", connect.NewError(connect.CodeUnavailable, errors.New("down")), Unavailable},
		{"connection refused", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, Unavailable},
		{"reset", fmt.Errorf("read: %w", syscall.ECONNRESET), Unavailable},
		{"eof", io.EOF, Unavailable},
		{"net closed", net.ErrClosed, Unavailable},
		{"resource exhausted", connect.NewError(connect.CodeResourceExhausted, nil), Rejected},
		{"internal", connect.NewError(connect.CodeInternal, nil), Internal},
		{"unknown", connect.NewError(connect.CodeUnknown, nil), Internal},
		{"data loss", connect.NewError(connect.CodeDataLoss, nil), Internal},
		{"canceled code", connect.NewError(connect.CodeCanceled, context.Canceled), Aborted},
		{"context canceled", context.Canceled, Aborted},
		{"wrapped connect", fmt.Errorf("gateway: %w", connect.NewError(connect.CodeUnavailable, nil)), Unavailable},
		{"not found", connect.NewError(connect.CodeNotFound, nil), Other},
		{"connect aborted is a conflict, not a cut-off", connect.NewError(connect.CodeAborted, nil), Other},
		{"plain error", errors.New("boom"), Other},
		// The harness out of descriptors, ports or memory, whatever the code
		// it came with: never the system's unavailability.
		{"dial out of descriptors", &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("socket", syscall.EMFILE)}, Harness},
		{"system out of descriptors", fmt.Errorf("x: %w", syscall.ENFILE), Harness},
		{"no local port", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.EADDRNOTAVAIL}, Harness},
		{"no memory", syscall.ENOMEM, Harness},
		{"connect error over a dial out of descriptors", connect.NewError(connect.CodeUnavailable, &net.OpError{Op: "dial", Err: syscall.EMFILE}), Harness},
		{"marked connect error", MarkHarness(connect.NewError(connect.CodeUnavailable, errors.New("call b: dial: too many open files")), syscall.EMFILE), Harness},
		{"timeout while the harness failed", HarnessDuring(connect.NewError(connect.CodeDeadlineExceeded, nil)), Harness},
		{"connection lost while the harness failed", HarnessDuring(connect.NewError(connect.CodeUnavailable, errors.New("http2: client connection lost"))), Harness},
		{"injected error while the harness failed", HarnessDuring(connect.NewError(connect.CodeInternal, nil)), Internal},
		{"cut off while the harness failed", HarnessDuring(context.Canceled), Aborted},
		{"unmarked connect error", MarkHarness(connect.NewError(connect.CodeUnavailable, errors.New("down")), errors.New("down")), Unavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := OutcomeOf(tt.err); got != tt.want {
				t.Errorf("OutcomeOf(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

func TestOutcomeString(t *testing.T) {
	want := []string{"ok", "timeout", "unavailable", "rejected", "breaker_open", "internal", "aborted", "dropped", "other", "harness"}
	if len(want) != int(NumOutcomes) {
		t.Fatalf("%d names for %d outcomes", len(want), NumOutcomes)
	}
	for i, w := range want {
		if got := Outcome(i).String(); got != w {
			t.Errorf("Outcome(%d).String() = %q, want %q", i, got, w)
		}
	}
	if got := Outcome(200).String(); got != "other" {
		t.Errorf("out of range = %q, want other", got)
	}
}
