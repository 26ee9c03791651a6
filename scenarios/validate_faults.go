package scenarios

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/faults"
)

// failFunc reports one problem at line about key.
type failFunc func(line int, key, format string, args ...any)

// Values a fault's fields may take.
var (
	brokerNodes = []int{1, 3, 5}
	dists       = []string{faults.DistFixed, faults.DistUniform, faults.DistNormal, faults.DistLognormal}
	codes       = []string{"unavailable", "resource_exhausted", "internal", "deadline_exceeded"}
	// methodName is a request fault's method: an RPC method name (Handle)
	// or a consumed subject (orders.placed), which it stands for on events.
	methodName = regexp.MustCompile(`^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$`)
	headerName = regexp.MustCompile("^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")
)

// validateBroker checks the broker's nodes and replicas.
func (s *Scenario) validateBroker(fail failFunc) {
	b := s.Broker
	if !slices.Contains(brokerNodes, b.Nodes) {
		fail(s.line(b.Line, "broker.nodes", "broker"), "broker.nodes", "must be 1, 3 or 5, got %d", b.Nodes)
	}
	if b.Replicas < 1 || b.Nodes > 0 && b.Replicas > b.Nodes {
		fail(s.line(b.Line, "broker.replicas", "broker"), "broker.replicas", "must be between 1 and nodes (%d), got %d", b.Nodes, b.Replicas)
	}
}

// validateFaults checks every fault on its own, whatever the variant, and
// then that no two crashes or pauses of one target overlap in time.
func (s *Scenario) validateFaults(fail failFunc) {
	for i := range s.Faults {
		c := &faultCheck{s: s, i: i, f: &s.Faults[i], id: fmt.Sprintf("faults[%d]", i), fail: fail}
		c.timing()
		c.kind()
	}
	s.checkOverlaps(fail)
}

// faultCheck validates the fault at index i of s.
type faultCheck struct {
	s    *Scenario
	i    int
	f    *faults.Fault
	id   string // faults[i]
	fail failFunc
}

// failAt reports a problem with key (relative to the fault, "" for the
// fault itself).
func (c *faultCheck) failAt(key, format string, args ...any) {
	c.fail(c.s.faultLine(c.i, key), joinKey(c.id, key), format, args...)
}

// missing reports whether key was left out of a decoded scenario.
func (c *faultCheck) missing(key string) bool {
	return c.s.lines != nil && c.s.lines[joinKey(c.id, key)] == 0
}

func (c *faultCheck) timing() {
	f, s := c.f, c.s
	switch {
	case f.At < 0:
		c.failAt("at", "must not be negative, got %s", f.At)
	case c.missing("at"):
		c.failAt("at", "required: when the fault starts, from the start of the load (warm-up included)")
	}
	reset := f.Kind.Instant()
	switch {
	case reset && (f.For != 0 || c.s.lines[c.id+".for"] > 0):
		c.failAt("for", "a %s is instantaneous: leave for out", f.Kind)
	case reset:
	case f.For <= 0 && c.missing("for"):
		c.failAt("for", "required: how long the fault lasts")
	case f.For <= 0:
		c.failAt("for", "must be positive, got %s", f.For)
	}
	if f.At < 0 || !reset && f.For <= 0 || s.Duration <= 0 || s.Warmup < 0 {
		return
	}
	load, end := addSat(s.Warmup, s.Duration), f.At
	if !reset {
		end = addSat(f.At, f.For)
	}
	switch {
	case end <= load:
	case reset:
		c.failAt("at", "the %s comes after the load (at = %s > warmup+duration = %s)", f.Kind, f.At, load)
	default:
		c.failAt("for", "fault ends after the load (at+for = %s > warmup+duration = %s)", end, load)
	}
}

