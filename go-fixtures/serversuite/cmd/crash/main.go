// Command crash prints 100/n for each argument n, and panics (a bug left in on purpose) when an
// argument is 0: a run that ends in a panic writes no coverage counters.
package main

import (
	"fmt"
	"os"
	"strconv"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: crash N...")
		os.Exit(2)
	}
	for _, arg := range os.Args[1:] {
		n, err := strconv.Atoi(arg)
		if err != nil {
			fmt.Fprintf(os.Stderr, "crash: %q is not a number\n", arg)
			os.Exit(1)
		}
		fmt.Println(divide(100, n))
	}
}

func divide(a, b int) int {
	return a / b
}
