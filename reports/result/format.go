package result

import (
	"fmt"
	"strings"
)

// FormatMS formats a duration in milliseconds as tables show it: two
// decimals below 10 ms ("7.12ms"), one below a second ("312.8ms"), seconds
// from there ("2.00s").
func FormatMS(v float64) string {
	switch {
	case v >= 1000:
		return fmt.Sprintf("%.2fs", v/1000)
	case v >= 10:
		return fmt.Sprintf("%.1fms", v)
	}
	return fmt.Sprintf("%.2fms", v)
}

// FormatRate formats a rate per second with one decimal: "482.2/s".
func FormatRate(r float64) string { return fmt.Sprintf("%.1f/s", r) }

// Trim formats f with at most three decimals and no trailing zeros: "2.5",
// "30", "0.125".
func Trim(f float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.3f", f), "0"), ".")
}

// OrDash returns s, or "-" when s is empty.
func OrDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
