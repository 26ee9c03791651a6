package topologies

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Defaults applied to keys a topology file leaves out (and by SetDefaults to
// zero values).
const (
	DefaultReplicas    = 1
	DefaultKind        = KindDomain
	DefaultSchema      = 1
	DefaultConcurrency = 1
	DefaultAckWait     = 30 * time.Second
	DefaultPublishMode = PublishAck
)

var (
	topologyKeys = []string{"name", "description", "entry", "wire", "policies", "gateway", "discovery", "services", "state", VersionKey}
	wireKeys     = []string{"protocol", "http"}
	serviceKeys  = []string{"name", "replicas", "work", "error_rate", "error_sticky", "capacity", "calls", "parallel", "publish", "consume"}
	workKeys     = []string{"p50", "p99", "fixed"}
	callKeys     = []string{"service", "timeout", "policy"}
	publishKeys  = []string{"subject", "kind", "schema", "mode", "timeout", "retries", "same_id"}
	consumeKeys  = []string{"subject", "group", "concurrency", "max_deliver", "ack_wait", "backoff", "dead_letter", "idempotent", "poison", "ack_interval"}
)

// ReadFile reads, decodes and validates the topology in the file at path.
// The error joins every problem found, each a *FieldError naming path, line
// and key; all of them match ErrInvalid, and an unreadable file also matches
// its cause (e.g. fs.ErrNotExist).
func ReadFile(path string) (*Topology, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &FieldError{File: path, Msg: "cannot read: " + cause(err), Err: err}
	}
	return Parse(path, data)
}

// Parse decodes and validates a topology from data; file names it in
// messages and gives the default Name. Keys left out get their defaults
// (see the Default constants); keys set to a bad value are reported. It
// never panics, whatever data holds.
func Parse(file string, data []byte) (*Topology, error) {
	d := NewDecoder(file)
	root, ok := d.Parse(data)
	if !ok || !d.Version(root) {
		return nil, d.Err()
	}
	t := &Topology{
		File:      file,
		Name:      baseName(file),
		Wire:      Wire{Protocol: ProtocolConnect, HTTP: H2C},
		Discovery: Discovery{Balancer: DefaultBalancer},
	}
	m, ok := d.Mapping(root, topologyKeys...)
	if !ok {
		return nil, d.Err()
	}
	setString(d, m, "name", &t.Name)
	setString(d, m, "description", &t.Description)
	setString(d, m, "entry", &t.Entry)
	if w, ok := d.Mapping(m["wire"], wireKeys...); ok {
		setString(d, w, "protocol", &t.Wire.Protocol)
		setString(d, w, "http", &t.Wire.HTTP)
	}
	// Policies first: calls and the gateway refer to them by name.
	ps := decodePolicies(d, m["policies"])
	t.Policies = ps.byName
	if g, ok := m["gateway"]; ok {
		t.Gateway = decodeGateway(d, g, ps)
	}
	if ds, ok := m["discovery"]; ok {
		t.Discovery = decodeDiscovery(d, ds)
	}
	for i, n := range d.List(m["services"]) {
		n.Path = ItemPath("services", i, n.Scalar("name"))
		t.Services = append(t.Services, decodeService(d, n, ps))
	}
	if st, ok := m["state"]; ok {
		t.State = decodeState(d, st)
	}
	t.lines = d.Lines()
	t.lines[""] = root.Line
	if err := d.Join(t.Validate()); err != nil {
		return nil, err
	}
	return t, nil
}

func decodeService(d *Decoder, n Node, ps policySet) Service {
	s := Service{Replicas: DefaultReplicas, Line: n.Line}
	m, ok := d.Mapping(n, serviceKeys...)
	if !ok {
		return s
	}
	setString(d, m, "name", &s.Name)
	Set(d.Int, m, "replicas", &s.Replicas)
	Set(d.Float, m, "error_rate", &s.ErrorRate)
	Set(d.Bool, m, "error_sticky", &s.ErrorSticky)
	Set(d.Int, m, "capacity", &s.Capacity)
	if w, ok := m["work"]; ok {
		s.Work = decodeWork(d, w)
	}
	for _, c := range d.List(m["calls"]) {
		s.Calls = append(s.Calls, decodeCall(d, c, ps))
	}
	Set(d.Bool, m, "parallel", &s.Parallel)
	for _, p := range d.List(m["publish"]) {
		s.Publish = append(s.Publish, decodePublish(d, p))
	}
	for _, c := range d.List(m["consume"]) {
		s.Consume = append(s.Consume, decodeConsume(d, c, s.Name))
	}
	return s
}

