package topologies

import (
	"reflect"
	"testing"
	"time"
)

// Publish modes and the consumer's redelivery settings: backoff, dead
// letters and idempotency. svc's extra lines start at line 5.
func TestParseEventOptionProblems(t *testing.T) {
	cases := []struct {
		name string
		src  string
		want []problem
	}{
		{"unknown mode", svc("    publish:", "      - {subject: x, mode: sync}"),
			[]problem{{6, "services.a.publish[0].mode", `unknown publish mode "sync" (ack or fire_and_forget)`}}},
		{"mode list", svc("    publish:", "      - subject: x", "        mode: [ack]"), []problem{{7, "services.a.publish[0].mode", "must be a string, got a list"}}},
		{"backoff without max_deliver", consumer("    consume:", "      - subject: x", "        backoff: [1s]"),
			[]problem{{8, "services.a.consume[0].backoff", "needs max_deliver, more than the 1 delays (JetStream requires max_deliver > the number of backoff delays)"}}},
		{"backoff as long as max_deliver", consumer("    consume:", "      - subject: x", "        max_deliver: 2", "        backoff: [1s, 2s]"),
			[]problem{{9, "services.a.consume[0].backoff", "has 2 delays but max_deliver is 2: JetStream requires max_deliver > the number of backoff delays"}}},
		{"backoff longer than max_deliver", consumer("    consume: [{subject: x, max_deliver: 1, backoff: [1s, 2s]}]"),
			[]problem{{6, "services.a.consume[0].backoff", "has 2 delays but max_deliver is 1"}}},
		{"backoff zero", consumer("    consume:", "      - subject: x", "        max_deliver: 5", "        backoff:", "          - 1s", "          - 0s"),
			[]problem{{11, "services.a.consume[0].backoff[1]", "must be positive, got 0s"}}},
		{"backoff negative", consumer("    consume: [{subject: x, max_deliver: 5, backoff: [-1s]}]"),
			[]problem{{6, "services.a.consume[0].backoff[0]", "must be positive, got -1s"}}},
		{"backoff not a duration", consumer("    consume: [{subject: x, max_deliver: 5, backoff: [1s, later]}]"),
			[]problem{{6, "services.a.consume[0].backoff[1]", `"later" is not a duration`}}},
		{"backoff scalar", consumer("    consume: [{subject: x, max_deliver: 5, backoff: 1s}]"),
			[]problem{{6, "services.a.consume[0].backoff", `must be a list, got "1s"`}}},
		{"backoff with negative max_deliver", consumer("    consume: [{subject: x, max_deliver: -1, backoff: [1s]}]"),
			[]problem{{6, "services.a.consume[0].max_deliver", "must not be negative"}}},
		{"dead letter without max_deliver", consumer("    consume:", "      - subject: x", "        dead_letter: true"),
			[]problem{{8, "services.a.consume[0].dead_letter", "a dead letter needs max_deliver"}}},
		{"dead letter with max_deliver 0", consumer("    consume: [{subject: x, max_deliver: 0, dead_letter: true}]"),
			[]problem{{6, "services.a.consume[0].dead_letter", "a dead letter needs max_deliver"}}},
		{"dead letter not a bool", consumer("    consume: [{subject: x, max_deliver: 3, dead_letter: yes}]"),
			[]problem{{6, "services.a.consume[0].dead_letter", `"yes" is not true or false`}}},
		{"idempotent not a bool", consumer("    consume:", "      - subject: x", "        idempotent: 1"),
			[]problem{{8, "services.a.consume[0].idempotent", `"1" is not true or false`}}},
		{"poison one", consumer("    consume: [{subject: x, poison: 1}]"),
			[]problem{{6, "services.a.consume[0].poison", "must be in [0, 1), got 1"}}},
		{"poison negative", consumer("    consume: [{subject: x, poison: -0.1}]"),
			[]problem{{6, "services.a.consume[0].poison", "must be in [0, 1), got -0.1"}}},
		{"ack interval over ack wait", consumer("    consume: [{subject: x, ack_wait: 1s, ack_interval: 1s}]"),
			[]problem{{6, "services.a.consume[0].ack_interval", "must be below ack_wait (1s), got 1s"}}},
		{"ack interval negative", consumer("    consume: [{subject: x, ack_interval: -1ms}]"),
			[]problem{{6, "services.a.consume[0].ack_interval", "must not be negative"}}},
		{"unknown consume key", consumer("    consume: [{subject: x, dlq: true}]"),
			[]problem{{6, "services.a.consume[0].dlq", "unknown key (expected one of: subject, group, concurrency, max_deliver, ack_wait, backoff, dead_letter, idempotent, poison, ack_interval)"}}},
		{"unknown publish key", svc("    publish: [{subject: x, ack: false}]"),
			[]problem{{5, "services.a.publish[0].ack", "unknown key (expected one of: subject, kind, schema, mode, timeout, retries, same_id)"}}},
		{"publish retries negative", svc("    publish: [{subject: x, retries: -1}]"),
			[]problem{{5, "services.a.publish[0].retries", "must not be negative, got -1"}}},
		{"publish timeout negative", svc("    publish: [{subject: x, timeout: -1s}]"),
			[]problem{{5, "services.a.publish[0].timeout", "must not be negative, got -1s"}}},
		{"publish retries fire and forget", svc("    publish: [{subject: x, mode: fire_and_forget, retries: 2}]"),
			[]problem{{5, "services.a.publish[0].retries", "a fire_and_forget publish awaits no ack"}}},
		{"publish retries past the duplicate window", svc("    publish:", "      - subject: x", "        timeout: 1m", "        retries: 2"),
			[]problem{{8, "services.a.publish[0].retries", "3 attempts of 1m0s outlast the stream's duplicate window (2m0s)"}}},
		{"same id not a bool", svc("    publish: [{subject: x, same_id: 1}]"),
			[]problem{{5, "services.a.publish[0].same_id", `"1" is not true or false`}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			top, err := Parse("t.yaml", []byte(c.src))
			if top != nil {
				t.Errorf("Parse returned a topology with an error")
			}
			checkOnly(t, err, c.want...)
		})
	}
}

