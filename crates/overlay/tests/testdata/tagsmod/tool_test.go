package tagsmod_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// goTool is the go command running these tests: cmd/go exports GOROOT to test binaries.
func goTool() string {
	exe := filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	if runtime.GOOS == "windows" {
		exe += ".exe"
	}
	if _, err := os.Stat(exe); err == nil {
		return exe
	}
	return "go"
}

// TestToolSeesTheTags builds ./cmd/tool as integration tests build their
// programs and checks that the GOFLAGS of "go env -w" (-tags=integration)
// reached that build.
func TestToolSeesTheTags(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "tool")
	build := exec.Command(goTool(), "build", "-cover", "-o", bin, "./cmd/tool")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin).CombinedOutput()
	if err != nil {
		t.Fatalf("tool: %v\n%s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "built with: integration" {
		t.Fatalf("the program was built without the tags of go env -w: %q (GOFLAGS=%q)", got, os.Getenv("GOFLAGS"))
	}
	flags, err := exec.Command(goTool(), "env", "GOFLAGS").Output()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("go env GOFLAGS in the test: %s", strings.TrimSpace(string(flags)))
}
