package topologies

import (
	"errors"
	"io/fs"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// doc joins lines into a YAML document, so a case's line numbers can be
// read off its position in the list.
func doc(lines ...string) string { return strings.Join(lines, "\n") + "\n" }

// problem is one message a case expects: at line, about key, containing msg.
type problem struct {
	line int
	key  string
	msg  string
}

// prefix is how a *FieldError in file t.yaml about p begins.
func (p problem) prefix() string {
	s := "t.yaml:"
	if p.line > 0 {
		s += strconv.Itoa(p.line) + ":"
	}
	if p.key != "" {
		s += " " + p.key + ":"
	}
	return s
}

// checkProblems asserts that err holds a *FieldError for each of want, and
// that every part of err matches ErrInvalid.
func checkProblems(t *testing.T, err error, want ...problem) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %v", want)
	}
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("errors.Is(err, ErrInvalid) = false for %v", err)
	}
	leaves := flatten(err)
	for _, e := range leaves {
		var fe *FieldError
		if !errors.As(e, &fe) || !errors.Is(e, ErrInvalid) {
			t.Errorf("problem %q is not a *FieldError matching ErrInvalid", e)
		}
	}
	for _, w := range want {
		found := false
		for _, e := range leaves {
			s := e.Error()
			if strings.HasPrefix(s, w.prefix()+" ") && strings.Contains(s, w.msg) {
				found = true
			}
		}
		if !found {
			t.Errorf("missing problem %q ... %q in:\n%v", w.prefix(), w.msg, err)
		}
	}
}

// checkOnly is checkProblems that also asserts err holds no other problem.
func checkOnly(t *testing.T, err error, want ...problem) {
	t.Helper()
	checkProblems(t, err, want...)
	if n := len(flatten(err)); err != nil && n != len(want) {
		t.Errorf("got %d problems, want %d:\n%v", n, len(want), err)
	}
}

