//! Encrypted weighted updates, and their sums.
//!
//! A client encrypts its weighted update (see [`vsies_core::fedavg`]) under the committee's
//! public key with packed RLWE public-key encryption: per chunk of up to `packing * 4096`
//! values it draws a binary `r` and publishes one mask `c_1 = a * r + e_1` and, per body
//! polynomial `j`, `c_0,j = b_j * r + e_0,j + Delta * m_j`, keeping only as many body
//! coefficients as there are values. Masks are stored at 96 bits and bodies at 88 (a modulus
//! switch), so 10^5 values take 11.5 bytes each.
//!
//! A sum of encryptions under one key is an encryption of the sum: the aggregator adds masks
//! and bodies field by field, each mod its stored width, and never decrypts. An aggregate has
//! the same format as one update, with the digests of every client ciphertext in it, so
//! aggregates of aggregates work and a ciphertext counted twice is refused.

use crate::backend::{Cpu, SumBackend};
use crate::committee::{Committee, PublicKey};
use crate::error::AggError;
use crate::params::{BODY_BITS, DELTA_LOG2, MASK_BITS, NOISE_BOUND_LOG2, RING_DEGREE};
use crate::proof::{EncryptionRandomness, UpdateProof, UPDATE_PROOF_BYTES};
use crate::ring::{self, Poly};
use crate::signing::{ClientKey, ClientSignature};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use tfhe::core_crypto::commons::math::random::{RandomGenerator, Seeder};
use tfhe::core_crypto::prelude::DefaultRandomGenerator;
use vsies_core::artifact::{self, ArtifactKind};
use vsies_core::codec::{CodecError, Reader, Writer};
use vsies_core::fedavg::{self, UpdateShape};
use vsies_core::{ContentId, Model, Schema, TrainingConfig};

const UPDATE_TAG: &[u8] = b"vsies/agg-update/v2\n";

/// Schemas whose JSON is at most this size travel inside every update, so `combine` needs no
/// other file; larger ones (models of many thousand features) travel by content id alone and
/// `combine` takes the schema, so the aggregator never reads megabytes of metadata per update.
pub const EMBEDDED_SCHEMA_LIMIT: usize = 64 * 1024;

/// What the updates of one round share: the public description of the model being averaged.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelDescriptor {
    /// The schema's content id.
    pub schema_id: ContentId,
    /// Feature weights of the model.
    pub features: usize,
    /// The training parameters every client used.
    pub training: TrainingConfig,
    /// The global model the round started from, if any.
    pub initial_model: Option<ContentId>,
    /// The schema itself, when its JSON is at most [`EMBEDDED_SCHEMA_LIMIT`] bytes.
    pub schema: Option<Schema>,
}

impl ModelDescriptor {
    /// The descriptor of `model`.
    pub fn of(model: &Model) -> Self {
        let small = serde_json::to_vec(&model.schema).is_ok_and(|json| json.len() <= EMBEDDED_SCHEMA_LIMIT);
        Self {
            schema_id: model.schema_id,
            features: model.weights.len(),
            training: model.training,
            initial_model: model.initial_model,
            schema: small.then(|| model.schema.clone()),
        }
    }

    /// The averaging shape, with the embedded schema or `schema` (which must be the one the
    /// models were trained under).
    pub fn shape(&self, schema: Option<&Schema>) -> Result<UpdateShape, AggError> {
        let schema = match (&self.schema, schema) {
            (_, Some(given)) if given.content_id() != self.schema_id => {
                return Err(AggError::SchemaMismatch { expected: self.schema_id, found: given.content_id() })
            }
            (_, Some(given)) => given.clone(),
            (Some(embedded), None) => embedded.clone(),
            (None, None) => return Err(AggError::SchemaNeeded { schema_id: self.schema_id }),
        };
        Ok(UpdateShape { schema, training: self.training, initial_model: self.initial_model })
    }

