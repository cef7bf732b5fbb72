// Command kvserver serves an in-memory key-value store over HTTP until POST /quit.
//
// It deliberately installs no signal handler: stopped by SIGTERM it dies at once, as most servers
// under test do, and a binary built with -cover then writes no counters.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"time"

	"example.com/serversuite/internal/api"
	"example.com/serversuite/internal/store"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen `address`")
	flag.Parse()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	quit := make(chan struct{})
	srv := &http.Server{
		Handler:           api.NewHandler(store.New[string, string](), func() { close(quit) }),
		ReadHeaderTimeout: 5 * time.Second,
	}
	// The tests read this line to learn the port.
	fmt.Printf("kvserver listening on http://%s\n", ln.Addr())

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		log.Fatal(err)
	case <-quit:
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(os.Stderr, "kvserver: shutdown:", err)
		os.Exit(1)
	}
	fmt.Println("kvserver stopped")
}
