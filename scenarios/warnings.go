package scenarios

import (
	"fmt"
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
	var timeouts *faults.Timeouts // made when a fault needs them
	for i, f := range s.Faults {
		id := fmt.Sprintf("faults[%d]", i)
		switch {
		case f.For <= 0: // a reset, or reported by Validate
		case f.For < slip:
			warn(s.faultLine(i, "for"), id+".for", "is %s, under %s: a unit slip (ms for s)?", f.For, slip)
		case f.For < SampleInterval:
			warn(s.faultLine(i, "for"), id+".for", "is %s, shorter than one sample of the timeline (%s): the fault's phases and timeline cannot show it", f.For, SampleInterval)
		}
		if w, ok := f.Kind.(faults.Warner); ok && !s.broken[i] {
			if timeouts == nil {
				timeouts = &faults.Timeouts{Load: s.Load.Timeout, Edges: s.edges()}
			}
			if key, msg := w.Warn(*timeouts); msg != "" {
				warn(s.faultLine(i, key), id+"."+key, "%s", msg)
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

// edges returns the call edges of every variant whose topology is loaded.
func (s *Scenario) edges() []faults.CallEdge {
	var out []faults.CallEdge
	for _, v := range s.Variants {
		t := v.Topology
		if t == nil {
			continue
		}
		if p := t.Gateway.Policy; p != nil {
			out = append(out, faults.CallEdge{Variant: v.Name, From: faults.EndpointGateway, To: t.Entry, Timeout: p.Timeout})
		}
		for _, svc := range t.Services {
			for _, c := range svc.Calls {
				timeout := c.Timeout
				if c.Policy != nil {
					timeout = c.Policy.Timeout
				}
				out = append(out, faults.CallEdge{Variant: v.Name, From: svc.Name, To: c.Service, Timeout: timeout})
			}
		}
	}
	return out
}
