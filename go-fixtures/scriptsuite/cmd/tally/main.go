// Command tally prints word counts of files (or standard input), most frequent first.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"

	"example.com/scriptsuite/internal/text"
)

func main() {
	top := flag.Int("top", 0, "print only the `n` most frequent words")
	minLen := flag.Int("min", 1, "ignore words shorter than `n` letters")
	flag.Parse()

	counter := text.NewCounter[string]()
	count := func(r io.Reader) error {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			for _, w := range text.Words(sc.Text()) {
				if len(w) >= *minLen {
					counter.Add(w)
				}
			}
		}
		return sc.Err()
	}

	status := 0
	if flag.NArg() == 0 {
		if err := count(os.Stdin); err != nil {
			fmt.Fprintln(os.Stderr, "tally:", err)
			os.Exit(1)
		}
	}
	for _, name := range flag.Args() {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, "tally:", err)
			status = 1
			continue
		}
		err = count(f)
		f.Close()
		if err != nil {
			fmt.Fprintf(os.Stderr, "tally: %s: %v\n", name, err)
			status = 1
		}
	}
	if counter.Len() == 0 && status == 0 {
		fmt.Fprintln(os.Stderr, "tally: no words")
		os.Exit(3)
	}
	for _, e := range counter.Top(*top) {
		fmt.Printf("%s %d\n", e.Key, e.Count)
	}
	os.Exit(status)
}
