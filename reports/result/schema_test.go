package result_test

import (
	"flag"
	"reflect"
	"testing"

	"github.com/faultline-sim/faultline/reports/result"
	"github.com/faultline-sim/faultline/reports/result/resulttest"
	sg "github.com/faultline-sim/faultline/topologies/schemagen"
	"github.com/faultline-sim/faultline/topologies/schemagen/schemacheck"
)

var update = flag.Bool("update", false, "rewrite the checked-in results schema")

// resultSchemaFile is the results.json schema checked in, relative to this
// package.
const resultSchemaFile = "../../docs/schema/results.schema.json"

// ResultSchema returns the JSON Schema of results.json, reflected from
// result.Result; its schema key must be one of result.ReadSchemas (a v1
// file is a v2 one without consistency blocks), and the keys of a
// consistency block's samples are the violation kinds.
func ResultSchema() sg.S {
	root := sg.Reflect(reflect.TypeFor[result.Result]())
	props := root["properties"].(sg.S)
	props["schema"] = sg.Describe(sg.Enum(result.ReadSchemas()...), "the version of the file format: "+result.Schema+" as written now, "+result.SchemaV1+" (no consistency blocks) as written before")
	variant := props["variants"].(sg.S)["items"].(sg.S)["properties"].(sg.S)
	samples := variant["consistency"].(sg.S)["properties"].(sg.S)["samples"].(sg.S)
	samples["propertyNames"] = sg.Enum(result.ConsistencyKinds...)
	root["required"] = []string{"schema"}
	return sg.Doc("https://github.com/faultline-sim/faultline/docs/schema/results.schema.json",
		"faultline results", "results.json: what a faultline run measured, per variant.", root)
}

// TestResultSchema fails when the checked-in results schema is not the one
// the Go structs give (regenerate with go test -run TestResultSchema
// -update), and when the shipped baseline (a v1 file) or a freshly written
// result, with or without consistency blocks, does not validate against
// it.
func TestResultSchema(t *testing.T) {
	schemacheck.Golden(t, resultSchemaFile, ResultSchema(), *update)
	path, err := result.WriteFile(t.TempDir(), resulttest.Fixture())
	if err != nil {
		t.Fatal(err)
	}
	stateful, err := result.WriteFile(t.TempDir(), resulttest.Stateful())
	if err != nil {
		t.Fatal(err)
	}
	schemacheck.Validate(t, resultSchemaFile, "../../scenarios/quickstart.baseline.json", path, stateful)
}
