//! Content identifiers: IPFS CIDv1, raw codec, sha2-256, printed in multibase base32.
//!
//! A content id names bytes, not files: two parties holding the same quantized dataset or
//! model compute the same id on any machine, because the ids are taken over the canonical
//! encodings defined next to each type (`QuantizedDataset::canonical_bytes`,
//! `Model::canonical_bytes`, `Schema::canonical_bytes`), never over a CSV or JSON rendering.

use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;

/// CID version byte (CIDv1).
const CID_VERSION_1: u8 = 0x01;
/// Multicodec `raw`: the id names the bytes themselves, not an IPLD structure.
const MULTICODEC_RAW: u8 = 0x55;
/// Multihash code of sha2-256 and its digest length.
const MULTIHASH_SHA2_256: u8 = 0x12;
const SHA2_256_LEN: u8 = 32;
/// Multibase prefix of RFC 4648 base32, lowercase, unpadded.
const MULTIBASE_BASE32: char = 'b';
const BASE32_ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

/// A CIDv1 (raw, sha2-256) of some canonical bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContentId {
    digest: [u8; 32],
}

/// Why a string or bytes are not a vsies content id.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum CidParseError {
    /// No multibase `b` prefix.
    #[error("content id must start with multibase prefix 'b' (base32)")]
    NotBase32,
    /// A character outside lowercase base32.
    #[error("content id contains a character outside lowercase base32: {0:?}")]
    BadCharacter(char),
    /// Another CID version, codec or hash.
    #[error("content id is not a CIDv1 raw sha2-256 id (expected prefix bytes 01 55 12 20)")]
    WrongPrefix,
    /// Not 36 bytes.
    #[error("content id has {0} bytes, expected 36")]
    WrongLength(usize),
}

impl ContentId {
    /// The content id of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        Self::from_digest(Sha256::digest(bytes).into())
    }

    /// The content id whose sha2-256 digest is `digest` (for callers that hash streams).
    pub fn from_digest(digest: [u8; 32]) -> Self {
        Self { digest }
    }

    /// The sha2-256 digest of the named bytes.
    pub fn digest(&self) -> &[u8; 32] {
        &self.digest
    }

    /// The binary CID: version, codec, multihash code, digest length, digest.
    pub fn to_bytes(&self) -> [u8; 36] {
        let mut out = [0u8; 36];
        out[..4].copy_from_slice(&BINARY_PREFIX);
        out[4..].copy_from_slice(&self.digest);
        out
    }

    /// Parses [`ContentId::to_bytes`]'s 36 bytes, refusing any other CID version, codec or hash.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CidParseError> {
        if bytes.len() != 36 {
            return Err(CidParseError::WrongLength(bytes.len()));
        }
        if bytes[..4] != BINARY_PREFIX {
            return Err(CidParseError::WrongPrefix);
        }
        Ok(Self { digest: bytes[4..].try_into().expect("32 bytes") })
    }
}

/// The four bytes every vsies binary CID starts with.
const BINARY_PREFIX: [u8; 4] = [CID_VERSION_1, MULTICODEC_RAW, MULTIHASH_SHA2_256, SHA2_256_LEN];

/// RFC 4648 base32, lowercase, unpadded (the body of a multibase `b` string).
fn base32_lower(bytes: &[u8]) -> String {
    let mut text = String::with_capacity((bytes.len() * 8).div_ceil(5));
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            text.push(BASE32_ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        text.push(BASE32_ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    text
}

/// `bytes` in multibase base32 (lowercase, unpadded, `b` prefix), as IPFS prints CIDv1 of any
/// codec.
pub fn multibase_base32(bytes: &[u8]) -> String {
    format!("{MULTIBASE_BASE32}{}", base32_lower(bytes))
}

impl fmt::Display for ContentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&multibase_base32(&self.to_bytes()))
    }
}

impl fmt::Debug for ContentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ContentId({self})")
    }
}

impl FromStr for ContentId {
    type Err = CidParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let body = text.strip_prefix(MULTIBASE_BASE32).ok_or(CidParseError::NotBase32)?;
        let mut bytes = Vec::with_capacity(36);
        let (mut buffer, mut bits) = (0u32, 0u32);
        for ch in body.chars() {
            let value =
                BASE32_ALPHABET.iter().position(|&c| c as char == ch).ok_or(CidParseError::BadCharacter(ch))? as u32;
            buffer = ((buffer << 5) | value) & 0xffff;
            bits += 5;
            if bits >= 8 {
                bits -= 8;
                bytes.push((buffer >> bits) as u8);
            }
        }
        Self::from_bytes(&bytes)
    }
}

crate::codec::serde_via_text!(ContentId);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_bytes_have_the_well_known_ipfs_raw_cid() {
        // `ipfs add --cid-version 1 --raw-leaves` of an empty file.
        assert_eq!(ContentId::of(b"").to_string(), "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku");
    }

    #[test]
    fn hello_world_matches_ipfs() {
        // `echo -n "hello world" | ipfs add --cid-version 1 --raw-leaves`
        assert_eq!(
            ContentId::of(b"hello world").to_string(),
            "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"
        );
    }

    #[test]
    fn display_and_parse_round_trip() {
        let id = ContentId::of(b"vsies");
        assert_eq!(id.to_string().parse::<ContentId>().unwrap(), id);
    }

    #[test]
    fn parse_rejects_malformed_ids() {
        assert_eq!("Qmabc".parse::<ContentId>(), Err(CidParseError::NotBase32));
        assert_eq!("bafk!".parse::<ContentId>(), Err(CidParseError::BadCharacter('!')));
        assert_eq!("bafkrei".parse::<ContentId>(), Err(CidParseError::WrongLength(3)));
        // A dag-pb CIDv1 (codec 0x70) is a valid CID but not one vsies writes.
        let mut dag_pb = ContentId::of(b"x").to_bytes();
        dag_pb[1] = 0x70;
        let text = format!("b{}", base32_lower(&dag_pb));
        assert_eq!(text.parse::<ContentId>(), Err(CidParseError::WrongPrefix));
        assert_eq!(ContentId::from_bytes(&dag_pb), Err(CidParseError::WrongPrefix));
        assert_eq!(ContentId::from_bytes(&dag_pb[..35]), Err(CidParseError::WrongLength(35)));
        let id = ContentId::of(b"y");
        assert_eq!(ContentId::from_bytes(&id.to_bytes()), Ok(id));
    }
}
