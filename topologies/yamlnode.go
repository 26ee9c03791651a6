package topologies

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Node is one YAML value being decoded, with the dotted path and the line
// that messages about it carry.
type Node struct {
	// Value is the YAML node with aliases resolved; nil for a value that is
	// absent (see At).
	Value *yaml.Node
	// Path is the dotted path shown in messages, e.g. services.payment.work.
	Path string
	// Line is the line of the value's key, or of the value itself for the
	// document root and for list items.
	Line int
	// id is Path with list items always written by index; it keys
	// Decoder.Lines.
	id string
}

// At returns an absent child of n, for messages about a missing key (such
// as "required"): it has n's line and the path of key under n.
func (n Node) At(key string) Node {
	return Node{Path: join(n.Path, key), Line: n.Line, id: join(n.id, key)}
}

// Scalar returns the value of the scalar key of mapping n, or "" when n is
// not a mapping or the key is absent, null or not a scalar. It reports
// nothing: use it to name list items before decoding them (see ItemPath).
func (n Node) Scalar(key string) string {
	if n.Value == nil || n.Value.Kind != yaml.MappingNode {
		return ""
	}
	c := n.Value.Content
	for i := 0; i+1 < len(c); i += 2 {
		if c[i].Kind == yaml.ScalarNode && c[i].Value == key {
			v := resolve(c[i+1])
			if v.Kind == yaml.ScalarNode && v.ShortTag() != nullTag {
				return v.Value
			}
			return ""
		}
	}
	return ""
}

// IsMapping reports whether n holds a mapping.
func (n Node) IsMapping() bool { return n.Value != nil && n.Value.Kind == yaml.MappingNode }

// IsScalar reports whether n holds a scalar (null included).
func (n Node) IsScalar() bool { return n.Value != nil && n.Value.Kind == yaml.ScalarNode }

// Decoder walks a yaml.Node tree and collects every problem as a
// *FieldError naming its file, line and key. Its methods report a problem
// and return ok false instead of failing, so one pass finds them all. A
// Decoder is not safe for concurrent use. Typical use:
//
//	d := topologies.NewDecoder(file)
//	root, ok := d.Parse(data)
//	if !ok {
//		return d.Err()
//	}
//	m, _ := d.Mapping(root, "rate", "timeout") // unknown keys reported
//	if n, ok := m["rate"]; ok {                // absent keys keep defaults
//		x.Rate, _ = d.Float(n)
//	}
//	return d.Join(x.Validate()) // decode and validation problems, by line
type Decoder struct {
	file   string
	errs   []error
	failed []string
	lines  map[string]int
}

// NewDecoder returns a Decoder whose messages name file.
func NewDecoder(file string) *Decoder {
	return &Decoder{file: file, lines: map[string]int{}}
}

// File returns the file name given to NewDecoder.
func (d *Decoder) File() string { return d.file }

var yamlLine = regexp.MustCompile(`(?s)^yaml: line (\d+): (.*)$`)

