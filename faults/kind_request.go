package faults

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/topologies"
	sg "github.com/faultline-sim/faultline/topologies/schemagen"
)

func init() { Register("request", func() Kind { return &Request{} }) }

// Request answers a share of a service's handlings with a code or a delay,
// on the callee side: its RPC requests (a Connect interceptor) and its
// event deliveries alike (a failed delivery is nakked and redelivered as
// its consumer is configured).
type Request struct {
	Service Endpoint
	// Method, when set, restricts the fault to handlings of that name: an
	// RPC method name (e.g. "Handle") for requests, the subject (e.g.
	// "orders.placed") for event deliveries. So "Handle" spares the
	// service's consumers and a subject spares its RPCs.
	Method string
	// Header, when set, restricts it to handlings carrying this header
	// ("Name: value"): the request's header, or the NATS message header of
	// an event (looked up as written, then in canonical form).
	Header string
	// Share of matching handlings affected, in (0, 1]; default 1. Each
	// attempt of a call (retry, hedge) and each redelivery of an event draws
	// afresh from (seed, service, operation, hop, attempt), unless Sticky.
	Share float64
	// Sticky makes the share follow the operation: drawn from (seed,
	// service, operation) alone, every attempt and every delivery of an
	// affected operation is hit ("this order always fails"). Default false.
	Sticky bool
	// Code answers the request with a Connect code: unavailable,
	// resource_exhausted, internal or deadline_exceeded. Empty with Delay
	// set means: only delay.
	Code string
	// Delay is added before the request or delivery is handled (or failed
	// with Code).
	Delay time.Duration
}

var (
	requestKeys = []string{"service", "share", "sticky", "code", "method", "header", "delay"}
	// RequestCodes are the codes a request fault may answer with.
	RequestCodes = []string{"unavailable", "resource_exhausted", "internal", "deadline_exceeded"}
	// methodName is a request fault's method: an RPC method name (Handle)
	// or a consumed subject (orders.placed), which it stands for on events.
	methodName = regexp.MustCompile(`^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$`)
	headerName = regexp.MustCompile("^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")
)

func (*Request) Key() string { return "request" }

func (r *Request) Name() string {
	what := r.Code
	if what == "" {
		what = "delay " + r.Delay.String()
	}
	return fmt.Sprintf("request %s %s", r.Service, what)
}

func (*Request) Traits() Traits { return Traits{} }

func (r *Request) Decode(d *topologies.Decoder, n topologies.Node) bool {
	m, _ := d.Mapping(n, requestKeys...)
	r.Share = 1
	topologies.Set(endpoint(d), m, "service", &r.Service)
	topologies.Set(d.Float, m, "share", &r.Share)
	topologies.Set(boolean(d), m, "sticky", &r.Sticky)
	topologies.Set(d.String, m, "code", &r.Code)
	topologies.Set(d.String, m, "method", &r.Method)
	topologies.Set(d.String, m, "header", &r.Header)
	topologies.Set(d.Duration, m, "delay", &r.Delay)
	return true
}

func (r *Request) Check(c Checker) {
	checkEndpoint(c, "request.service", r.Service, RoleService)
	if !(r.Share > 0 && r.Share <= 1) {
		c.Fail("request.share", "must be in (0, 1], got %v", r.Share)
	}
	switch {
	case r.Code != "" && !slices.Contains(RequestCodes, r.Code):
		c.Fail("request.code", "unknown code %q (%s)", r.Code, strings.Join(RequestCodes, ", "))
	case r.Code == "" && r.Delay == 0:
		c.Fail("request", "needs a code, a delay or both")
	}
	if r.Delay < 0 {
		c.Fail("request.delay", "must not be negative, got %s", r.Delay)
	}
	if r.Method != "" && !methodName.MatchString(r.Method) {
		c.Fail("request.method", "%q is not an RPC method name (e.g. Handle) or a subject (e.g. orders.placed)", r.Method)
	}
	if name, _, ok := strings.Cut(r.Header, ":"); r.Header != "" && (!ok || !headerName.MatchString(strings.TrimSpace(name))) {
		c.Fail("request.header", "%q is not a header (\"Name: value\")", r.Header)
	}
}

func (r *Request) Endpoints() []Named {
	return []Named{{Field: "request.service", Endpoint: r.Service, Role: RoleService}}
}

func (r *Request) Apply(env Env) (func() error, error) {
	return onReplicas(env, r.Service, func(rep Replica) func() {
		return rep.AddRequestFault(*r, env.Seed())
	})
}

// Warn says when the delay is at least the load's timeout or the timeout
// of a call edge to the service it delays.
func (r *Request) Warn(t Timeouts) (key, msg string) {
	d := r.Delay
	if d <= 0 {
		return "", ""
	}
	if t.Load > 0 && d >= t.Load {
		return "request.delay", fmt.Sprintf("%s is at least the client's timeout (load.timeout %s): every delayed request would time out", d, t.Load)
	}
	for _, e := range t.Edges {
		if r.Service.Covers(e.To) && e.Timeout > 0 && d >= e.Timeout {
			return "request.delay", fmt.Sprintf("%s is at least the timeout of the call %s -> %s (%s, variant %s): every delayed call on it would time out", d, e.From, e.To, e.Timeout, e.Variant)
		}
	}
	return "", ""
}

func (*Request) Schema() sg.S {
	return sg.Object(requestKeys, map[string]sg.S{
		"service": sg.String(), "share": sg.Number(), "sticky": sg.Bool(), "code": sg.String(),
		"method": sg.String(), "header": sg.String(), "delay": sg.Duration(),
	})
}
