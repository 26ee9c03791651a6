package reports_test

import (
	"reflect"
	"testing"

	"github.com/faultline-sim/faultline/reports"
	sg "github.com/faultline-sim/faultline/topologies/schemagen"
	"github.com/faultline-sim/faultline/topologies/schemagen/schemacheck"
)

// resultSchemaFile is the results.json schema checked in, relative to this
// package.
const resultSchemaFile = "../docs/schema/results.schema.json"

// ResultSchema returns the JSON Schema of results.json, reflected from
// reports.Result; its schema key must be reports.Schema.
func ResultSchema() sg.S {
	root := sg.Reflect(reflect.TypeFor[reports.Result]())
	props := root["properties"].(sg.S)
	props["schema"] = sg.Describe(sg.S{"const": reports.Schema}, "the version of the file format")
	root["required"] = []string{"schema"}
	return sg.Doc("https://github.com/faultline-sim/faultline/docs/schema/results.schema.json",
		"faultline results", "results.json: what a faultline run measured, per variant.", root)
}

// TestResultSchema fails when the checked-in results schema is not the one
// the Go structs give (regenerate with go test -run TestResultSchema
// -update), and when the shipped baseline or a freshly written result does
// not validate against it.
func TestResultSchema(t *testing.T) {
	schemacheck.Golden(t, resultSchemaFile, ResultSchema(), *update)
	path, err := reports.WriteFile(t.TempDir(), fixture())
	if err != nil {
		t.Fatal(err)
	}
	schemacheck.Validate(t, resultSchemaFile, "../scenarios/quickstart.baseline.json", path)
}