func TestParseDecodeErrors(t *testing.T) {
	cases := []struct {
		name string
		src  string
		want []problem
	}{
		{"empty", "", []problem{{1, "", "empty document"}}},
		{"comments only", "# nothing\n", []problem{{1, "", "empty document"}}},
		{"null root", "~\n", []problem{{1, "", "empty document"}}},
		{"list root", doc("- a", "- b"), []problem{{1, "", "must be a mapping, got a list"}}},
		{"scalar root", "hello\n", []problem{{1, "", "must be a mapping"}}},
		{"unclosed flow list", doc("name: x", "services: [a", "entry: b"), []problem{{2, "", "invalid YAML: did not find expected ',' or ']'"}}},
		{"nested mapping value", doc("name: x", "entry: b: c"), []problem{{2, "", "invalid YAML: mapping values are not allowed"}}},
		{"list in mapping", doc("name: x", "entry: b", "- c"), []problem{{3, "", "invalid YAML: did not find expected key"}}},
		{"tab indent", doc("name: x", "\tentry: b"), []problem{{2, "", "invalid YAML: found a tab"}}},
		{"unknown anchor", doc("name: x", "entry: *b"), []problem{{2, "", "invalid YAML: unknown anchor 'b'"}}},
		{"recursive anchor", doc("name: x", "services: &s [*s]"), []problem{{2, "services[0]", "must be a mapping, got a list"}}},
		{"two documents", doc("name: x", "entry: a", "services: [{name: a}]", "---", "name: y"), []problem{{4, "", "only one YAML document"}}},
		{"unknown top key", doc("name: x", "entyr: a", "entry: a", "services: [{name: a}]"), []problem{{2, "entyr", "unknown key (expected one of: name, description, entry, wire, policies, gateway, discovery, services, state, faultline)"}}},
		{"duplicate key", doc("entry: a", "entry: a", "services: [{name: a}]"), []problem{{2, "entry", "duplicate key (first at line 1)"}}},
		{"name not a string", doc("name: [x]", "entry: a", "services: [{name: a}]"), []problem{{1, "name", "must be a string, got a list"}}},
		{"entry null", doc("entry:", "services: [{name: a}]"), []problem{{1, "entry", "must be a string, got null"}}},
		{"wire scalar", doc("entry: a", "wire: h2c", "services: [{name: a}]"), []problem{{2, "wire", "must be a mapping"}}},
		{"wire unknown key", doc("entry: a", "wire:", "  proto: grpc", "services: [{name: a}]"), []problem{{3, "wire.proto", "unknown key"}}},
		{"services mapping", doc("entry: a", "services:", "  a: {}"), []problem{{2, "services", "must be a list, got a mapping"}}},
		{"service scalar", doc("entry: a", "services:", "  - a"), []problem{{3, "services[0]", "must be a mapping"}}},
		{"unknown service key", doc("entry: a", "services:", "  - name: a", "    replica: 2"), []problem{{4, "services.a.replica", "unknown key"}}},
		{"replicas not int", doc("entry: a", "services:", "  - name: a", "    replicas: two"), []problem{{4, "services.a.replicas", `"two" is not an integer`}}},
		{"replicas float", doc("entry: a", "services:", "  - name: a", "    replicas: 1.5"), []problem{{4, "services.a.replicas", `"1.5" is not an integer`}}},
		{"error rate nan", doc("entry: a", "services:", "  - name: a", "    error_rate: .nan"), []problem{{4, "services.a.error_rate", "not a finite number"}}},
		{"work not duration", doc("entry: a", "services:", "  - name: a", "    work: ten seconds"), []problem{{4, "services.a.work", `"ten seconds" is not a duration (e.g. 20s, 150ms)`}}},
		{"work zero", doc("entry: a", "services:", "  - name: a", "    work: 0s"), []problem{{4, "services.a.work", "must be positive, got 0s"}}},
		{"work p50 negative", doc("entry: a", "services:", "  - name: a", "    work:", "      p50: -1ms"), []problem{{5, "services.a.work.p50", "must be positive, got -1ms"}}},
		{"work p99 only", doc("entry: a", "services:", "  - name: a", "    work: {p99: 5ms}"), []problem{{4, "services.a.work.p50", "required with p99"}}},
		{"work fixed and p50", doc("entry: a", "services:", "  - name: a", "    work:", "      fixed: 1ms", "      p50: 1ms"), []problem{{5, "services.a.work.fixed", "cannot be combined"}}},
		{"work empty", doc("entry: a", "services:", "  - name: a", "    work: {}"), []problem{{4, "services.a.work", "needs p50"}}},
		{"work list", doc("entry: a", "services:", "  - name: a", "    work: [1ms]"), []problem{{4, "services.a.work", "must be a mapping, got a list"}}},
		{"calls not list", doc("entry: a", "services:", "  - name: a", "    calls: b"), []problem{{4, "services.a.calls", "must be a list"}}},
		{"call unknown key", doc("entry: a", "services:", "  - name: a", "    calls:", "      - {service: b, retry: 3}", "  - name: b"), []problem{{5, "services.a.calls[0].retry", "unknown key"}}},
		{"call timeout zero", doc("entry: a", "services:", "  - name: a", "    calls:", "      - {service: b, timeout: 0s}", "  - name: b"), []problem{{5, "services.a.calls[0].timeout", "must be positive, got 0s"}}},
		{"call timeout bad", doc("entry: a", "services:", "  - name: a", "    calls:", "      - service: b", "        timeout: 500", "  - name: b"), []problem{{6, "services.a.calls[0].timeout", `"500" is not a duration`}}},
		{"publish unknown key", doc("entry: a", "services:", "  - name: a", "    publish:", "      - {subject: x, version: 2}"), []problem{{5, "services.a.publish[0].version", "unknown key"}}},
		{"consume ack wait bad", doc("entry: a", "services:", "  - name: a", "    publish: [x]", "    consume:", "      - {subject: x, ack_wait: soon}"), []problem{{6, "services.a.consume[0].ack_wait", `"soon" is not a duration`}}},
		{"non-string key", doc("entry: a", "[x]: 1", "services: [{name: a}]"), []problem{{2, "", "keys must be strings"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			top, err := Parse("t.yaml", []byte(c.src))
			if top != nil {
				t.Errorf("Parse returned a topology with an error")
			}
			checkProblems(t, err, c.want...)
		})
	}
}

// A value that fails to decode is reported once: Validate's complaint about
// the resulting zero value is not news.
func TestParseNoFollowOnProblems(t *testing.T) {
	_, err := Parse("t.yaml", []byte(doc("entry: [a]", "services:", "  - name: a", "  - 7")))
	checkProblems(t, err, problem{1, "entry", "must be a string"}, problem{4, "services[1]", "must be a mapping"})
	if n := len(flatten(err)); n != 2 {
		t.Errorf("got %d problems, want 2:\n%v", n, err)
	}
}

func TestParseDefaultsAndShortForms(t *testing.T) {
	top, err := Parse("dir/mine.yaml", []byte(doc(
		"entry: a",
		"services:",
		"  - name: a",
		"    work: 3ms",
		"    calls: [b, {service: b, timeout: 500ms}]",
		"    publish: [x.y]",
		"  - name: b",
		"    work: {fixed: 2ms}",
		"    consume: [x.y]",
		"  - name: c",
		"    work: {p50: 2ms}",
		"    consume: [{subject: x.y, group: b}]",
	)))
	if err != nil {
		t.Fatal(err)
	}
	if top.Name != "mine" || top.File != "dir/mine.yaml" || top.Wire != (Wire{ProtocolConnect, H2C}) {
		t.Errorf("top = %+v", top)
	}
	a, b, c := top.Service("a"), top.Service("b"), top.Service("c")
	if a.Replicas != 1 || a.Work != (Dist{P50: 3 * time.Millisecond}) || a.Line != 3 {
		t.Errorf("a = %+v", a)
	}
	wantCalls := []Call{{Service: "b", Line: 5}, {Service: "b", Timeout: 500 * time.Millisecond, Line: 5}}
	if !reflect.DeepEqual(a.Calls, wantCalls) {
		t.Errorf("calls = %+v, want %+v", a.Calls, wantCalls)
	}
	if want := []Publish{{Subject: "x.y", Kind: KindDomain, Schema: 1, Mode: PublishAck, Line: 6}}; !reflect.DeepEqual(a.Publish, want) {
		t.Errorf("publish = %+v", a.Publish)
	}
	if want := []Consume{{Subject: "x.y", Group: "b", Concurrency: 1, AckWait: 30 * time.Second, Line: 9}}; !reflect.DeepEqual(b.Consume, want) {
		t.Errorf("consume = %+v", b.Consume)
	}
	if b.Work != (Dist{P50: 2 * time.Millisecond}) || c.Work != (Dist{P50: 2 * time.Millisecond}) || !c.Work.Fixed() {
		t.Errorf("work b = %+v, c = %+v", b.Work, c.Work)
	}
	if got := top.Subscribers(); !reflect.DeepEqual(got, map[string][]string{"x.y": {"b"}}) {
		t.Errorf("Subscribers = %v (b and c share group b)", got)
	}
}

func TestParseAliases(t *testing.T) {
	top, err := Parse("t.yaml", []byte(doc(
		"entry: a",
		"services:",
		"  - name: a",
		"    work: &w {p50: 1ms, p99: 5ms}",
		"  - name: b",
		"    work: *w",
	)))
	if err != nil {
		t.Fatal(err)
	}
	if top.Services[1].Work != top.Services[0].Work {
		t.Errorf("alias not followed: %+v", top.Services)
	}
}

func TestReadFileMissing(t *testing.T) {
	_, err := ReadFile("testdata/nope.yaml")
	if !errors.Is(err, ErrInvalid) || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v, want ErrInvalid and fs.ErrNotExist", err)
	}
	if !strings.HasPrefix(err.Error(), "testdata/nope.yaml: cannot read: ") {
		t.Errorf("err = %q", err)
	}
}

