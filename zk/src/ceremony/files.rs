//! Reading and writing a ceremony's state files one chunk of points at a time, and points as
//! hex in its transcript.

use crate::error::ZkError;
use crate::groth16::key_file::{point_size, write_points};
use ark_ec::AffineRepr;
use ark_serialize::{Compress, Validate};
use rayon::prelude::*;
use std::io::{Read, Write};
use std::path::Path;
use vsies_core::artifact::{self, ArtifactKind};

/// Points per chunk of a streamed query (32 MiB of G1 points).
pub const CHUNK: usize = 1 << 19;

/// Reads `count` uncompressed points, checking each (on the curve and in the prime-order
/// subgroup): a ceremony's state comes from another party.
pub fn read_points<P: AffineRepr>(
    reader: &mut impl Read,
    count: usize,
    path: &Path,
    what: &str,
) -> Result<Vec<P>, ZkError> {
    let size = point_size::<P>();
    let mut bytes = vec![0u8; count * size];
    reader
        .read_exact(&mut bytes)
        .map_err(|err| ZkError::malformed(path, "ceremony state", format!("{what}: {err}")))?;
    bytes
        .par_chunks(size)
        .map(|mut point| P::deserialize_with_mode(&mut point, Compress::No, Validate::Yes))
        .collect::<Result<Vec<P>, _>>()
        .map_err(|err| ZkError::malformed(path, "ceremony state", format!("{what}: {err}")))
}

/// Reads one checked point.
pub fn read_point<P: AffineRepr>(reader: &mut impl Read, path: &Path, what: &str) -> Result<P, ZkError> {
    Ok(read_points::<P>(reader, 1, path, what)?[0])
}

/// Reads a query's `u64` LE length.
pub fn read_u64(reader: &mut impl Read, path: &Path, what: &str) -> Result<usize, ZkError> {
    let mut length = [0u8; 8];
    reader
        .read_exact(&mut length)
        .map_err(|err| ZkError::malformed(path, "ceremony state", format!("{what}: {err}")))?;
    usize::try_from(u64::from_le_bytes(length)).map_err(|_| ZkError::malformed(path, "ceremony state", what))
}

/// Reads a query's `u64` LE length, which must be `expected`.
pub fn read_len(reader: &mut impl Read, expected: usize, path: &Path, what: &str) -> Result<(), ZkError> {
    let length = read_u64(reader, path, what)?;
    if length != expected {
        return Err(ZkError::malformed(
            path,
            "ceremony state",
            format!("{what}: {length} points, expected {expected}"),
        ));
    }
    Ok(())
}

/// Copies `bytes` bytes from `reader` to `writer` in chunks.
pub fn copy_bytes(
    reader: &mut impl Read,
    writer: &mut dyn Write,
    bytes: u64,
    path: &Path,
    what: &str,
) -> Result<(), ZkError> {
    let mut buffer = vec![0u8; (bytes.min(32 << 20)) as usize];
    let mut left = bytes;
    while left > 0 {
        let piece = &mut buffer[..left.min(32 << 20) as usize];
        reader.read_exact(piece).map_err(|err| ZkError::malformed(path, "ceremony state", format!("{what}: {err}")))?;
        writer.write_all(piece).map_err(|source| ZkError::Io { path: path.into(), source })?;
        left -= piece.len() as u64;
    }
    Ok(())
}

/// Writes points, mapping I/O errors to `path`.
pub fn write_all_points<P: AffineRepr>(writer: &mut dyn Write, points: &[P], path: &Path) -> Result<(), ZkError> {
    write_points(writer, points).map_err(|source| ZkError::Io { path: path.into(), source })
}

/// Reads `count` points in chunks of [`CHUNK`], handing each chunk and its first index to
/// `each`.
pub fn for_each_chunk<P: AffineRepr>(
    reader: &mut impl Read,
    count: usize,
    path: &Path,
    what: &str,
    mut each: impl FnMut(usize, Vec<P>) -> Result<(), ZkError>,
) -> Result<(), ZkError> {
    let mut start = 0;
    while start < count {
        let len = CHUNK.min(count - start);
        each(start, read_points::<P>(reader, len, path, what)?)?;
        start += len;
    }
    Ok(())
}

