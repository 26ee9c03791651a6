package faults

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/topologies"
	sg "github.com/faultline-sim/faultline/topologies/schemagen"
)

func init() { Register("latency", func() Kind { return &Latency{} }) }

// Latency adds delay to the bytes of a link, drawn per chunk from Delay.
type Latency struct {
	Link  LinkSpec
	Delay LatencySpec
}

var latencyKeys = []string{"from", "to", "mean", "jitter", "dist", "both", "requests_only"}

// dists are the distributions a latency may draw from.
var dists = []string{DistFixed, DistUniform, DistNormal, DistLognormal}

func (*Latency) Key() string { return "latency" }

func (l *Latency) Name() string { return fmt.Sprintf("latency %s %v", l.Link, l.Delay.Mean) }

func (*Latency) Traits() Traits { return Traits{Delays: true, Lateness: true} }

func (l *Latency) Decode(d *topologies.Decoder, n topologies.Node) bool {
	m, _ := d.Mapping(n, latencyKeys...)
	decodeLink(d, m, &l.Link)
	topologies.Set(d.Duration, m, "mean", &l.Delay.Mean)
	topologies.Set(d.Duration, m, "jitter", &l.Delay.Jitter)
	l.Delay.Dist = DistFixed
	if l.Delay.Jitter != 0 {
		l.Delay.Dist = DistUniform
	}
	topologies.Set(d.String, m, "dist", &l.Delay.Dist)
	return true
}

func (l *Latency) Check(c Checker) {
	l.Link.check(c, "latency")
	s := l.Delay
	switch {
	case c.Missing("latency.mean"):
		c.Fail("latency.mean", "required: the added delay (e.g. 50ms)")
	case s.Mean < 0:
		c.Fail("latency.mean", "must not be negative, got %s", s.Mean)
	case s.Mean == 0 && s.Jitter == 0:
		c.Fail("latency.mean", "adds no latency: mean or jitter must be positive")
	case s.Mean == 0 && s.Dist == DistLognormal:
		c.Fail("latency.mean", "must be positive for a lognormal distribution (it is the median)")
	}
	if s.Jitter < 0 {
		c.Fail("latency.jitter", "must not be negative, got %s", s.Jitter)
	}
	switch {
	case s.Dist != "" && !slices.Contains(dists, s.Dist):
		c.Fail("latency.dist", "unknown distribution %q (%s)", s.Dist, strings.Join(dists, ", "))
	case s.Dist == DistFixed && s.Jitter > 0:
		c.Fail("latency.dist", "fixed takes no jitter: use uniform, normal or lognormal, or leave jitter out")
	}
}

func (l *Latency) Endpoints() []Named { return l.Link.endpoints("latency") }

func (l *Latency) Selects(link Link) bool { return l.Link.selectsBytes(link) }

func (l *Latency) Unmatched() string { return "no connection between " + l.Link.String() }

func (l *Latency) Apply(env Env) (func() error, error) {
	return applyRule(env, LinkRule{Match: l.Link, Latency: l.Delay})
}

// Warn says when the mean delay is at least the load's timeout, or at
// least the timeout of a call edge whose request or response crosses the
// link (twice the mean when both directions do).
func (l *Latency) Warn(t Timeouts) (key, msg string) {
	mean := l.Delay.Mean
	if mean <= 0 {
		return "", ""
	}
	if t.Load > 0 && mean >= t.Load {
		return "latency.mean", fmt.Sprintf("%s is at least the client's timeout (load.timeout %s): every request crossing %s would time out", mean, t.Load, l.Link)
	}
	k := l.Link
	dir := func(a, b string) bool {
		return k.From.Covers(a) && k.To.Covers(b) || k.Both && k.From.Covers(b) && k.To.Covers(a)
	}
	for _, e := range t.Edges {
		added := time.Duration(0)
		if dir(e.From, e.To) { // the request
			added += mean
		}
		if dir(e.To, e.From) { // the response
			added += mean
		}
		if e.Timeout > 0 && added >= e.Timeout {
			return "latency.mean", fmt.Sprintf("adds %s to the call %s -> %s, at least its timeout (%s, variant %s): every call on it would time out", added, e.From, e.To, e.Timeout, e.Variant)
		}
	}
	return "", ""
}

func (*Latency) Schema() sg.S {
	return linkSchema(latencyKeys, map[string]sg.S{
		"mean": sg.Duration(), "jitter": sg.Duration(), "dist": sg.Enum(dists...),
	})
}