    fn check(&self, path: &Path) -> Result<(), AggError> {
        let malformed = |reason: String| AggError::malformed(path, reason);
        self.training.weight_format.validate().map_err(|err| malformed(err.to_string()))?;
        if let Some(schema) = &self.schema {
            let schema = schema.clone().validate().map_err(|err| malformed(err.to_string()))?;
            if schema.content_id() != self.schema_id || schema.features.len() != self.features {
                return Err(malformed("the embedded schema is not the one its id names".into()));
            }
            self.training
                .validate(schema.quantization, self.features)
                .map_err(|err| malformed(format!("training configuration: {err}")))?;
        }
        Ok(())
    }

    /// Values of a weighted update: the weights, the bias, the row count.
    pub fn coordinates(&self) -> usize {
        self.features + 2
    }
}
const MASK_BYTES: usize = ring::width(MASK_BITS);
const BODY_BYTES: usize = ring::width(BODY_BITS);

/// An encrypted weighted update of one client, or the sum of several.
#[derive(Clone, Debug)]
pub struct EncryptedUpdate {
    /// The committee's id (its public key's content id).
    pub committee_id: ContentId,
    /// The committee's shape.
    pub committee: Committee,
    /// The federated round; only updates of one round are summed.
    pub round: u64,
    /// What the updates average.
    pub model: ModelDescriptor,
    /// The ids of the client ciphertexts summed here, in the order added: SHA-256 of each
    /// client's ciphertext alone (masks and bodies), so a ciphertext re-sent under a
    /// re-encoded header is still one client ([`ciphertext_id`]).
    pub contributors: Vec<[u8; 32]>,
    /// One client's signature over (committee, round, ciphertext id) with its registered key
    /// ([`EncryptedUpdate::sign`]); aggregates carry none (members check the update files).
    pub signature: Option<ClientSignature>,
    /// One client's proof that its ciphertext is an honest encryption of its committed
    /// model's weighted update ([`crate::proof`]); aggregates carry none.
    pub proof: Option<UpdateProof>,
    coordinates: usize,
    /// Packed masks, [`MASK_BYTES`] per coefficient, one polynomial per chunk.
    masks: Vec<u8>,
    /// Packed bodies, [`BODY_BYTES`] per value.
    bodies: Vec<u8>,
}

/// A client update's id: SHA-256 of its ciphertext (masks then bodies) under a domain tag.
/// Not the file checksum: a header changed or re-encoded around the same ciphertext must not
/// make one client count twice.
pub fn ciphertext_id(masks: &[u8], bodies: &[u8]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(b"vsies/agg-ciphertext-id/v1\n");
    hasher.update((masks.len() as u64).to_le_bytes());
    hasher.update(masks);
    hasher.update(bodies);
    hasher.finalize().into()
}

/// Body polynomials needed for `coordinates` values.
pub(crate) fn polynomials(coordinates: usize) -> usize {
    coordinates.div_ceil(RING_DEGREE)
}

impl EncryptedUpdate {
    /// Encrypts `model`'s weighted update for `round` under the committee's key, with
    /// randomness from `seeder` (the operating system's entropy for real updates).
    pub fn encrypt(public: &PublicKey, model: &Model, round: u64, seeder: &mut dyn Seeder) -> Result<Self, AggError> {
        Ok(Self::encrypt_keeping_randomness(public, model, round, seeder)?.0)
    }

