package faults

import (
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"testing"
)

func TestIsHarnessErr(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{&net.OpError{Op: "dial", Err: os.NewSyscallError("socket", syscall.EMFILE)}, true},
		{&net.OpError{Op: "accept", Err: os.NewSyscallError("accept4", syscall.ENFILE)}, true},
		{fmt.Errorf("dial: %w", syscall.EADDRNOTAVAIL), true},
		{syscall.ENOMEM, true},
		{syscall.ENOBUFS, true},
		{&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, false},
		{errors.New("too many open files"), false}, // a message is not an errno
	} {
		if got := IsHarnessErr(c.err); got != c.want {
			t.Errorf("IsHarnessErr(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}

// failingListener fails its first accepts with errs, then accepts from ln.
type failingListener struct {
	net.Listener
	errs []error
}

func (l *failingListener) Accept() (net.Conn, error) {
	if len(l.errs) > 0 {
		err := l.errs[0]
		l.errs = l.errs[1:]
		return nil, err
	}
	return l.Listener.Accept()
}

// TestListenCountsFailedAccepts: accepts that fail for want of descriptors
// are counted, others are not, and the errors reach the caller unchanged
// (net/http decides to retry).
func TestListenCountsFailedAccepts(t *testing.T) {
	n := NewNet()
	ln, err := n.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cl := ln.(*countingListener)
	emfile := &net.OpError{Op: "accept", Err: os.NewSyscallError("accept4", syscall.EMFILE)}
	cl.Listener = &failingListener{Listener: cl.Listener, errs: []error{emfile, emfile, errors.New("other")}}
	for i := 0; i < 3; i++ {
		if _, err := ln.Accept(); err == nil {
			t.Fatalf("accept %d succeeded", i)
		}
	}
	if got := n.HarnessErrors(); got != 2 {
		t.Errorf("HarnessErrors = %d, want 2", got)
	}
	// A real accept still works through the wrapper.
	done := make(chan error, 1)
	go func() {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err == nil {
			c.Close()
		}
		done <- err
	}()
	c, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := n.HarnessErrors(); got != 2 {
		t.Errorf("HarnessErrors after a good accept = %d, want 2", got)
	}
}
