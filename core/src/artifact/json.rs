//! JSON artifacts: `{"vsies_artifact", "format_version", "checksum", "body"}`, the checksum over
//! the canonical JSON of the body.

use super::atomic::write_atomic;
use super::error::{io_error, ArtifactError};
use super::header::{check_version, FORMAT_VERSION, MAGIC};
use super::kind::ArtifactKind;
use serde::de::DeserializeOwned;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::Path;

/// SHA-256 of the canonical JSON of `body`, as `sha256:<hex>`.
fn json_checksum(body: &serde_json::Value) -> String {
    let canonical = serde_json::to_vec(body).expect("JSON values serialize");
    let digest = Sha256::digest(canonical);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// Encodes a JSON artifact (pretty-printed, trailing newline).
pub fn encode_json<T: Serialize>(kind: ArtifactKind, body: &T) -> Vec<u8> {
    // `serde_json::Value` keeps object keys sorted (BTreeMap), which makes the rendering,
    // and so the checksum input, canonical.
    let body = serde_json::to_value(body).expect("artifact bodies serialize to JSON");
    let envelope = serde_json::json!({
        "vsies_artifact": kind.name(),
        "format_version": FORMAT_VERSION,
        "checksum": json_checksum(&body),
        "body": body,
    });
    let mut bytes = serde_json::to_vec_pretty(&envelope).expect("JSON values serialize");
    bytes.push(b'\n');
    bytes
}

/// The largest JSON artifact read (models, proofs and openings are kilobytes): a bound on what
/// a hostile file (or `/dev/zero`, or a FIFO) can make a reader allocate.
pub const MAX_JSON_BYTES: u64 = 64 << 20;

/// Accepts any JSON value whose objects have distinct keys, at every depth.
///
/// Why: `serde_json::Value` keeps the last of duplicate keys, and another parser may keep the
/// first; a file whose meaning depends on the parser (a checksum computed over one reading, a
/// field consumed from the other) is refused outright.
struct DistinctKeys;

impl<'de> serde::Deserialize<'de> for DistinctKeys {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DistinctKeysVisitor)
    }
}

struct DistinctKeysVisitor;

impl<'de> serde::de::Visitor<'de> for DistinctKeysVisitor {
    type Value = DistinctKeys;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<DistinctKeys, E> {
        Ok(DistinctKeys)
    }
    fn visit_i64<E>(self, _: i64) -> Result<DistinctKeys, E> {
        Ok(DistinctKeys)
    }
    fn visit_u64<E>(self, _: u64) -> Result<DistinctKeys, E> {
        Ok(DistinctKeys)
    }
    fn visit_f64<E>(self, _: f64) -> Result<DistinctKeys, E> {
        Ok(DistinctKeys)
    }
    fn visit_str<E>(self, _: &str) -> Result<DistinctKeys, E> {
        Ok(DistinctKeys)
    }
    fn visit_unit<E>(self) -> Result<DistinctKeys, E> {
        Ok(DistinctKeys)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<DistinctKeys, A::Error> {
        while seq.next_element::<DistinctKeys>()?.is_some() {}
        Ok(DistinctKeys)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<DistinctKeys, A::Error> {
        let mut seen = std::collections::BTreeSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                let shown: String = key.chars().take(64).collect();
                return Err(serde::de::Error::custom(format!("duplicate key {shown:?}")));
            }
            map.next_value::<DistinctKeys>()?;
        }
        Ok(DistinctKeys)
    }
}

