//! The layout of key files, and `proving.key` read and written in pieces.
//!
//! A key file's payload is `[u32 LE length][relation parameters, JSON][key]` (the parameters'
//! JSON object names its relation in its `"relation"` field), the key in
//! arkworks' canonical serialization: compressed in `verifying.key`, uncompressed in
//! `proving.key`, which is arkworks' `ProvingKey` layout:
//!
//! `vk, beta_g1, delta_g1, a_query, b_g1_query, b_g2_query, h_query, l_query`
//!
//! each query a `u64` LE length and its points. At 100,000 rows x 31 columns the proving key
//! is about 17 GB, so the prover reads it once, front to back, one chunk of points at a time
//! ([`ProvingKeyReader`]), and key generation writes it the same way.

use super::backend::Backend;
use super::commitment::{Commitment, CommitmentKey};
use super::relation::Relation;
use crate::error::ZkError;
use ark_bn254::{Bn254, Fr, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_groth16::VerifyingKey;
use ark_serialize::{CanonicalDeserialize, Compress, Validate};
use rayon::prelude::*;
use std::io::{Read, Write};
use std::path::Path;
use vsies_core::artifact::{ArtifactKind, BinaryReader};

/// Points per chunk when streaming a query unless told otherwise (64 MiB of G1 points): larger
/// chunks make slightly faster MSMs and cost memory.
pub const CHUNK_POINTS: usize = 1 << 20;

/// File name of the proving key in a key directory.
pub const PROVING_KEY_FILE: &str = "proving.key";
/// File name of the verifying key.
pub const VERIFYING_KEY_FILE: &str = "verifying.key";
/// File name of the verifying key in snarkjs's layout.
pub const SNARKJS_VERIFYING_KEY_FILE: &str = "verification_key.json";

/// Longest parameters header a reader accepts (a schema of 65,536 columns fits in it).
const MAX_PARAMS_BYTES: usize = 64 << 20;

/// The bytes before the key: the relation's parameters.
pub fn params_header<R: Relation>(params: &R::Params) -> Vec<u8> {
    let json = serde_json::to_vec(params).expect("relation parameters serialize");
    let mut header = (json.len() as u32).to_le_bytes().to_vec();
    header.extend_from_slice(&json);
    header
}

/// Reads [`params_header`]'s bytes as JSON, checking their length before allocating.
pub fn read_params_json(reader: &mut impl Read, path: &Path) -> Result<serde_json::Value, ZkError> {
    let malformed = |reason: String| ZkError::malformed(path, "key file", reason);
    let mut length = [0u8; 4];
    reader.read_exact(&mut length).map_err(|_| malformed("truncated".into()))?;
    let length = u32::from_le_bytes(length) as usize;
    if length > MAX_PARAMS_BYTES {
        return Err(malformed(format!("a {length}-byte parameters header")));
    }
    let mut json = vec![0u8; length];
    reader.read_exact(&mut json).map_err(|_| malformed("truncated parameters".into()))?;
    serde_json::from_slice(&json).map_err(|err| malformed(format!("parameters: {err}")))
}

/// Reads [`params_header`]'s bytes and the relation they define; a key of another relation is
/// refused by name.
pub fn read_params<R: Relation>(reader: &mut impl Read, path: &Path) -> Result<R, ZkError> {
    let json = read_params_json(reader, path)?;
    let name = json.get("relation").and_then(|name| name.as_str()).unwrap_or("(unnamed)");
    if name != R::NAME {
        return Err(ZkError::WrongRelation {
            path: path.into(),
            expected: R::NAME,
            found: name.chars().take(64).collect(),
        });
    }
    let params: R::Params = serde_json::from_value(json)
        .map_err(|err| ZkError::malformed(path, "key file", format!("parameters: {err}")))?;
    R::new(params).map_err(|err| ZkError::malformed(path, "key file", err.to_string()))
}

/// Bytes of one point, uncompressed.
pub fn point_size<P: AffineRepr>() -> usize {
    P::zero().uncompressed_size()
}

/// The uncompressed size of a serialized query of `len` points.
pub fn query_size<P: AffineRepr>(len: usize) -> u64 {
    8 + (len * point_size::<P>()) as u64
}

/// Writes a query's length, for the points that follow.
pub fn write_query_len(writer: &mut dyn Write, len: usize) -> std::io::Result<()> {
    writer.write_all(&(len as u64).to_le_bytes())
}

/// Writes `points` uncompressed (serialized in parallel).
pub fn write_points<P: AffineRepr>(writer: &mut dyn Write, points: &[P]) -> std::io::Result<()> {
    let size = point_size::<P>();
    let mut bytes = vec![0u8; points.len() * size];
    bytes.par_chunks_mut(size).zip(points).for_each(|(mut slot, point)| {
        point.serialize_uncompressed(&mut slot).expect("a point fits its slot");
    });
    writer.write_all(&bytes)
}

/// `proving.key` opened for one pass: its relation and the key's fixed elements are read, the
/// queries are consumed in file order by the MSMs that need them. A committing relation's key
/// holds the commitment basis first: [`ProvingKeyReader::commit`] reads it (and then the fixed
/// elements) before the other queries.
pub struct ProvingKeyReader<R> {
    reader: BinaryReader,
    chunk_points: usize,
    progress: Option<crate::progress::Phase>,
    /// The relation the key is for.
    pub relation: R,
    /// The verifying key inside the proving key.
    pub vk: VerifyingKey<Bn254>,
    /// The commitment key of a committing relation.
    pub commitment: Option<CommitmentKey>,
    /// `β` and `δ` in G1, once read.
    fixed: Option<(G1Affine, G1Affine)>,
}

fn element(reader: &mut BinaryReader, path: &Path, what: &str) -> Result<G1Affine, ZkError> {
    G1Affine::deserialize_with_mode(reader, Compress::No, Validate::No)
        .map_err(|err| ZkError::malformed(path, "key file", format!("{what}: {err}")))
}

impl<R: Relation> ProvingKeyReader<R> {
    /// Opens `path`; queries will be read `chunk_points` points at a time.
    pub fn open(path: &Path, chunk_points: usize) -> Result<Self, ZkError> {
        let mut reader = BinaryReader::open(path, ArtifactKind::ZkProvingKey)?;
        let relation = read_params::<R>(&mut reader, path)?;
        let vk = VerifyingKey::deserialize_with_mode(&mut reader, Compress::No, Validate::No)
            .map_err(|err| ZkError::malformed(path, "key file", format!("verifying key: {err}")))?;
        let (commitment, fixed) = if R::CHALLENGES > 0 {
            let sigma_gamma_g2 = G2Affine::deserialize_with_mode(&mut reader, Compress::No, Validate::No)
                .map_err(|err| ZkError::malformed(path, "key file", format!("sigma_gamma_g2: {err}")))?;
            // The basis's length, read here so the key's shape is known before any MSM.
            let mut length = [0u8; 8];
            reader.read_exact(&mut length).map_err(|err| ZkError::malformed(path, "key file", err))?;
            (Some(CommitmentKey { committed: u64::from_le_bytes(length), sigma_gamma_g2 }), None)
        } else {
            let beta = element(&mut reader, path, "beta_g1")?;
            (None, Some((beta, element(&mut reader, path, "delta_g1")?)))
        };
        Ok(Self { reader, chunk_points: chunk_points.max(1), progress: None, relation, vk, commitment, fixed })
    }

    /// The commitment `D` to `values` (the committed witnesses, blinding last) and its proof of
    /// knowledge `P`, from the commitment basis; then reads the fixed elements.
    pub fn commit(&mut self, backend: &dyn Backend, values: &[Fr]) -> Result<Commitment, ZkError> {
        let path = self.reader.path().to_path_buf();
        let Some(key) = &self.commitment else {
            return Err(ZkError::malformed(path, "key file", "the relation commits to no witnesses"));
        };
        if key.committed != values.len() as u64 || self.fixed.is_some() {
            let reason = format!("a basis of {} points for {} committed values", key.committed, values.len());
            return Err(ZkError::malformed(path, "key file", reason));
        }
        let point = self.points::<G1Affine>("commitment basis", values, |p, s| backend.msm_g1(p, s))?;
        let knowledge = self.msm::<G1Affine>("sigma commitment basis", values, |p, s| backend.msm_g1(p, s))?;
        let beta = element(&mut self.reader, &path, "beta_g1")?;
        self.fixed = Some((beta, element(&mut self.reader, &path, "delta_g1")?));
        Ok(Commitment { point: point.into(), knowledge: knowledge.into() })
    }

    /// `β` in G1 (after [`ProvingKeyReader::commit`] for a committing relation).
    pub fn beta_g1(&self) -> Result<G1Affine, ZkError> {
        self.fixed.map(|(beta, _)| beta).ok_or_else(Self::out_of_order)
    }

    /// `δ` in G1.
    pub fn delta_g1(&self) -> Result<G1Affine, ZkError> {
        self.fixed.map(|(_, delta)| delta).ok_or_else(Self::out_of_order)
    }

    fn out_of_order() -> ZkError {
        ZkError::Relation("internal: the proving key's commitment basis was not read".into())
    }

    /// `sum_i query_i * scalars_i` over the next G1 query, which must hold `scalars.len()`
    /// points, on `backend`.
    pub fn msm_g1(
        &mut self,
        backend: &dyn Backend,
        what: &str,
        scalars: &[Fr],
    ) -> Result<ark_bn254::G1Projective, ZkError> {
        self.msm::<G1Affine>(what, scalars, |points, chunk| backend.msm_g1(points, chunk))
    }

    /// As [`Self::msm_g1`], for the G2 query.
    pub fn msm_g2(
        &mut self,
        backend: &dyn Backend,
        what: &str,
        scalars: &[Fr],
    ) -> Result<ark_bn254::G2Projective, ZkError> {
        self.msm::<G2Affine>(what, scalars, |points, chunk| backend.msm_g2(points, chunk))
    }

    fn msm<P: AffineRepr<ScalarField = Fr>>(
        &mut self,
        what: &str,
        scalars: &[Fr],
        msm: impl Fn(&[P], &[Fr]) -> P::Group,
    ) -> Result<P::Group, ZkError> {
        let path = self.reader.path().to_path_buf();
        let malformed = |reason: String| ZkError::malformed(&path, "key file", format!("{what}: {reason}"));
        let mut length = [0u8; 8];
        self.reader.read_exact(&mut length).map_err(|err| malformed(err.to_string()))?;
        let length = u64::from_le_bytes(length);
        if length != scalars.len() as u64 {
            return Err(malformed(format!("{length} points, the relation needs {}", scalars.len())));
        }
        self.points(what, scalars, msm)
    }

    /// The MSM of `scalars` with the next `scalars.len()` points (their length already read).
    fn points<P: AffineRepr<ScalarField = Fr>>(
        &mut self,
        what: &str,
        scalars: &[Fr],
        msm: impl Fn(&[P], &[Fr]) -> P::Group,
    ) -> Result<P::Group, ZkError> {
        let path = self.reader.path().to_path_buf();
        let malformed = |reason: String| ZkError::malformed(&path, "key file", format!("{what}: {reason}"));
        let size = point_size::<P>();
        let mut bytes = vec![0u8; self.chunk_points.min(scalars.len()) * size];
        let mut sum = P::Group::default();
        for chunk in scalars.chunks(self.chunk_points) {
            let bytes = &mut bytes[..chunk.len() * size];
            self.reader.read_exact(bytes).map_err(|err| malformed(err.to_string()))?;
            if let Some(progress) = &self.progress {
                progress.advance(bytes.len() as u64);
            }
            // The proving key is the prover's own checksummed file (checked by `finish`):
            // its points are not re-validated, as arkworks' `Validate::No`.
            let points: Vec<P> = bytes
                .par_chunks(size)
                .map(|mut point| P::deserialize_with_mode(&mut point, Compress::No, Validate::No))
                .collect::<Result<_, _>>()
                .map_err(|err| malformed(err.to_string()))?;
            // A variable absent from a query's polynomial has the identity as its point
            // (often most of the B query): it adds nothing, so it is left out of the MSM.
            let (points, chunk): (Vec<P>, Vec<Fr>) =
                points.into_iter().zip(chunk).filter(|(point, _)| !point.is_zero()).map(|(p, s)| (p, *s)).unzip();
            sum += msm(&points, &chunk);
        }
        Ok(sum)
    }

    /// Reports the points read from now on to a progress phase named `name` (its total: the
    /// file's size).
    pub fn report_progress(&mut self, name: &'static str) {
        let total = std::fs::metadata(self.reader.path()).map_or(0, |m| m.len());
        self.progress = Some(crate::progress::phase(name, total));
    }

    /// Checks that the whole file was read and its checksum.
    pub fn finish(self) -> Result<(), ZkError> {
        self.reader.finish()?;
        Ok(())
    }
}
