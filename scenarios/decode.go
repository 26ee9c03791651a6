package scenarios

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/topologies"
)

var (
	scenarioKeys = []string{"name", "description", "duration", "warmup", "drain", "seed", "load", "variants", "broker", "faults", "expect", topologies.VersionKey}
	loadKeys     = []string{"arrival", "rate", "timeout", "max_in_flight", "to", "steps", "burst"}
	variantKeys  = []string{"name", "topology"}
	brokerKeys   = []string{"nodes", "replicas", "sync"}
)

// ReadFile reads, decodes and validates the scenario at path, reads every
// variant's topology and checks that every endpoint a fault names exists in
// every variant. The error joins every problem found, in the scenario and
// in its topologies, each naming its file, line and key; all of them match
// topologies.ErrInvalid. A missing topology file is reported at the
// line of its variant's topology key and matches fs.ErrNotExist.
func ReadFile(path string) (*Scenario, error) {
	return read(path, os.ReadFile)
}

// ReadFS is ReadFile for the scenario at path in fsys (Library(), for
// one), its topology paths resolved inside fsys.
func ReadFS(fsys fs.FS, path string) (*Scenario, error) {
	return read(path, func(name string) ([]byte, error) { return fs.ReadFile(fsys, name) })
}

// read is ReadFile with readFile reading the scenario and its topologies.
func read(path string, readFile func(string) ([]byte, error)) (*Scenario, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, &topologies.FieldError{File: path, Msg: "cannot read: " + cause(err), Err: err}
	}
	s, d := decode(path, data)
	if s == nil {
		return nil, d.Err()
	}
	errs := []error{s.Validate()}
	loaded := map[string]*topologies.Topology{} // by Path; nil when it failed
	for i := range s.Variants {
		v := &s.Variants[i]
		if v.Path == "" {
			continue
		}
		if top, seen := loaded[v.Path]; seen {
			v.Topology = top
			continue
		}
		loaded[v.Path] = nil
		data, err := readFile(v.Path)
		if err != nil {
			id := fmt.Sprintf("variants[%d]", i)
			errs = append(errs, &topologies.FieldError{
				File: s.File, Line: s.line(v.Line, id+".topology", id),
				Key: topologies.ItemPath("variants", i, v.Name) + ".topology",
				Msg: fmt.Sprintf("cannot read %s: %s", v.Path, cause(err)), Err: err,
			})
			continue
		}
		top, err := topologies.Parse(v.Path, data)
		errs = append(errs, err)
		v.Topology, loaded[v.Path] = top, top
	}
	errs = append(errs, s.checkEndpoints(), s.checkExpectMetrics())
	if err := d.Join(errors.Join(errs...)); err != nil {
		return nil, err
	}
	return s, nil
}

// Parse decodes and validates a scenario from data without reading its
// topologies (every Variant.Topology stays nil); file names it in messages,
// gives the default Name and the directory topology paths are resolved
// against. It never panics, whatever data holds.
func Parse(file string, data []byte) (*Scenario, error) {
	s, d := decode(file, data)
	if s == nil {
		return nil, d.Err()
	}
	if err := d.Join(s.Validate()); err != nil {
		return nil, err
	}
	return s, nil
}

// decode returns the scenario in data with defaults applied, or nil when
// the document is not a mapping; problems are in d.
func decode(file string, data []byte) (*Scenario, *topologies.Decoder) {
	d := topologies.NewDecoder(file)
	root, ok := d.Parse(data)
	if !ok || !d.Version(root) {
		return nil, d
	}
	m, ok := d.Mapping(root, scenarioKeys...)
	if !ok {
		return nil, d
	}
	s := &Scenario{
		File: file, Name: baseName(file),
		Duration: DefaultDuration, Warmup: DefaultWarmup, Drain: DefaultDrain, Seed: DefaultSeed,
		Load:   Load{Arrival: ArrivalConstant, Timeout: DefaultTimeout},
		Broker: BrokerSpec{Nodes: DefaultBrokerNodes, Replicas: DefaultBrokerReplicas},
	}
	topologies.Set(d.String, m, "name", &s.Name)
	topologies.Set(d.String, m, "description", &s.Description)
	topologies.Set(d.Duration, m, "duration", &s.Duration)
	topologies.Set(d.Duration, m, "warmup", &s.Warmup)
	topologies.Set(d.Duration, m, "drain", &s.Drain)
	topologies.Set(d.Uint64, m, "seed", &s.Seed)
	if n, ok := m["load"]; ok {
		decodeLoad(d, n, &s.Load)
	}
	for i, n := range d.List(m["variants"]) {
		n.Path = topologies.ItemPath("variants", i, n.Scalar("name"))
		v := Variant{Line: n.Line}
		vm, _ := d.Mapping(n, variantKeys...)
		topologies.Set(d.String, vm, "name", &v.Name)
		topologies.Set(d.String, vm, "topology", &v.TopologyPath)
		if v.TopologyPath != "" {
			v.Path = v.TopologyPath
			if !filepath.IsAbs(v.Path) {
				v.Path = filepath.Join(filepath.Dir(file), v.Path)
			}
		}
		s.Variants = append(s.Variants, v)
	}
	if n, ok := m["broker"]; ok {
		s.Broker.Line = n.Line
		b, _ := d.Mapping(n, brokerKeys...)
		topologies.Set(d.Int, b, "nodes", &s.Broker.Nodes)
		topologies.Set(d.Int, b, "replicas", &s.Broker.Replicas)
		topologies.Set(func(n topologies.Node) (topologies.Sync, bool) { return decodeSync(d, n) }, b, "sync", &s.Broker.Sync)
	}
	s.Faults, s.broken = decodeFaults(d, m["faults"])
	if n, ok := m["expect"]; ok {
		s.Expect = decodeExpect(d, n, s.Variants)
	}
	s.lines = d.Lines()
	s.lines[""] = root.Line
	return s, d
}

// decodeSync decodes broker.sync: default, always or a positive duration.
func decodeSync(d *topologies.Decoder, n topologies.Node) (topologies.Sync, bool) {
	v, ok := d.String(n)
	if !ok {
		return topologies.Sync{}, false
	}
	switch v {
	case "default":
		return topologies.Sync{}, true
	case "always":
		return topologies.Sync{Always: true}, true
	}
	iv, err := time.ParseDuration(v)
	switch {
	case err != nil:
		d.Errorf(n, "must be default, always or a duration (e.g. 1s), got %q", v)
	case iv <= 0:
		d.Errorf(n, "must be a positive duration, default or always, got %s", v)
	default:
		return topologies.Sync{Interval: iv}, true
	}
	return topologies.Sync{}, false
}

func baseName(file string) string {
	if file == "" {
		return ""
	}
	b := filepath.Base(file)
	return strings.TrimSuffix(b, filepath.Ext(b))
}

// cause is the reason inside an *fs.PathError, or err's message.
func cause(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