    /// [`EncryptedUpdate::encrypt`], also returning the binary polynomials drawn, which
    /// [`crate::prove_update`] needs (and which must stay with the client).
    pub fn encrypt_keeping_randomness(
        public: &PublicKey,
        model: &Model,
        round: u64,
        seeder: &mut dyn Seeder,
    ) -> Result<(Self, EncryptionRandomness), AggError> {
        let values = fedavg::weighted_update(model)?;
        let committee = public.committee;
        let mut generator = RandomGenerator::<DefaultRandomGenerator>::new(seeder.seed());
        let polys = polynomials(values.len());
        let mut masks = Vec::new();
        let mut bodies = Vec::with_capacity(values.len() * BODY_BYTES);
        let mut randomness = EncryptionRandomness { binary: Vec::new() };
        for chunk_start in (0..polys).step_by(committee.packing) {
            let chunk = chunk_start..polys.min(chunk_start + committee.packing);
            // All randomness is drawn in order first, so the result does not depend on threads.
            let r = ring::binary(&mut generator);
            randomness.binary.push(r.iter().map(|&bit| bit == 1).collect());
            let e1 = ring::noise(&mut generator, NOISE_BOUND_LOG2, RING_DEGREE);
            let e0: Vec<Poly> =
                chunk.clone().map(|_| ring::noise(&mut generator, NOISE_BOUND_LOG2, RING_DEGREE)).collect();
            let mut mask = ring::multiply(&public.a, &r);
            ring::add_assign(&mut mask, &e1);
            ring::pack(mask.into_iter().map(|c| ring::switch_down(c, MASK_BITS)), MASK_BITS, &mut masks);
            let chunk_bodies: Vec<Vec<u8>> = chunk
                .clone()
                .into_par_iter()
                .zip(e0.par_iter())
                .map(|(poly, noise)| {
                    let key = &public.b[poly - chunk_start];
                    let messages = &values[poly * RING_DEGREE..values.len().min((poly + 1) * RING_DEGREE)];
                    let product = ring::multiply(key, &r);
                    let mut out = Vec::with_capacity(messages.len() * BODY_BYTES);
                    let body = messages.iter().zip(product.iter().zip(noise)).map(|(&m, (&p, &e))| {
                        let c0 = p.wrapping_add(e).wrapping_add(u128::from(m) << DELTA_LOG2);
                        ring::switch_down(c0, BODY_BITS)
                    });
                    ring::pack(body, BODY_BITS, &mut out);
                    out
                })
                .collect();
            chunk_bodies.iter().for_each(|b| bodies.extend_from_slice(b));
        }
        let mut update = Self {
            committee_id: public.id(),
            committee,
            round,
            model: ModelDescriptor::of(model),
            contributors: Vec::new(),
            signature: None,
            proof: None,
            coordinates: values.len(),
            masks,
            bodies,
        };
        update.contributors.push(ciphertext_id(&update.masks, &update.bodies));
        Ok((update, randomness))
    }

    /// Signs this client update with `key` (the client's registered account key).
    pub fn sign(&mut self, key: &ClientKey) -> Result<(), AggError> {
        let [id] = self.contributors[..] else {
            return Err(AggError::Committee("only one client's update is signed, not an aggregate".into()));
        };
        self.signature = Some(key.sign(&self.committee_id, self.round, &id));
        Ok(())
    }

    /// Values in the update: the weights, the bias and the row count.
    pub fn coordinates(&self) -> usize {
        self.coordinates
    }

    /// Ciphertext bytes (masks and bodies), without the header.
    pub fn ciphertext_bytes(&self) -> usize {
        self.masks.len() + self.bodies.len()
    }

    /// How many client ciphertexts this aggregate may hold.
    pub fn client_limit(&self) -> u64 {
        self.committee.max_clients().min(fedavg::max_clients(self.model.training.weight_format))
    }

    /// Checks that `other` (read from `path`, named in errors) may be summed with this update:
    /// same committee, round and model.
    fn check_compatible(&self, other: &Self, path: &Path) -> Result<(), AggError> {
        if other.committee_id != self.committee_id {
            return Err(AggError::WrongCommittee {
                path: path.into(),
                expected: self.committee_id,
                found: other.committee_id,
            });
        }
        if other.round != self.round {
            return Err(AggError::WrongRound { path: path.into(), expected: self.round, found: other.round });
        }
        if other.model != self.model || other.coordinates != self.coordinates {
            return Err(AggError::WrongShape { path: path.into() });
        }
        Ok(())
    }

