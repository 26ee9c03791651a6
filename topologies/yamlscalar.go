package topologies

import (
	"math"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

const (
	nullTag  = "!!null"
	intTag   = "!!int"
	floatTag = "!!float"
	boolTag  = "!!bool"
)

// String returns the text of scalar n; null, lists and mappings are
// reported.
func (d *Decoder) String(n Node) (string, bool) {
	if !n.IsScalar() || n.Value.ShortTag() == nullTag {
		d.Errorf(n, "must be a string, got %s", describe(n.Value))
		return "", false
	}
	return n.Value.Value, true
}

// Int returns the integer in n; anything else is reported.
func (d *Decoder) Int(n Node) (int, bool) {
	if n.IsScalar() && n.Value.ShortTag() == intTag {
		if v, err := strconv.ParseInt(n.Value.Value, 0, strconv.IntSize); err == nil {
			return int(v), true
		}
	}
	d.Errorf(n, "%s is not an integer", show(n.Value))
	return 0, false
}

// Uint64 returns the non-negative integer in n; anything else is reported.
func (d *Decoder) Uint64(n Node) (uint64, bool) {
	if n.IsScalar() && n.Value.ShortTag() == intTag {
		if v, err := strconv.ParseUint(n.Value.Value, 0, 64); err == nil {
			return v, true
		}
	}
	d.Errorf(n, "%s is not a non-negative integer", show(n.Value))
	return 0, false
}

// Float returns the finite number in n; anything else (.nan and .inf
// included) is reported.
func (d *Decoder) Float(n Node) (float64, bool) {
	if n.IsScalar() && (n.Value.ShortTag() == intTag || n.Value.ShortTag() == floatTag) {
		v, err := strconv.ParseFloat(strings.ReplaceAll(n.Value.Value, "_", ""), 64)
		if err == nil && !math.IsNaN(v) && !math.IsInf(v, 0) {
			return v, true
		}
	}
	d.Errorf(n, "%s is not a finite number", show(n.Value))
	return 0, false
}

// Bool returns the boolean in n (true or false); anything else is
// reported.
func (d *Decoder) Bool(n Node) (bool, bool) {
	if n.IsScalar() && n.Value.ShortTag() == boolTag {
		if v, err := strconv.ParseBool(n.Value.Value); err == nil {
			return v, true
		}
	}
	d.Errorf(n, "%s is not true or false", show(n.Value))
	return false, false
}

// Duration returns the duration in n, written as for time.ParseDuration
// ("20s", "150ms"); anything else is reported. Zero and negative durations
// are returned: use PositiveDuration to reject them.
func (d *Decoder) Duration(n Node) (time.Duration, bool) {
	if n.IsScalar() && n.Value.ShortTag() != nullTag {
		if v, err := time.ParseDuration(n.Value.Value); err == nil {
			return v, true
		}
	}
	d.Errorf(n, "%s is not a duration (e.g. 20s, 150ms)", show(n.Value))
	return 0, false
}

// PositiveDuration is Duration that also reports a zero or negative value.
func (d *Decoder) PositiveDuration(n Node) (time.Duration, bool) {
	v, ok := d.Duration(n)
	if ok && v <= 0 {
		d.Errorf(n, "must be positive, got %s", v)
		return 0, false
	}
	return v, ok
}

// describe names the kind of a value for "got …" messages.
func describe(n *yaml.Node) string {
	switch {
	case n == nil:
		return "nothing"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case n.Kind == yaml.ScalarNode && n.ShortTag() == nullTag:
		return "null"
	case n.Kind == yaml.ScalarNode:
		return strconv.Quote(n.Value)
	}
	return "an unexpected value"
}

// show quotes a scalar's text, or describes a non-scalar.
func show(n *yaml.Node) string {
	if n != nil && n.Kind == yaml.ScalarNode && n.ShortTag() != nullTag {
		return strconv.Quote(n.Value)
	}
	return describe(n)
}
