package topologies

import (
	"errors"
	"strings"
	"testing"
)

// TestVersion: the version key is optional, v1 reads, a newer version is
// one problem naming the file, line and key (nothing else of the file is
// decoded), and a malformed value is a problem at its line and key.
func TestVersion(t *testing.T) {
	const body = "entry: a\nservices: [{name: a}]\n"
	for _, data := range []string{body, "faultline: v1\n" + body, body + "faultline: v1\n"} {
		if _, err := Parse("t.yaml", []byte(data)); err != nil {
			t.Errorf("%q: %v", data, err)
		}
	}
	_, err := Parse("t.yaml", []byte("# a comment\nfaultline: v2\nentry: a\nservices: [{name: a, new_key: 1}]\nnew_top: x\n"))
	problems := flatten(err)
	if len(problems) != 1 {
		t.Fatalf("a v2 file: want one problem, got %v", err)
	}
	want := "t.yaml:2: faultline: this file is faultline v2; this binary reads v1: upgrade faultline"
	if got := problems[0].Error(); got != want {
		t.Errorf("a v2 file:\n got %s\nwant %s", got, want)
	}
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("a v2 file: %v does not match ErrInvalid", err)
	}
	for _, v := range []string{"1", "v1.0", "v0", "V1", "\"\"", "~", "[v1]", "{v: 1}", "v01"} {
		_, err := Parse("t.yaml", []byte(body+"faultline: "+v+"\n"))
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Line != 3 || fe.Key != VersionKey || !strings.Contains(fe.Msg, "must be v1") {
			t.Errorf("faultline: %s: want a problem at t.yaml:3 faultline, got %v", v, err)
		}
	}
}

// TestIsTopology: the parsed top-level keys decide, whatever the layout.
func TestIsTopology(t *testing.T) {
	for data, want := range map[string]bool{
		"entry: a\nservices:\n  - name: a\n":                 true,
		"{entry: a, services: [{name: a}]}":                  true, // flow style
		"\"services\": [{name: a}]\nentry: a\n":              true, // quoted key
		"faultline: v1\nservices: []\n":                      true,
		"name: x\nvariants: [{name: a, topology: t.yaml}]\n": false,
		"description: |\n  services:\nvariants: []\n":        false,
		"services: []\nvariants: []\n":                       false, // a scenario with a stray key
		"x: [\nservices: a\n":                                false, // invalid YAML
		"- services\n":                                       false,
		"":                                                   false,
		"a: &a [*a]":                                         false,
	} {
		if got := IsTopology([]byte(data)); got != want {
			t.Errorf("IsTopology(%q) = %v, want %v", data, got, want)
		}
	}
}
