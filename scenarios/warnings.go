package scenarios

import (
	"fmt"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/topologies"
)

// SampleInterval is the step of the per-second timeline (and so of the
// per-fault phases): a fault shorter than it falls inside one sample.
const SampleInterval = time.Second

// Warnings returns the plausible unit slips in s and in the topologies of
// its variants (each file once), by file and line: a load timeout or a
// fault's for under topologies.SlipBelow, a for shorter than one
// SampleInterval, and an injected latency or request delay at least as long
// as the timeout of what crosses it (the load's timeout, or that of the
// call edge the link is on), and every link fault that matches no link of
// a variant (LinkWarnings). Warnings stop nothing. It expects a valid
// scenario (see ReadFile) and does not modify s.
func (s *Scenario) Warnings() []topologies.Warning {
	var ws []topologies.Warning
	warn := func(line int, key, format string, args ...any) {
		ws = append(ws, topologies.Warning{File: s.File, Line: line, Key: key, Msg: fmt.Sprintf(format, args...)})
	}
	slip := topologies.SlipBelow
	if t := s.Load.Timeout; t > 0 && t < slip {
		warn(s.line(s.Load.Line, "load.timeout", "load"), "load.timeout", "is %s, under %s: a unit slip (ms for s)?", t, slip)
	}
	for i, f := range s.Faults {
		id := fmt.Sprintf("faults[%d]", i)
		switch {
		case f.For <= 0: // a reset, or reported by Validate
		case f.For < slip:
			warn(s.faultLine(i, "for"), id+".for", "is %s, under %s: a unit slip (ms for s)?", f.For, slip)
		case f.For < SampleInterval:
			warn(s.faultLine(i, "for"), id+".for", "is %s, shorter than one sample of the timeline (%s): the fault's phases and timeline cannot show it", f.For, SampleInterval)
		}
		switch f.Kind {
		case faults.KindLatency:
			if key, msg := s.latencyOverTimeout(f); msg != "" {
				warn(s.faultLine(i, "latency."+key), id+".latency."+key, "%s", msg)
			}
		case faults.KindRequest:
			if msg := s.delayOverTimeout(f); msg != "" {
				warn(s.faultLine(i, "request.delay"), id+".request.delay", "%s", msg)
			}
		}
	}
	ws = append(ws, s.LinkWarnings()...)
	seen := map[*topologies.Topology]bool{}
	for _, v := range s.Variants {
		if v.Topology != nil && !seen[v.Topology] {
			seen[v.Topology] = true
			ws = append(ws, v.Topology.Warnings()...)
		}
	}
	topologies.SortWarnings(ws)
	return ws
}

// edge is a synchronous call edge of a variant, the gateway's included.
type edge struct {
	variant, from, to string
	timeout           time.Duration // 0: none beyond the caller's deadline
}

// edges returns the call edges of every variant whose topology is loaded.
func (s *Scenario) edges() []edge {
	var out []edge
	for _, v := range s.Variants {
		t := v.Topology
		if t == nil {
			continue
		}
		if p := t.Gateway.Policy; p != nil {
			out = append(out, edge{v.Name, faults.EndpointGateway, t.Entry, p.Timeout})
		}
		for _, svc := range t.Services {
			for _, c := range svc.Calls {
				timeout := c.Timeout
				if c.Policy != nil {
					timeout = c.Policy.Timeout
				}
				out = append(out, edge{v.Name, svc.Name, c.Service, timeout})
			}
		}
	}
	return out
}

// latencyOverTimeout says, with the key it is about (mean), when a latency
// fault's mean delay is at least the load's timeout, or at least the
// timeout of a call edge whose request or response crosses the link (twice
// the mean when both directions do); "" when neither.
func (s *Scenario) latencyOverTimeout(f faults.Fault) (key, msg string) {
	mean := f.Latency.Mean
	if mean <= 0 {
		return "", ""
	}
	if t := s.Load.Timeout; t > 0 && mean >= t {
		return "mean", fmt.Sprintf("%s is at least the client's timeout (load.timeout %s): every request crossing %s would time out", mean, t, f.Link)
	}
	l := f.Link
	dir := func(a, b string) bool {
		return onLink(l.From, a) && onLink(l.To, b) || l.Both && onLink(l.From, b) && onLink(l.To, a)
	}
	for _, e := range s.edges() {
		added := time.Duration(0)
		if dir(e.from, e.to) { // the request
			added += mean
		}
		if dir(e.to, e.from) { // the response
			added += mean
		}
		if e.timeout > 0 && added >= e.timeout {
			return "mean", fmt.Sprintf("adds %s to the call %s -> %s, at least its timeout (%s, variant %s): every call on it would time out", added, e.from, e.to, e.timeout, e.variant)
		}
	}
	return "", ""
}

// delayOverTimeout says when a request fault's delay is at least the
// load's timeout or the timeout of a call edge to the service it delays;
// "" when neither.
func (s *Scenario) delayOverTimeout(f faults.Fault) string {
	d := f.Request.Delay
	if d <= 0 {
		return ""
	}
	if t := s.Load.Timeout; t > 0 && d >= t {
		return fmt.Sprintf("%s is at least the client's timeout (load.timeout %s): every delayed request would time out", d, t)
	}
	for _, e := range s.edges() {
		if onLink(f.Request.Service, e.to) && e.timeout > 0 && d >= e.timeout {
			return fmt.Sprintf("%s is at least the timeout of the call %s -> %s (%s, variant %s): every delayed call on it would time out", d, e.from, e.to, e.timeout, e.variant)
		}
	}
	return ""
}

// onLink reports whether endpoint pattern ("*", a service, "service#N",
// "gateway") selects service or endpoint name, replicas included.
func onLink(pattern, name string) bool {
	if i := strings.IndexByte(pattern, '#'); i >= 0 {
		pattern = pattern[:i]
	}
	return pattern == "*" || pattern == name
}
