//! Generation of `go test -overlay` files that patch GOROOT's coverage runtime and `testing` so
//! that the coverage of binaries executed by tests counts (Go issue 60182).
