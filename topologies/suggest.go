package topologies

import "strings"

// Suggest returns the one entry of known that got is probably a slip of:
// the same after ignoring case and '_' / '-' (errorRate, error-rate for
// error_rate), or else within an edit distance of 2 (max_attemps for
// max_attempts). It returns "" when no entry, or more than one equally
// close entry, fits.
func Suggest(got string, known []string) string {
	norm := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r == '_' || r == '-' {
				return -1
			}
			return r
		}, strings.ToLower(s))
	}
	g := norm(got)
	best, bestDist, ties := "", 3, 0
	for _, k := range known {
		if k == got {
			return ""
		}
		d := editDistance(strings.ToLower(got), k)
		if norm(k) == g {
			d = 0
		}
		switch {
		case d < bestDist:
			best, bestDist, ties = k, d, 1
		case d == bestDist:
			ties++
		}
	}
	if ties != 1 || bestDist > 2 || bestDist >= len(got) {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, by bytes; it
// gives up (returns 3) on long strings, where a suggestion is no use.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 3
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
