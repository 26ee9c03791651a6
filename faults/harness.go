package faults

import (
	"errors"
	"net"
	"syscall"
)

// harnessErrnos are the errors with which the operating system says this
// process (the harness, which holds every part of a variant) ran out of a
// resource: descriptors (EMFILE for the process, ENFILE for the system),
// local ports (EADDRNOTAVAIL), kernel memory or buffers (ENOMEM, ENOBUFS).
// None of them is a property of the simulated system.
var harnessErrnos = []error{syscall.EMFILE, syscall.ENFILE, syscall.EADDRNOTAVAIL, syscall.ENOMEM, syscall.ENOBUFS}

// IsHarnessErr reports whether err, or an error it wraps, says the process
// ran out of a resource (see harnessErrnos). Safe for concurrent use.
func IsHarnessErr(err error) bool {
	if err == nil {
		return false
	}
	for _, e := range harnessErrnos {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// CountHarnessErr counts err as a harness error of n when IsHarnessErr, and
// reports whether it did. Every dial of n counts its own; a part that meets
// such an error elsewhere (a listener, a file) calls this. Safe for
// concurrent use; allocates nothing.
func (n *Net) CountHarnessErr(err error) bool {
	if !IsHarnessErr(err) {
		return false
	}
	n.harness.Add(1)
	return true
}

// HarnessErrors returns how many harness errors n has counted: dials, and
// accepts of listeners made by n.Listen, that failed because the process
// ran out of a resource. Safe for concurrent use.
func (n *Net) HarnessErrors() int64 { return n.harness.Load() }

// Listen listens on addr (network "tcp") and returns a listener whose
// failed accepts are counted by CountHarnessErr: net/http retries an
// accept that failed with EMFILE in silence, so without this a server out
// of descriptors would only show as its callers' timeouts. A failed
// Listen is counted too. Safe for concurrent use.
func (n *Net) Listen(network, addr string) (net.Listener, error) {
	ln, err := net.Listen(network, addr)
	if err != nil {
		n.CountHarnessErr(err)
		return nil, err
	}
	return &countingListener{Listener: ln, net: n}, nil
}

// countingListener counts its failed accepts as harness errors.
type countingListener struct {
	net.Listener
	net *Net
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		l.net.CountHarnessErr(err)
	}
	return c, err
}
