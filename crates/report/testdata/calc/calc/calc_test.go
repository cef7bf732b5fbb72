package calc

import "testing"

func TestOp(t *testing.T) {
	if v, _ := Op("+", 2, 3); v != 5 {
		t.Fatal(v)
	}
	if _, err := Op("/", 1, 0); err == nil {
		t.Fatal("want error")
	}
}

func TestSum(t *testing.T) {
	if Sum(1, 2, 3) != 6 {
		t.Fatal("sum")
	}
}
