package apimod_test

// Tests of the testing and runtime/coverage API that the integration-coverage
// overlay adds. They compile only with the full overlay.

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/coverage"
	"strings"
	"syscall"
	"testing"

	"example.com/apimod/lib"
)

var tool string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "apimod-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	tool = filepath.Join(dir, "tool")
	mode := testing.CoverMode()
	if mode == "" {
		mode = "set"
	}
	// A plain go build: the overlay reaches it through GOFLAGS.
	build := exec.Command(goTool(), "build", "-cover",
		"-covermode="+mode, "-coverpkg=example.com/apimod/...", "-o", tool, "./cmd/tool")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build (GOFLAGS=%q): %v\n%s", os.Getenv("GOFLAGS"), err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// goTool is the go command running these tests (cmd/go exports GOROOT to test binaries).
func goTool() string {
	if root := os.Getenv("GOROOT"); root != "" {
		return filepath.Join(root, "bin", "go")
	}
	return "go"
}

func TestRun(t *testing.T) {
	t.RunWithIntegrationCoverage("add", func(t *testing.T) {
		out, err := t.CombinedOutputWithCoverage(tool, "add", "2", "3")
		if err != nil || string(out) != "5\n" {
			t.Fatalf("tool add 2 3: %q, %v", out, err)
		}
	})
}

func TestExecute(t *testing.T) {
	if err := t.ExecuteBinaryWithCoverage(tool, "loop", "3"); err != nil {
		t.Fatal(err)
	}
	err := t.ExecuteBinaryWithCoverage(tool, "fail")
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Fatalf("tool fail: %v, want exit status 3", err)
	}
}

func TestForce(t *testing.T) {
	t.RunWithIntegrationCoverage("child", func(t *testing.T) {
		out, err := t.CombinedOutputWithCoverage(tool, "force", "5")
		if err != nil || string(out) != "forced\n" {
			t.Fatalf("tool force 5: %q, %v", out, err)
		}
	})
	// The test binary's own counters, forced half-way.
	lib.Loop(2)
	if err := coverage.ForceWriteCoverageData(); err != nil {
		t.Fatal(err)
	}
}

func TestServerStoppedBySignal(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.RunWithIntegrationCoverage(sig.String(), func(t *testing.T) {
			cmd, _ := start(t, "serve")
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			cmd.Wait()
			ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
			if !ok || !ws.Signaled() || ws.Signal() != sig {
				t.Fatalf("tool serve after %v: %v, want killed by it", sig, cmd.ProcessState)
			}
		})
	}
}

// A program with its own SIGTERM handler is left alone: it exits normally.
func TestServerWithItsOwnHandler(t *testing.T) {
	cmd, stdout := start(t, "graceful")
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	rest, _ := stdout.ReadString('\n')
	if err := cmd.Wait(); err != nil || rest != "bye\n" {
		t.Fatalf("tool graceful after SIGTERM: %q, %v; want bye and exit status 0", rest, err)
	}
}

// start runs the tool with CommandWithCoverage and waits for its "ready".
func start(t *testing.T, mode string) (*exec.Cmd, *bufio.Reader) {
	t.Helper()
	cmd := t.CommandWithCoverage(tool, mode)
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stdout := bufio.NewReader(pipe)
	if line, _ := stdout.ReadString('\n'); line != "ready\n" {
		cmd.Process.Kill()
		t.Fatalf("tool %s said %q", mode, line)
	}
	return cmd, stdout
}

// Damaged data of other programs is left out with a warning; the report
// goes on.
func TestDamagedData(t *testing.T) {
	dir := os.Getenv("GOCOVERDIR")
	if dir == "" {
		t.Skip("not run by go test -cover")
	}
	garbage := []byte("not coverage data, though the name says so")
	const hash = "0123456789abcdef0123456789abcdef"
	for _, name := range []string{"covmeta." + hash, "covcounters." + hash + ".1.1"} {
		if err := os.WriteFile(filepath.Join(dir, name), garbage, 0o666); err != nil {
			t.Fatal(err)
		}
	}
	// A truncated counter file of the tool (from TestRun's directory), next to
	// its good ones.
	counters, _ := filepath.Glob(filepath.Join(dir, "pertest", "TestRun", "add", "covcounters.*"))
	if len(counters) == 0 {
		t.Fatal("TestRun/add left no counter file")
	}
	for _, f := range counters {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		parts := strings.Split(filepath.Base(f), ".")
		bad := filepath.Join(dir, "covcounters."+parts[1]+".2.2")
		if err := os.WriteFile(bad, data[:len(data)/2], 0o666); err != nil {
			t.Fatal(err)
		}
		break
	}
}

// Runs last (tests run in source order): every program above has written
// its data by now.
func TestNewFiles(t *testing.T) {
	files, err := coverage.GetNewCoverageFiles()
	if err != nil {
		t.Fatal(err)
	}
	var meta, counters int
	for _, f := range files {
		switch name := filepath.Base(f); {
		case strings.HasPrefix(name, "covmeta."):
			meta++
		case strings.HasPrefix(name, "covcounters."):
			counters++
		}
	}
	// The tool's meta-data and the test binary's forced write, at least.
	if meta < 1 || counters < 1 {
		t.Fatalf("GetNewCoverageFiles: %d meta-data and %d counter files: %q", meta, counters, files)
	}
}