/// Checks a JSON artifact's envelope and deserializes its body.
pub fn decode_json<T: DeserializeOwned>(bytes: &[u8], expected: ArtifactKind, path: &Path) -> Result<T, ArtifactError> {
    let malformed = |reason: String| ArtifactError::Malformed { path: path.into(), reason };
    if bytes.starts_with(&MAGIC) {
        // A binary artifact where a JSON one was expected: say which kind it is.
        let code = bytes.get(10..12).map_or(0, |b| u16::from_le_bytes([b[0], b[1]]));
        return Err(match ArtifactKind::from_code(code) {
            Some(found) => ArtifactError::WrongKind { path: path.into(), expected, found },
            None => ArtifactError::UnknownKind { path: path.into(), found: code.to_string() },
        });
    }
    if bytes.len() as u64 > MAX_JSON_BYTES {
        return Err(malformed(format!("larger than the {} MiB limit for JSON artifacts", MAX_JSON_BYTES >> 20)));
    }
    let not_json = |err: serde_json::Error| {
        if err.is_eof() {
            ArtifactError::Truncated { path: path.into(), expected: bytes.len() as u64 + 1, found: bytes.len() as u64 }
        } else {
            malformed(format!("not JSON: {err}"))
        }
    };
    serde_json::from_slice::<DistinctKeys>(bytes).map_err(not_json)?;
    let envelope: serde_json::Value = serde_json::from_slice(bytes).map_err(|err| {
        if err.is_eof() {
            ArtifactError::Truncated { path: path.into(), expected: bytes.len() as u64 + 1, found: bytes.len() as u64 }
        } else {
            malformed(format!("not JSON: {err}"))
        }
    })?;
    let field = |name: &str| envelope.get(name);
    let Some(kind_name) = field("vsies_artifact").and_then(|v| v.as_str()) else {
        return Err(ArtifactError::BadMagic { path: path.into() });
    };
    let version = field("format_version")
        .and_then(|v| v.as_u64())
        .ok_or_else(|| malformed("missing or non-integer `format_version`".into()))?;
    check_version(u16::try_from(version).unwrap_or(u16::MAX), path)?;
    let kind = ArtifactKind::from_name(kind_name)
        .ok_or_else(|| ArtifactError::UnknownKind { path: path.into(), found: kind_name.to_string() })?;
    if kind != expected {
        return Err(ArtifactError::WrongKind { path: path.into(), expected, found: kind });
    }
    let checksum = field("checksum").and_then(|v| v.as_str()).ok_or_else(|| malformed("missing `checksum`".into()))?;
    let body = field("body").ok_or_else(|| malformed("missing `body`".into()))?;
    if json_checksum(body) != checksum {
        return Err(ArtifactError::ChecksumMismatch { path: path.into() });
    }
    serde_json::from_value(body.clone()).map_err(|err| malformed(format!("body: {err}")))
}

/// Writes a JSON artifact atomically.
pub fn write_json<T: Serialize>(path: &Path, kind: ArtifactKind, body: &T) -> Result<(), ArtifactError> {
    write_atomic(path, &encode_json(kind, body)).map_err(io_error(path))
}

/// Writes a JSON artifact atomically, owner-only (0600): for secrets such as a commitment's
/// opening.
pub fn write_json_private<T: Serialize>(path: &Path, kind: ArtifactKind, body: &T) -> Result<(), ArtifactError> {
    super::atomic::write_atomic_private(path, &encode_json(kind, body)).map_err(io_error(path))
}

/// Reads and verifies a JSON artifact, reading at most [`MAX_JSON_BYTES`] (+1, to tell a file
/// over the limit).
pub fn read_json<T: DeserializeOwned>(path: &Path, expected: ArtifactKind) -> Result<T, ArtifactError> {
    decode_json(&read_capped(path, MAX_JSON_BYTES)?, expected, path)
}

