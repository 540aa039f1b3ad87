//! A content-addressed store an IPFS node can import: every object is kept as a CAR (v1) file
//! whose blocks are addressed by CIDv1 of exactly their bytes (sha2-256), as `ipfs dag import`
//! expects.
//!
//! Objects of at most [`CHUNK_THRESHOLD`] bytes are one raw block (codec `raw`, 0x55): the
//! CID's digest is the sha2-256 of the file, so a chain that stores the 32-byte digest refers to
//! the object (`0x01551220 ‖ digest`). Larger objects are split into [`CHUNK_SIZE`] raw leaves
//! under a UnixFS file node (codec `dag-pb`, 0x70), as `ipfs add --cid-version 1 --raw-leaves`
//! lays files out; the root's CID names the file. `index.json` lists every object with its name,
//! kind, CID, size and, for objects that have one, their canonical-encoding content id.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use vsies_core::artifact;

/// Objects above this size are chunked (1 MiB).
pub const CHUNK_THRESHOLD: usize = 1 << 20;
/// The leaf size of chunked objects (256 KiB, IPFS's default chunker).
pub const CHUNK_SIZE: usize = 256 << 10;
const RAW: u64 = 0x55;
const DAG_PB: u64 = 0x70;
const SHA2_256: u64 = 0x12;

/// A CIDv1 as bytes: version, codec, multihash (sha2-256).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cid(Vec<u8>);

impl Cid {
    /// The CID of `bytes` under `codec`.
    fn of(codec: u64, bytes: &[u8]) -> Self {
        let mut out = Vec::with_capacity(36);
        varint(1, &mut out);
        varint(codec, &mut out);
        varint(SHA2_256, &mut out);
        varint(32, &mut out);
        out.extend_from_slice(&Sha256::digest(bytes));
        Self(out)
    }

    /// The CID's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The sha2-256 digest it carries.
    pub fn digest(&self) -> [u8; 32] {
        self.0[self.0.len() - 32..].try_into().expect("32-byte digest")
    }

    /// Whether this is a raw block's CID (the object is one block).
    pub fn is_raw(&self) -> bool {
        self.0[1] == RAW as u8
    }
}

impl std::fmt::Display for Cid {
    /// Multibase base32 (lowercase, `b` prefix), as IPFS prints CIDv1.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&vsies_core::cid::multibase_base32(&self.0))
    }
}

/// Unsigned LEB128, as multiformats and protobuf write integers.
fn varint(mut value: u64, out: &mut Vec<u8>) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// A protobuf field key.
fn key(field: u64, wire: u64, out: &mut Vec<u8>) {
    varint((field << 3) | wire, out);
}

/// A length-delimited protobuf field.
fn bytes_field(field: u64, bytes: &[u8], out: &mut Vec<u8>) {
    key(field, 2, out);
    varint(bytes.len() as u64, out);
    out.extend_from_slice(bytes);
}

/// The blocks of an object: `(cid, bytes)`, the root last.
fn blocks(bytes: &[u8]) -> Vec<(Cid, Vec<u8>)> {
    if bytes.len() <= CHUNK_THRESHOLD {
        return vec![(Cid::of(RAW, bytes), bytes.to_vec())];
    }
    let mut blocks: Vec<(Cid, Vec<u8>)> =
        bytes.chunks(CHUNK_SIZE).map(|chunk| (Cid::of(RAW, chunk), chunk.to_vec())).collect();
    // dag-pb PBNode: Links (field 2) first, then Data (field 1), as the codec's canonical form
    // orders them. Each PBLink: Hash (1), Name (2, empty), Tsize (3).
    let mut node = Vec::new();
    for (cid, chunk) in &blocks {
        let mut link = Vec::new();
        bytes_field(1, cid.as_bytes(), &mut link);
        bytes_field(2, b"", &mut link);
        key(3, 0, &mut link);
        varint(chunk.len() as u64, &mut link);
        bytes_field(2, &link, &mut node);
    }
    // UnixFS Data: Type File (1 = 2), filesize (3), blocksizes (4) per leaf.
    let mut unixfs = Vec::new();
    key(1, 0, &mut unixfs);
    varint(2, &mut unixfs);
    key(3, 0, &mut unixfs);
    varint(bytes.len() as u64, &mut unixfs);
    for (_, chunk) in &blocks {
        key(4, 0, &mut unixfs);
        varint(chunk.len() as u64, &mut unixfs);
    }
    bytes_field(1, &unixfs, &mut node);
    blocks.push((Cid::of(DAG_PB, &node), node));
    blocks
}

