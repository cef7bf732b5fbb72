//! Zero-copy readers (and writers) of Go's binary coverage formats: `covmeta.<hash>` meta-data
//! files and `covcounters.<hash>.<pid>.<nanotime>` counter-data files, plus pod discovery over
//! GOCOVERDIR-style directories. The specification is `$GOROOT/src/internal/coverage`.