/// Reads a whole small file (JSON of any kind, a relation's parameters), refusing one over
/// `limit` bytes after reading no more than `limit + 1`: a bound on what `/dev/zero`, a FIFO
/// or a hostile file can make the reader allocate.
pub fn read_capped(path: &Path, limit: u64) -> Result<Vec<u8>, ArtifactError> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(io_error(path))?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes).map_err(io_error(path))?;
    if bytes.len() as u64 > limit {
        let limit = if limit >= 1 << 20 { format!("{} MiB", limit >> 20) } else { format!("{limit}-byte") };
        return Err(ArtifactError::Malformed { path: path.into(), reason: format!("larger than the {limit} limit") });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifact::binary::encode_binary;

    fn name() -> &'static Path {
        Path::new("test.vsies")
    }

    #[derive(Serialize, serde::Deserialize, PartialEq, Debug)]
    struct Body {
        weights: Vec<i64>,
        name: String,
    }

    fn body() -> Body {
        Body { weights: vec![1, -2, 3], name: "m".into() }
    }

    #[test]
    fn json_round_trip_and_reformatting_keeps_the_checksum() {
        let bytes = encode_json(ArtifactKind::Model, &body());
        assert_eq!(decode_json::<Body>(&bytes, ArtifactKind::Model, name()).unwrap(), body());
        let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let compact = serde_json::to_vec(&value).unwrap();
        assert_eq!(decode_json::<Body>(&compact, ArtifactKind::Model, name()).unwrap(), body());
    }

    #[test]
    fn json_refuses_tampering_wrong_kind_newer_version_and_truncation() {
        let text = String::from_utf8(encode_json(ArtifactKind::Model, &body())).unwrap();
        let tampered = text.replace("-2", "-3");
        assert!(matches!(
            decode_json::<Body>(tampered.as_bytes(), ArtifactKind::Model, name()),
            Err(ArtifactError::ChecksumMismatch { .. })
        ));
        assert!(matches!(
            decode_json::<Body>(text.as_bytes(), ArtifactKind::QuantizedDataset, name()),
            Err(ArtifactError::WrongKind { .. })
        ));
        let newer = text.replace("\"format_version\": 1", "\"format_version\": 2");
        assert!(matches!(
            decode_json::<Body>(newer.as_bytes(), ArtifactKind::Model, name()),
            Err(ArtifactError::NewerVersion { found: 2, .. })
        ));
        for cut in [1, text.len() / 2, text.len() - 3] {
            let err = decode_json::<Body>(&text.as_bytes()[..cut], ArtifactKind::Model, name()).unwrap_err();
            assert!(matches!(err, ArtifactError::Truncated { .. }), "cut {cut}: {err}");
        }
        assert!(matches!(
            decode_json::<Body>(b"{\"a\": 1}", ArtifactKind::Model, name()),
            Err(ArtifactError::BadMagic { .. })
        ));
        let binary = encode_binary(ArtifactKind::QuantizedDataset, b"p");
        assert!(matches!(
            decode_json::<Body>(&binary, ArtifactKind::Model, name()),
            Err(ArtifactError::WrongKind { found: ArtifactKind::QuantizedDataset, .. })
        ));
        let unknown = text.replace("\"vsies_artifact\": \"model\"", "\"vsies_artifact\": \"hologram\"");
        assert!(matches!(
            decode_json::<Body>(unknown.as_bytes(), ArtifactKind::Model, name()),
            Err(ArtifactError::UnknownKind { .. })
        ));
    }

    #[test]
    fn duplicate_keys_are_refused_even_with_a_matching_checksum() {
        // The checksum is over the last-wins reading; a first-wins parser would see weights 9.
        let text = String::from_utf8(encode_json(ArtifactKind::Model, &body())).unwrap();
        let forged = text.replacen("\"weights\"", "\"weights\": [9],\n    \"weights\"", 1);
        let err = decode_json::<Body>(forged.as_bytes(), ArtifactKind::Model, name()).unwrap_err();
        assert!(err.to_string().contains("duplicate key \"weights\""), "{err}");
        let envelope = text.replacen("\"checksum\"", "\"checksum\": \"x\",\n  \"checksum\"", 1);
        assert!(decode_json::<Body>(envelope.as_bytes(), ArtifactKind::Model, name()).is_err());
        // Keys may repeat across objects, never within one.
        let nested = serde_json::json!({"a": {"k": 1}, "b": {"k": 2}}).to_string();
        assert!(serde_json::from_str::<DistinctKeys>(&nested).is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn endless_or_huge_inputs_are_read_only_up_to_the_limit() {
        let err = read_json::<Body>(Path::new("/dev/zero"), ArtifactKind::Model).unwrap_err();
        assert!(err.to_string().contains("MiB limit"), "{err}");
    }
}
