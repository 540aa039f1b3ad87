//! Proofs that contributors' public-key encryptions are well formed: tfhe-rs's zero-knowledge
//! proofs of compact public-key encryption (`zk-pok`, the PKEv2 scheme), one per compact list.
//!
//! A proof shows that its list is `(a·r + e_1, b·r + e_2 + Δ·m)` under the key set's compact
//! public key, with `r` binary, every noise term within TUniform(17)'s bound, and every
//! message `m < 2^bits` for the schema's feature format: the contributor encrypts each feature
//! `x` as its offset `x − min` (so the proof's range is exactly the format's), and inference
//! adds `min·Σw` back. A list whose mask is crafted (the chosen-ciphertext attack on the
//! owner's decryption), whose noise is outside the bound, or whose values are outside the
//! format has no valid proof.
//!
//! Each proof is bound, through tfhe-rs's metadata, to the key set, the schema, the plaintext
//! dataset's content id and data commitment, and the list's index and count, so a proof
//! cannot be moved to another list, dataset or key set.
//!
//! **The CRS** (`encryption.crs`, `vsies setup encryption`) is made by the key owner from the
//! operating system's entropy: whoever makes it could prove malformed lists, so the owner
//! (who is protected by the proofs) makes it, and a compute node checking proofs on the
//! owner's behalf relies on it. Its size and the proofs' costs are in BENCHMARKS.md.

use crate::error::FheError;
use crate::keys::{decode_error, PublicKey};
use crate::params::{DELTA_LOG2, LWE_DIMENSION, MESSAGE_BITS, NOISE_BOUND_LOG2};
use std::path::Path;
use tfhe::core_crypto::commons::math::random::RandomGenerator;
use tfhe::core_crypto::prelude::*;
use tfhe::safe_serialization::{safe_deserialize, safe_deserialize_conformant, safe_serialize};
use tfhe::zk::{
    CompactPkeCrs, CompactPkeProof, CompactPkeProofConformanceParams, CompactPkeZkScheme, ZkComputeLoad,
    ZkMSBZeroPaddingBitCount,
};
use vsies_core::artifact::{self, ArtifactKind};
use vsies_core::codec::{Reader, Writer};
use vsies_core::{ContentId, DataCommitment, FixedFormat};

/// File name of the encryption CRS in a key directory.
pub const CRS_FILE: &str = "encryption.crs";

/// Largest serialized proof read (a PKEv2 proof of 2,048 messages is a few kB).
pub(crate) const MAX_PROOF_BYTES: u64 = 1 << 20;

/// The common reference string of encryption proofs for one feature format.
pub struct EncryptionCrs {
    pub(crate) crs: CompactPkeCrs,
    /// The feature format whose range the proofs check.
    pub format: FixedFormat,
    /// Content id of the file's payload.
    pub id: ContentId,
}

/// Everything a proof is bound to besides its list.
pub(crate) struct ProofContext<'a> {
    /// The domain: what kind of list the proof is of.
    pub tag: &'static [u8],
    pub key_id: ContentId,
    pub schema_id: ContentId,
    pub dataset_id: ContentId,
    pub commitment: Option<&'a DataCommitment>,
    pub lists: usize,
}

/// The domain of proofs of inference datasets' lists.
pub(crate) const FEATURES_TAG: &[u8] = b"vsies/encryption-proof/v1\n";
/// The domain of proofs of training rows (one list per row, every message a bit).
pub(crate) const TRAINING_TAG: &[u8] = b"vsies/training-row-proof/v1\n";

impl ProofContext<'_> {
    /// tfhe-rs's metadata for list `index`: an injective encoding of the context and the index.
    pub(crate) fn metadata(&self, index: usize) -> Vec<u8> {
        let mut out = Writer::new();
        out.raw(self.tag).cid(&self.key_id).cid(&self.schema_id).cid(&self.dataset_id);
        match self.commitment {
            Some(commitment) => out.u8(1).raw(commitment.as_bytes()),
            None => out.u8(0),
        };
        out.u64(index as u64).u64(self.lists as u64);
        out.into_bytes()
    }
}

/// `min` of `format`: the offset every proved feature is encrypted from.
pub(crate) fn offset(format: FixedFormat) -> i64 {
    format.min()
}

