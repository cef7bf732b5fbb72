// Package lib is code for the programs of the overlay's API tests to cover.
package lib

import "fmt"

// Add returns a+b, described.
func Add(a, b int) string {
	if a < 0 || b < 0 {
		return "negative"
	}
	return fmt.Sprint(a + b)
}

// Loop runs its body n times and returns n.
func Loop(n int) int {
	done := 0
	for i := 0; i < n; i++ {
		done++
	}
	return done
}

// Never is not run by any test.
func Never() string {
	return "never"
}
