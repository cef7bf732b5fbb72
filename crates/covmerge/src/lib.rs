//! Reading pods into a merged [`profile::Profile`], and the directory-to-directory operations of
//! `go tool covdata` (merge, subtract, intersect, `-pcombine`).