func TestFieldErrorFormat(t *testing.T) {
	for _, c := range []struct {
		e    FieldError
		want string
	}{
		{FieldError{File: "a.yaml", Line: 3, Key: "entry", Msg: "required"}, "a.yaml:3: entry: required"},
		{FieldError{File: "a.yaml", Line: 1, Msg: "empty document"}, "a.yaml:1: empty document"},
		{FieldError{File: "a.yaml", Msg: "cannot read"}, "a.yaml: cannot read"},
		{FieldError{Key: "entry", Msg: "required"}, "entry: required"},
	} {
		if got := c.e.Error(); got != c.want {
			t.Errorf("Error() = %q, want %q", got, c.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"order-sync.yaml", "order-events.yaml", "order-sync-resilient.yaml", "tail-fanout.yaml", "saga-sync.yaml", "saga-events.yaml"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		"", "~", "- a", "entry: a\nservices: [{name: a, calls: [a]}]",
		"entry: a\nservices:\n  - &s {name: a, work: {p50: 1ms, p99: 2ms}}\n  - *s\n",
		"entry: a\nservices: [{name: a, publish: [x], consume: [{subject: x, ack_wait: 1s}]}]",
		"a: &a [*a]", "entry: a\nservices: [{name: a, work: 1ms}]\n---\n",
		"faultline: v1\nentry: a\nservices: [{name: a}]", "faultline: v99999\nx: 1", "{faultline: *x}",
		full,
		"entry: o\nstate: {saga: orchestrated, order: o, payment: p, inventory: o, amount: 0, stock: -1}\nservices: [{name: o, parallel: true, calls: [i, p]}, {name: p, calls: [i]}, {name: i}]",
		"entry: o\nstate: {saga: choreographed, order: o, payment: p, inventory: i, publish: outbox, consumers: idempotent}\nservices: [{name: o, publish: [order.placed]}, {name: p, consume: [order.placed, {subject: order.placed, group: x}]}, {name: i, calls: [p], publish: [payment.charged]}]",
		"entry: a\nstate: ~\nservices: [{name: a}]",
		"entry: a\nservices: [{name: a, calls: [{service: b, policy: p}]}, {name: b}]\npolicies: {p: {timeout: 1s}}",
		"entry: a\nservices: [{name: a, calls: [{service: b, timeout: 1s, policy: {retry: {max_attempts: 2, on: [x, x]}}}]}, {name: b}]",
		"entry: a\npolicies:\n  p: &p {breaker: {failure_ratio: 2}, bulkhead: {}}\n  q: *p\ngateway: {policy: q}\nservices: [{name: a}]",
		"entry: a\npolicies: {p: {retry: {max_attempts: 3, backoff: 2562047h, budget: 0, budget_min: 1}}}\nservices: [{name: a}]",
		"entry: a\ndiscovery: {balancer: p2c, refresh: -1s, outlier: {consecutive_failures: 0}}\nservices: [{name: a}]",
		"entry: a\nservices: [{name: a, publish: [{subject: x, mode: fire_and_forget}], consume: [{subject: x, max_deliver: 2, backoff: [1s, 2s], dead_letter: true, idempotent: true}]}]",
		"entry: a\nservices: [{name: a, parallel: true, calls: [b, {service: c, timeout: 1s}]}, {name: b, parallel: false}, {name: c, parallel: true, calls: [b]}]",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		top, err := Parse("f.yaml", data)
		if err != nil {
			if top != nil {
				t.Fatal("topology returned with an error")
			}
			for _, e := range flatten(err) {
				var fe *FieldError
				if !errors.As(e, &fe) || fe.File != "f.yaml" || !errors.Is(e, ErrInvalid) {
					t.Fatalf("bad problem %#v", e)
				}
			}
			return
		}
		if err := top.Validate(); err != nil {
			t.Fatalf("Parse accepted a topology that Validate rejects: %v", err)
		}
	})
}
