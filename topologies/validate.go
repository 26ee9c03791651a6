package topologies

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// reservedNames name parts of the world that faults and reports refer to
// next to services.
var reservedNames = []string{"broker", "gateway", "client"}

// Validate returns every problem in t joined, each a *FieldError naming the
// file, line and key (lines are known for topologies read by ReadFile or
// Parse). It expects defaults to be applied already (see SetDefaults) and
// checks names, references to services and policies, cycles in synchronous
// calls and through events, parallel calls (at least 2), replicas,
// capacities, error rates, durations, events and subjects, resilience
// policies, discovery, publish modes and redelivery, and a state block's
// roles, saga and the calls or events it runs on. It does not modify t.
func (t *Topology) Validate() error {
	v := &validator{t: t}
	if t.Wire.Protocol != ProtocolConnect && t.Wire.Protocol != ProtocolGRPC {
		v.fail(v.line(0, "wire.protocol", "wire"), "wire.protocol", "unknown protocol %q (connect or grpc)", t.Wire.Protocol)
	}
	if t.Wire.HTTP != HTTP1 && t.Wire.HTTP != H2C {
		v.fail(v.line(0, "wire.http", "wire"), "wire.http", "unknown HTTP version %q (http1 or h2c)", t.Wire.HTTP)
	}
	if t.Wire.Protocol == ProtocolGRPC && t.Wire.HTTP == HTTP1 {
		v.fail(v.line(0, "wire.http", "wire"), "wire.http", "the grpc protocol needs HTTP/2: use http: h2c")
	}
	v.policies()
	v.discovery()
	if len(t.Services) == 0 {
		v.fail(v.line(0, "services"), "services", "at least one service is required")
	}
	first := map[string]int{} // service name -> index of its first declaration
	for i := range t.Services {
		s := &t.Services[i]
		if _, dup := first[s.Name]; !dup && s.Name != "" {
			first[s.Name] = i
		}
	}
	published := map[string]bool{}
	for _, s := range t.Subjects() {
		published[s] = true
	}
	for i := range t.Services {
		v.service(i, first, published)
	}
	switch {
	case t.Entry == "":
		v.fail(v.line(0), "entry", "required: the service client requests go to")
	case t.Service(t.Entry) == nil:
		v.fail(v.line(0, "entry"), "entry", "unknown service %q", t.Entry)
	}
	v.cycles(first)
	v.eventCycles(first)
	v.state(first)
	return errors.Join(v.errs...)
}

type validator struct {
	t    *Topology
	errs []error
}

// line returns the line of the first of ids the decoder saw, else fallback,
// else the document's first line.
func (v *validator) line(fallback int, ids ...string) int {
	for _, id := range ids {
		if l := v.t.lines[id]; l > 0 {
			return l
		}
	}
	if fallback > 0 {
		return fallback
	}
	return v.t.lines[""]
}

func (v *validator) fail(line int, path, format string, args ...any) {
	v.errs = append(v.errs, &FieldError{File: v.t.File, Line: line, Key: path, Msg: fmt.Sprintf(format, args...)})
}