// Parse parses data as a single YAML document and returns its root. It
// reports invalid YAML, an empty document and extra documents; ok is false
// when there is nothing to decode.
func (d *Decoder) Parse(data []byte) (root Node, ok bool) {
	defer func() {
		if r := recover(); r != nil { // the YAML library must not take us down
			d.Errorf(Node{Line: 1}, "invalid YAML: %v", r)
			root, ok = Node{}, false
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	err := dec.Decode(&doc)
	if errors.Is(err, io.EOF) {
		d.Errorf(Node{Line: 1}, "empty document")
		return Node{}, false
	}
	if err != nil {
		d.syntax(err, data)
		return Node{}, false
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		d.Errorf(Node{Line: 1}, "empty document")
		return Node{}, false
	}
	v := resolve(doc.Content[0])
	if v.Kind == yaml.ScalarNode && v.ShortTag() == nullTag {
		d.Errorf(Node{Line: max(v.Line, 1)}, "empty document")
		return Node{}, false
	}
	var next yaml.Node
	if err := dec.Decode(&next); err == nil {
		d.Errorf(Node{Line: next.Line}, "only one YAML document is allowed")
	} else if !errors.Is(err, io.EOF) {
		d.syntax(err, data)
	}
	return Node{Value: v, Line: max(v.Line, 1)}, true
}

// parserProblems are the messages of the YAML library's parser (as opposed
// to its scanner); it reports their lines 0-based.
var parserProblems = []string{
	"did not find expected <stream-start>", "did not find expected <document start>",
	"did not find expected node content", "did not find expected '-' indicator",
	"did not find expected key", "did not find expected ',' or ']'",
	"did not find expected ',' or '}'", "found undefined tag handle",
	"found duplicate %YAML directive", "found incompatible YAML document",
	"found duplicate %TAG directive",
}

var anchorProblem = regexp.MustCompile(`^(?:unknown anchor '(.*)' referenced|anchor '(.*)' value contains itself)$`)

// syntax reports a YAML library error, with the line it is about.
func (d *Decoder) syntax(err error, data []byte) {
	line, msg := 0, strings.TrimPrefix(err.Error(), "yaml: ")
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	if slices.Contains(parserProblems, msg) {
		line++
	}
	line = mistakeLine(data, line, msg)
	if m := anchorProblem.FindStringSubmatch(msg); m != nil && line == 0 {
		mark := "*" + m[1]
		if m[1] == "" {
			mark = "&" + m[2]
		}
		if i := bytes.Index(data, []byte(mark)); i >= 0 {
			line = 1 + bytes.Count(data[:i], []byte("\n"))
		}
	}
	d.errs = append(d.errs, &FieldError{File: d.file, Line: line, Msg: "invalid YAML: " + msg, Err: err})
}

// Errorf reports a problem with n.
func (d *Decoder) Errorf(n Node, format string, args ...any) {
	d.errs = append(d.errs, &FieldError{File: d.file, Line: n.Line, Key: n.Path, Msg: fmt.Sprintf(format, args...)})
	if n.Path != "" {
		d.failed = append(d.failed, n.Path)
	}
}

// quiet marks n as failed without a message, for a value whose problems
// were all reported under other keys: what Validate then finds at or under
// n is a consequence, dropped by Join.
func (d *Decoder) quiet(n Node) {
	if n.Path != "" {
		d.failed = append(d.failed, n.Path)
	}
}

// Lines returns the line of every key and list item seen so far, keyed by
// its path with list items written by index (services[1].replicas), so
// Validate can locate values of structs decoded earlier.
func (d *Decoder) Lines() map[string]int { return d.lines }

// Err returns every problem reported so far, joined, or nil.
func (d *Decoder) Err() error { return d.Join(nil) }

// Join returns the problems reported so far followed by those in more
// (typically a Validate result), sorted by line within each file. Problems
// in more whose key is at or under a key that already failed to decode are
// dropped: they are consequences, not news.
func (d *Decoder) Join(more error) error {
	errs := append([]error(nil), d.errs...)
	for _, e := range flatten(more) {
		var fe *FieldError
		if errors.As(e, &fe) && fe.File == d.file && d.covered(fe.Key) {
			continue
		}
		errs = append(errs, e)
	}
	sortByLine(errs)
	return errors.Join(errs...)
}

// sortByLine orders errs by file (in order of first appearance) and then by
// line, keeping the order of equal ones.
func sortByLine(errs []error) {
	rank := map[string]int{}
	key := func(e error) (int, int) {
		var fe *FieldError
		if !errors.As(e, &fe) {
			fe = &FieldError{}
		}
		if _, ok := rank[fe.File]; !ok {
			rank[fe.File] = len(rank)
		}
		return rank[fe.File], fe.Line
	}
	for _, e := range errs {
		key(e)
	}
	sort.SliceStable(errs, func(i, j int) bool {
		fi, li := key(errs[i])
		fj, lj := key(errs[j])
		return fi < fj || fi == fj && li < lj
	})
}

func (d *Decoder) covered(key string) bool {
	for _, p := range d.failed {
		if key == p || strings.HasPrefix(key, p+".") || strings.HasPrefix(key, p+"[") {
			return true
		}
	}
	return false
}

// Mapping returns the entries of mapping n by key. It reports a value that
// is not a mapping, keys that are not scalars, duplicate keys and keys not
// in known. A null value is an empty mapping. ok is false when n is not a
// mapping.
func (d *Decoder) Mapping(n Node, known ...string) (fields map[string]Node, ok bool) {
	_, fields, ok = d.entries(n, func(key string) bool { return slices.Contains(known, key) }, known)
	return fields, ok
}

// Entries is Mapping for a mapping whose keys the file chooses, such as
// names (policies): every key is accepted, and keys lists them in file
// order (duplicates left out).
func (d *Decoder) Entries(n Node) (keys []string, fields map[string]Node, ok bool) {
	return d.entries(n, func(string) bool { return true }, nil)
}

// entries decodes mapping n, reporting keys that accept rejects along with
// the expected ones.
func (d *Decoder) entries(n Node, accept func(string) bool, expected []string) (keys []string, fields map[string]Node, ok bool) {
	fields = map[string]Node{}
	if n.Value == nil || n.IsScalar() && n.Value.ShortTag() == nullTag {
		return nil, fields, true
	}
	if !n.IsMapping() {
		d.Errorf(n, "must be a mapping, got %s", describe(n.Value))
		return nil, fields, false
	}
	c := n.Value.Content
	for i := 0; i+1 < len(c); i += 2 {
		k := resolve(c[i])
		if k.Kind != yaml.ScalarNode {
			d.Errorf(Node{Path: n.Path, Line: k.Line}, "keys must be strings, got %s", describe(k))
			continue
		}
		f := Node{Value: resolve(c[i+1]), Path: join(n.Path, k.Value), Line: c[i].Line, id: join(n.id, k.Value)}
		if prev, dup := fields[k.Value]; dup {
			d.Errorf(f, "duplicate key (first at line %d)", prev.Line)
			continue
		}
		if !accept(k.Value) {
			if hint := Suggest(k.Value, expected); hint != "" {
				d.Errorf(f, "unknown key (expected one of: %s): did you mean %s?", strings.Join(expected, ", "), hint)
			} else {
				d.Errorf(f, "unknown key (expected one of: %s)", strings.Join(expected, ", "))
			}
			continue
		}
		keys = append(keys, k.Value)
		fields[k.Value] = f
		d.lines[f.id] = f.Line
	}
	return keys, fields, true
}

// List returns the items of sequence n, each with path n.Path[i] and its own
// line. A null value is an empty list; anything else is reported.
func (d *Decoder) List(n Node) []Node {
	if n.Value == nil || n.IsScalar() && n.Value.ShortTag() == nullTag {
		return nil
	}
	if n.Value.Kind != yaml.SequenceNode {
		d.Errorf(n, "must be a list, got %s", describe(n.Value))
		return nil
	}
	out := make([]Node, 0, len(n.Value.Content))
	for i, c := range n.Value.Content {
		idx := fmt.Sprintf("[%d]", i)
		item := Node{Value: resolve(c), Path: n.Path + idx, Line: c.Line, id: n.id + idx}
		d.lines[item.id] = item.Line
		out = append(out, item)
	}
	return out
}

// ItemPath names item i of list for messages: list.name when name is a
// valid name (see ValidName), otherwise list[i].
func ItemPath(list string, i int, name string) string {
	if ValidName(name) {
		return list + "." + name
	}
	return fmt.Sprintf("%s[%d]", list, i)
}

var namePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*$`)

// ValidName reports whether s can name a service, group or variant: ASCII
// letters, digits, '-' and '_', starting with a letter or digit.
func ValidName(s string) bool { return len(s) <= 64 && namePattern.MatchString(s) }

// resolve follows aliases to the anchored node (the YAML library rejects
// anchors that contain themselves).
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	return n
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
