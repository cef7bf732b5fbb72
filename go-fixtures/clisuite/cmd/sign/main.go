// Command sign signs standard input with a key file, or verifies a signature of it.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"example.com/clisuite/internal/keys"
)

// Exit codes: 1 for errors, 3 for a signature that does not verify.
const exitBadSignature = 3

func main() {
	fs := flag.NewFlagSet("sign", flag.ExitOnError)
	keyFile := fs.String("key", "", "key `file`")
	verify := fs.String("verify", "", "verify this hex signature instead of signing")
	fs.Parse(os.Args[1:])

	fail := func(err error) {
		fmt.Fprintln(os.Stderr, "sign:", err)
		os.Exit(1)
	}
	if *keyFile == "" {
		fail(fmt.Errorf("-key is required"))
	}
	f, err := os.Open(*keyFile)
	if err != nil {
		fail(err)
	}
	key, err := keys.Read(f)
	f.Close()
	if err != nil {
		fail(fmt.Errorf("%s: %w", *keyFile, err))
	}
	msg, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail(err)
	}

	if *verify == "" {
		fmt.Println(key.Sign(msg))
		return
	}
	ok, err := key.Verify(msg, *verify)
	if err != nil {
		fail(err)
	}
	if !ok {
		fmt.Fprintln(os.Stderr, "sign: bad signature")
		os.Exit(exitBadSignature)
	}
	fmt.Println("signature ok")
}
