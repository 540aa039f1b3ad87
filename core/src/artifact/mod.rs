//! The artifact format: every file vsies writes and reads back (schemas and CSV exports
//! aside) carries a magic tag, a format version, its kind and a checksum, and is written
//! atomically.
//!
//! **Binary artifacts** (datasets, later ciphertexts and keys):
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 8 | magic `89 56 53 49 45 53 0D 0A` (`\x89VSIES\r\n`: a high byte and CR LF catch text-mode mangling, as in PNG) |
//! | 8 | 2 | format version, u16 LE (currently 1) |
//! | 10 | 2 | kind code, u16 LE (see [`ArtifactKind`]) |
//! | 12 | 4 | reserved, zero |
//! | 16 | 8 | payload length, u64 LE |
//! | 24 | n | payload |
//! | 24 + n | 32 | SHA-256 of bytes `0 .. 24 + n` |
//!
//! **JSON artifacts** (models, proofs: files people read):
//! `{"vsies_artifact": "<kind>", "format_version": 1, "checksum": "sha256:<hex>", "body": {…}}`
//! where the checksum is over the canonical JSON of `body` (keys sorted, no white space), so
//! re-indenting a file keeps it valid but changing any value does not.

mod atomic;
mod binary;
mod error;
mod header;
mod json;
mod kind;
mod stream;

pub use atomic::{
    process_alive, remove_in_flight, sweep_dead_runs, track_in_flight, untrack_in_flight, write_atomic,
    write_atomic_private, write_atomic_with, InFlight,
};
pub use binary::{
    binary_checksum, decode_binary, encode_binary, read_binary, read_binary_with_checksum, write_binary,
    MAX_UNSIZED_BYTES,
};
pub use error::ArtifactError;
pub use header::{read_header, ArtifactHeader, FORMAT_VERSION, MAGIC};
pub use json::{decode_json, encode_json, read_capped, read_json, write_json, write_json_private, MAX_JSON_BYTES};
pub use kind::ArtifactKind;
pub use stream::{streamed_checksum, write_binary_streamed, BinaryReader};
