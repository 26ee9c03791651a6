// Package scenarios describes a question faultline answers: the variants to
// compare (each a topology), the load to drive them with, for how long, and
// the faults injected on the way. It decodes and validates scenario files;
// it runs nothing.
package scenarios

import (
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/topologies"
)

// Scenario is one question: variants compared under the same load. Values
// are read-only after ReadFile/Parse, except for Only.
type Scenario struct {
	// File is the path the scenario was read from.
	File string
	// Name defaults to the file's base name without extension.
	Name        string
	Description string
	// Duration is the load phase, warmup excluded; default 20s.
	Duration time.Duration
	// Warmup is load sent before Duration and not recorded; default 2s; may
	// be 0.
	Warmup time.Duration
	// Drain is how long to wait after the load for in-flight calls and
	// queued events; default 10s; may be 0.
	Drain time.Duration
	// Seed makes every random choice of a run repeatable; default 1.
	Seed     uint64
	Load     Load
	Variants []Variant
	// Broker is the shape of the broker of every variant with events;
	// default one node, one replica.
	Broker BrokerSpec
	// Faults is the fault timeline applied to every variant, in file order.
	// Each names its File and Line; Latency.Dist and Request.Share have
	// their defaults filled in.
	Faults []faults.Fault
	// Expect are the expectations checked after the run (see Check).
	Expect []Expectation

	// lines maps paths with list items written by index (variants[1].name)
	// to their line in File; nil when built in code.
	lines map[string]int
	// broken holds the indexes of faults whose partition groups did not
	// all decode; nil when built in code.
	broken map[int]bool
}

// Load is the open-loop load offered to every variant.
type Load struct {
	// Arrival is ArrivalConstant (default), ArrivalPoisson, ArrivalRamp,
	// ArrivalSteps or ArrivalBurst.
	Arrival string
	// Rate is the offered operations per second; required, > 0. It is the
	// base rate of a shaped load: where a ramp starts, the rate until the
	// first step, the rate outside the burst.
	Rate float64
	// Timeout is the client's deadline per request; default 5s.
	Timeout time.Duration
	// MaxInFlight bounds outstanding requests; 0 (default) lets the engine
	// derive it.
	MaxInFlight int
	// To is the rate a ramp reaches at the end of the load
	// (warmup+duration), linearly from Rate; ramp only.
	To float64
	// Steps are the rate changes of a steps load, by strictly increasing
	// At; steps only.
	Steps []Step
	// Burst is the burst window of a burst load; nil for other arrivals.
	Burst *Burst
	// Line is where load is declared in the scenario file.
	Line int
}

// Variant is one design under test.
type Variant struct {
	Name string
	// TopologyPath is the topology file as written in the scenario.
	TopologyPath string
	// Path is TopologyPath resolved against the scenario file's directory.
	Path string
	// Topology is the loaded topology; set by ReadFile, nil after Parse.
	// Variants naming the same file share one value.
	Topology *topologies.Topology
	// Line is where the variant is declared in the scenario file.
	Line int
}

// BrokerSpec is the broker of the variants with events: an embedded NATS
// server, or a cluster of them, holding each stream on Replicas nodes.
type BrokerSpec struct {
	// Nodes is 1 (default), 3 or 5. A Scenario built in code must set it:
	// Validate rejects 0.
	Nodes int
	// Replicas is how many nodes hold each stream, 1 ≤ Replicas ≤ Nodes;
	// default 1.
	Replicas int
	// Sync is how every node's file store reaches the disk; the zero value
	// is nats-server's default.
	Sync topologies.Sync
	// Line is where broker is declared in the scenario file; 0 when absent.
	Line int
}

// Arrival processes.
const (
	ArrivalConstant = "constant"
	ArrivalPoisson  = "poisson"
	// ArrivalRamp changes the rate linearly from Load.Rate to Load.To.
	ArrivalRamp = "ramp"
	// ArrivalSteps changes the rate at each of Load.Steps.
	ArrivalSteps = "steps"
	// ArrivalBurst runs Load.Burst's rate in its window, Load.Rate outside.
	ArrivalBurst = "burst"
)