func (v *validator) service(i int, first map[string]int, published map[string]bool) {
	s := &v.t.Services[i]
	id, p := fmt.Sprintf("services[%d]", i), ItemPath("services", i, s.Name)
	at := func(key string) int { return v.line(s.Line, id+"."+key, id) }
	switch {
	case s.Name == "":
		v.fail(at("name"), p+".name", "required")
	case !ValidName(s.Name):
		v.fail(at("name"), p+".name", "%q is not a valid name (letters, digits, '-' and '_')", s.Name)
	case slices.Contains(reservedNames, s.Name):
		v.fail(at("name"), p+".name", "%q is reserved (%s)", s.Name, strings.Join(reservedNames, ", "))
	case first[s.Name] != i:
		v.fail(at("name"), p+".name", "duplicate service name %q (first at line %d)", s.Name, v.t.Services[first[s.Name]].Line)
	}
	if s.Replicas < 1 {
		v.fail(at("replicas"), p+".replicas", "must be at least 1, got %d", s.Replicas)
	}
	if s.Capacity < 0 {
		v.fail(at("capacity"), p+".capacity", "must not be negative (0 means unlimited), got %d", s.Capacity)
	}
	if !(s.ErrorRate >= 0 && s.ErrorRate < 1) {
		v.fail(at("error_rate"), p+".error_rate", "must be in [0, 1), got %v", s.ErrorRate)
	}
	if s.ErrorSticky && s.ErrorRate == 0 {
		v.fail(at("error_sticky"), p+".error_sticky", "needs an error_rate above 0")
	}
	v.work(s.Work, p+".work", func(key string) int { return v.line(s.Line, id+".work."+key, id+".work", id) })
	if s.Parallel && len(s.Calls) < 2 {
		v.fail(at("parallel"), p+".parallel", "parallel needs at least 2 calls, got %d", len(s.Calls))
	}
	for j, c := range s.Calls {
		cid, cp := fmt.Sprintf("%s.calls[%d]", id, j), fmt.Sprintf("%s.calls[%d]", p, j)
		cat := func(key string) int { return v.line(c.Line, cid+"."+key, cid) }
		switch {
		case c.Service == "":
			v.fail(cat("service"), cp+".service", "required")
		case v.t.Service(c.Service) == nil:
			v.fail(cat("service"), cp+".service", "unknown service %q", c.Service)
		}
		switch {
		case c.Policy == nil && c.Timeout < 0:
			v.fail(cat("timeout"), cp+".timeout", "must be positive, got %s", c.Timeout)
		case c.Policy != nil: // Timeout mirrors the policy's, checked with the policy
			if c.Timeout != c.Policy.Timeout {
				v.fail(cat("timeout"), cp+".timeout", "is %s but the policy's timeout is %s: set the timeout in one place, the policy's timeout", c.Timeout, c.Policy.Timeout)
			}
			v.edgePolicy(c.Policy, cid+".policy", cp+".policy", cat("policy"))
		}
	}
	for j, pub := range s.Publish {
		pid, pp := fmt.Sprintf("%s.publish[%d]", id, j), fmt.Sprintf("%s.publish[%d]", p, j)
		pat := func(key string) int { return v.line(pub.Line, pid+"."+key, pid) }
		if msg := subjectProblem(pub.Subject); msg != "" {
			v.fail(pat("subject"), pp+".subject", "%s", msg)
		}
		if pub.Kind != KindDomain && pub.Kind != KindIntegration && pub.Kind != KindNotification {
			v.fail(pat("kind"), pp+".kind", "unknown event kind %q (domain, integration or notification)", pub.Kind)
		}
		if pub.Schema < 1 {
			v.fail(pat("schema"), pp+".schema", "must be at least 1, got %d", pub.Schema)
		}
		if pub.Mode != PublishAck && pub.Mode != PublishFireAndForget {
			v.fail(pat("mode"), pp+".mode", "unknown publish mode %q (%s or %s)", pub.Mode, PublishAck, PublishFireAndForget)
		}
		if pub.Timeout < 0 {
			v.fail(pat("timeout"), pp+".timeout", "must not be negative, got %s", pub.Timeout)
		}
		if pub.Retries < 0 {
			v.fail(pat("retries"), pp+".retries", "must not be negative, got %d", pub.Retries)
		}
		if pub.Mode == PublishFireAndForget && (pub.Retries > 0 || pub.Timeout > 0) {
			v.fail(pat("retries"), pp+".retries", "a fire_and_forget publish awaits no ack: retries and timeout need mode %s", PublishAck)
		}
		if pub.Retries > 0 && pub.Timeout > 0 && int64(pub.Retries) >= int64(DuplicateWindow/pub.Timeout) { // (retries+1)·timeout > window, without overflow
			v.fail(pat("retries"), pp+".retries", "%d attempts of %s outlast the stream's duplicate window (%s): a late retry would be stored twice", pub.Retries+1, pub.Timeout, DuplicateWindow)
		}
	}
	groups := map[string]int{} // subject+" "+group -> line of first consume
	for j, c := range s.Consume {
		cid, cp := fmt.Sprintf("%s.consume[%d]", id, j), fmt.Sprintf("%s.consume[%d]", p, j)
		cat := func(key string) int { return v.line(c.Line, cid+"."+key, cid) }
		if msg := subjectProblem(c.Subject); msg != "" {
			v.fail(cat("subject"), cp+".subject", "%s", msg)
		} else if !published[c.Subject] {
			v.fail(cat("subject"), cp+".subject", "no service publishes %q", c.Subject)
		}
		if c.Group != s.Name && c.Group != "" && !ValidName(c.Group) {
			v.fail(cat("group"), cp+".group", "%q is not a valid group name (letters, digits, '-' and '_')", c.Group)
		}
		g := c.Group
		if g == "" {
			g = s.Name
		}
		k := c.Subject + " " + g
		if l, dup := groups[k]; dup {
			v.fail(cat("subject"), cp+".subject", "%q is already consumed by this service in the same group (line %d)", c.Subject, l)
		} else {
			groups[k] = cat("subject")
		}
		if c.Concurrency < 1 {
			v.fail(cat("concurrency"), cp+".concurrency", "must be at least 1, got %d", c.Concurrency)
		}
		switch {
		case c.AckInterval < 0:
			v.fail(cat("ack_interval"), cp+".ack_interval", "must not be negative, got %s", c.AckInterval)
		case c.AckInterval > 0 && c.AckInterval >= c.AckWait:
			v.fail(cat("ack_interval"), cp+".ack_interval", "must be below ack_wait (%s), got %s: the broker would redeliver every batch", c.AckWait, c.AckInterval)
		}
		if !(c.Poison >= 0 && c.Poison < 1) {
			v.fail(cat("poison"), cp+".poison", "must be in [0, 1), got %v", c.Poison)
		}
		if c.MaxDeliver < 0 {
			v.fail(cat("max_deliver"), cp+".max_deliver", "must not be negative (0 means unlimited), got %d", c.MaxDeliver)
		}
		if c.AckWait <= 0 {
			v.fail(cat("ack_wait"), cp+".ack_wait", "must be positive, got %s", c.AckWait)
		}
		v.redelivery(c, cid, cp)
	}
}

