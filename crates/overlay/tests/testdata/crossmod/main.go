// Command crossmod uses what the full integration-coverage overlay adds to the standard library,
// so that cross-compiling it (and its test) compiles every file the overlay replaces.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"runtime/coverage"
)

func main() {
	c := make(chan os.Signal, 1)
	signal.Notify(c, os.Interrupt)
	signal.Stop(c)
	files, err := coverage.GetNewCoverageFiles()
	fmt.Println(len(files), err, coverage.ForceWriteCoverageData())
}
