package topologies

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalid matches, with errors.Is, every problem found in a topology or
// scenario file: a *FieldError, an unreadable file, invalid YAML. The CLI maps
// it to exit code 2.
var ErrInvalid = errors.New("invalid")

// FieldError is one problem in an input file, located by file, line and key.
// It matches ErrInvalid with errors.Is, and also its cause Err when set (so
// errors.Is(err, fs.ErrNotExist) works for a missing file).
type FieldError struct {
	// File is the path of the file as given by the caller; "" when unknown.
	File string
	// Line is the 1-based line of the key (or list item); 0 when unknown.
	Line int
	// Key is the dotted path of the offending value, e.g.
	// services.payment.calls[0].service; "" for the document itself.
	Key string
	// Msg says what is wrong.
	Msg string
	// Err is the underlying cause, if any (e.g. an *fs.PathError).
	Err error
}

// Error formats the problem as "file:line: key: msg", leaving out the parts
// that are unknown.
func (e *FieldError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Is reports whether target is ErrInvalid.
func (e *FieldError) Is(target error) bool { return target == ErrInvalid }

// Unwrap returns the cause, or nil.
func (e *FieldError) Unwrap() error { return e.Err }

// flatten returns the leaves of a tree of joined errors, in order.
func flatten(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}
