package scenarios

import (
	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/topologies"
)

// decodeFaults decodes the faults list n, each entry by faults.Decode.
// Every entry yields a Fault, also one that failed to decode (its problems
// are in d), so indexes match the file. broken holds the indexes of faults
// whose kind did not decode whole: their shape is not checked again.
func decodeFaults(d *topologies.Decoder, n topologies.Node) (out []faults.Fault, broken map[int]bool) {
	broken = map[int]bool{}
	for i, item := range d.List(n) {
		f, whole := faults.Decode(d, item)
		if !whole {
			broken[i] = true
		}
		out = append(out, f)
	}
	return out, broken
}
