// Command keygen writes a new key file.
package main

import (
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"example.com/clisuite/internal/keys"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	fs := flag.NewFlagSet("keygen", flag.ContinueOnError)
	out := fs.String("o", "", "output `file` (required)")
	seed := fs.String("seed", "", "derive the key from this seed (default: random)")
	name := fs.String("name", "", "key name (default: the file name without extension)")
	force := fs.Bool("f", false, "overwrite an existing file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *out == "" {
		fmt.Fprintln(os.Stderr, "keygen: -o is required")
		fs.Usage()
		return 2
	}
	if *name == "" {
		*name = strings.TrimSuffix(filepath.Base(*out), filepath.Ext(*out))
	}
	if *seed == "" {
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			fmt.Fprintln(os.Stderr, "keygen:", err)
			return 1
		}
		*seed = hex.EncodeToString(b[:])
	}
	key := keys.FromSeed(*name, *seed)

	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if *force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(*out, flags, 0o600)
	if err != nil {
		fmt.Fprintln(os.Stderr, "keygen:", err)
		return 1
	}
	if err := key.Write(f); err != nil {
		f.Close()
		fmt.Fprintln(os.Stderr, "keygen:", err)
		return 1
	}
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "keygen:", err)
		return 1
	}
	fmt.Printf("wrote %s (%s, fingerprint %s)\n", *out, key.Name, key.Fingerprint())
	return 0
}
