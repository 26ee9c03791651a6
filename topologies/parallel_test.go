package topologies

import (
	"errors"
	"testing"
	"time"
)

func TestParseParallel(t *testing.T) {
	top, err := Parse("t.yaml", []byte(doc(
		"entry: front",
		"services:",
		"  - name: front",
		"    parallel: true",
		"    calls: [a, b, {service: c, timeout: 1s}]",
		"  - name: a",
		"    calls: [b, c]",
		"  - name: b",
		"  - name: c",
	)))
	if err != nil {
		t.Fatal(err)
	}
	if front := top.Service("front"); !front.Parallel || len(front.Calls) != 3 {
		t.Errorf("front = %+v, want 3 parallel calls", front)
	}
	if a := top.Service("a"); a.Parallel {
		t.Errorf("a = %+v, want sequential calls (the default)", a)
	}
}

func TestParallelProblems(t *testing.T) {
	cases := []struct {
		name string
		src  string
		want []problem
	}{
		{"one call", svc("    parallel: true", "    calls: [b]", "  - name: b"),
			[]problem{{5, "services.a.parallel", "parallel needs at least 2 calls, got 1"}}},
		{"no calls", svc("    parallel: true"),
			[]problem{{5, "services.a.parallel", "parallel needs at least 2 calls, got 0"}}},
		{"flow mapping", doc("entry: a", "services:", "  - {name: a, calls: [b], parallel: true}", "  - name: b"),
			[]problem{{3, "services.a.parallel", "parallel needs at least 2 calls, got 1"}}},
		{"second service", doc("entry: a", "services:", "  - name: a", "  - name: b", "    calls:", "      - a", "    parallel: true"),
			[]problem{{7, "services.b.parallel", "parallel needs at least 2 calls, got 1"}}},
		// A value that does not decode is reported once, not also as
		// too few calls.
		{"not a boolean", svc("    parallel: yes please", "    calls: [b]", "  - name: b"),
			[]problem{{5, "services.a.parallel", `"yes please" is not true or false`}}},
		{"number", svc("    parallel: 1", "    calls: [b, c]", "  - name: b", "  - name: c"),
			[]problem{{5, "services.a.parallel", `"1" is not true or false`}}},
		{"misspelt", svc("    paralel: true", "    calls: [b, c]", "  - name: b", "  - name: c"),
			[]problem{{5, "services.a.paralel", "unknown key (expected one of: name, replicas, work, error_rate, error_sticky, capacity, calls, parallel, publish, consume)"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte(c.src))
			checkOnly(t, err, c.want...)
		})
	}
}

// The whole message: file, line, key, then what is wrong.
func TestParallelProblemMessage(t *testing.T) {
	_, err := Parse("t.yaml", []byte(svc("    calls: [b]", "    parallel: true", "  - name: b")))
	const want = "t.yaml:6: services.a.parallel: parallel needs at least 2 calls, got 1"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
}

func TestValidateParallelBuiltInCode(t *testing.T) {
	top := &Topology{Entry: "a", Services: []Service{
		{Name: "a", Parallel: true, Calls: []Call{{Service: "b"}}},
		{Name: "b"},
	}}
	top.SetDefaults()
	err := top.Validate()
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Line != 0 || fe.Key != "services.a.parallel" || fe.Msg != "parallel needs at least 2 calls, got 1" {
		t.Fatalf("Validate = %v, want services.a.parallel: parallel needs at least 2 calls", err)
	}
	top.Services[0].Calls = append(top.Services[0].Calls, Call{Service: "b"})
	if err := top.Validate(); err != nil {
		t.Errorf("two parallel calls: %v", err)
	}
}

func TestShippedTailTopologies(t *testing.T) {
	tail := Dist{P50: 2 * time.Millisecond, P99: 50 * time.Millisecond}
	chain, err := ReadFile("tail-chain.yaml")
	if err != nil {
		t.Fatal(err)
	}
	next := map[string]string{"a": "b", "b": "c", "c": ""}
	if chain.Entry != "a" || len(chain.Services) != len(next) {
		t.Fatalf("tail-chain = %+v", chain)
	}
	for _, s := range chain.Services {
		n, ok := next[s.Name]
		if !ok || s.Parallel || s.Work != tail || (n == "") != (len(s.Calls) == 0) || n != "" && (len(s.Calls) != 1 || s.Calls[0].Service != n) {
			t.Errorf("tail-chain service %+v, want work %v calling %q", s, tail, n)
		}
	}

	fan, err := ReadFile("tail-fanout.yaml")
	if err != nil {
		t.Fatal(err)
	}
	front := fan.Service("front")
	if fan.Entry != "front" || front == nil || !front.Parallel || front.Work != (Dist{}) || len(front.Calls) != 5 || len(fan.Services) != 6 {
		t.Fatalf("tail-fanout = %+v, want front calling 5 services in parallel", fan)
	}
	for _, c := range front.Calls {
		if s := fan.Service(c.Service); s == nil || s.Work != tail || len(s.Calls) != 0 {
			t.Errorf("tail-fanout callee %+v, want work %v and no calls", s, tail)
		}
	}
}
