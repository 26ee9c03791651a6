package schemagen

import (
	"reflect"
	"strings"
	"time"
)

var (
	timeType     = reflect.TypeFor[time.Time]()
	durationType = reflect.TypeFor[time.Duration]()
)

// Reflect returns the schema of the JSON encoding/json writes for a value of
// type t and reads back with DisallowUnknownFields: a struct is an object of
// its exported fields by their json names (embedded structs inlined), with
// no other keys; slices, maps and pointers may be null; time.Time is a
// date-time string and time.Duration integer nanoseconds. Keys are not
// required: a reader of an older file of the same version sees zero values.
// Types with their own MarshalJSON are described by their fields (they must
// write a subset of them, as Second does).
func Reflect(t reflect.Type) S {
	switch t {
	case timeType:
		return S{"type": "string", "format": "date-time"}
	case durationType:
		return Integer()
	}
	switch t.Kind() {
	case reflect.Pointer:
		return nullable(Reflect(t.Elem()))
	case reflect.Bool:
		return Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return Integer()
	case reflect.Float32, reflect.Float64:
		return Number()
	case reflect.String:
		return String()
	case reflect.Slice, reflect.Array:
		return S{"type": []string{"array", "null"}, "items": Reflect(t.Elem())}
	case reflect.Map:
		return S{"type": []string{"object", "null"}, "additionalProperties": Reflect(t.Elem())}
	case reflect.Struct:
		props := S{}
		addFields(t, props)
		return S{"type": "object", "properties": props, "additionalProperties": false}
	}
	return Any()
}

// addFields puts the JSON fields of struct t in props.
func addFields(t reflect.Type, props S) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == "-" || !f.IsExported() && !f.Anonymous {
			continue
		}
		if f.Anonymous && tag == "" && f.Type.Kind() == reflect.Struct {
			addFields(f.Type, props)
			continue
		}
		name := tag
		if name == "" {
			name = f.Name
		}
		props[name] = Reflect(f.Type)
	}
}

// nullable lets s also be null.
func nullable(s S) S {
	switch ty := s["type"].(type) {
	case string:
		s["type"] = []string{ty, "null"}
	case nil:
		return S{"anyOf": []S{s, {"type": "null"}}}
	}
	return s
}
