// Package text holds the word counting and letter shifting behind tally and rot.
package text

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
)

// Words splits s into lower-case words of letters and digits.
func Words(s string) []string {
	fields := strings.FieldsFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r)
	})
	for i, f := range fields {
		fields[i] = strings.ToLower(f)
	}
	return fields
}

// Counter counts occurrences of comparable, ordered keys.
type Counter[K cmp.Ordered] struct {
	counts map[K]int
}

// NewCounter returns an empty counter.
func NewCounter[K cmp.Ordered]() *Counter[K] {
	return &Counter[K]{counts: make(map[K]int)}
}

// Add counts each key once more.
func (c *Counter[K]) Add(keys ...K) {
	for _, k := range keys {
		c.counts[k]++
	}
}

// Len is the number of distinct keys.
func (c *Counter[K]) Len() int { return len(c.counts) }

// Entry is a key and how often it was seen.
type Entry[K cmp.Ordered] struct {
	Key   K
	Count int
}

// Top returns the n most frequent keys (all of them if n <= 0), ties in key order.
func (c *Counter[K]) Top(n int) []Entry[K] {
	entries := make([]Entry[K], 0, len(c.counts))
	for k, v := range c.counts {
		entries = append(entries, Entry[K]{k, v})
	}
	slices.SortFunc(entries, func(a, b Entry[K]) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return cmp.Compare(a.Key, b.Key)
	})
	if n > 0 && n < len(entries) {
		entries = entries[:n]
	}
	return entries
}

// Merge adds another counter's counts. No command needs it.
func (c *Counter[K]) Merge(other *Counter[K]) {
	for k, v := range other.counts {
		c.counts[k] += v
	}
}

// Shift rotates ASCII letters by n places (a Caesar cipher); other runes are kept.
func Shift(s string, n int) string {
	n = ((n % 26) + 26) % 26
	rotate := func(r, base rune) rune { return base + (r-base+rune(n))%26 }
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return rotate(r, 'a')
		case r >= 'A' && r <= 'Z':
			return rotate(r, 'A')
		}
		return r
	}, s)
}

// Reverse reverses s by runes. Nothing calls it.
func Reverse(s string) string {
	r := []rune(s)
	slices.Reverse(r)
	return string(r)
}
