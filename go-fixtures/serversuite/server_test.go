package serversuite_test

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// graceful: INTCOV_FIXTURE_GRACEFUL=1 stops the SIGTERM test's server through POST /quit instead,
// so that its counters are written: it measures the coverage a SIGTERM-proof binary would report.
var graceful = os.Getenv("INTCOV_FIXTURE_GRACEFUL") == "1"

type server struct {
	cmd  *exec.Cmd
	base string
	done chan error
}

// startServer runs kvserver and waits for the line that gives its address.
func startServer(t *testing.T) *server {
	t.Helper()
	s := startServerCmd(t, exec.Command(filepath.Join(binDir, "kvserver")))
	t.Cleanup(func() {
		if s.cmd.ProcessState == nil {
			s.cmd.Process.Kill()
		}
	})
	return s
}

// startServerCmd starts cmd (kvserver) and waits for the line that gives its address.
func startServerCmd(t *testing.T, cmd *exec.Cmd) *server {
	t.Helper()
	cmd.Env = append(os.Environ(), "GOCOVERDIR="+coverDir)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			lines <- sc.Text()
		}
		io.Copy(io.Discard, stdout)
		close(lines)
	}()
	s := &server{cmd: cmd, done: make(chan error, 1)}
	select {
	case line := <-lines:
		const prefix = "kvserver listening on "
		if !strings.HasPrefix(line, prefix) {
			cmd.Process.Kill()
			t.Fatalf("kvserver said %q", line)
		}
		s.base = strings.TrimPrefix(line, prefix)
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatal("kvserver printed no address within 10s")
	}
	go func() { s.done <- cmd.Wait() }()
	return s
}

func (s *server) do(t *testing.T, method, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, s.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(data)
}

func (s *server) wait(t *testing.T) *os.ProcessState {
	t.Helper()
	select {
	case <-s.done:
		return s.cmd.ProcessState
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		t.Fatal("kvserver did not stop within 10s")
		return nil
	}
}

func (s *server) quit(t *testing.T) {
	t.Helper()
	if code, body := s.do(t, "POST", "/quit", ""); code != http.StatusAccepted || body != "bye\n" {
		t.Fatalf("POST /quit: %d %q", code, body)
	}
	if st := s.wait(t); st.ExitCode() != 0 {
		t.Fatalf("kvserver after /quit: %v", st)
	}
}

// kvSteps are the requests of the tests that stop kvserver in some way after them.
var kvSteps = []struct {
	method, path, body string
	code               int
	want               string
}{
	{"PUT", "/kv/color", "blue", http.StatusNoContent, ""},
	{"PUT", "/kv/shape", "round", http.StatusNoContent, ""},
	{"GET", "/kv/color", "", http.StatusOK, "blue"},
	{"GET", "/kv/size", "", http.StatusNotFound, "404 page not found\n"},
	{"DELETE", "/kv/shape", "", http.StatusNoContent, ""},
	{"DELETE", "/kv/shape", "", http.StatusNotFound, "404 page not found\n"},
	{"POST", "/kv/color", "", http.StatusMethodNotAllowed, "method not allowed\n"},
	{"GET", "/kv/", "", http.StatusBadRequest, "bad key\n"},
	{"GET", "/stats", "", http.StatusOK, `{"keys":["color"],"writes":4}` + "\n"},
}

func (s *server) doSteps(t *testing.T) {
	t.Helper()
	for _, st := range kvSteps {
		code, body := s.do(t, st.method, st.path, st.body)
		if code != st.code || body != st.want {
			t.Errorf("%s %s: %d %q, want %d %q", st.method, st.path, code, body, st.code, st.want)
		}
	}
}

// The usual fate of a server under test: SIGTERM. Its counters are lost (see README.md).
func TestServerStoppedBySIGTERM(t *testing.T) {
	s := startServer(t)
	s.doSteps(t)

	if graceful {
		s.quit(t)
		return
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	state := s.wait(t)
	ws, ok := state.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		t.Fatalf("kvserver after SIGTERM: %v, want killed by SIGTERM", state)
	}
}

// A clean shutdown: this run's counters are written.
func TestServerQuit(t *testing.T) {
	s := startServer(t)
	if code, body := s.do(t, "GET", "/healthz", ""); code != http.StatusOK || body != "ok\n" {
		t.Errorf("GET /healthz: %d %q", code, body)
	}
	if code, _ := s.do(t, "GET", "/quit", ""); code != http.StatusMethodNotAllowed {
		t.Errorf("GET /quit: %d", code)
	}
	s.quit(t)
}

// A panic ends the process before coverage counters are written.
func TestCrashPanics(t *testing.T) {
	r := runCmd(t, t.TempDir(), "", "crash", "4", "2", "0", "1")
	if r.code != 2 || r.stdout != "25\n50\n" || !strings.Contains(r.stderr, "panic: runtime error: integer divide by zero") {
		t.Fatalf("crash 4 2 0 1: %+v", r)
	}
}

// flushWait is how long the tests below let kvserver run after their last request before they
// kill it or leave it running: ten times the default interval at which a program built with the
// integration-coverage overlay writes its counters (a busy machine delays that goroutine).
const flushWait = time.Second

// cleanStop: built with INTCOV_FIXTURE_TAGS=intcovcleanstop, kvserver exits with status 0 on
// SIGINT (cmd/kvserver/cleanstop.go) and TestServerKilledByContext stops it so instead: a clean
// stop that runs no other code of the module, the by-hand truth of the SIGKILL'd run.
var cleanStop = strings.Contains(os.Getenv("INTCOV_FIXTURE_TAGS"), "intcovcleanstop")

// A server stopped the way exec.CommandContext stops it when its context ends: SIGKILL. Nothing
// runs at exit; stock Go loses every counter of the server.
func TestServerKilledByContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := startServerCmd(t, exec.CommandContext(ctx, filepath.Join(binDir, "kvserver")))
	s.doSteps(t)
	time.Sleep(flushWait)
	if cleanStop {
		if err := s.cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		if st := s.wait(t); st.ExitCode() != 0 {
			t.Fatalf("kvserver (intcovcleanstop) after SIGINT: %v, want exit status 0", st)
		}
		return
	}
	cancel()
	state := s.wait(t)
	ws, ok := state.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("kvserver after the context ended: %v, want killed by SIGKILL", state)
	}
}

// leftRunning holds servers that a test leaves running: TestMain stops them after m.Run, that is,
// after the coverage report of `go test -cover`.
var leftRunning []*server

func init() { afterTests = append(afterTests, stopLeftRunning) }

// A server still running when the tests end and the coverage is reported.
func TestServerLeftRunning(t *testing.T) {
	s := startServerCmd(t, exec.Command(filepath.Join(binDir, "kvserver")))
	leftRunning = append(leftRunning, s)
	for _, key := range []string{"left", "running"} {
		if code, _ := s.do(t, "PUT", "/kv/"+key, "yes"); code != http.StatusNoContent {
			t.Errorf("PUT /kv/%s: %d", key, code)
		}
	}
	if code, body := s.do(t, "GET", "/stats", ""); code != http.StatusOK || !strings.Contains(body, `"writes":2`) {
		t.Errorf("GET /stats: %d %q", code, body)
	}
	time.Sleep(flushWait)
}

// stopLeftRunning kills the servers of TestServerLeftRunning.
func stopLeftRunning() {
	for _, s := range leftRunning {
		s.cmd.Process.Kill()
		<-s.done
	}
}
