// Command rot shifts letters of its arguments (or of standard input) by -shift places.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"example.com/scriptsuite/internal/text"
)

func main() {
	shiftFlag := flag.String("shift", "13", "shift by `n` letters")
	decode := flag.Bool("decode", false, "shift backwards")
	flag.Parse()

	shift, err := strconv.Atoi(*shiftFlag)
	if err != nil {
		fmt.Fprintf(os.Stderr, "rot: invalid shift %q\n", *shiftFlag)
		os.Exit(2)
	}
	if *decode {
		shift = -shift
	}

	if flag.NArg() > 0 {
		fmt.Println(text.Shift(strings.Join(flag.Args(), " "), shift))
		return
	}
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		fmt.Println(text.Shift(sc.Text(), shift))
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "rot:", err)
		os.Exit(1)
	}
}
