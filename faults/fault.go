package faults

import (
	"encoding/json"
	"fmt"
	"time"
)

// Fault is one fault of a scenario's timeline, as decoded: when it acts
// and what it does (its Kind).
type Fault struct {
	// At is when the fault starts, from the start of the load (warm-up
	// included); For is how long it lasts. An Instant kind has For 0.
	At, For time.Duration
	// Line is where the fault is declared in File.
	File string
	Line int
	// Kind is what the fault does; nil when its entry named no kind.
	Kind Kind
}

// Key returns the key of the fault's kind, "" when it has none.
func (f Fault) Key() string {
	if f.Kind == nil {
		return ""
	}
	return f.Kind.Key()
}

// Name returns a short human name such as "latency order->payment 20ms".
func (f Fault) Name() string {
	if f.Kind == nil {
		return "fault"
	}
	return f.Kind.Name()
}

// Traits returns the traits of the fault's kind.
func (f Fault) Traits() Traits {
	if f.Kind == nil {
		return Traits{}
	}
	return f.Kind.Traits()
}

// Instant reports whether the fault acts once, at its start, and has no
// duration (reset and close).
func (f Fault) Instant() bool { return f.Traits().Instant }

// IsLink reports whether f acts on links (latency, bandwidth, loss,
// partition, reset, close) rather than on processes.
func (f Fault) IsLink() bool {
	_, ok := f.Kind.(LinkKind)
	return ok
}

// Selects reports whether link fault f acts on a connection dialed on
// link (From the dialer, To the listener), as the fault layer applies it.
// Faults on processes select no link.
func (f Fault) Selects(link Link) bool {
	l, ok := f.Kind.(LinkKind)
	return ok && l.Selects(link)
}

// SelectedLinks returns the links of links that f selects, in their order.
func (f Fault) SelectedLinks(links []Link) []Link {
	var out []Link
	for _, l := range links {
		if f.Selects(l) {
			out = append(out, l)
		}
	}
	return out
}

// Endpoints lists every endpoint f names (see Kind.Endpoints).
func (f Fault) Endpoints() []Named {
	if f.Kind == nil {
		return nil
	}
	return f.Kind.Endpoints()
}

// MarshalJSON writes f as its scenario entry reads: at and for in
// nanoseconds, and the kind's value under its key. File and Line are left
// out: they say where the fault was written, not what it is.
func (f Fault) MarshalJSON() ([]byte, error) {
	m := map[string]any{"at": f.At, "for": f.For}
	if f.Kind != nil {
		m[f.Kind.Key()] = f.Kind
	}
	return json.Marshal(m)
}

// String returns the fault's name and its times.
func (f Fault) String() string {
	if f.Instant() {
		return fmt.Sprintf("%s at %s", f.Name(), f.At)
	}
	return fmt.Sprintf("%s at %s for %s", f.Name(), f.At, f.For)
}
