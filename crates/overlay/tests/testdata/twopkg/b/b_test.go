package b

import "testing"

func TestClamp(t *testing.T) {
	if got := Clamp(-1, 0, 9); got != 0 {
		t.Fatal(got)
	}
}