// redelivery checks a consumer's redelivery delays and dead letter against
// its max_deliver; cid locates the consumer in the decoder's lines, cp
// names it in messages.
func (v *validator) redelivery(c Consume, cid, cp string) {
	at := func(key string) int { return v.line(c.Line, cid+"."+key, cid) }
	for k, delay := range c.Backoff {
		if delay <= 0 {
			item := fmt.Sprintf(".backoff[%d]", k)
			v.fail(v.line(c.Line, cid+item, cid+".backoff", cid), cp+item, "must be positive, got %s", delay)
		}
	}
	switch {
	case c.MaxDeliver < 0: // reported already
	case len(c.Backoff) > 0 && c.MaxDeliver == 0:
		v.fail(at("backoff"), cp+".backoff", "needs max_deliver, more than the %d delays (JetStream requires max_deliver > the number of backoff delays)", len(c.Backoff))
	case len(c.Backoff) >= c.MaxDeliver && c.MaxDeliver > 0:
		v.fail(at("backoff"), cp+".backoff", "has %d delays but max_deliver is %d: JetStream requires max_deliver > the number of backoff delays", len(c.Backoff), c.MaxDeliver)
	}
	if c.DeadLetter && c.MaxDeliver == 0 {
		v.fail(at("dead_letter"), cp+".dead_letter", "a dead letter needs max_deliver: without it, an event is redelivered until it succeeds")
	}
}

// work checks a work-time distribution; a zero Dist (no work) is valid.
func (v *validator) work(w Dist, p string, at func(key string) int) {
	if w.P50 < 0 || w.P50 == 0 && w.P99 != 0 {
		v.fail(at("p50"), p+".p50", "must be positive, got %s", w.P50)
	}
	if w.P99 < 0 {
		v.fail(at("p99"), p+".p99", "must be positive, got %s", w.P99)
	}
	if w.P50 > 0 && w.P99 > 0 && w.P99 < w.P50 {
		v.fail(at("p99"), p+".p99", "must be at least p50 (%s), got %s", w.P50, w.P99)
	}
}

// cycles reports every cycle of synchronous calls once, at the call that
// closes it, e.g. "order -> payment -> order".
func (v *validator) cycles(first map[string]int) {
	const (
		unvisited = iota
		onStack
		done
	)
	state := make([]int, len(v.t.Services))
	var stack []int
	var visit func(i int)
	visit = func(i int) {
		state[i] = onStack
		stack = append(stack, i)
		s := &v.t.Services[i]
		for j, c := range s.Calls {
			k, ok := first[c.Service]
			if !ok {
				continue // unknown service: reported already
			}
			switch state[k] {
			case unvisited:
				visit(k)
			case onStack:
				var names []string
				for pos := len(stack) - 1; pos >= 0; pos-- {
					if stack[pos] == k {
						for _, n := range stack[pos:] {
							names = append(names, v.t.Services[n].Name)
						}
						break
					}
				}
				id := fmt.Sprintf("services[%d].calls[%d]", i, j)
				v.fail(v.line(c.Line, id+".service", id), fmt.Sprintf("%s.calls[%d].service", ItemPath("services", i, s.Name), j),
					"cycle of synchronous calls: %s -> %s", strings.Join(names, " -> "), c.Service)
			}
		}
		stack = stack[:len(stack)-1]
		state[i] = done
	}
	for i := range v.t.Services {
		if k, ok := first[v.t.Services[i].Name]; ok && k == i && state[i] == unvisited {
			visit(i)
		}
	}
}

// subjectProblem says what is wrong with a subject to publish or consume,
// or returns "".
func subjectProblem(s string) string {
	switch {
	case s == "":
		return "required"
	case strings.IndexFunc(s, unicode.IsSpace) >= 0:
		return fmt.Sprintf("%q must not contain spaces", s)
	case strings.ContainsAny(s, "*>"):
		return fmt.Sprintf("%q must not contain wildcards (* or >)", s)
	case strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0:
		return fmt.Sprintf("%q must contain only printable characters", s)
	case strings.HasPrefix(s, "$"):
		return fmt.Sprintf("%q must not start with $ (reserved by NATS)", s)
	case strings.HasPrefix(s, ".") || strings.HasSuffix(s, ".") || strings.Contains(s, ".."):
		return fmt.Sprintf("%q must not have empty tokens", s)
	}
	return ""
}