    /// Sums update files, holding one aggregate and one input in memory at a time.
    pub fn sum_files(paths: &[PathBuf]) -> Result<Self, AggError> {
        Self::sum_checked_files(paths, |_, _| Ok(()))
    }

    /// [`EncryptedUpdate::sum_files`], passing each update read to `check` (with its file)
    /// before it is added.
    pub fn sum_checked_files(
        paths: &[PathBuf],
        check: impl FnMut(&Self, &Path) -> Result<(), AggError>,
    ) -> Result<Self, AggError> {
        Self::sum_checked_files_on(paths, Cpu, check)
    }

    /// [`EncryptedUpdate::sum_checked_files`], adding on `backend`.
    pub fn sum_checked_files_on<B: SumBackend>(
        paths: &[PathBuf],
        backend: B,
        mut check: impl FnMut(&Self, &Path) -> Result<(), AggError>,
    ) -> Result<Self, AggError> {
        let (first, rest) = paths.split_first().ok_or_else(|| AggError::Committee("no updates to sum".into()))?;
        let mut load = |path: &PathBuf| {
            let update = Self::load(path)?;
            check(&update, path)?;
            Ok::<_, AggError>(update)
        };
        let mut aggregator = Aggregator::with_backend(load(first)?, backend);
        for path in rest {
            aggregator.add(&load(path)?, path)?;
        }
        Ok(aggregator.finish())
    }

    /// Replaces a client update's stored masks, as a crafting client would (tests).
    #[cfg(test)]
    pub(crate) fn replace_masks(&mut self, masks: Vec<u8>) {
        self.masks = masks;
        self.contributors = vec![ciphertext_id(&self.masks, &self.bodies)];
    }

    /// Mask polynomial of chunk `chunk`, lifted to 2^128.
    pub(crate) fn mask(&self, chunk: usize) -> Poly {
        let bytes = &self.masks[chunk * RING_DEGREE * MASK_BYTES..(chunk + 1) * RING_DEGREE * MASK_BYTES];
        ring::unpack(bytes, MASK_BITS).map(|c| ring::switch_up(c, MASK_BITS)).collect()
    }

