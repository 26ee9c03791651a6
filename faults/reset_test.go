package faults

import (
	"errors"
	"io"
	"syscall"
	"testing"
	"time"
)

// A reset aborts the connection with a TCP RST, so the peer's read fails
// with ECONNRESET; a close sends a FIN, so the peer reads io.EOF. Each acts
// on the links it matches only.
func TestResetSendsRSTAndCloseSendsFIN(t *testing.T) {
	for _, tc := range []struct {
		name string
		cut  func(*Net, Link) int
		want func(error) bool
	}{
		{"reset", (*Net).Reset, func(err error) bool { return errors.Is(err, syscall.ECONNRESET) }},
		{"close", (*Net).CloseConns, func(err error) bool { return err == io.EOF }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := NewNet()
			_, peer := tcpConn(t, n, Link{"a#0", "b#0"})
			other, otherPeer := tcpConn(t, n, Link{"c#0", "b#0"})
			if got := tc.cut(n, Link{From: "a", To: "b"}); got != 1 {
				t.Fatalf("%s cut %d connections, want 1", tc.name, got)
			}
			// The peer learns of it on its next read; bounded so a
			// failure does not hang.
			peer.SetReadDeadline(time.Now().Add(10 * time.Second))
			_, err := peer.Read(make([]byte, 1))
			if !tc.want(err) {
				t.Fatalf("peer of a %s read %v", tc.name, err)
			}
			// The unmatched connection still works.
			if _, err := other.Write([]byte("x")); err != nil {
				t.Fatal(err)
			}
			otherPeer.SetReadDeadline(time.Now().Add(10 * time.Second))
			if _, err := otherPeer.Read(make([]byte, 1)); err != nil {
				t.Fatalf("unmatched connection: %v", err)
			}
		})
	}
}