/// A CAR v1 file: the header (DAG-CBOR `{roots: [root], version: 1}`) and every block.
fn car(blocks: &[(Cid, Vec<u8>)]) -> Vec<u8> {
    let root = &blocks.last().expect("an object has a block").0;
    let mut header = vec![0xa2, 0x65];
    header.extend_from_slice(b"roots");
    header.push(0x81);
    // CBOR tag 42 (CID), a byte string of the multibase identity prefix 0x00 and the CID.
    header.extend_from_slice(&[0xd8, 0x2a, 0x58, (root.as_bytes().len() + 1) as u8, 0x00]);
    header.extend_from_slice(root.as_bytes());
    header.push(0x67);
    header.extend_from_slice(b"version");
    header.push(0x01);
    let mut out = Vec::new();
    varint(header.len() as u64, &mut out);
    out.extend(header);
    for (cid, bytes) in blocks {
        varint((cid.as_bytes().len() + bytes.len()) as u64, &mut out);
        out.extend_from_slice(cid.as_bytes());
        out.extend_from_slice(bytes);
    }
    out
}

/// One stored object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// What it is called in the round (`round-1/node-3/training-proof.json`).
    pub name: String,
    /// Its kind (`model`, `training-proof`, `data-proof`, `update`, …).
    pub kind: String,
    /// The root CID (text).
    pub cid: String,
    /// Bytes.
    pub size: u64,
    /// Its canonical-encoding content id, for objects that have one (models, datasets).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_id: Option<String>,
}

/// The store: a directory of `<cid>.car` files and `index.json`.
pub struct Store {
    directory: PathBuf,
    entries: BTreeMap<String, Entry>,
}

impl Store {
    /// An empty store in `directory` (created).
    pub fn create(directory: &Path) -> std::io::Result<Self> {
        std::fs::create_dir_all(directory)?;
        Ok(Self { directory: directory.to_path_buf(), entries: BTreeMap::new() })
    }

    /// Stores `bytes` as `name`; returns the root CID. Storing the same bytes twice writes one
    /// CAR.
    pub fn put(&mut self, name: &str, kind: &str, bytes: &[u8], content_id: Option<String>) -> std::io::Result<Cid> {
        let blocks = blocks(bytes);
        let root = blocks.last().expect("a root").0.clone();
        let path = self.directory.join(format!("{root}.car"));
        if !path.exists() {
            artifact::write_atomic(&path, &car(&blocks))?;
        }
        let entry = Entry {
            name: name.to_string(),
            kind: kind.to_string(),
            cid: root.to_string(),
            size: bytes.len() as u64,
            content_id,
        };
        self.entries.insert(name.to_string(), entry);
        Ok(root)
    }

