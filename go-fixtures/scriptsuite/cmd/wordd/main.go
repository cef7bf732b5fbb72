// Command wordd serves word counts over HTTP: POST /count with text in the body answers with the
// words, most frequent first (?top=N keeps the first N). It listens on 127.0.0.1:0 and writes
// "URL PID" to the file given by -addrfile once it accepts connections.
//
// It deliberately installs no signal handler: stopped by SIGTERM it dies at once, as most servers
// under test do, and a binary built with -cover then writes no counters.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strconv"

	"example.com/scriptsuite/internal/text"
)

func main() {
	addrFile := flag.String("addrfile", "", "write the server's `URL` and PID to this file")
	flag.Parse()
	if *addrFile == "" {
		log.Fatal("wordd: -addrfile is required")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	http.HandleFunc("/count", count)
	// Written under another name first: a reader never sees half the line.
	tmp := *addrFile + ".tmp"
	line := fmt.Sprintf("http://%s %d\n", ln.Addr(), os.Getpid())
	if err := os.WriteFile(tmp, []byte(line), 0o644); err != nil {
		log.Fatal(err)
	}
	if err := os.Rename(tmp, *addrFile); err != nil {
		log.Fatal(err)
	}
	log.Fatal(http.Serve(ln, nil))
}

func count(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	top := 0
	if s := r.URL.Query().Get("top"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			http.Error(w, "bad top", http.StatusBadRequest)
			return
		}
		top = n
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	c := text.NewCounter[string]()
	for _, word := range text.Words(string(body)) {
		c.Add(word)
	}
	for _, e := range c.Top(top) {
		fmt.Fprintf(w, "%s %d\n", e.Key, e.Count)
	}
}
