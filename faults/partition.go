package faults

import (
	"context"
	"time"
)

// Partition splits endpoints into groups: bytes between endpoints of
// different groups are held both ways, as by a Blackhole rule, and dials
// between them hang until the dial's context is done (or DefaultDialTimeout
// passes) — a partition drops handshakes, it does not refuse them.
// Endpoints within a group, and endpoints in no group, are unaffected.
//
// Group members follow Endpoint.Matches ("payment" is every replica of payment, "*"
// is every endpoint). The most specific member wins: an endpoint named
// exactly belongs to that group, else to a group naming its service, else
// to the group holding "*"; so [["broker#0"], ["*"]] and [["*"], ["payment"]]
// isolate broker#0, and payment, from everything else.
//
// heal lifts the partition: held bytes flow in order and waiting dials
// proceed. It is idempotent. To imitate a partition long enough for TCP
// to give up, call Reset on the affected links before healing. Safe for
// concurrent use.
func (n *Net) Partition(groups [][]string) (heal func()) {
	cp := make([][]string, len(groups))
	for i, g := range groups {
		cp[i] = append([]string(nil), g...)
	}
	return n.add(&rule{LinkRule: LinkRule{Blackhole: true}, groups: cp})
}

// groupOf returns the index of the group name belongs to, or -1: the first
// group naming it exactly, else the first with a pattern other than "*"
// matching it, else the first holding "*".
func groupOf(groups [][]string, name string) int {
	for pass := range 3 {
		for i, g := range groups {
			for _, p := range g {
				switch {
				case pass == 0 && p == name,
					pass == 1 && p != "*" && Endpoint(p).Matches(name),
					pass == 2 && p == "*":
					return i
				}
			}
		}
	}
	return -1
}

// waitLink blocks while a blackhole cuts link, until it is lifted, ctx is
// done, or — when ctx has no deadline — DefaultDialTimeout passes. It
// returns nil at once when the link is open.
func (n *Net) waitLink(ctx context.Context, link Link) error {
	var timeout <-chan time.Time
	for {
		n.mu.Lock()
		blocked := n.blockedLocked(link)
		changed := n.changed
		n.mu.Unlock()
		if !blocked {
			return nil
		}
		if timeout == nil {
			if _, ok := ctx.Deadline(); !ok {
				t := time.NewTimer(DefaultDialTimeout)
				defer t.Stop()
				timeout = t.C
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timeout:
			return context.DeadlineExceeded
		case <-changed:
		}
	}
}

// Cuts reports whether a partition of groups cuts link: its two ends
// belong to different groups (by the same most-specific rule as Partition),
// so bytes between them are held both ways.
func Cuts(groups [][]string, link Link) bool {
	a, b := groupOf(groups, link.From), groupOf(groups, link.To)
	return a >= 0 && b >= 0 && a != b
}