/// Writes a state file atomically with [`artifact::write_binary_streamed`], from a `fill`
/// that fails with the engine's errors (which are returned as they are); returns the file's
/// checksum, so the state need not be read again to learn it.
pub fn write_state(
    path: &Path,
    kind: ArtifactKind,
    payload_len: u64,
    fill: impl FnOnce(&mut dyn Write) -> Result<(), ZkError>,
) -> Result<[u8; 32], ZkError> {
    let mut failure = None;
    let written = artifact::write_binary_streamed(path, kind, payload_len, |writer| {
        fill(writer).map_err(|err| {
            let message = err.to_string();
            failure = Some(err);
            std::io::Error::other(message)
        })
    });
    match (written, failure) {
        (_, Some(err)) => Err(err),
        (Err(err), None) => Err(err.into()),
        (Ok(checksum), None) => Ok(checksum),
    }
}

/// The checksum [`write_state`] would give the file for the same `fill`, written nowhere.
pub fn state_checksum(
    kind: ArtifactKind,
    payload_len: u64,
    fill: impl FnOnce(&mut dyn Write) -> Result<(), ZkError>,
) -> Result<[u8; 32], ZkError> {
    let mut failure = None;
    let checksum = artifact::streamed_checksum(kind, payload_len, |writer| {
        fill(writer).map_err(|err| {
            let message = err.to_string();
            failure = Some(err);
            std::io::Error::other(message)
        })
    });
    match (checksum, failure) {
        (_, Some(err)) => Err(err),
        (Err(source), None) => Err(ZkError::Io { path: "(a recomputed state)".into(), source }),
        (Ok(checksum), None) => Ok(checksum),
    }
}

macro_rules! point_hex {
    ($module:ident, $point:ty) => {
        /// Serde as the hex of the point's compressed encoding (checked when read).
        pub mod $module {
            use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
            use serde::{Deserialize, Deserializer, Serializer};

            /// Writes the hex.
            pub fn serialize<S: Serializer>(point: &$point, serializer: S) -> Result<S::Ok, S::Error> {
                let mut bytes = Vec::new();
                point.serialize_compressed(&mut bytes).map_err(serde::ser::Error::custom)?;
                serializer.serialize_str(&hex::encode(bytes))
            }

            /// Reads and checks the point.
            pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<$point, D::Error> {
                let text = String::deserialize(deserializer)?;
                let bytes = hex::decode(text).map_err(serde::de::Error::custom)?;
                <$point>::deserialize_compressed(bytes.as_slice()).map_err(serde::de::Error::custom)
            }

            /// The same for an optional point.
            pub mod option {
                use serde::{Deserialize, Deserializer, Serialize, Serializer};

                #[derive(Serialize, Deserialize)]
                struct Hex(#[serde(with = "super")] $point);

                /// Writes the hex, or nothing.
                pub fn serialize<S: Serializer>(point: &Option<$point>, serializer: S) -> Result<S::Ok, S::Error> {
                    point.map(Hex).serialize(serializer)
                }

                /// Reads an optional point.
                pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<$point>, D::Error> {
                    Ok(Option::<Hex>::deserialize(deserializer)?.map(|hex| hex.0))
                }
            }
        }
    };
}

point_hex!(g1_hex, ark_bn254::G1Affine);
point_hex!(g2_hex, ark_bn254::G2Affine);

/// Serde of a checksum as hex.
pub mod digest_hex {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes the hex.
    pub fn serialize<S: Serializer>(digest: &[u8; 32], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&hex::encode(digest))
    }

    /// Reads 32 bytes of hex.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<[u8; 32], D::Error> {
        let text = String::deserialize(deserializer)?;
        let bytes = hex::decode(text).map_err(serde::de::Error::custom)?;
        bytes.try_into().map_err(|_| serde::de::Error::custom("a checksum has 32 bytes"))
    }
}
