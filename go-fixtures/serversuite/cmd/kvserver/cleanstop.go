//go:build intcovcleanstop

package main

import (
	"os"
	"os/signal"
)

// Built with -tags=intcovcleanstop, kvserver exits with status 0 on SIGINT, running no other code
// of the module: the by-hand truth (see server_test.go) of a run that SIGKILL ends.
func init() {
	c := make(chan os.Signal, 1)
	signal.Notify(c, os.Interrupt)
	go func() {
		<-c
		os.Exit(0)
	}()
}
