package scenarios

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/topologies"
	sg "github.com/faultline-sim/faultline/topologies/schemagen"
	"github.com/faultline-sim/faultline/topologies/schemagen/schemacheck"
)

var update = flag.Bool("update", false, "rewrite docs/schema/scenario.schema.json from the decoder's keys")

// schemaFile is the scenario schema checked in, relative to this package.
const schemaFile = "../docs/schema/scenario.schema.json"

// Schema returns the JSON Schema of a scenario file, built from the
// decoder's known-key lists (sg.Object refuses a table that misses one)
// and each fault kind's own schema (faults.Kind.Schema).
func Schema() sg.S {
	faultFields := map[string]sg.S{"at": sg.Duration(), "for": sg.Duration()}
	for _, k := range faults.Keys() {
		faultFields[k] = faults.New(k).Schema()
	}
	fault := sg.OneKeyOf(sg.Object(append([]string{"at", "for"}, faults.Keys()...), faultFields), faults.Keys())
	expectation := sg.Describe(sg.AnyOf(
		sg.Map(sg.S{"type": []string{"string", "number"}}),
		sg.List(sg.String()),
	), `metric: "OP VALUE" (p99: "< 300ms"), or a list of "METRIC OP VALUE"`)
	root := sg.Object(scenarioKeys, map[string]sg.S{
		topologies.VersionKey: sg.Describe(sg.Enum(topologies.Version), "the version of the file format; default "+topologies.Version),
		"name":                sg.Describe(sg.String(), "default: the file's name without .yaml"),
		"description":         sg.String(),
		"duration":            sg.Describe(sg.Duration(), "the load phase; default "+DefaultDuration.String()),
		"warmup":              sg.Describe(sg.Duration(), "default "+DefaultWarmup.String()),
		"drain":               sg.Describe(sg.Duration(), "default "+DefaultDrain.String()),
		"seed":                sg.S{"type": "integer", "minimum": 0},
		"load": sg.Object(loadKeys, map[string]sg.S{
			"arrival":       sg.Enum(arrivals...),
			"rate":          sg.Describe(sg.Number(), "operations per second"),
			"timeout":       sg.Duration(),
			"max_in_flight": sg.Integer(),
			"to":            sg.Number(),
			"steps":         sg.List(sg.Object(stepKeys, map[string]sg.S{"at": sg.Duration(), "rate": sg.Number()})),
			"burst":         sg.Object(burstKeys, map[string]sg.S{"at": sg.Duration(), "for": sg.Duration(), "rate": sg.Number()}),
		}),
		"variants": sg.List(sg.Object(variantKeys, map[string]sg.S{
			"name": sg.String(), "topology": sg.Describe(sg.String(), "a topology file, relative to this file"),
		})),
		"broker": sg.Object(brokerKeys, map[string]sg.S{
			"nodes": sg.Integer(), "replicas": sg.Integer(),
			"sync": sg.Describe(sg.AnyOf(sg.Enum("default", "always"), sg.Duration()),
				"nats-server's sync_interval: how often each node fsyncs its file store; always fsyncs before every ack; default (two minutes) when absent"),
		}),
		"faults": sg.List(fault),
		"expect": sg.Describe(sg.Map(expectation), `expectations by variant name, or "*" for every variant`),
	})
	root["type"] = "object"
	root["required"] = []string{"load", "variants"}
	return sg.Doc("https://github.com/faultline-sim/faultline/docs/schema/scenario.schema.json",
		"faultline scenario", "A faultline scenario file: variants compared under one load and fault timeline.", root)
}

// TestSchema fails when the checked-in scenario schema is not the one the
// decoder's keys give (regenerate with go test -run TestSchema -update),
// and when a shipped scenario does not validate against it or does not
// start with the modeline that points editors to it and its version key.
func TestSchema(t *testing.T) {
	schemacheck.Golden(t, schemaFile, Schema(), *update)
	files, err := filepath.Glob("*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no shipped scenarios: %v", err)
	}
	schemacheck.Validate(t, schemaFile, files...)
	for _, f := range files {
		schemacheck.CheckHeader(t, f, "../docs/schema/scenario.schema.json", topologies.Version)
	}
}

// TestSchemaRefuses: the schema is not vacuous: it refuses an unknown key,
// a fault with two kinds and a malformed duration, as the decoder does.
func TestSchemaRefuses(t *testing.T) {
	sch, err := schemacheck.Compile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	base := "load: {rate: 10}\nvariants: [{name: a, topology: a.yaml}]\n"
	for _, bad := range []string{
		base + "duraton: 10s\n",
		base + "faults: [{at: 1s, for: 1s, crash: a, pause: a}]\n",
		base + "duration: ten seconds\n",
		base + "faultline: v2\n",
		base + "broker: {sync: sometimes}\n",
	} {
		p := filepath.Join(t.TempDir(), "bad.yaml")
		if err := os.WriteFile(p, []byte(bad), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := schemacheck.ValidateFile(sch, p); err == nil {
			t.Errorf("the schema accepts %q", bad)
		}
	}
}
