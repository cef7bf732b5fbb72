//! Decoders of meta-data and counter-data files. Each is a view over the file's bytes: headers
//! are parsed and checked up front, everything else is decoded on demand, and every offset or
//! length taken from the file is checked against the bytes that are there before it is used.

pub mod counter;
pub(crate) mod cursor;
pub mod meta;
