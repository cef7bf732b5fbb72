// Command flushbench is the covered program of `cargo xtask bench --flush-only`: `flushbench N`
// hashes, encodes and decodes N small records, work spread over many functions of the standard
// library (built with -coverpkg=all, so that the counters to flush are those of a real program).
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
)

type record struct {
	ID   int               `json:"id"`
	Name string            `json:"name"`
	Tags map[string]string `json:"tags"`
}

func main() {
	n, err := strconv.Atoi(os.Args[len(os.Args)-1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "usage: flushbench N")
		os.Exit(2)
	}
	sum := sha256.New()
	for i := 0; i < n; i++ {
		r := record{ID: i, Name: strings.Repeat("x", i%17), Tags: map[string]string{"k": strconv.Itoa(i)}}
		data, err := json.Marshal(r)
		if err != nil {
			panic(err)
		}
		var back record
		if err := json.Unmarshal(data, &back); err != nil || back.ID != i {
			panic(fmt.Sprint("round trip: ", err))
		}
		sum.Write(data)
	}
	fmt.Println(hex.EncodeToString(sum.Sum(nil))[:16])
}
