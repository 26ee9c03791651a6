package topologies

import (
	"bytes"
	"errors"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Bounds of mistakeLine's search (one parse per line, each of the lines
// before it), past which it keeps the library's line.
const (
	mistakeMaxBytes = 64 << 10
	mistakeMaxLines = 1000
)

// mistakeLine returns the line of the mistake behind a YAML syntax error
// the library reported as msg at line. The library names the line where
// the enclosing construct starts (a block sequence, a plain scalar before
// a tab) or, for an unclosed quote, the end of the file. The mistake is on
// the line after the last one where the document, cut after that line,
// does not fail with the same message: from there on every cut fails the
// same way. (A cut inside a flow map or a quoted scalar that a later line
// closes fails too, but with another message, or not after the close.) It
// returns line when the file is too large to search or no cut fits.
func mistakeLine(data []byte, line int, msg string) int {
	if line <= 0 || len(data) > mistakeMaxBytes || bytes.Count(data, []byte("\n")) > mistakeMaxLines {
		return line
	}
	found, end := 0, 0 // data[:end] holds lines 1..n
	for n := 1; end < len(data); n++ {
		if i := bytes.IndexByte(data[end:], '\n'); i >= 0 {
			end += i + 1
		} else {
			end = len(data)
		}
		switch {
		case syntaxMessage(data[:end]) != msg:
			found = 0
		case found == 0:
			found = n
		}
	}
	if found == 0 {
		return line
	}
	return found
}

// syntaxMessage returns the message (without "yaml: line N: ") of the
// first error decoding every document in data, or "".
func syntaxMessage(data []byte) (msg string) {
	defer func() {
		if recover() != nil {
			msg = ""
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for range 8 {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return ""
		}
		if err != nil {
			m := strings.TrimPrefix(err.Error(), "yaml: ")
			if s := yamlLine.FindStringSubmatch(err.Error()); s != nil {
				m = s[2]
			}
			return m
		}
	}
	return ""
}
