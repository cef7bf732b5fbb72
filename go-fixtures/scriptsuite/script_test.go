package scriptsuite_test

import (
	"os"
	"testing"

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
	})
}
