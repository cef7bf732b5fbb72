// Command tool is run by the overlay's API tests.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"runtime/coverage"
	"strconv"
	"syscall"

	"example.com/apimod/lib"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: tool add|loop|force|serve|graceful|fail")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "add":
		a, _ := strconv.Atoi(os.Args[2])
		b, _ := strconv.Atoi(os.Args[3])
		fmt.Println(lib.Add(a, b))
	case "loop":
		n, _ := strconv.Atoi(os.Args[2])
		fmt.Println(lib.Loop(n))
	case "force":
		// Counters written half-way must not be counted again at exit.
		n, _ := strconv.Atoi(os.Args[2])
		lib.Loop(n)
		if err := coverage.ForceWriteCoverageData(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		lib.Loop(n)
		fmt.Println("forced")
	case "serve":
		// No signal handler: SIGTERM ends the program.
		fmt.Println("ready")
		select {}
	case "graceful":
		// A handler of its own: the program decides, and exits normally.
		c := make(chan os.Signal, 1)
		signal.Notify(c, syscall.SIGTERM)
		fmt.Println("ready")
		<-c
		fmt.Println("bye")
	case "fail":
		fmt.Fprintln(os.Stderr, "failing as asked")
		os.Exit(3)
	}
}