    /// Bodies lifted to 2^128, one per value.
    pub(crate) fn bodies(&self) -> impl Iterator<Item = u128> + '_ {
        ring::unpack(&self.bodies, BODY_BITS).map(|c| ring::switch_up(c, BODY_BITS))
    }

    fn payload(&self) -> Vec<u8> {
        let mut out = Writer::with_capacity(1024 + self.masks.len() + self.bodies.len());
        out.raw(UPDATE_TAG).cid(&self.committee_id);
        self.committee.write_header(&mut out);
        out.u64(self.round);
        out.bytes(&serde_json::to_vec(&self.model).expect("descriptors serialize"));
        out.u32(self.coordinates as u32);
        // One client's update lists no contributor: its id is the hash of its ciphertext.
        let listed: &[[u8; 32]] = if self.contributors.len() == 1 { &[] } else { &self.contributors };
        out.u32(listed.len() as u32);
        listed.iter().for_each(|digest| {
            out.raw(digest);
        });
        out.raw(&self.masks).raw(&self.bodies);
        if let Some(signature) = &self.signature {
            out.u8(1).raw(&signature.address).raw(&signature.signature);
        }
        if let Some(proof) = &self.proof {
            out.u8(2).raw(&proof.to_bytes());
        }
        out.into_bytes()
    }

    /// The file checksum of this update's encoding: what decryption shares are bound to, and
    /// a client update's contributor id.
    pub fn digest(&self) -> [u8; 32] {
        artifact::binary_checksum(&artifact::encode_binary(ArtifactKind::EncryptedUpdate, &self.payload()))
    }

    /// Writes the update (or aggregate) atomically.
    pub fn save(&self, path: &Path) -> Result<(), AggError> {
        artifact::write_binary(path, ArtifactKind::EncryptedUpdate, &self.payload()).map_err(AggError::from)
    }

    /// Reads an update or aggregate and checks its structure.
    pub fn load(path: &Path) -> Result<Self, AggError> {
        let payload = artifact::read_binary(path, ArtifactKind::EncryptedUpdate)?;
        Self::parse(&payload, path)
    }

    fn parse(payload: &[u8], path: &Path) -> Result<Self, AggError> {
        let malformed = |reason: &str| AggError::malformed(path, reason);
        let codec = |err: CodecError| AggError::malformed(path, err.to_string());
        let mut reader = Reader::new(payload);
        reader.expect("tag", UPDATE_TAG).map_err(|_| malformed("not an encrypted update"))?;
        let committee_id = reader.cid("committee id").map_err(codec)?;
        let committee = Committee::read_header(&mut reader, path)?;
        let round = reader.u64("round").map_err(codec)?;
        let descriptor = reader.bytes("model descriptor").map_err(codec)?;
        let model: ModelDescriptor = serde_json::from_slice(descriptor)
            .map_err(|err| AggError::malformed(path, format!("model descriptor: {err}")))?;
        // One encoding per header: a re-encoded descriptor (white space, key order, number
        // spellings) would otherwise give one ciphertext two files' identities.
        if serde_json::to_vec(&model).ok().as_deref() != Some(descriptor) {
            return Err(malformed("the model descriptor is not in its canonical encoding"));
        }
        model.check(path)?;
        let coordinates = reader.u32("coordinates").map_err(codec)? as usize;
        if coordinates != model.coordinates() {
            return Err(malformed("the value count does not match the model shape"));
        }
        let listed = reader.u32("contributors").map_err(codec)?;
        if listed == 1 {
            return Err(malformed("one contributor is listed (a client's update lists none)"));
        }
        let listed = reader.count("contributors", listed.into(), 32).map_err(codec)?;
        let mut contributors: Vec<[u8; 32]> =
            (0..listed).map(|_| reader.array("contributor")).collect::<Result<_, _>>().map_err(codec)?;
        let chunks = polynomials(coordinates).div_ceil(committee.packing);
        let masks = reader.take("masks", chunks * RING_DEGREE * MASK_BYTES).map_err(codec)?.to_vec();
        let bodies = reader.take("bodies", coordinates * BODY_BYTES).map_err(codec)?.to_vec();
        let single = contributors.is_empty();
        if single {
            contributors.push(ciphertext_id(&masks, &bodies));
        }
        let clients = contributors.len();
        // A client's update may end with its signature (a flag byte 1, the address, r ‖ s ‖ v),
        // then its proof (a flag byte 2 and the proof), each at most once and in that order.
        let mut signature = None;
        let mut proof = None;
        while reader.remaining() > 0 {
            if !single {
                return Err(malformed("an aggregate carries no signature or proof"));
            }
            let flag = reader.u8("section flag").map_err(codec)?;
            match flag {
                1 if signature.is_none() && proof.is_none() => {
                    let address = reader.array("signer address").map_err(codec)?;
                    let bytes = reader.array("signature").map_err(codec)?;
                    signature = Some(ClientSignature { address, signature: bytes });
                }
                2 if proof.is_none() => {
                    let bytes = reader.take("update proof", UPDATE_PROOF_BYTES).map_err(codec)?;
                    proof = Some(UpdateProof::from_bytes(bytes, path)?);
                }
                _ => return Err(malformed("bytes after the ciphertext that are no signature or proof section")),
            }
        }
        reader.finish().map_err(|_| malformed("bytes after the proof"))?;
        let update =
            Self { committee_id, committee, round, model, contributors, signature, proof, coordinates, masks, bodies };
        if update.contributors.iter().collect::<HashSet<_>>().len() != clients {
            return Err(malformed("the same contributor is listed twice"));
        }
        if clients as u64 > update.client_limit() {
            return Err(malformed("more contributors than the committee decrypts exactly"));
        }
        Ok(update)
    }
}

