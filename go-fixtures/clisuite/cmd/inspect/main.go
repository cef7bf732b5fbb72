// Command inspect describes key files ("-" reads one from standard input).
package main

import (
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"

	"example.com/clisuite/internal/keys"
	"example.com/clisuite/internal/textui"
)

type info struct {
	File        string `json:"file"`
	Name        string `json:"name"`
	Fingerprint string `json:"fingerprint"`
	Public      string `json:"public"`
}

func main() {
	asJSON := flag.Bool("json", false, "print JSON lines")
	sortBy := flag.String("sort", "file", "sort by `field`: file or name")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: inspect [-json] [-sort file|name] FILE...")
		os.Exit(2)
	}

	var failed bool
	loaded := keys.Map(flag.Args(), func(path string) *info {
		key, err := load(path)
		if err != nil {
			fmt.Fprintf(os.Stderr, "inspect: %s: %v\n", path, err)
			failed = true
			return nil
		}
		return &info{File: path, Name: key.Name, Fingerprint: key.Fingerprint(), Public: hex.EncodeToString(key.Public())}
	})
	rows := keys.Filter(loaded, func(i *info) bool { return i != nil })

	switch *sortBy {
	case "file":
		sort.Slice(rows, func(a, b int) bool { return rows[a].File < rows[b].File })
	case "name":
		sort.Slice(rows, func(a, b int) bool { return rows[a].Name < rows[b].Name })
	default:
		fmt.Fprintf(os.Stderr, "inspect: unknown sort field %q\n", *sortBy)
		os.Exit(2)
	}

	var err error
	if *asJSON {
		err = textui.JSONLines(os.Stdout, rows)
	} else {
		err = textui.Table(os.Stdout, rows,
			textui.Column[*info]{Title: "FILE", Cell: func(i *info) string { return i.File }},
			textui.Column[*info]{Title: "NAME", Cell: func(i *info) string { return i.Name }},
			textui.Column[*info]{Title: "FINGERPRINT", Cell: func(i *info) string { return i.Fingerprint }},
		)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "inspect:", err)
		os.Exit(1)
	}
	if failed {
		os.Exit(1)
	}
}

func load(path string) (keys.Key, error) {
	var r io.Reader = os.Stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return keys.Key{}, err
		}
		defer f.Close()
		r = f
	}
	return keys.Read(r)
}