/// A CRS whose proofs bound every message below `2^range_bits` (at scale `2^40`).
fn new_crs(
    range_bits: u32,
    generator: &mut RandomGenerator<DefaultRandomGenerator>,
) -> Result<CompactPkeCrs, FheError> {
    if range_bits >= MESSAGE_BITS {
        return Err(FheError::Proving(format!("{range_bits}-bit values leave no room for a proof's range")));
    }
    CompactPkeCrs::new(
        LweDimension(LWE_DIMENSION),
        LweCiphertextCount(LWE_DIMENSION),
        TUniform::<u64>::new(NOISE_BOUND_LOG2),
        CiphertextModulus::new_native(),
        1u64 << MESSAGE_BITS,
        ZkMSBZeroPaddingBitCount(u64::from(MESSAGE_BITS - range_bits)),
        generator,
    )
    .map_err(|err| FheError::Proving(format!("making the encryption CRS: {err}")))
}

/// A CRS file's payload: two marker bytes (a feature format, or `1, 0` for training bits),
/// then tfhe-rs's serialization.
fn crs_payload(crs: &CompactPkeCrs, marker: [u8; 2]) -> Vec<u8> {
    let mut serialized = Vec::new();
    safe_serialize(crs, &mut serialized, u64::MAX).expect("a CRS serializes into memory");
    let mut out = Writer::with_capacity(serialized.len() + 2);
    out.raw(&marker).raw(&serialized);
    out.into_bytes()
}

/// Reads a CRS file: its marker, the CRS (checked against this build's parameters) and the
/// payload's content id.
fn read_crs(path: &Path) -> Result<([u8; 2], CompactPkeCrs, ContentId), FheError> {
    let payload = artifact::read_binary(path, ArtifactKind::FheEncryptionCrs)?;
    let mut reader = Reader::new(&payload);
    let marker = reader.array::<2>("format").map_err(decode_error(path))?;
    let rest = reader.take("crs", reader.remaining()).map_err(decode_error(path))?;
    let crs: CompactPkeCrs = safe_deserialize(rest, rest.len() as u64)
        .map_err(|err| FheError::malformed(path, &format!("not an encryption CRS: {err}")))?;
    // The padding (the proved range) is inside the CRS, which tfhe-rs does not expose: the
    // CRS is the owner's own file, and every proved file records its id.
    let matches = crs.lwe_dimension() == LweDimension(LWE_DIMENSION)
        && crs.max_num_messages() == LweCiphertextCount(LWE_DIMENSION)
        && crs.plaintext_modulus() == 1u64 << MESSAGE_BITS
        && matches!(crs.scheme_version(), CompactPkeZkScheme::V2);
    if !matches {
        return Err(FheError::malformed(path, "the CRS is not for this build's encryption parameters"));
    }
    Ok((marker, crs, ContentId::of(&payload)))
}

/// Encrypts `values` into `list` under `key` at scale `2^40` and proves it with `crs` (an
/// [`EncryptionCrs`]'s or a [`TrainingCrs`]'s).
pub(crate) fn prove_list(
    crs: &CompactPkeCrs,
    key: &PublicKey,
    list: &mut LweCompactCiphertextListOwned<u64>,
    values: &[u64],
    metadata: &[u8],
    generator: &mut EncryptionRandomGenerator<DefaultRandomGenerator>,
) -> Result<Vec<u8>, FheError> {
    let noise = TUniform::<u64>::new(NOISE_BOUND_LOG2);
    let proof = encrypt_and_prove_lwe_compact_ciphertext_list_with_compact_public_key(
        &key.key,
        list,
        &values.to_vec(),
        1u64 << DELTA_LOG2,
        noise,
        noise,
        generator.noise_generator_mut(),
        crs,
        metadata,
        ZkComputeLoad::Proof,
    )
    .map_err(|err| FheError::Proving(format!("proving an encryption: {err}")))?;
    let mut bytes = Vec::new();
    safe_serialize(&proof, &mut bytes, MAX_PROOF_BYTES).expect("a proof serializes into memory");
    Ok(bytes)
}

/// Whether `proof` (serialized) proves `list` well formed under `key` and `crs` for `metadata`.
pub(crate) fn verify_list(
    crs: &CompactPkeCrs,
    key: &PublicKey,
    list: &LweCompactCiphertextListOwned<u64>,
    proof: &[u8],
    metadata: &[u8],
) -> bool {
    let conformance = CompactPkeProofConformanceParams::new(CompactPkeZkScheme::V2);
    let Ok(proof) = safe_deserialize_conformant::<CompactPkeProof>(proof, MAX_PROOF_BYTES, &conformance) else {
        return false;
    };
    verify_lwe_compact_ciphertext_list(list, &key.key, &proof, crs, metadata).is_valid()
}

