//! Test support: build the Go fixtures with `-cover`, run them into fresh GOCOVERDIRs, and hand
//! the directories to tests. Dev-only.
