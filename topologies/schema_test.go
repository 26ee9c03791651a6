package topologies

import (
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	sg "github.com/faultline-sim/faultline/topologies/schemagen"
	"github.com/faultline-sim/faultline/topologies/schemagen/schemacheck"
)

var update = flag.Bool("update", false, "rewrite docs/schema/topology.schema.json from the decoder's keys")

// schemaFile is the topology schema checked in, relative to this package.
const schemaFile = "../docs/schema/topology.schema.json"

// Schema returns the JSON Schema of a topology file, built from the
// decoder's known-key lists (sg.Object refuses a table that misses one).
func Schema() sg.S {
	policy := sg.Object(policyKeys, map[string]sg.S{
		"timeout": sg.Duration(),
		"retry": sg.Object(retryKeys, map[string]sg.S{
			"max_attempts": sg.Integer(), "backoff": sg.Duration(), "max_backoff": sg.Duration(),
			"jitter": sg.Duration(), "on": sg.List(sg.String()), "budget": sg.Number(), "budget_min": sg.Integer(),
		}),
		"breaker": sg.Object(breakerKeys, map[string]sg.S{
			"failure_ratio": sg.Number(), "window": sg.Duration(), "min_requests": sg.Integer(),
			"open_for": sg.Duration(), "half_open_probes": sg.Integer(),
		}),
		"bulkhead": sg.Object(bulkheadKeys, map[string]sg.S{"max_concurrent": sg.Integer(), "max_wait": sg.Duration()}),
	})
	policyRef := sg.Describe(sg.AnyOf(sg.String(), policy), "the name of a policy under policies, or a policy written here")
	service := sg.Object(serviceKeys, map[string]sg.S{
		"name":     sg.String(),
		"replicas": sg.Describe(sg.Integer(), "default 1"),
		"work": sg.Describe(sg.AnyOf(sg.Duration(), sg.Object(workKeys, map[string]sg.S{
			"p50": sg.Duration(), "p99": sg.Duration(), "fixed": sg.Duration(),
		})), "a fixed time (3ms), or {p50, p99} for a lognormal one"),
		"error_rate":   sg.Number(),
		"error_sticky": sg.Bool(),
		"capacity":     sg.Integer(),
		"calls": sg.List(sg.AnyOf(sg.String(), sg.Object(callKeys, map[string]sg.S{
			"service": sg.String(), "timeout": sg.Duration(), "policy": policyRef,
		}))),
		"parallel": sg.Bool(),
		"publish": sg.List(sg.AnyOf(sg.String(), sg.Object(publishKeys, map[string]sg.S{
			"subject": sg.String(), "kind": sg.Enum(KindDomain, KindIntegration, KindNotification),
			"schema": sg.Integer(), "mode": sg.Enum(PublishAck, PublishFireAndForget),
			"timeout": sg.Duration(), "retries": sg.Integer(), "same_id": sg.Bool(),
		}))),
		"consume": sg.List(sg.AnyOf(sg.String(), sg.Object(consumeKeys, map[string]sg.S{
			"subject": sg.String(), "group": sg.String(), "concurrency": sg.Integer(), "max_deliver": sg.Integer(),
			"ack_wait": sg.Duration(), "backoff": sg.List(sg.Duration()), "dead_letter": sg.Bool(),
			"idempotent": sg.Bool(), "poison": sg.Number(), "ack_interval": sg.Duration(),
		}))),
	})
	root := sg.Object(topologyKeys, map[string]sg.S{
		VersionKey:    sg.Describe(sg.Enum(Version), "the version of the file format; default "+Version),
		"name":        sg.Describe(sg.String(), "default: the file's name without .yaml"),
		"description": sg.String(),
		"entry":       sg.Describe(sg.String(), "the service the client calls"),
		"wire": sg.Object(wireKeys, map[string]sg.S{
			"protocol": sg.Enum(ProtocolConnect, ProtocolGRPC), "http": sg.Enum(H2C, HTTP1),
		}),
		"policies": sg.Describe(sg.Map(policy), "named policies, referred to by calls and the gateway"),
		"gateway":  sg.Object(gatewayKeys, map[string]sg.S{"policy": policyRef}),
		"discovery": sg.Object(discoveryKeys, map[string]sg.S{
			"balancer": sg.String(), "detection_delay": sg.Duration(), "refresh": sg.Duration(),
			"outlier": sg.Object(outlierKeys, map[string]sg.S{"consecutive_failures": sg.Integer(), "eject_for": sg.Duration()}),
		}),
		"services": sg.List(service),
		"state": sg.Describe(sg.Object(stateKeys, map[string]sg.S{
			"saga":      sg.Describe(sg.Enum(SagaOrchestrated, SagaChoreographed), "orchestrated: order calls payment, then inventory, and compensates; choreographed: each step consumes an event and publishes the next"),
			"order":     sg.Describe(sg.String(), "the service that takes the orders (the entry)"),
			"payment":   sg.Describe(sg.String(), "the service that charges and refunds"),
			"inventory": sg.Describe(sg.String(), "the service that reserves and releases stock"),
			"publish":   sg.Describe(sg.Enum(PublishDualWrite, PublishOutbox), "choreographed only; default "+DefaultStatePublish),
			"consumers": sg.Describe(sg.Enum(ConsumeAtLeastOnce, ConsumeIdempotent), "choreographed only; default "+DefaultConsumers),
			"amount":    sg.Describe(sg.Integer(), "charged per order; default "+strconv.Itoa(DefaultAmount)),
			"balance":   sg.Describe(sg.Integer(), "the account's balance at the start; default "+strconv.Itoa(DefaultBalance)),
			"items":     sg.Describe(sg.Integer(), "distinct items; default "+strconv.Itoa(DefaultItems)),
			"stock":     sg.Describe(sg.Integer(), "units per item at the start; default "+strconv.Itoa(DefaultStock)),
		}), "makes the topology stateful: three services play order, payment and inventory in a saga"),
	})
	root["type"] = "object"
	root["required"] = []string{"entry", "services"}
	return sg.Doc("https://github.com/faultline-sim/faultline/docs/schema/topology.schema.json",
		"faultline topology", "A faultline topology file: services, their calls, events and policies.", root)
}

// TestSchema fails when the checked-in topology schema is not the one the
// decoder's keys give (regenerate with go test -run TestSchema -update),
// and when a shipped topology does not validate against it or does not
// start with the modeline that points editors to it and its version key.
func TestSchema(t *testing.T) {
	schemacheck.Golden(t, schemaFile, Schema(), *update)
	files, err := filepath.Glob("*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no shipped topologies: %v", err)
	}
	schemacheck.Validate(t, schemaFile, files...)
	for _, f := range files {
		schemacheck.CheckHeader(t, f, "../docs/schema/topology.schema.json", Version)
	}
}

// TestSchemaRefuses: the schema is not vacuous: it refuses an unknown key,
// a bad enum value and a malformed duration, as the decoder does.
func TestSchemaRefuses(t *testing.T) {
	sch, err := schemacheck.Compile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{
		"entry: a\nservices: [{name: a, replicaz: 2}]\n",
		"entry: a\nwire: {protocol: soap}\nservices: [{name: a}]\n",
		"entry: a\nservices: [{name: a, work: {p50: fast}}]\n",
		"services: [{name: a}]\n",
		"entry: a\nstate: {saga: events}\nservices: [{name: a}]\n",
		"entry: a\nstate: {saga: orchestrated, stocks: 5}\nservices: [{name: a}]\n",
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
