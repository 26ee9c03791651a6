package sim

import (
	"fmt"

	"github.com/faultline-sim/faultline/faults"
)

// applyLinkFault applies a fault on connections through the fault layer.
func (w *world) applyLinkFault(f faults.Fault) (func() error, error) {
	switch f.Kind {
	case faults.KindLatency, faults.KindBandwidth, faults.KindLoss:
		remove := w.net.Apply(faults.LinkRule{Match: f.Link, Latency: f.Latency, Bandwidth: f.Bandwidth, Loss: f.Loss})
		return func() error { remove(); return nil }, nil
	case faults.KindPartition:
		heal := w.net.Partition(f.Groups)
		return func() error { heal(); return nil }, nil
	case faults.KindReset:
		w.net.Reset(faults.Link{From: f.Link.From, To: f.Link.To})
		if f.Link.Both {
			w.net.Reset(faults.Link{From: f.Link.To, To: f.Link.From})
		}
		return func() error { return nil }, nil
	case faults.KindClose:
		w.net.CloseConns(faults.Link{From: f.Link.From, To: f.Link.To})
		if f.Link.Both {
			w.net.CloseConns(faults.Link{From: f.Link.To, To: f.Link.From})
		}
		return func() error { return nil }, nil
	}
	return nil, fmt.Errorf("unknown fault kind %q", f.Kind)
}
