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
// block keeps the digest and any changed value changes it. Map keys are
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

// withoutPositions drops the File and Line keys of every object in t.
func withoutPositions(t any) any {
	switch t := t.(type) {
	case map[string]any:
		delete(t, "File")
		delete(t, "Line")
		for k, v := range t {
			t[k] = withoutPositions(v)
		}
	case []any:
		for i, v := range t {
			t[i] = withoutPositions(v)
		}
	}
	return t
}
