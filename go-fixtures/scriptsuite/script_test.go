package scriptsuite_test

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// The scripts run the commands built with -cover (see helpers_test.go) as separate processes,
// found on PATH, each writing its coverage into coverDir.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("PATH", binDir+string(os.PathListSeparator)+env.Getenv("PATH"))
			env.Setenv("GOCOVERDIR", coverDir)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"post":    cmdPost,
			"sigterm": cmdSigterm,
		},
	})
}

// serverAddr waits (10s at most) for the "URL PID" line that wordd writes to addrFile.
func serverAddr(ts *testscript.TestScript, addrFile string) (url string, pid int) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		data, err := os.ReadFile(ts.MkAbs(addrFile))
		if err == nil {
			if _, err := fmt.Sscan(string(data), &url, &pid); err != nil {
				ts.Fatalf("%s: %q: %v", addrFile, data, err)
			}
			return url, pid
		}
		if time.Now().After(deadline) {
			ts.Fatalf("no %s after 10s: %v", addrFile, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// post ADDRFILE PATH FILE: POSTs FILE to the server's PATH; the answer is the command's stdout.
func cmdPost(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: post ADDRFILE PATH FILE")
	}
	url, _ := serverAddr(ts, args[0])
	resp, err := http.Post(url+args[1], "text/plain", strings.NewReader(ts.ReadFile(args[2])))
	if err != nil {
		ts.Fatalf("POST %s: %v", args[1], err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		ts.Fatalf("POST %s: %s %q %v", args[1], resp.Status, body, err)
	}
	ts.Stdout().Write(body)
}

// sigterm ADDRFILE: sends SIGTERM to the server.
func cmdSigterm(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: sigterm ADDRFILE")
	}
	_, pid := serverAddr(ts, args[0])
	p, err := os.FindProcess(pid)
	if err != nil {
		ts.Fatalf("%v", err)
	}
	ts.Check(p.Signal(syscall.SIGTERM))
}