// Defaults applied to keys a scenario file leaves out.
const (
	DefaultDuration = 20 * time.Second
	DefaultWarmup   = 2 * time.Second
	DefaultDrain    = 10 * time.Second
	DefaultSeed     = 1
	DefaultTimeout  = 5 * time.Second
	// DefaultBrokerNodes and DefaultBrokerReplicas shape the broker when
	// the scenario has no broker key.
	DefaultBrokerNodes    = 1
	DefaultBrokerReplicas = 1
)

// Validate returns every problem in s joined, each a *topologies.FieldError
// naming the file, line and key: durations, load, variant names, topology
// paths, the broker (nodes 1, 3 or 5; 1 ≤ replicas ≤ nodes; a sync
// interval not negative) and every fault: a known kind, at ≥ 0, for > 0
// (none for a reset), an end within warmup+duration, values in range,
// endpoints that fit their place, and no two crashes or pauses of one
// target at once. It does not read the
// topologies, so it does not check that the endpoints exist in every
// variant (ReadFile does). It does not modify s.
func (s *Scenario) Validate() error {
	var errs []error
	fail := func(line int, key, format string, args ...any) {
		errs = append(errs, &topologies.FieldError{File: s.File, Line: line, Key: key, Msg: fmt.Sprintf(format, args...)})
	}
	if s.Duration <= 0 {
		fail(s.line(0, "duration"), "duration", "must be positive, got %s", s.Duration)
	}
	if s.Warmup < 0 {
		fail(s.line(0, "warmup"), "warmup", "must not be negative, got %s", s.Warmup)
	}
	if s.Drain < 0 {
		fail(s.line(0, "drain"), "drain", "must not be negative, got %s", s.Drain)
	}
	s.validateLoad(fail)
	if len(s.Variants) == 0 {
		fail(s.line(0, "variants"), "variants", "at least one variant is required")
	}
	first := map[string]int{}
	for i, v := range s.Variants {
		id, p := fmt.Sprintf("variants[%d]", i), topologies.ItemPath("variants", i, v.Name)
		at := func(key string) int { return s.line(v.Line, id+"."+key, id) }
		switch j, dup := first[v.Name]; {
		case v.Name == "":
			fail(at("name"), p+".name", "required")
		case !topologies.ValidName(v.Name):
			fail(at("name"), p+".name", "%q is not a valid name (letters, digits, '-' and '_')", v.Name)
		case dup:
			fail(at("name"), p+".name", "duplicate variant name %q (first at line %d)", v.Name, s.Variants[j].Line)
		default:
			first[v.Name] = i
		}
		if v.TopologyPath == "" {
			fail(at("topology"), p+".topology", "required: the variant's topology file")
		}
	}
	s.validateBroker(fail)
	s.validateFaults(fail)
	s.validateExpect(fail)
	return errors.Join(errs...)
}

// Only keeps the named variant and drops the others. When there is no such
// variant it changes nothing and returns an error matching
// topologies.ErrInvalid that lists the available names.
func (s *Scenario) Only(variant string) error {
	var names []string
	for _, v := range s.Variants {
		if v.Name == variant {
			s.Variants = []Variant{v}
			// Lines of variants are keyed by index: forget them, so
			// messages fall back to Variant.Line.
			maps.DeleteFunc(s.lines, func(k string, _ int) bool { return strings.HasPrefix(k, "variants[") })
			return nil
		}
		names = append(names, v.Name)
	}
	return &topologies.FieldError{File: s.File, Line: s.lines["variants"], Key: "variants",
		Msg: fmt.Sprintf("no variant %q (available: %s)", variant, strings.Join(names, ", "))}
}

// line returns the line of the first of ids the decoder saw, else fallback,
// else the document's first line.
func (s *Scenario) line(fallback int, ids ...string) int {
	for _, id := range ids {
		if l := s.lines[id]; l > 0 {
			return l
		}
	}
	if fallback > 0 {
		return fallback
	}
	return s.lines[""]
}
