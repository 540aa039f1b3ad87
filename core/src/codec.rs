//! The one byte codec of vsies's binary payloads: a bounds-checked [`Reader`], a [`Writer`],
//! and lowercase hex.
//!
//! Every binary artifact payload (quantized datasets, FHE keys and ciphertexts, committee keys,
//! updates and shares, zk key headers) is a sequence of these fields, little-endian:
//!
//! | field | encoding |
//! |---|---|
//! | `u8`, `u16`, `u32`, `u64`, `u128` | little-endian, fixed width |
//! | content id | the 36-byte binary CIDv1 (`01 55 12 20` + sha2-256 digest) |
//! | length-prefixed bytes | a `u32` length, then the bytes |
//!
//! A reader never trusts a length: [`Reader::count`] checks a declared element count against
//! the bytes that remain before anyone allocates for it, so a crafted header cannot make a
//! reader reserve more memory than the file holds. Decoders end with [`Reader::finish`], which
//! refuses trailing bytes: every payload has exactly one encoding.

use crate::cid::ContentId;

/// Why bytes do not decode. The field names what was being read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CodecError {
    /// The payload ends before the field does.
    #[error("truncated at byte {at}: `{field}` needs {needed} bytes, {remaining} remain")]
    Truncated {
        /// The field being read.
        field: &'static str,
        /// Offset of the field in the payload.
        at: usize,
        /// Bytes the field needs.
        needed: usize,
        /// Bytes left in the payload.
        remaining: usize,
    },
    /// Bytes follow the last field.
    #[error("{count} unexpected bytes after the last field")]
    TrailingBytes {
        /// How many.
        count: usize,
    },
    /// A field decodes but its value is not allowed.
    #[error("field `{field}` is invalid: {reason}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// Why.
        reason: String,
    },
}

impl CodecError {
    /// A field whose value is not allowed.
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Self::Invalid { field, reason: reason.into() }
    }
}

/// A cursor over a payload: every read is checked against what remains.
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, at: 0 }
    }

    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.bytes.len() - self.at
    }

    /// Offset of the next byte to read.
    pub fn position(&self) -> usize {
        self.at
    }

    /// The next `len` bytes.
    pub fn take(&mut self, field: &'static str, len: usize) -> Result<&'a [u8], CodecError> {
        if len > self.remaining() {
            return Err(CodecError::Truncated { field, at: self.at, needed: len, remaining: self.remaining() });
        }
        let slice = &self.bytes[self.at..self.at + len];
        self.at += len;
        Ok(slice)
    }

    /// The next `N` bytes as an array.
    pub fn array<const N: usize>(&mut self, field: &'static str) -> Result<[u8; N], CodecError> {
        Ok(self.take(field, N)?.try_into().expect("take returns N bytes"))
    }

    /// Expects exactly `expected` next (a tag or a magic string).
    pub fn expect(&mut self, field: &'static str, expected: &[u8]) -> Result<(), CodecError> {
        if self.take(field, expected.len())? != expected {
            return Err(CodecError::invalid(field, "unexpected tag"));
        }
        Ok(())
    }

    /// A `u8`.
    pub fn u8(&mut self, field: &'static str) -> Result<u8, CodecError> {
        Ok(self.array::<1>(field)?[0])
    }

    /// A little-endian `u16`.
    pub fn u16(&mut self, field: &'static str) -> Result<u16, CodecError> {
        self.array(field).map(u16::from_le_bytes)
    }

    /// A little-endian `u32`.
    pub fn u32(&mut self, field: &'static str) -> Result<u32, CodecError> {
        self.array(field).map(u32::from_le_bytes)
    }

    /// A little-endian `u64`.
    pub fn u64(&mut self, field: &'static str) -> Result<u64, CodecError> {
        self.array(field).map(u64::from_le_bytes)
    }

    /// A little-endian `u128`.
    pub fn u128(&mut self, field: &'static str) -> Result<u128, CodecError> {
        self.array(field).map(u128::from_le_bytes)
    }

    /// A 36-byte binary content id.
    pub fn cid(&mut self, field: &'static str) -> Result<ContentId, CodecError> {
        let bytes = self.array::<36>(field)?;
        ContentId::from_bytes(&bytes).map_err(|err| CodecError::invalid(field, err.to_string()))
    }

    /// A declared element count (`declared`, already read) whose elements take `element_bytes`
    /// each: refused unless that many bytes remain, so no caller allocates for a count the
    /// payload cannot hold.
    pub fn count(&self, field: &'static str, declared: u64, element_bytes: usize) -> Result<usize, CodecError> {
        let count = usize::try_from(declared).ok();
        let needed = count.and_then(|count| count.checked_mul(element_bytes));
        match (count, needed) {
            (Some(count), Some(needed)) if needed <= self.remaining() => Ok(count),
            _ => Err(CodecError::Truncated {
                field,
                at: self.at,
                needed: needed.unwrap_or(usize::MAX),
                remaining: self.remaining(),
            }),
        }
    }

    /// Length-prefixed bytes: a `u32` length, then that many bytes.
    pub fn bytes(&mut self, field: &'static str) -> Result<&'a [u8], CodecError> {
        let len = self.u32(field)?;
        let len = self.count(field, len.into(), 1)?;
        self.take(field, len)
    }

    /// Every remaining byte.
    pub fn rest(&mut self) -> &'a [u8] {
        let rest = &self.bytes[self.at..];
        self.at = self.bytes.len();
        rest
    }

    /// Ends the decoding: `Err` if bytes remain.
    pub fn finish(self) -> Result<(), CodecError> {
        match self.remaining() {
            0 => Ok(()),
            count => Err(CodecError::TrailingBytes { count }),
        }
    }
}

