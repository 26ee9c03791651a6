package lazyfs

import "errors"

// ErrNoFUSE is matched (errors.Is) by the error Mount returns when this
// machine cannot serve a FUSE mount at all: not Linux, not root, no
// /dev/fuse, or mount(2) refused. The error's text names what is
// missing. Callers that need a lazy store treat it as "cannot run
// here", not as a failure of the store.
var ErrNoFUSE = errors.New("lazyfs: FUSE cannot be mounted here")