    /// Writes `index.json`.
    pub fn write_index(&self) -> std::io::Result<()> {
        let entries: Vec<&Entry> = self.entries.values().collect();
        let text = serde_json::to_vec_pretty(&entries).map_err(std::io::Error::other)?;
        artifact::write_atomic(&self.directory.join("index.json"), &text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A block as read back: its CID's bytes and its bytes.
    type Block = (Vec<u8>, Vec<u8>);

    /// A CAR reader for the tests: the header's root and every block.
    fn read_car(bytes: &[u8]) -> (Vec<u8>, Vec<Block>) {
        fn read_varint(bytes: &[u8], at: &mut usize) -> usize {
            let (mut value, mut shift) = (0usize, 0);
            loop {
                let byte = bytes[*at];
                *at += 1;
                value |= usize::from(byte & 0x7f) << shift;
                if byte & 0x80 == 0 {
                    return value;
                }
                shift += 7;
            }
        }
        let mut at = 0;
        let header_len = read_varint(bytes, &mut at);
        let header = &bytes[at..at + header_len];
        at += header_len;
        let marker = header.windows(2).position(|w| w == [0xd8, 0x2a]).unwrap();
        let cid_len = usize::from(header[marker + 3]) - 1;
        let root = header[marker + 5..marker + 5 + cid_len].to_vec();
        let mut blocks = Vec::new();
        while at < bytes.len() {
            let len = read_varint(bytes, &mut at);
            let section = &bytes[at..at + len];
            at += len;
            // CIDv1 sha2-256: 1 + codec varint (1 byte for raw and dag-pb) + 2 + 32 bytes.
            blocks.push((section[..36].to_vec(), section[36..].to_vec()));
        }
        (root, blocks)
    }

    #[test]
    fn a_small_object_is_one_raw_block_whose_cid_hashes_its_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::create(dir.path()).unwrap();
        let cid = store.put("model.json", "model", b"{\"weights\":[1,2]}", None).unwrap();
        assert!(cid.is_raw());
        assert_eq!(cid.digest(), <[u8; 32]>::from(Sha256::digest(b"{\"weights\":[1,2]}")));
        assert!(cid.to_string().starts_with("bafkrei"), "{cid}");
        let (root, blocks) = read_car(&std::fs::read(dir.path().join(format!("{cid}.car"))).unwrap());
        assert_eq!(root, cid.as_bytes());
        assert_eq!(blocks, [(cid.as_bytes().to_vec(), b"{\"weights\":[1,2]}".to_vec())]);
    }

    #[test]
    fn a_large_object_is_chunked_under_a_dag_pb_root_and_every_block_hashes_its_bytes() {
        let bytes: Vec<u8> = (0..3 * CHUNK_THRESHOLD + 5).map(|i| (i * 31 % 251) as u8).collect();
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::create(dir.path()).unwrap();
        let cid = store.put("big", "update", &bytes, None).unwrap();
        assert!(!cid.is_raw());
        assert!(cid.to_string().starts_with("bafybei"), "dag-pb CIDv1: {cid}");
        let (root, blocks) = read_car(&std::fs::read(dir.path().join(format!("{cid}.car"))).unwrap());
        assert_eq!(root, cid.as_bytes());
        assert_eq!(blocks.len(), bytes.len().div_ceil(CHUNK_SIZE) + 1);
        for (block_cid, block) in &blocks {
            let codec = u64::from(block_cid[1]);
            assert_eq!(block_cid, Cid::of(codec, block).as_bytes(), "each CID is its block's hash");
        }
        let leaves: Vec<u8> = blocks[..blocks.len() - 1].iter().flat_map(|(_, b)| b.clone()).collect();
        assert_eq!(leaves, bytes, "the leaves are the object in order");
        // The root links every leaf by CID, in order.
        let root_block = &blocks.last().unwrap().1;
        let mut at = 0;
        for (leaf, _) in &blocks[..blocks.len() - 1] {
            let found = root_block[at..].windows(leaf.len()).position(|w| w == leaf.as_slice()).unwrap();
            at += found + leaf.len();
        }
        store.write_index().unwrap();
        let index: Vec<Entry> = serde_json::from_slice(&std::fs::read(dir.path().join("index.json")).unwrap()).unwrap();
        assert_eq!(index[0].cid, cid.to_string());
    }

    #[test]
    fn varints_and_base32_match_known_encodings() {
        let mut out = Vec::new();
        varint(300, &mut out);
        assert_eq!(out, [0xac, 0x02]);
        // CIDv1 raw of the empty string, as IPFS prints it.
        assert_eq!(Cid::of(RAW, b"").to_string(), "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku");
    }
}