func (c *faultCheck) kind() {
	f := c.f
	k := string(f.Kind)
	switch f.Kind {
	case faults.KindCrash, faults.KindPause:
		c.endpoint(k, f.Target, roleProcess)
	case faults.KindSlow:
		c.endpoint(k+".target", f.Target, roleService)
		switch {
		case f.Factor == 0 && c.missing("slow.factor"):
			c.failAt("slow.factor", "required: the work time multiplier (> 1 is slower)")
		case !(f.Factor > 0) || math.IsInf(f.Factor, 0):
			c.failAt("slow.factor", "must be positive, got %v", f.Factor)
		}
	case faults.KindErrors:
		c.endpoint(k+".target", f.Target, roleService)
		switch {
		case c.missing("errors.rate"):
			c.failAt("errors.rate", "required: the error rate in [0, 1] while active")
		case !(f.Rate >= 0 && f.Rate <= 1):
			c.failAt("errors.rate", "must be between 0 and 1, got %v", f.Rate)
		}
	case faults.KindLatency:
		c.link()
		c.latency()
	case faults.KindBandwidth:
		c.link()
		switch {
		case f.Bandwidth == 0 && c.missing("bandwidth.rate"):
			c.failAt("bandwidth.rate", "required: bytes per second")
		case f.Bandwidth <= 0:
			c.failAt("bandwidth.rate", "must be positive (bytes per second), got %d", f.Bandwidth)
		}
	case faults.KindReset, faults.KindClose:
		c.link()
	case faults.KindLoss:
		c.link()
		switch {
		case c.missing("loss.share"):
			c.failAt("loss.share", "required: the share of segments lost, in (0, 1]")
		case !(f.Loss > 0 && f.Loss <= 1):
			c.failAt("loss.share", "must be in (0, 1], got %v", f.Loss)
		}
	case faults.KindPartition:
		c.partition()
	case faults.KindRequest:
		c.request()
	default:
		c.failAt("", "unknown fault kind %q (one of %s)", f.Kind, strings.Join(kindKeys, ", "))
	}
}

// endpoint checks endpoint e at key, for a place of role r.
func (c *faultCheck) endpoint(key, e string, r role) {
	if p := c.s.endpointProblem(e, r); p != "" {
		c.failAt(key, "%s", p)
	}
}

func (c *faultCheck) link() {
	k := string(c.f.Kind)
	c.endpoint(k+".from", c.f.Link.From, roleLink)
	c.endpoint(k+".to", c.f.Link.To, roleLink)
}

func (c *faultCheck) latency() {
	l := c.f.Latency
	switch {
	case c.missing("latency.mean"):
		c.failAt("latency.mean", "required: the added delay (e.g. 50ms)")
	case l.Mean < 0:
		c.failAt("latency.mean", "must not be negative, got %s", l.Mean)
	case l.Mean == 0 && l.Jitter == 0:
		c.failAt("latency.mean", "adds no latency: mean or jitter must be positive")
	case l.Mean == 0 && l.Dist == faults.DistLognormal:
		c.failAt("latency.mean", "must be positive for a lognormal distribution (it is the median)")
	}
	if l.Jitter < 0 {
		c.failAt("latency.jitter", "must not be negative, got %s", l.Jitter)
	}
	switch {
	case l.Dist != "" && !slices.Contains(dists, l.Dist):
		c.failAt("latency.dist", "unknown distribution %q (%s)", l.Dist, strings.Join(dists, ", "))
	case l.Dist == faults.DistFixed && l.Jitter > 0:
		c.failAt("latency.dist", "fixed takes no jitter: use uniform, normal or lognormal, or leave jitter out")
	}
}