/// Builds a payload field by field, in the encodings [`Reader`] reads.
#[derive(Clone, Debug, Default)]
pub struct Writer {
    bytes: Vec<u8>,
}

impl Writer {
    /// An empty payload.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty payload with room for `capacity` bytes.
    pub fn with_capacity(capacity: usize) -> Self {
        Self { bytes: Vec::with_capacity(capacity) }
    }

    /// Raw bytes (a tag, or fixed-size data).
    pub fn raw(&mut self, bytes: &[u8]) -> &mut Self {
        self.bytes.extend_from_slice(bytes);
        self
    }

    /// A `u8`.
    pub fn u8(&mut self, value: u8) -> &mut Self {
        self.raw(&[value])
    }

    /// A little-endian `u16`.
    pub fn u16(&mut self, value: u16) -> &mut Self {
        self.raw(&value.to_le_bytes())
    }

    /// A little-endian `u32`.
    pub fn u32(&mut self, value: u32) -> &mut Self {
        self.raw(&value.to_le_bytes())
    }

    /// A little-endian `u64`.
    pub fn u64(&mut self, value: u64) -> &mut Self {
        self.raw(&value.to_le_bytes())
    }

    /// A little-endian `u128`.
    pub fn u128(&mut self, value: u128) -> &mut Self {
        self.raw(&value.to_le_bytes())
    }

    /// A 36-byte binary content id.
    pub fn cid(&mut self, id: &ContentId) -> &mut Self {
        self.raw(&id.to_bytes())
    }

