package faults

// Selects reports whether link fault f acts on a connection dialed on
// link (From the dialer, To the listener), as the fault layer applies it:
//
//   - latency and bandwidth act on bytes flowing Link.From → Link.To, which
//     are the writes of a connection dialed From → To and the reads of one
//     dialed To → From; so a connection is selected when either direction
//     of its bytes is (and both directions when Link.Both);
//   - a partition selects a connection whose ends it puts in different
//     groups (Cuts);
//   - a reset closes connections dialed From → To (and To → From when
//     Link.Both), as Net.Reset.
//
// Other kinds act on processes, not links: Selects returns false.
func (f Fault) Selects(link Link) bool {
	m := f.Link
	flows := func(from, to string) bool {
		return Matches(m.From, from) && Matches(m.To, to) || m.Both && Matches(m.To, from) && Matches(m.From, to)
	}
	switch f.Kind {
	case KindLatency, KindBandwidth:
		return flows(link.From, link.To) || flows(link.To, link.From)
	case KindPartition:
		return Cuts(f.Groups, link)
	case KindReset:
		return flows(link.From, link.To)
	}
	return false
}

// IsLink reports whether f acts on links (latency, bandwidth, partition,
// reset) rather than on processes.
func (f Fault) IsLink() bool {
	switch f.Kind {
	case KindLatency, KindBandwidth, KindPartition, KindReset:
		return true
	}
	return false
}

// SelectedLinks returns the links of links that f selects, in their order.
func (f Fault) SelectedLinks(links []Link) []Link {
	var out []Link
	for _, l := range links {
		if f.Selects(l) {
			out = append(out, l)
		}
	}
	return out
}
