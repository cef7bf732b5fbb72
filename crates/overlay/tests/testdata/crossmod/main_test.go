package main

import "testing"

func TestCross(t *testing.T) {
	t.RunWithIntegrationCoverage("child", func(t *testing.T) {
		if cmd := t.CommandWithCoverage("true"); cmd == nil {
			t.Fatal("no command")
		}
	})
}