    /// Length-prefixed bytes (`u32` length). Lengths above `u32::MAX` are a caller bug.
    pub fn bytes(&mut self, bytes: &[u8]) -> &mut Self {
        let len = u32::try_from(bytes.len()).expect("length-prefixed fields are below 4 GiB");
        self.u32(len).raw(bytes)
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether nothing was written.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The payload.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

/// Implements serde for a type through its `Display` and `FromStr` (a content id, a
/// commitment): JSON artifacts then hold the same text the CLI prints.
macro_rules! serde_via_text {
    ($type:ty) => {
        impl serde::Serialize for $type {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $type {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <String as serde::Deserialize>::deserialize(deserializer)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use serde_via_text;

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(2 * bytes.len());
    for &byte in bytes {
        text.push(DIGITS[usize::from(byte >> 4)] as char);
        text.push(DIGITS[usize::from(byte & 15)] as char);
    }
    text
}

/// Decodes lowercase hex. Only [`hex`]'s own output decodes (no uppercase, no prefix, an even
/// length), so every byte string has one accepted spelling.
pub fn unhex(text: &str) -> Option<Vec<u8>> {
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    bytes.chunks_exact(2).map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?)).collect()
}

/// Decodes exactly `N` bytes of lowercase hex.
pub fn unhex_array<const N: usize>(text: &str) -> Option<[u8; N]> {
    unhex(text)?.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn fields_round_trip_in_order() {
        let id = ContentId::of(b"x");
        let mut writer = Writer::new();
        writer.u8(7).u16(0x1234).u32(0xdead_beef).u64(u64::MAX).u128(1 << 100).cid(&id).bytes(b"abc");
        let bytes = writer.into_bytes();
        let mut reader = Reader::new(&bytes);
        assert_eq!(reader.u8("a").unwrap(), 7);
        assert_eq!(reader.u16("b").unwrap(), 0x1234);
        assert_eq!(reader.u32("c").unwrap(), 0xdead_beef);
        assert_eq!(reader.u64("d").unwrap(), u64::MAX);
        assert_eq!(reader.u128("e").unwrap(), 1 << 100);
        assert_eq!(reader.cid("f").unwrap(), id);
        assert_eq!(reader.bytes("g").unwrap(), b"abc");
        reader.finish().unwrap();
    }

    #[test]
    fn short_reads_name_the_field_and_trailing_bytes_are_refused() {
        let mut reader = Reader::new(&[1, 2, 3]);
        let err = reader.u32("rows").unwrap_err();
        assert_eq!(err, CodecError::Truncated { field: "rows", at: 0, needed: 4, remaining: 3 });
        assert!(err.to_string().contains("`rows`"));
        let mut reader = Reader::new(&[1, 2, 3]);
        reader.u16("x").unwrap();
        assert_eq!(reader.finish(), Err(CodecError::TrailingBytes { count: 1 }));
    }

    #[test]
    fn a_declared_count_larger_than_the_payload_is_refused_before_allocation() {
        let reader = Reader::new(&[0u8; 16]);
        assert_eq!(reader.count("values", 4, 4).unwrap(), 4);
        assert!(reader.count("values", 5, 4).is_err());
        assert!(reader.count("values", u64::MAX, 8).is_err());
        let mut huge = Writer::new();
        huge.u32(u32::MAX);
        assert!(Reader::new(&huge.into_bytes()).bytes("name").is_err());
    }

    #[test]
    fn hex_is_lowercase_and_only_its_own_spelling_decodes() {
        assert_eq!(hex(&[0x00, 0xab, 0x10]), "00ab10");
        assert_eq!(unhex("00ab10").unwrap(), [0x00, 0xab, 0x10]);
        for bad in ["0", "00AB", "0x00", "zz", "0 "] {
            assert!(unhex(bad).is_none(), "{bad}");
        }
        assert_eq!(unhex_array::<2>("abcd"), Some([0xab, 0xcd]));
        assert_eq!(unhex_array::<2>("abcdef"), None);
    }

    proptest! {
        #[test]
        fn hex_round_trips(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            prop_assert_eq!(unhex(&hex(&bytes)).unwrap(), bytes);
        }

        #[test]
        fn reading_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let mut reader = Reader::new(&bytes);
            let _ = reader.u8("a").and_then(|_| reader.bytes("b")).and_then(|_| reader.cid("c"));
        }
    }
}
