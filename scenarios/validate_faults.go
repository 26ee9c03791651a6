package scenarios

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/faults"
)

// failFunc reports one problem at line about key.
type failFunc func(line int, key, format string, args ...any)

// brokerNodes are the sizes a broker may have.
var brokerNodes = []int{1, 3, 5}

// validateBroker checks the broker's nodes, replicas and sync.
func (s *Scenario) validateBroker(fail failFunc) {
	b := s.Broker
	if !slices.Contains(brokerNodes, b.Nodes) {
		fail(s.line(b.Line, "broker.nodes", "broker"), "broker.nodes", "must be 1, 3 or 5, got %d", b.Nodes)
	}
	if b.Replicas < 1 || b.Nodes > 0 && b.Replicas > b.Nodes {
		fail(s.line(b.Line, "broker.replicas", "broker"), "broker.replicas", "must be between 1 and nodes (%d), got %d", b.Nodes, b.Replicas)
	}
	if b.Sync.Interval < 0 || b.Sync.Always && b.Sync.Interval != 0 {
		fail(s.line(b.Line, "broker.sync", "broker"), "broker.sync", "must be default, always or a positive duration, got always=%t interval=%s", b.Sync.Always, b.Sync.Interval)
	}
}

// validateFaults checks every fault on its own, whatever the variant (its
// timing here, its value by its kind's Check), and then that no two
// faults stopping one target (crash, pause) overlap in time.
func (s *Scenario) validateFaults(fail failFunc) {
	for i := range s.Faults {
		c := &faultCheck{s: s, i: i, f: &s.Faults[i], id: fmt.Sprintf("faults[%d]", i), fail: fail}
		c.timing()
		switch {
		case c.f.Kind == nil: // a decoded fault without one: decoding reported it
			c.Fail("", "a fault needs one kind key: one of %s", strings.Join(faults.Keys(), ", "))
		case s.broken[i]: // decoding reported it; its value is incomplete
		default:
			c.f.Kind.Check(c)
		}
	}
	s.checkOverlaps(fail)
}

// faultCheck validates the fault at index i of s; it is the
// faults.Checker its kind reports to.
type faultCheck struct {
	s    *Scenario
	i    int
	f    *faults.Fault
	id   string // faults[i]
	fail failFunc
}

// Fail reports a problem with key (relative to the fault, "" for the
// fault itself) at its line.
func (c *faultCheck) Fail(key, format string, args ...any) {
	c.fail(c.s.faultLine(c.i, key), joinKey(c.id, key), format, args...)
}

// FailAt reports a problem with key at the line of key at.
func (c *faultCheck) FailAt(at, key, format string, args ...any) {
	c.fail(c.s.faultLine(c.i, at), joinKey(c.id, key), format, args...)
}

// Missing reports whether key was left out of a decoded scenario.
func (c *faultCheck) Missing(key string) bool {
	return c.s.lines != nil && c.s.lines[joinKey(c.id, key)] == 0
}

// BrokerNodes is the scenario's number of broker nodes.
func (c *faultCheck) BrokerNodes() int { return c.s.Broker.Nodes }

func (c *faultCheck) timing() {
	f, s := c.f, c.s
	switch {
	case f.At < 0:
		c.Fail("at", "must not be negative, got %s", f.At)
	case c.Missing("at"):
		c.Fail("at", "required: when the fault starts, from the start of the load (warm-up included)")
	}
	reset := f.Instant()
	switch {
	case reset && (f.For != 0 || c.s.lines[c.id+".for"] > 0):
		c.Fail("for", "a %s is instantaneous: leave for out", f.Key())
	case reset:
	case f.For <= 0 && c.Missing("for"):
		c.Fail("for", "required: how long the fault lasts")
	case f.For <= 0:
		c.Fail("for", "must be positive, got %s", f.For)
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
		c.Fail("at", "the %s comes after the load (at = %s > warmup+duration = %s)", f.Key(), f.At, load)
	default:
		c.Fail("for", "fault ends after the load (at+for = %s > warmup+duration = %s)", end, load)
	}
}

// checkOverlaps reports a crash or pause whose target and time overlap
// those of an earlier one in the list: one replica cannot be stopped twice
// at once.
func (s *Scenario) checkOverlaps(fail failFunc) {
	stops := func(f faults.Fault) (faults.Endpoint, bool) {
		st, ok := f.Kind.(faults.Stopper)
		if !ok || f.At < 0 || f.For <= 0 || st.Stops().Problem(faults.RoleProcess, s.Broker.Nodes) != "" {
			return "", false
		}
		return st.Stops(), true
	}
	for j, b := range s.Faults {
		bt, ok := stops(b)
		if !ok {
			continue
		}
		for i, a := range s.Faults[:j] {
			if at, ok := stops(a); ok && at.Overlaps(bt) && a.At < addSat(b.At, b.For) && b.At < addSat(a.At, a.For) {
				key := fmt.Sprintf("faults[%d].%s", j, b.Key())
				fail(s.faultLine(j, b.Key()), key, "overlaps faults[%d] (%s %s from %s to %s, line %d): a target is crashed or paused once at a time",
					i, a.Key(), at, a.At, addSat(a.At, a.For), a.Line)
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
