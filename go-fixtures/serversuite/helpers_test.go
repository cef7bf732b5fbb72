package serversuite_test

// Integration-coverage conventions, the same in every module under go-fixtures/ (keep them in step):
//
//	INTCOV_FIXTURE_COVERMODE  counter mode the commands are built with. Default: this test binary's own
//	                          mode when it runs under `go test -cover` (so both sets of data can merge),
//	                          else "set".
//	INTCOV_FIXTURE_COVERDIR   directory the commands write covmeta/covcounters into. Default: GOCOVERDIR,
//	                          which `go test -cover` points at its private directory (where go#60182 then
//	                          ignores the commands' data), else a temporary directory removed at the end.
//	INTCOV_FIXTURE_TAGS       build tags of the commands (go build -tags). Default: none.
//
// The commands are built once per test binary with
// `go build -cover -covermode=$MODE -coverpkg=<module>/...`, by the go that runs the tests.

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

const modulePath = "example.com/serversuite"

var (
	binDir   string // the commands built with -cover
	coverDir string // GOCOVERDIR of every command the tests run
)

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	tmp, err := os.MkdirTemp("", "intcov-fixture-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmp)

	coverDir = os.Getenv("INTCOV_FIXTURE_COVERDIR")
	if coverDir == "" {
		coverDir = os.Getenv("GOCOVERDIR")
	}
	if coverDir == "" {
		coverDir = filepath.Join(tmp, "cover")
	}
	if err := os.MkdirAll(coverDir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	binDir = filepath.Join(tmp, "bin")
	if err := buildCommands(binDir, coverMode()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() {
		for _, f := range afterTests {
			f()
		}
	}()
	return m.Run()
}

// afterTests run after m.Run, that is, after the coverage report of `go test -cover`.
var afterTests []func()

func coverMode() string {
	if mode := os.Getenv("INTCOV_FIXTURE_COVERMODE"); mode != "" {
		return mode
	}
	if mode := testing.CoverMode(); mode != "" {
		return mode
	}
	return "set"
}

// goTool is the go command running these tests: cmd/go exports GOROOT to test binaries.
func goTool() string {
	if root := os.Getenv("GOROOT"); root != "" {
		exe := filepath.Join(root, "bin", "go")
		if runtime.GOOS == "windows" {
			exe += ".exe"
		}
		if _, err := os.Stat(exe); err == nil {
			return exe
		}
	}
	return "go"
}

func buildCommands(dir, mode string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	cmd := exec.Command(goTool(), "build", "-cover", "-covermode="+mode, "-coverpkg="+modulePath+"/...",
		"-tags="+os.Getenv("INTCOV_FIXTURE_TAGS"), "-o", dir+string(filepath.Separator), "./cmd/...")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("go build -cover: %v\n%s", err, out)
	}
	return nil
}

type result struct {
	stdout, stderr string
	code           int
}

// runCmd runs one of the built commands in dir with stdin, with GOCOVERDIR set.
func runCmd(t *testing.T, dir, stdin, name string, args ...string) result {
	t.Helper()
	cmd := exec.Command(filepath.Join(binDir, name), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOCOVERDIR="+coverDir)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
	default:
		t.Fatalf("%s %v: %v", name, args, err)
	}
	return result{stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()}
}
