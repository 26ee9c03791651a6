package sim

import (
	"fmt"

	"github.com/faultline-sim/faultline/faults"
)

// applyLinkFault applies a fault on connections through the fault layer.
func (w *world) applyLinkFault(f faults.Fault) (func() error, error) {
	return nil, fmt.Errorf("%s faults are not wired yet", f.Kind)
}

// crashBroker crashes the broker (or one node of it) after cutting its
// links, and returns what restarts it.
func (w *world) crashBroker(target string) (func() error, error) {
	return nil, fmt.Errorf("crash of %s is not wired yet", target)
}
