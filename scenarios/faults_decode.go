package scenarios

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/topologies"
)

// kindKeys are the keys naming a fault's kind; an entry has exactly one.
var kindKeys = []string{
	string(faults.KindCrash), string(faults.KindPause), string(faults.KindSlow), string(faults.KindErrors),
	string(faults.KindLatency), string(faults.KindBandwidth), string(faults.KindPartition), string(faults.KindReset),
	string(faults.KindClose), string(faults.KindLoss), string(faults.KindRequest),
}

var (
	faultKeys     = append([]string{"at", "for"}, kindKeys...)
	latencyKeys   = []string{"from", "to", "mean", "jitter", "dist", "both", "requests_only"}
	bandwidthKeys = []string{"from", "to", "rate", "both", "requests_only"}
	lossKeys      = []string{"from", "to", "share", "both", "requests_only"}
	resetKeys     = []string{"from", "to", "both"}
	requestKeys   = []string{"service", "share", "sticky", "code", "method", "header", "delay"}
	slowKeys      = []string{"target", "factor"}
	errorsKeys    = []string{"target", "rate", "sticky"}
)

// decodeFaults decodes the faults list n. Every entry yields a Fault, also
// one that failed to decode (its problems are in d), so indexes match the
// file. broken holds the indexes of partitions with a group or endpoint
// that failed to decode: their shape is not checked again.
func decodeFaults(d *topologies.Decoder, n topologies.Node) (out []faults.Fault, broken map[int]bool) {
	broken = map[int]bool{}
	for i, item := range d.List(n) {
		f := faults.Fault{File: d.File(), Line: item.Line}
		m, ok := d.Mapping(item, faultKeys...)
		if ok {
			set(d.Duration, m, "at", &f.At)
			set(d.Duration, m, "for", &f.For)
			if !decodeKind(d, item, m, &f) {
				broken[i] = true
			}
		}
		out = append(out, f)
	}
	return out, broken
}

// decodeKind finds the one kind key of fault entry item and decodes its
// value into f. It returns false when a partition's groups did not all
// decode.
func decodeKind(d *topologies.Decoder, item topologies.Node, m map[string]topologies.Node, f *faults.Fault) bool {
	var kinds []string
	for _, k := range kindKeys {
		if _, ok := m[k]; ok {
			kinds = append(kinds, k)
		}
	}
	switch len(kinds) {
	case 0:
		d.Errorf(item, "a fault needs one kind key: one of %s", strings.Join(kindKeys, ", "))
		return true
	case 1:
	default:
		d.Errorf(item, "a fault has exactly one kind, got %s: write one entry per fault", strings.Join(kinds, " and "))
		return true
	}
	f.Kind = faults.Kind(kinds[0])
	n := m[kinds[0]]
	switch f.Kind {
	case faults.KindCrash, faults.KindPause:
		set(d.String, m, kinds[0], &f.Target)
	case faults.KindLatency:
		l, _ := d.Mapping(n, latencyKeys...)
		link(d, l, &f.Link)
		set(d.Duration, l, "mean", &f.Latency.Mean)
		set(d.Duration, l, "jitter", &f.Latency.Jitter)
		f.Latency.Dist = faults.DistFixed
		if f.Latency.Jitter != 0 {
			f.Latency.Dist = faults.DistUniform
		}
		set(d.String, l, "dist", &f.Latency.Dist)
	case faults.KindBandwidth:
		b, _ := d.Mapping(n, bandwidthKeys...)
		link(d, b, &f.Link)
		var rate int
		set(d.Int, b, "rate", &rate)
		f.Bandwidth = int64(rate)
	case faults.KindReset, faults.KindClose:
		r, _ := d.Mapping(n, resetKeys...)
		link(d, r, &f.Link)
	case faults.KindLoss:
		l, _ := d.Mapping(n, lossKeys...)
		link(d, l, &f.Link)
		set(d.Float, l, "share", &f.Loss)
	case faults.KindPartition:
		whole := isList(n)
		for _, g := range d.List(n) {
			whole = whole && isList(g)
			group := []string{}
			for _, e := range d.List(g) {
				s, ok := d.String(e)
				whole = whole && ok
				group = append(group, s)
			}
			f.Groups = append(f.Groups, group)
		}
		return whole
	case faults.KindRequest:
		r, _ := d.Mapping(n, requestKeys...)
		f.Request.Share = 1
		set(d.String, r, "service", &f.Request.Service)
		set(d.Float, r, "share", &f.Request.Share)
		set(boolean(d), r, "sticky", &f.Request.Sticky)
		set(d.String, r, "code", &f.Request.Code)
		set(d.String, r, "method", &f.Request.Method)
		set(d.String, r, "header", &f.Request.Header)
		set(d.Duration, r, "delay", &f.Request.Delay)
	case faults.KindSlow:
		s, _ := d.Mapping(n, slowKeys...)
		set(d.String, s, "target", &f.Target)
		set(d.Float, s, "factor", &f.Factor)
	case faults.KindErrors:
		e, _ := d.Mapping(n, errorsKeys...)
		set(d.String, e, "target", &f.Target)
		set(d.Float, e, "rate", &f.Rate)
		set(boolean(d), e, "sticky", &f.Sticky)
	}
	return true
}

// isList reports whether n is a list or null (an empty list).
func isList(n topologies.Node) bool {
	return n.Value != nil && (n.Value.Kind == yaml.SequenceNode || n.IsScalar() && n.Value.ShortTag() == "!!null")
}

// link decodes from, to, both and requests_only of a link fault (the
// mapping's allowed keys decide whether requests_only may appear).
func link(d *topologies.Decoder, m map[string]topologies.Node, l *faults.LinkSpec) {
	set(d.String, m, "from", &l.From)
	set(d.String, m, "to", &l.To)
	set(boolean(d), m, "both", &l.Both)
	set(boolean(d), m, "requests_only", &l.RequestsOnly)
}

// boolean returns a decoder of true or false for set; anything else is
// reported.
func boolean(d *topologies.Decoder) func(topologies.Node) (bool, bool) {
	return func(n topologies.Node) (bool, bool) {
		if n.IsScalar() && n.Value.ShortTag() == "!!bool" {
			var b bool
			if err := n.Value.Decode(&b); err == nil {
				return b, true
			}
		}
		d.Errorf(n, "%s is not a boolean (true or false)", describe(n.Value))
		return false, false
	}
}

// describe quotes a scalar, or names the kind of another value.
func describe(v *yaml.Node) string {
	switch {
	case v == nil:
		return "nothing"
	case v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null":
		return "null"
	case v.Kind == yaml.ScalarNode:
		return strconv.Quote(v.Value)
	case v.Kind == yaml.MappingNode:
		return "a mapping"
	case v.Kind == yaml.SequenceNode:
		return "a list"
	}
	return "an unexpected value"
}
