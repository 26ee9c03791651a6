package service

import (
	"errors"
	"testing"

	"connectrpc.com/connect"
)

func TestCallErrorNamesEachHopOnce(t *testing.T) {
	sentinel := errors.New("circuit breaker open")
	bottom := connect.NewError(connect.CodeUnavailable, sentinel)
	mid := callError("bank", bottom)
	top := callError("payment", mid)
	if got, want := top.Error(), "unavailable: call payment: call bank: circuit breaker open"; got != want {
		t.Errorf("error %q, want %q", got, want)
	}
	if connect.CodeOf(top) != connect.CodeUnavailable || !errors.Is(top, sentinel) {
		t.Errorf("code %v, wraps the sentinel: %v", connect.CodeOf(top), errors.Is(top, sentinel))
	}
	if got, want := callError("x", errors.New("plain")).Error(), "unknown: call x: plain"; got != want {
		t.Errorf("error %q, want %q", got, want)
	}
}
