// Package schemagen builds the JSON Schemas of faultline's files (scenario,
// topology, results) from the Go model, and checks files against them. The
// YAML schemas are assembled by each decoding package's tests from its
// known-key lists (Object refuses a table that leaves one out or names one
// the decoder does not know); the results schema is reflected from the Go
// structs (Reflect); each fault kind describes its own value (faults.Kind).
// Package schemacheck compares them with the copies checked in under
// docs/schema and validates every shipped file.
package schemagen

import (
	"fmt"
	"slices"
	"sort"
)

// S is a JSON Schema (draft-07) object.
type S = map[string]any

// Draft is the JSON Schema dialect of every schema built here: draft-07,
// the one editors (yaml-language-server) support best.
const Draft = "http://json-schema.org/draft-07/schema#"

// Doc returns root as a whole schema document with its $schema, $id, title
// and description.
func Doc(id, title, description string, root S) S {
	out := S{"$schema": Draft, "$id": id, "title": title, "description": description}
	for k, v := range root {
		out[k] = v
	}
	return out
}

// Object is a mapping whose keys are exactly keys (the decoder's list of
// known keys), each with its value's schema in fields; other keys are
// refused, as the decoder refuses them, and null reads as an empty mapping
// as it does for the decoder. It panics when fields leaves out a key of
// keys or names one that is not there, so a key added to a decoder without
// its schema fails the generating test.
func Object(keys []string, fields map[string]S) S {
	props := S{}
	for _, k := range keys {
		f, ok := fields[k]
		if !ok {
			panic(fmt.Sprintf("schemagen: key %q of %v has no schema", k, keys))
		}
		props[k] = f
	}
	for k := range fields {
		if !slices.Contains(keys, k) {
			panic(fmt.Sprintf("schemagen: schema for %q, which is not one of the known keys %v", k, keys))
		}
	}
	return S{"type": []string{"object", "null"}, "properties": props, "additionalProperties": false}
}

// Map is a mapping whose keys the file chooses (names), each value of
// schema value.
func Map(value S) S {
	return S{"type": []string{"object", "null"}, "additionalProperties": value}
}

// List is a list of items of schema item; null reads as an empty list.
func List(item S) S { return S{"type": []string{"array", "null"}, "items": item} }

// AnyOf accepts a value that matches one of schemas.
func AnyOf(schemas ...S) S { return S{"anyOf": schemas} }

// OneKeyOf requires a mapping to have exactly one of keys.
func OneKeyOf(s S, keys []string) S {
	alts := make([]S, len(keys))
	for i, k := range keys {
		alts[i] = S{"required": []string{k}}
	}
	s["oneOf"] = alts
	return s
}

// Describe sets the description of s (shown by editors) and returns s.
func Describe(s S, description string) S {
	s["description"] = description
	return s
}

// String is a string.
func String() S { return S{"type": "string"} }

// Enum is one of values.
func Enum(values ...string) S {
	v := slices.Clone(values)
	sort.Strings(v)
	return S{"type": "string", "enum": v}
}

// Integer is a whole number.
func Integer() S { return S{"type": "integer"} }

// Number is a number.
func Number() S { return S{"type": "number"} }

// Bool is true or false.
func Bool() S { return S{"type": "boolean"} }

// Any is any value (the decoder checks it).
func Any() S { return S{} }

// durationPattern is what time.ParseDuration accepts.
const durationPattern = `^[-+]?(0|(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$`

// Duration is a Go duration such as 150ms or 1m30s, or 0.
func Duration() S {
	return S{"anyOf": []S{{"type": "string", "pattern": durationPattern}, {"const": 0}}}
}
