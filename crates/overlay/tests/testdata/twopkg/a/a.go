// Package a is one of two test packages: a relative GO_INTEGRATION_COVERDIR must
// receive both packages' data in one place.
package a

// Sign tells the sign of n.
func Sign(n int) string {
	switch {
	case n < 0:
		return "negative"
	case n > 0:
		return "positive"
	}
	return "zero"
}
