package text

import (
	"slices"
	"testing"
)

// The one in-process unit test of the fixtures: `go test -cover` counts this much, and only this.
func TestWords(t *testing.T) {
	got := Words("The quick, quick fox; 42 times!")
	want := []string{"the", "quick", "quick", "fox", "42", "times"}
	if !slices.Equal(got, want) {
		t.Errorf("Words = %q, want %q", got, want)
	}
}
