package topologies

import (
	"fmt"
	"sort"
	"time"
)

// SlipBelow is the duration under which a timeout, an ack wait or a fault's
// length is probably a unit slip (5ms written for 5s): such values are
// valid, but get a warning.
const SlipBelow = 10 * time.Millisecond

// Warning is a value that is valid but probably not what was meant, such
// as a timeout of 5ms. Unlike a *FieldError it stops nothing: the CLI
// prints it and goes on.
type Warning struct {
	// File, Line and Key locate the value as in FieldError.
	File string
	Line int
	Key  string
	// Msg says what looks wrong and why.
	Msg string
}

// String formats the warning as "file:line: key: msg", leaving out the
// parts that are unknown.
func (w Warning) String() string {
	return (&FieldError{File: w.File, Line: w.Line, Key: w.Key, Msg: w.Msg}).Error()
}

// SortWarnings orders ws by file (in order of first appearance) and line.
func SortWarnings(ws []Warning) {
	rank := map[string]int{}
	for _, w := range ws {
		if _, ok := rank[w.File]; !ok {
			rank[w.File] = len(rank)
		}
	}
	sort.SliceStable(ws, func(i, j int) bool {
		a, b := ws[i], ws[j]
		return rank[a.File] < rank[b.File] || rank[a.File] == rank[b.File] && a.Line < b.Line
	})
}

// Warnings returns the plausible unit slips in t, by line: a call's or a
// policy's timeout, or a consumer's ack_wait, under SlipBelow. It expects
// a valid topology (see Validate) and does not modify t.
func (t *Topology) Warnings() []Warning {
	v := &validator{t: t}
	var ws []Warning
	warn := func(line int, key, format string, args ...any) {
		ws = append(ws, Warning{File: t.File, Line: line, Key: key, Msg: fmt.Sprintf(format, args...)})
	}
	short := func(d time.Duration) bool { return d > 0 && d < SlipBelow }
	const slip = "is %s, under %s: a unit slip (ms for s)?"
	names := make([]string, 0, len(t.Policies))
	for name := range t.Policies {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if p := t.Policies[name]; p != nil && short(p.Timeout) {
			id := "policies." + name
			warn(v.line(p.Line, id+".timeout", id), id+".timeout", slip, p.Timeout, SlipBelow)
		}
	}
	if p := t.Gateway.Policy; p != nil && p.Name == "" && short(p.Timeout) {
		warn(v.line(t.Gateway.Line, "gateway.policy.timeout", "gateway.policy"), "gateway.policy.timeout", slip, p.Timeout, SlipBelow)
	}
	for i, s := range t.Services {
		id, path := fmt.Sprintf("services[%d]", i), ItemPath("services", i, s.Name)
		for j, c := range s.Calls {
			cid, cp := fmt.Sprintf("%s.calls[%d]", id, j), fmt.Sprintf("%s.calls[%d]", path, j)
			switch {
			case c.Policy == nil && short(c.Timeout):
				warn(v.line(c.Line, cid+".timeout", cid), cp+".timeout", slip, c.Timeout, SlipBelow)
			case c.Policy != nil && c.Policy.Name == "" && short(c.Policy.Timeout):
				warn(v.line(c.Line, cid+".policy.timeout", cid+".policy", cid), cp+".policy.timeout", slip, c.Policy.Timeout, SlipBelow)
			}
		}
		for j, c := range s.Consume {
			cid, cp := fmt.Sprintf("%s.consume[%d]", id, j), fmt.Sprintf("%s.consume[%d]", path, j)
			if short(c.AckWait) {
				warn(v.line(c.Line, cid+".ack_wait", cid), cp+".ack_wait", slip+" The broker would redeliver nearly every event", c.AckWait, SlipBelow)
			}
		}
	}
	SortWarnings(ws)
	return ws
}

// CallTimeout returns the timeout of the first synchronous call from
// service caller to service callee (its policy's, or its own), and whether
// there is such a call; 0 means the call has none beyond the caller's
// deadline.
func (t *Topology) CallTimeout(caller, callee string) (time.Duration, bool) {
	s := t.Service(caller)
	if s == nil {
		return 0, false
	}
	for _, c := range s.Calls {
		if c.Service == callee {
			if c.Policy != nil {
				return c.Policy.Timeout, true
			}
			return c.Timeout, true
		}
	}
	return 0, false
}
