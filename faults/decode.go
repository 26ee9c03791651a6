package faults

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/faultline-sim/faultline/topologies"
)

// Decode decodes one entry of a scenario's faults list: at, for and
// exactly one kind key, whose value the kind decodes itself. The fault is
// returned even when it failed to decode (its problems are in d), so a
// list keeps its indexes; whole is false when its kind's value did not
// decode whole (Kind.Decode).
func Decode(d *topologies.Decoder, item topologies.Node) (f Fault, whole bool) {
	f = Fault{File: d.File(), Line: item.Line}
	keys := Keys()
	m, ok := d.Mapping(item, append([]string{"at", "for"}, keys...)...)
	if !ok {
		return f, true
	}
	topologies.Set(d.Duration, m, "at", &f.At)
	topologies.Set(d.Duration, m, "for", &f.For)
	var named []string
	for _, k := range keys {
		if _, ok := m[k]; ok {
			named = append(named, k)
		}
	}
	switch len(named) {
	case 0:
		d.Errorf(item, "a fault needs one kind key: one of %s", strings.Join(keys, ", "))
		return f, true
	case 1:
	default:
		d.Errorf(item, "a fault has exactly one kind, got %s: write one entry per fault", strings.Join(named, " and "))
		return f, true
	}
	f.Kind = New(named[0])
	return f, f.Kind.Decode(d, m[named[0]])
}

// boolean returns a decoder of true or false for topologies.Set; anything
// else is reported.
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

// endpoint returns a decoder of an endpoint name for topologies.Set.
func endpoint(d *topologies.Decoder) func(topologies.Node) (Endpoint, bool) {
	return func(n topologies.Node) (Endpoint, bool) {
		s, ok := d.String(n)
		return Endpoint(s), ok
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