func (c *faultCheck) partition() {
	if c.s.broken[c.i] {
		return // decoding reported it; its groups are incomplete
	}
	g := c.f.Groups
	if len(g) < 2 {
		c.failAt("partition", "needs at least 2 groups of endpoints, got %d", len(g))
	}
	var seen []string
	star := false
	for gi, group := range g {
		// Problems name the partition key, at the line of their group.
		line := c.s.faultLine(c.i, fmt.Sprintf("partition[%d]", gi))
		if len(group) == 0 {
			c.fail(line, c.id+".partition", "group %d is empty", gi)
		}
		for _, e := range group {
			if p := c.s.endpointProblem(e, roleGroup); p != "" {
				c.fail(line, c.id+".partition", "%s", p)
				continue
			}
			if e == "*" {
				// Everyone not named elsewhere: overlaps nothing, once.
				if star {
					c.fail(line, c.id+".partition", `"*" may be in one group only, once`)
				}
				star = true
				continue
			}
			for _, prev := range seen {
				if targetsOverlap(prev, e) {
					c.fail(line, c.id+".partition", "%q overlaps %q: an endpoint may be in one group only, once", e, prev)
					break
				}
			}
			seen = append(seen, e)
		}
	}
}

func (c *faultCheck) request() {
	r := c.f.Request
	c.endpoint("request.service", r.Service, roleService)
	if !(r.Share > 0 && r.Share <= 1) {
		c.failAt("request.share", "must be in (0, 1], got %v", r.Share)
	}
	switch {
	case r.Code != "" && !slices.Contains(codes, r.Code):
		c.failAt("request.code", "unknown code %q (%s)", r.Code, strings.Join(codes, ", "))
	case r.Code == "" && r.Delay == 0:
		c.failAt("request", "needs a code, a delay or both")
	}
	if r.Delay < 0 {
		c.failAt("request.delay", "must not be negative, got %s", r.Delay)
	}
	if r.Method != "" && !methodName.MatchString(r.Method) {
		c.failAt("request.method", "%q is not an RPC method name (e.g. Handle) or a subject (e.g. orders.placed)", r.Method)
	}
	if name, _, ok := strings.Cut(r.Header, ":"); r.Header != "" && (!ok || !headerName.MatchString(strings.TrimSpace(name))) {
		c.failAt("request.header", "%q is not a header (\"Name: value\")", r.Header)
	}
}

// checkOverlaps reports a crash or pause whose target and time overlap
// those of an earlier one in the list: one replica cannot be stopped twice
// at once.
func (s *Scenario) checkOverlaps(fail failFunc) {
	stops := func(f faults.Fault) bool {
		return (f.Kind == faults.KindCrash || f.Kind == faults.KindPause) && f.At >= 0 && f.For > 0 &&
			s.endpointProblem(f.Target, roleProcess) == ""
	}
	for j, b := range s.Faults {
		if !stops(b) {
			continue
		}
		for i, a := range s.Faults[:j] {
			if stops(a) && targetsOverlap(a.Target, b.Target) && a.At < addSat(b.At, b.For) && b.At < addSat(a.At, a.For) {
				key := fmt.Sprintf("faults[%d].%s", j, b.Kind)
				fail(s.faultLine(j, string(b.Kind)), key, "overlaps faults[%d] (%s %s from %s to %s, line %d): a target is crashed or paused once at a time",
					i, a.Kind, a.Target, a.At, addSat(a.At, a.For), a.Line)
				break
			}
		}
	}
}

// faultLine returns the line of key (relative to fault i) or of its
// nearest parent the decoder saw, else the fault's Line.
func (s *Scenario) faultLine(i int, key string) int {
	id := fmt.Sprintf("faults[%d]", i)
	for k := key; k != ""; {
		if l := s.lines[id+"."+k]; l > 0 {
			return l
		}
		j := strings.LastIndexAny(k, ".[")
		if j < 0 {
			break
		}
		k = k[:j]
	}
	return s.line(s.Faults[i].Line, id)
}

func joinKey(id, key string) string {
	if key == "" {
		return id
	}
	return id + "." + key
}

// addSat returns a+b for non-negative a and b, capped instead of
// overflowing.
func addSat(a, b time.Duration) time.Duration {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}