// decodeWork accepts `3ms` or {fixed: 3ms} (fixed) and {p50, p99}
// (lognormal; fixed when p99 is left out).
func decodeWork(d *Decoder, n Node) Dist {
	if n.IsScalar() {
		v, _ := d.PositiveDuration(n)
		return Dist{P50: v}
	}
	m, ok := d.Mapping(n, workKeys...)
	if !ok {
		return Dist{}
	}
	var w Dist
	p50, has50 := m["p50"]
	p99, has99 := m["p99"]
	if f, ok := m["fixed"]; ok {
		if has50 || has99 {
			d.Errorf(f, "cannot be combined with p50 or p99")
			return Dist{}
		}
		w.P50, _ = d.PositiveDuration(f)
		return w
	}
	switch {
	case has50:
		w.P50, _ = d.PositiveDuration(p50)
	case has99:
		d.Errorf(n.At("p50"), "required with p99")
	default:
		d.Errorf(n, "needs p50 (and optionally p99) or fixed")
	}
	if has99 {
		w.P99, _ = d.PositiveDuration(p99)
	}
	return w
}

// decodeCall accepts `service`, {service, timeout} and {service, policy};
// with a policy, Timeout mirrors the policy's timeout.
func decodeCall(d *Decoder, n Node, ps policySet) Call {
	c := Call{Line: n.Line}
	if n.IsScalar() {
		c.Service, _ = d.String(n)
		return c
	}
	m, _ := d.Mapping(n, callKeys...)
	setString(d, m, "service", &c.Service)
	timeout, hasTimeout := m["timeout"]
	if f, ok := m["policy"]; ok {
		if hasTimeout {
			d.Errorf(timeout, "cannot be combined with policy: set the timeout in one place, the policy's timeout")
		}
		if c.Policy = ps.ref(d, f); c.Policy != nil {
			c.Timeout = c.Policy.Timeout
		}
		return c
	}
	if hasTimeout {
		c.Timeout, _ = d.PositiveDuration(timeout)
	}
	return c
}

func decodePublish(d *Decoder, n Node) Publish {
	p := Publish{Kind: DefaultKind, Schema: DefaultSchema, Mode: DefaultPublishMode, Line: n.Line}
	if n.IsScalar() {
		p.Subject, _ = d.String(n)
		return p
	}
	m, _ := d.Mapping(n, publishKeys...)
	setString(d, m, "subject", &p.Subject)
	setString(d, m, "kind", &p.Kind)
	Set(d.Int, m, "schema", &p.Schema)
	setString(d, m, "mode", &p.Mode)
	Set(d.Duration, m, "timeout", &p.Timeout)
	Set(d.Int, m, "retries", &p.Retries)
	sameID := true
	Set(d.Bool, m, "same_id", &sameID)
	p.NewID = !sameID
	return p
}

func decodeConsume(d *Decoder, n Node, service string) Consume {
	c := Consume{Group: service, Concurrency: DefaultConcurrency, AckWait: DefaultAckWait, Line: n.Line}
	if n.IsScalar() {
		c.Subject, _ = d.String(n)
		return c
	}
	m, _ := d.Mapping(n, consumeKeys...)
	setString(d, m, "subject", &c.Subject)
	setString(d, m, "group", &c.Group)
	Set(d.Int, m, "concurrency", &c.Concurrency)
	Set(d.Int, m, "max_deliver", &c.MaxDeliver)
	Set(d.Duration, m, "ack_wait", &c.AckWait)
	for _, item := range d.List(m["backoff"]) {
		delay, _ := d.PositiveDuration(item) // 0 when it fails: Validate's complaint is then dropped
		c.Backoff = append(c.Backoff, delay)
	}
	c.DeadLetter = c.MaxDeliver > 0
	Set(d.Bool, m, "dead_letter", &c.DeadLetter)
	Set(d.Bool, m, "idempotent", &c.Idempotent)
	Set(d.Float, m, "poison", &c.Poison)
	Set(d.Duration, m, "ack_interval", &c.AckInterval)
	return c
}