/// Sums encrypted updates: `agg sum`. The running sum is held unpacked, one `u128` per
/// coefficient, so each input is read once and added with plain aligned stores (adding into
/// packed 11-byte fields would store over the next field's bytes and stall every load);
/// [`Aggregator::finish`] reduces and packs it. The additions run on a [`SumBackend`] (the
/// CPU by default).
pub struct Aggregator<B: SumBackend = Cpu> {
    sum: EncryptedUpdate,
    masks: Vec<u128>,
    bodies: Vec<u128>,
    seen: HashSet<[u8; 32]>,
    backend: B,
}

impl Aggregator<Cpu> {
    /// Starts from one update (or aggregate), summing on the CPU.
    pub fn new(first: EncryptedUpdate) -> Self {
        Self::with_backend(first, Cpu)
    }
}

impl<B: SumBackend> Aggregator<B> {
    /// Starts from one update (or aggregate), summing on `backend`.
    pub fn with_backend(mut first: EncryptedUpdate, backend: B) -> Self {
        let masks = ring::unpack(&std::mem::take(&mut first.masks), MASK_BITS).collect();
        let bodies = ring::unpack(&std::mem::take(&mut first.bodies), BODY_BITS).collect();
        let seen = first.contributors.iter().copied().collect();
        Self { sum: first, masks, bodies, seen, backend }
    }

    /// Adds `other` (read from `path`, named in errors), refusing another committee, round or
    /// model, a ciphertext already counted, and more clients than decrypt exactly. A refused
    /// update leaves the sum as it was.
    pub fn add(&mut self, other: &EncryptedUpdate, path: &Path) -> Result<(), AggError> {
        self.sum.check_compatible(other, path)?;
        if other.contributors.iter().any(|digest| self.seen.contains(digest)) {
            return Err(AggError::Duplicate { path: path.into() });
        }
        let clients = (self.sum.contributors.len() + other.contributors.len()) as u64;
        let limit = self.sum.client_limit();
        if clients > limit {
            return Err(AggError::TooManyClients { path: path.into(), clients, limit });
        }
        self.backend.add_packed_into(&mut self.masks, &other.masks, MASK_BITS);
        self.backend.add_packed_into(&mut self.bodies, &other.bodies, BODY_BITS);
        self.seen.extend(other.contributors.iter().copied());
        self.sum.contributors.extend_from_slice(&other.contributors);
        Ok(())
    }

    /// Client updates summed so far.
    pub fn clients(&self) -> usize {
        self.sum.contributors.len()
    }

    /// The aggregate, in the format of one update.
    pub fn finish(self) -> EncryptedUpdate {
        let mut sum = self.sum;
        let reduce = |bits: u32| move |value: u128| value & (u128::MAX >> (128 - bits));
        ring::pack(self.masks.into_iter().map(reduce(MASK_BITS)), MASK_BITS, &mut sum.masks);
        ring::pack(self.bodies.into_iter().map(reduce(BODY_BITS)), BODY_BITS, &mut sum.bodies);
        if sum.contributors.len() > 1 {
            // An aggregate is no one's signed or proved statement; members check the update files.
            sum.signature = None;
            sum.proof = None;
        }
        sum
    }
}

/// Bytes per value of an update of `coordinates` values with `packing` body polynomials per
/// mask: the expansion figure of the benchmarks.
pub fn bytes_per_value(coordinates: usize, packing: usize) -> f64 {
    let chunks = polynomials(coordinates).div_ceil(packing);
    (chunks * RING_DEGREE * MASK_BYTES + coordinates * BODY_BYTES) as f64 / coordinates as f64
}