// consumer is svc for a service a consuming x, published by another
// service p (a consumer of its own events would be a cycle): extra starts
// at line 6, as after svc("    publish: [x]", ...).
func consumer(extra ...string) string {
	return svc(append(append([]string{"    replicas: 1"}, extra...), "  - name: p", "    publish: [x]")...)
}

func TestParseEventOptionDefaults(t *testing.T) {
	top, err := Parse("t.yaml", []byte(svc(
		"    publish:", // 5
		"      - x",
		"      - {subject: y, mode: fire_and_forget}",
		"      - {subject: z, mode: ack}",
		"  - name: b", // 9: a consumer of its own events would be a cycle
		"    consume:",
		"      - x",
		"      - {subject: y, max_deliver: 3}",
		"      - {subject: z, max_deliver: 3, dead_letter: false, idempotent: true, backoff: [100ms, 1s]}",
		"      - {subject: x, group: g, dead_letter: false, backoff: []}",
	)))
	if err != nil {
		t.Fatal(err)
	}
	s := top.Service("a")
	var modes []string
	for _, p := range s.Publish {
		modes = append(modes, p.Mode)
	}
	if want := []string{PublishAck, PublishFireAndForget, PublishAck}; !reflect.DeepEqual(modes, want) {
		t.Errorf("modes = %v, want %v", modes, want)
	}
	base := Consume{Group: "b", Concurrency: 1, AckWait: 30 * time.Second}
	want := []Consume{base, base, base, base}
	want[0].Subject, want[0].Line = "x", 11
	want[1].Subject, want[1].Line, want[1].MaxDeliver, want[1].DeadLetter = "y", 12, 3, true
	want[2].Subject, want[2].Line, want[2].MaxDeliver, want[2].Idempotent = "z", 13, 3, true
	want[2].Backoff = []time.Duration{100 * time.Millisecond, time.Second}
	want[3].Subject, want[3].Line, want[3].Group = "x", 14, "g"
	if got := top.Service("b").Consume; !reflect.DeepEqual(got, want) {
		t.Errorf("consume =\n%+v\nwant\n%+v", got, want)
	}
}

// Publish retries are off by default; when on, a retry keeps the first
// attempt's Nats-Msg-Id unless same_id is false.
func TestParsePublishRetries(t *testing.T) {
	top, err := Parse("t.yaml", []byte(svc(
		"    publish:",
		"      - x",
		"      - {subject: y, timeout: 250ms, retries: 3}",
		"      - {subject: z, timeout: 1s, retries: 1, same_id: false}",
	)))
	if err != nil {
		t.Fatal(err)
	}
	p := top.Service("a").Publish
	got := []Publish{p[0], p[1], p[2]}
	for i := range got {
		got[i].Line, got[i].Subject, got[i].Kind, got[i].Schema, got[i].Mode = 0, "", "", 0, ""
	}
	want := []Publish{{}, {Timeout: 250 * time.Millisecond, Retries: 3}, {Timeout: time.Second, Retries: 1, NewID: true}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("publish retries = %+v, want %+v", got, want)
	}
}
