// Package api is the HTTP interface of kvserver.
package api

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"example.com/serversuite/internal/store"
)

const maxValue = 1 << 16

// NewHandler serves the store under /kv/, with /healthz, /stats and /quit (which calls quit).
func NewHandler(st *store.Store[string, string], quit func()) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("/stats", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(st.Stats())
	})
	mux.HandleFunc("/quit", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			methodNotAllowed(w, http.MethodPost)
			return
		}
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, "bye\n")
		quit()
	})
	mux.HandleFunc("/kv/", func(w http.ResponseWriter, r *http.Request) {
		key := strings.TrimPrefix(r.URL.Path, "/kv/")
		if key == "" || strings.Contains(key, "/") {
			http.Error(w, "bad key", http.StatusBadRequest)
			return
		}
		switch r.Method {
		case http.MethodGet:
			v, ok := st.Get(key)
			if !ok {
				http.NotFound(w, r)
				return
			}
			io.WriteString(w, v)
		case http.MethodPut:
			body, err := io.ReadAll(io.LimitReader(r.Body, maxValue+1))
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			if len(body) > maxValue {
				http.Error(w, "value too large", http.StatusRequestEntityTooLarge)
				return
			}
			st.Put(key, string(body))
			w.WriteHeader(http.StatusNoContent)
		case http.MethodDelete:
			if !st.Delete(key) {
				http.NotFound(w, r)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		default:
			methodNotAllowed(w, http.MethodGet, http.MethodPut, http.MethodDelete)
		}
	})
	return mux
}

func methodNotAllowed(w http.ResponseWriter, allowed ...string) {
	w.Header().Set("Allow", strings.Join(allowed, ", "))
	http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
}
