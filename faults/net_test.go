package faults

import (
	"context"
	"errors"
	"io"
	"net"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// listen starts an echo server on a loopback ephemeral port.
func listen(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(c, c); c.Close() }()
		}
	}()
	t.Cleanup(func() { ln.Close(); <-done })
	return ln.Addr().String()
}

func TestNetTracksAndResetsByLink(t *testing.T) {
	addr := listen(t)
	n := NewNet()
	ctx := context.Background()
	a, err := n.Dial(ctx, Link{"order#0", "payment#0"}, "tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := n.Dial(ctx, Link{"order#0", "broker"}, "tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	// Bytes flow through the wrapper unchanged.
	if _, err := a.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	if _, err := io.ReadFull(a, buf); err != nil || string(buf) != "ping" {
		t.Fatalf("echo = %q, %v", buf, err)
	}

	if got := len(n.Conns(Link{"*", "*"})); got != 2 {
		t.Fatalf("tracked %d conns, want 2", got)
	}
	if got := n.Conns(Link{To: "broker"}); len(got) != 1 || got[0].Link() != (Link{"order#0", "broker"}) {
		t.Fatalf("match by To = %v", got)
	}
	if got := n.Reset(Link{To: "payment#0"}); got != 1 {
		t.Fatalf("reset closed %d, want 1", got)
	}
	if _, err := a.Write([]byte("x")); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("write after reset: %v, want net.ErrClosed", err)
	}
	if got := len(n.Conns(Link{})); got != 1 {
		t.Fatalf("after reset tracked %d, want 1", got)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("second close: %v", err)
	}
	if got := len(n.Conns(Link{})); got != 0 {
		t.Fatalf("after close tracked %d, want 0", got)
	}
}

func TestNetDialFailureIsNotTracked(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	n := NewNet()
	if _, err := n.Dial(context.Background(), Link{"a", "b"}, "tcp", addr); err == nil {
		t.Fatal("dial to a closed port succeeded")
	}
	if got := len(n.Conns(Link{})); got != 0 {
		t.Fatalf("tracked %d, want 0", got)
	}
}