// setRequired is set for a key mapping n must have: when it is absent, the
// problem says what the key is for.
func setRequired[T any](d *Decoder, get func(Node) (T, bool), n Node, m map[string]Node, key string, dst *T, what string) {
	if _, ok := m[key]; !ok {
		d.Errorf(n.At(key), "required: %s", what)
		return
	}
	Set(get, m, key, dst)
}

// Set stores the value of key in dst when the key is present and decodes;
// otherwise dst keeps its default.
func Set[T any](get func(Node) (T, bool), m map[string]Node, key string, dst *T) {
	if n, ok := m[key]; ok {
		if v, ok := get(n); ok {
			*dst = v
		}
	}
}

func setString(d *Decoder, m map[string]Node, key string, dst *string) {
	Set(d.String, m, key, dst)
}

// SetDefaults fills zero values with their defaults, for topologies built in
// code: wire connect/h2c, balancer round robin, replicas 1, event kind
// domain, schema 1, publish mode ack, consumer group the service's name,
// concurrency 1, ack wait 30s; in every policy (named, inline and the
// gateway's) a retry's max backoff (10 × backoff) and codes retried, and a
// breaker's every setting; a call's Timeout mirrors its policy's. Zero
// values that are valid choices are kept, so code says them explicitly: a
// retry's BudgetMin (decoding defaults it to 3 with a budget) and a
// consumer's DeadLetter (decoding defaults it to MaxDeliver > 0). In a
// state block: publish dual_write, consumers at_least_once, amount 10 and
// items 100; its Balance and Stock are kept, since 0 is a valid choice
// (decoding defaults them to DefaultBalance and DefaultStock). Decoding
// applies defaults only to keys left out, so an explicit zero is still
// reported.
func (t *Topology) SetDefaults() {
	if t.Wire.Protocol == "" {
		t.Wire.Protocol = ProtocolConnect
	}
	if t.Wire.HTTP == "" {
		t.Wire.HTTP = H2C
	}
	if t.Discovery.Balancer == "" {
		t.Discovery.Balancer = DefaultBalancer
	}
	for _, p := range t.Policies {
		if p != nil {
			p.setDefaults()
		}
	}
	if p := t.Gateway.Policy; p != nil {
		p.setDefaults()
	}
	if t.State != nil {
		t.State.setDefaults()
	}
	for i := range t.Services {
		s := &t.Services[i]
		if s.Replicas == 0 {
			s.Replicas = DefaultReplicas
		}
		for j := range s.Calls {
			c := &s.Calls[j]
			if c.Policy != nil {
				c.Policy.setDefaults()
				if c.Timeout == 0 {
					c.Timeout = c.Policy.Timeout
				}
			}
		}
		for j := range s.Publish {
			p := &s.Publish[j]
			if p.Kind == "" {
				p.Kind = DefaultKind
			}
			if p.Schema == 0 {
				p.Schema = DefaultSchema
			}
			if p.Mode == "" {
				p.Mode = DefaultPublishMode
			}
		}
		for j := range s.Consume {
			c := &s.Consume[j]
			if c.Group == "" {
				c.Group = s.Name
			}
			if c.Concurrency == 0 {
				c.Concurrency = DefaultConcurrency
			}
			if c.AckWait == 0 {
				c.AckWait = DefaultAckWait
			}
		}
	}
}

// baseName is the file's base name without its extension.
func baseName(file string) string {
	if file == "" {
		return ""
	}
	b := filepath.Base(file)
	return strings.TrimSuffix(b, filepath.Ext(b))
}

// cause is the reason inside an *fs.PathError (e.g. "no such file or
// directory"), or err's message.
func cause(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
