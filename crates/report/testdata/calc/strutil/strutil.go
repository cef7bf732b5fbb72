// Package strutil has string helpers <with> "markup" & characters to escape.
package strutil

import "strings"

// Reverse reverses s.
func Reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

// Shout upper-cases s if loud.
func Shout(s string, loud bool) string {
	if loud {
		return strings.ToUpper(s) + "!"
	}
	return s
}
