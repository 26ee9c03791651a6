package registry

import (
	"fmt"

	"github.com/faultline-sim/faultline/topologies"
)

// balancer is a strategy that picks one replica per call from a caller's
// list. Every strategy sees only the caller's own state: its own calls in
// flight to each replica, and which replicas it has ejected.
type balancer uint8

const (
	// roundRobin takes the eligible replicas in turn, per caller.
	roundRobin balancer = iota
	// leastOutstanding takes the eligible replica with the fewest calls in
	// flight from this caller; ties go round robin (the scan starts one
	// further each call and keeps the first minimum).
	leastOutstanding
	// powerOfTwo draws two distinct eligible replicas at random and takes
	// the one with fewer calls in flight from this caller (the first drawn
	// on a tie).
	powerOfTwo
)

func parseBalancer(name string) (balancer, error) {
	switch name {
	case "", topologies.BalanceRoundRobin:
		return roundRobin, nil
	case topologies.BalanceLeastOutstanding:
		return leastOutstanding, nil
	case topologies.BalanceP2C:
		return powerOfTwo, nil
	}
	return 0, fmt.Errorf("registry: unknown balancer %q", name)
}

// eligible is which replicas of a view a pick may choose: those not
// ejected at now, or all of them when every one is ejected (ejection never
// fails a call by itself).
type eligible struct {
	v   *view
	now int64
	all bool
	n   int // how many are eligible
}

func newEligible(v *view, now int64, ejection bool) eligible {
	el := eligible{v: v, now: now, all: true, n: len(v.eps)}
	if !ejection {
		return el
	}
	k := 0
	for _, st := range v.st {
		if !st.ejected(now) {
			k++
		}
	}
	if k > 0 {
		el.all, el.n = false, k
	}
	return el
}

func (el eligible) ok(i int) bool { return el.all || !el.v.st[i].ejected(el.now) }

// nth returns the index in the view of the j-th eligible replica.
func (el eligible) nth(j int) int {
	if el.all {
		return j
	}
	for i := range el.v.st {
		if el.ok(i) {
			if j == 0 {
				return i
			}
			j--
		}
	}
	panic("registry: eligible replica out of range")
}

// choose returns the index in v (not empty) of the replica for the next
// call.
func (p *pool) choose(v *view, now int64) int {
	el := newEligible(v, now, p.c.outlier != nil)
	switch p.c.bal {
	case leastOutstanding:
		return p.least(el)
	case powerOfTwo:
		return p.twoChoices(el)
	default:
		return el.nth(int((p.rr.Add(1) - 1) % uint64(el.n)))
	}
}

func (p *pool) least(el eligible) int {
	n := len(el.v.eps)
	start := int((p.rr.Add(1) - 1) % uint64(n))
	best, fewest := -1, int64(0)
	for j := range n {
		i := start + j
		if i >= n {
			i -= n
		}
		if !el.ok(i) {
			continue
		}
		if out := el.v.st[i].outstanding.Load(); best < 0 || out < fewest {
			best, fewest = i, out
		}
	}
	return best
}

func (p *pool) twoChoices(el eligible) int {
	if el.n == 1 {
		return el.nth(0)
	}
	p.rngMu.Lock()
	a := p.rng.IntN(el.n)
	b := p.rng.IntN(el.n - 1)
	p.rngMu.Unlock()
	if b >= a {
		b++
	}
	ia, ib := el.nth(a), el.nth(b)
	if el.v.st[ib].outstanding.Load() < el.v.st[ia].outstanding.Load() {
		return ib
	}
	return ia
}