impl EncryptionCrs {
    /// A CRS for lists of up to 2,048 messages of `format`, from `generator`'s randomness.
    pub fn generate(
        format: FixedFormat,
        generator: &mut RandomGenerator<DefaultRandomGenerator>,
    ) -> Result<Self, FheError> {
        let crs = new_crs(format.bits, generator)?;
        let id = ContentId::of(&crs_payload(&crs, Self::marker(format)));
        Ok(Self { crs, format, id })
    }

    fn marker(format: FixedFormat) -> [u8; 2] {
        [format.bits as u8, format.frac_bits as u8]
    }

    /// Writes `encryption.crs`.
    pub fn save(&self, path: &Path) -> Result<(), FheError> {
        artifact::write_binary(path, ArtifactKind::FheEncryptionCrs, &crs_payload(&self.crs, Self::marker(self.format)))
            .map_err(FheError::from)
    }

    /// Reads `encryption.crs` (its size bounds the deserialization).
    pub fn load(path: &Path) -> Result<Self, FheError> {
        let ([bits, frac_bits], crs, id) = read_crs(path)?;
        let format = FixedFormat { bits: bits.into(), frac_bits: frac_bits.into() }
            .validate()
            .map_err(|err| FheError::malformed(path, &format!("not a CRS of a feature format: {err}")))?;
        if format.bits >= MESSAGE_BITS {
            return Err(FheError::malformed(path, "the CRS's format leaves no room for a range"));
        }
        Ok(Self { crs, format, id })
    }
}

/// File name of the training CRS in a key directory.
pub const TRAINING_CRS_FILE: &str = "training.crs";

/// The common reference string of proofs that training rows encrypt bits
/// (`vsies setup encryption --training`): every message of a proved list is 0 or 1 at scale
/// `2^40`, its mask and noise honest. Made by the key owner, as [`EncryptionCrs`] is.
pub struct TrainingCrs {
    pub(crate) crs: CompactPkeCrs,
    /// Content id of the file's payload.
    pub id: ContentId,
}

impl TrainingCrs {
    const MARKER: [u8; 2] = [1, 0];

    /// A CRS for rows of up to 2,048 bits, from `generator`'s randomness.
    pub fn generate(generator: &mut RandomGenerator<DefaultRandomGenerator>) -> Result<Self, FheError> {
        let crs = new_crs(1, generator)?;
        let id = ContentId::of(&crs_payload(&crs, Self::MARKER));
        Ok(Self { crs, id })
    }

    /// Writes `training.crs`.
    pub fn save(&self, path: &Path) -> Result<(), FheError> {
        artifact::write_binary(path, ArtifactKind::FheEncryptionCrs, &crs_payload(&self.crs, Self::MARKER))
            .map_err(FheError::from)
    }

    /// Reads `training.crs`; refuses a CRS of a feature format.
    pub fn load(path: &Path) -> Result<Self, FheError> {
        let (marker, crs, id) = read_crs(path)?;
        if marker != Self::MARKER {
            return Err(FheError::malformed(
                path,
                "a CRS of a feature format, not of training bits (`setup encryption --training`)",
            ));
        }
        Ok(Self { crs, id })
    }
}

/// Tests' CRS, made once per machine from a fixed seed and kept in the temporary directory
/// (a CRS takes about 30 s to make; every test binary that needs one shares it). Its
/// randomness is public: never a CRS for real proofs.
#[doc(hidden)]
pub mod test_support {
    use super::*;
    use tfhe::core_crypto::commons::math::random::Seed;

    /// The shared test CRS for `format`.
    pub fn cached_crs(format: FixedFormat) -> EncryptionCrs {
        let path =
            std::env::temp_dir().join(format!("vsies-test-encryption-v1-{}-{}.crs", format.bits, format.frac_bits));
        if let Ok(crs) = EncryptionCrs::load(&path) {
            return crs;
        }
        let crs = EncryptionCrs::generate(format, &mut RandomGenerator::new(Seed(0x7e57))).expect("a test CRS");
        // Written atomically: a concurrent test binary reads the old file or the whole new one.
        let _ = crs.save(&path);
        crs
    }

    /// The shared test CRS of training bits.
    pub fn cached_training_crs() -> TrainingCrs {
        let path = std::env::temp_dir().join("vsies-test-training-v1.crs");
        if let Ok(crs) = TrainingCrs::load(&path) {
            return crs;
        }
        let crs = TrainingCrs::generate(&mut RandomGenerator::new(Seed(0x7e58))).expect("a test CRS");
        let _ = crs.save(&path);
        crs
    }
}
