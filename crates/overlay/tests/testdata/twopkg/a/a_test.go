package a

import "testing"

func TestSign(t *testing.T) {
	if got := Sign(3); got != "positive" {
		t.Fatal(got)
	}
}
