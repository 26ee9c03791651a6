package faults

// Selects reports whether link fault f acts on a connection dialed on
// link (From the dialer, To the listener), as the fault layer applies it:
//
//   - latency, bandwidth and loss act on bytes flowing Link.From → Link.To,
//     which are the writes of a connection dialed From → To and the reads
//     of one dialed To → From; so a connection is selected when either
//     direction of its bytes is (and both directions when Link.Both); with
//     Link.RequestsOnly only connections dialed From → To (To → From too
//     when Link.Both) are;
//   - a partition selects a connection whose ends it puts in different
//     groups (Cuts);
//   - a reset or a close ends connections dialed From → To (and To → From
//     when Link.Both), as Net.Reset and Net.CloseConns.
//
// Other kinds act on processes, not links: Selects returns false.
func (f Fault) Selects(link Link) bool {
	m := f.Link
	flows := func(from, to string) bool {
		return Matches(m.From, from) && Matches(m.To, to) || m.Both && Matches(m.To, from) && Matches(m.From, to)
	}
	switch f.Kind {
	case KindLatency, KindBandwidth, KindLoss:
		if m.RequestsOnly {
			return flows(link.From, link.To)
		}
		return flows(link.From, link.To) || flows(link.To, link.From)
	case KindPartition:
		return Cuts(f.Groups, link)
	case KindReset, KindClose:
		return flows(link.From, link.To)
	}
	return false
}

// IsLink reports whether f acts on links (latency, bandwidth, loss,
// partition, reset, close) rather than on processes.
func (f Fault) IsLink() bool {
	switch f.Kind {
	case KindLatency, KindBandwidth, KindLoss, KindPartition, KindReset, KindClose:
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
