package sim

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// digest returns the hex SHA-256 of v's JSON encoding with every "File"
// and "Line" key left out at any depth: the content of a decoded topology
// or fault timeline, not where it was written, so a comment or a moved
// block keeps the digest and any changed value changes it. Zero values are
// left out too (see withoutPositions). Map keys are
// encoded sorted, so the digest is stable. "" when v cannot be encoded.
func digest(v any) string {
	raw, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // keep nanosecond durations exact
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return ""
	}
	raw, err = json.Marshal(withoutPositions(tree))
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

// withoutPositions drops the File and Line keys of every object in t, and
// the keys whose value is zero (0, "", false, null, empty), so a field
// added to the model later, unset, keeps the digest of what was written.
func withoutPositions(t any) any {
	switch t := t.(type) {
	case map[string]any:
		delete(t, "File")
		delete(t, "Line")
		for k, v := range t {
			if v = withoutPositions(v); zero(v) {
				delete(t, k)
			} else {
				t[k] = v
			}
		}
	case []any:
		for i, v := range t {
			t[i] = withoutPositions(v)
		}
	}
	return t
}

func zero(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case bool:
		return !v
	case string:
		return v == ""
	case json.Number:
		f, err := v.Float64()
		return err == nil && f == 0
	case map[string]any:
		return len(v) == 0
	case []any:
		return len(v) == 0
	}
	return false
}
