package topologies

import (
	"bytes"
	"regexp"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// VersionKey is the top-level key of a scenario or topology file that names
// the version of its format, e.g. "faultline: v1". It is optional: a file
// without it reads as Version.
const VersionKey = "faultline"

// Version is the newest (and only) format version this binary reads.
const Version = "v1"

// version is the number in Version.
const version = 1

var versionPattern = regexp.MustCompile(`^v([1-9][0-9]{0,8})$`)

// Version checks the version key of root, the document of a scenario or
// topology file: absent, or "v1", is fine; a malformed value is reported
// and decoding goes on; a newer version than this binary reads is reported
// and ok is false: the rest of the file is in a format this binary does
// not know, so the caller stops there (its keys would only add noise).
// A root that is not a mapping is left to Mapping to report.
func (d *Decoder) Version(root Node) (ok bool) {
	if !root.IsMapping() {
		return true
	}
	c := root.Value.Content
	for i := 0; i+1 < len(c); i += 2 {
		k := resolve(c[i])
		if k.Kind != yaml.ScalarNode || k.Value != VersionKey {
			continue
		}
		n := Node{Value: resolve(c[i+1]), Path: VersionKey, Line: c[i].Line, id: VersionKey}
		m := versionPattern.FindStringSubmatch(n.Value.Value)
		if n.Value.Kind != yaml.ScalarNode || n.Value.ShortTag() != "!!str" || m == nil {
			d.Errorf(n, "must be %s (the version of the file format), got %s", Version, show(n.Value))
			return true
		}
		if v, _ := strconv.Atoi(m[1]); v > version {
			d.Errorf(n, "this file is faultline %s; this binary reads %s: upgrade faultline", n.Value.Value, Version)
			return false
		}
		return true // duplicates are Mapping's to report
	}
	return true
}

// IsTopology reports whether data holds a topology rather than a scenario:
// its document is a mapping with a services key and no variants key (a
// topology requires services, a scenario variants, and neither accepts the
// other's). Only the parsed top-level keys count, not text that looks like
// one. Data that is not valid YAML is not a topology. It never panics.
func IsTopology(data []byte) (is bool) {
	defer func() {
		if recover() != nil {
			is = false
		}
	}()
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil || len(doc.Content) == 0 {
		return false
	}
	root := resolve(doc.Content[0])
	if root.Kind != yaml.MappingNode {
		return false
	}
	var services, variants bool
	for i := 0; i+1 < len(root.Content); i += 2 {
		switch k := resolve(root.Content[i]); {
		case k.Kind != yaml.ScalarNode:
		case k.Value == "services":
			services = true
		case k.Value == "variants":
			variants = true
		}
	}
	return services && !variants
}
