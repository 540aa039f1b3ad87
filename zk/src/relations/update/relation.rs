//! The update relation's parameters, statement and witness, and the native computations the
//! circuit mirrors: the statement digest, the evaluation point, the public polynomials'
//! evaluations (the derived inputs) and the witness polynomials of an honest encryption.

use crate::error::ZkError;
use crate::field::{bit_length, power_of_two, small_integer};
use crate::poseidon;
use crate::relations::model_commitment;
use crate::relations::ring::{evaluate_u128, negacyclic_product, signed, split_identity};
use crate::transcript::expand_challenges;
use ark_bn254::Fr;
use ark_ff::PrimeField;
use serde::{Deserialize, Serialize};
use vsies_core::{fedavg, FixedFormat};

/// Name and version of the relation; part of every key and proof.
pub const RELATION: &str = "vsies/update/v1";
pub(crate) const STATEMENT_DOMAIN: &str = "vsies/update-statement/v1";
pub(crate) const POINT_DOMAIN: &str = "vsies/update-point/v1";

pub use crate::relations::ring::MODULUS_BITS;

/// The committee encryption's parameters (`vsies-secure-agg` states its own and the keys must
/// match them): the ring `Z_{2^128}[X]/(X^degree + 1)`, the stored widths, `Δ` and the noise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RingParams {
    /// Ring degree `n`, a power of two.
    pub degree: usize,
    /// Bits of a stored mask coefficient.
    pub mask_bits: u32,
    /// Bits of a stored body coefficient.
    pub body_bits: u32,
    /// `log2(Δ)`.
    pub delta_log2: u32,
    /// Fresh noise is TUniform(2^noise_bound_log2).
    pub noise_bound_log2: u32,
    /// Body polynomials sharing one mask.
    pub packing: usize,
}

impl RingParams {
    /// `|e| < 2^b` for a mask's error `e` (fresh noise plus the rounding to the stored width).
    pub fn mask_error_bits(&self) -> u32 {
        self.noise_bound_log2.max(MODULUS_BITS - 1 - self.mask_bits) + 1
    }

    /// `|e| < 2^b` for a body's error.
    pub fn body_error_bits(&self) -> u32 {
        self.noise_bound_log2.max(MODULUS_BITS - 1 - self.body_bits) + 1
    }

    /// `|K| < 2^b` for a carry `K` (the multiple of `q` in the integer identity): `|K| ≤ n + 2`.
    pub fn carry_bits(&self) -> u32 {
        bit_length(self.degree as u64 + 2)
    }
}

/// What the keys fix: the ring and the model's shape.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateParams {
    /// [`RELATION`].
    pub relation: String,
    /// The committee encryption.
    pub ring: RingParams,
    /// Model weights, feature weights and the bias.
    pub width: usize,
    /// The weights' format.
    pub weight_format: FixedFormat,
}

/// What an update proof states. The polynomials are public (the committee's key and the
/// update's ciphertext); the verifier evaluates them at the proof's point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpdateStatement {
    /// The committee's id (its public key's content id digest).
    pub committee: [u8; 32],
    /// The federated round.
    pub round: u64,
    /// The client's chain account.
    pub client: [u8; 20],
    /// `C(W_out)`: the trained model's commitment, as the training proof states it.
    pub trained: Fr,
    /// The training rows `n`, as the training proof states them.
    pub rows: u64,
    /// The committee key's `a`, coefficients mod 2^128.
    pub mask_key: Vec<u128>,
    /// The committee key's `b_j`, `j < packing`.
    pub body_keys: Vec<Vec<u128>>,
    /// The stored masks, one polynomial per chunk of `packing` bodies.
    pub masks: Vec<Vec<u128>>,
    /// The stored bodies, one polynomial's values per body polynomial.
    pub bodies: Vec<Vec<u128>>,
}

/// The witness: the trained weights and their commitment's blinding, each chunk's binary `r`,
/// and the polynomials that make the integer identities hold. Every polynomial is a vector of
/// field elements, so that a test can play a prover who puts anything there.
#[derive(Clone, Debug)]
pub struct UpdateWitness {
    /// The trained weights, feature weights then the bias.
    pub weights: Vec<i64>,
    /// `C(W_out)`'s blinding (the training proof's opening).
    pub blinding: Fr,
    /// Per chunk, the binary `r`.
    pub binary: Vec<Vec<Fr>>,
    /// Per chunk, the mask's error `e` (noise and rounding).
    pub mask_errors: Vec<Vec<Fr>>,
    /// Per chunk, the mask's carries `K`.
    pub mask_carries: Vec<Vec<Fr>>,
    /// Per chunk, the quotient by `X^n + 1`.
    pub mask_quotients: Vec<Vec<Fr>>,
    /// Per body polynomial, the errors of its stored values.
    pub body_errors: Vec<Vec<Fr>>,
    /// Per body polynomial, the carries of its stored values.
    pub body_carries: Vec<Vec<Fr>>,
    /// Per body polynomial, the coefficients past its stored values (not stored, not checked).
    pub body_free: Vec<Vec<Fr>>,
    /// Per body polynomial, the quotient by `X^n + 1`.
    pub body_quotients: Vec<Vec<Fr>>,
}

/// The relation for one ring and model shape.
#[derive(Clone, Debug)]
pub struct UpdateRelation {
    /// What the keys fix.
    pub params: UpdateParams,
    pub(crate) shape: std::sync::OnceLock<crate::groth16::Shape>,
}

fn relation_error(reason: impl Into<String>) -> ZkError {
    ZkError::Relation(reason.into())
}

impl UpdateRelation {
    /// The relation for `params`, after checking them.
    pub fn new(params: UpdateParams) -> Result<Self, ZkError> {
        if params.relation != RELATION {
            return Err(relation_error(format!("unknown relation `{}` (expected `{RELATION}`)", params.relation)));
        }
        let ring = params.ring;
        if !ring.degree.is_power_of_two() || !(2..=1 << 16).contains(&ring.degree) {
            return Err(relation_error("the ring degree must be a power of two up to 2^16"));
        }
        let widths_fit = |bits: u32| (8..MODULUS_BITS).contains(&bits);
        if !widths_fit(ring.mask_bits) || !widths_fit(ring.body_bits) || ring.delta_log2 >= MODULUS_BITS {
            return Err(relation_error("stored widths and Δ must lie below the 128-bit modulus"));
        }
        if ring.mask_error_bits() > 62 || ring.body_error_bits() > 62 || ring.packing == 0 {
            return Err(relation_error("the noise and rounding bounds must stay below 2^62, packing above 0"));
        }
        if MODULUS_BITS - ring.delta_log2 != fedavg::MESSAGE_BITS {
            return Err(relation_error("Δ must leave exactly the weighted update's 32 message bits"));
        }
        if params.width < 2 || params.width > 1 << 20 {
            return Err(relation_error("a model has between 2 and 2^20 weights"));
        }
        params.weight_format.validate().map_err(|err| relation_error(err.to_string()))?;
        Ok(Self { params, shape: std::sync::OnceLock::new() })
    }

    /// Values the update encrypts: the weighted weights, then the row count.
    pub fn coordinates(&self) -> usize {
        self.params.width + 1
    }

    /// Body polynomials.
    pub fn polynomials(&self) -> usize {
        self.coordinates().div_ceil(self.params.ring.degree)
    }

    /// Masks (chunks of `packing` bodies).
    pub fn chunks(&self) -> usize {
        self.polynomials().div_ceil(self.params.ring.packing)
    }

    /// Stored values of body polynomial `poly`.
    pub fn values_in(&self, poly: usize) -> usize {
        let n = self.params.ring.degree;
        n.min(self.coordinates() - poly * n)
    }

    /// The parameters as one field element.
    pub fn params_element(&self) -> Fr {
        crate::field::params_element(&self.params)
    }

    /// Most rows one update may weigh (the FedAvg limit for the weight format).
    pub fn max_rows(&self) -> u64 {
        fedavg::max_total_samples(self.params.weight_format)
    }

    /// Keccak-256 of every public polynomial (the committee key's `a` and `b_j`, the masks, the
    /// bodies; each coefficient as 16 little-endian bytes, each polynomial after its length):
    /// what binds the ciphertext, and the key it is under, into the statement and so into the
    /// evaluation point.
    pub fn polynomials_hash(&self, statement: &UpdateStatement) -> [u8; 32] {
        use sha3::{Digest, Keccak256};
        let mut hasher = Keccak256::new();
        hasher.update(b"vsies/update-polynomials/v1\n");
        let polys = std::iter::once(&statement.mask_key)
            .chain(&statement.body_keys)
            .chain(&statement.masks)
            .chain(&statement.bodies);
        for poly in polys {
            hasher.update((poly.len() as u64).to_le_bytes());
            poly.iter().for_each(|c| hasher.update(c.to_le_bytes()));
        }
        hasher.finalize().into()
    }

    /// The eight elements the statement digest absorbs: the parameters, the committee id
    /// (two 128-bit halves), `round · 2^160 + client`, the polynomials' hash (two halves),
    /// `C(W_out)` and the rows. Each element takes its value from a fixed bit range, so the
    /// encoding is injective.
    pub(crate) fn digest_elements(&self, statement: &UpdateStatement) -> [Fr; 8] {
        let halves = crate::field::halves;
        let [committee_high, committee_low] = halves(&statement.committee);
        let [ciphertext_high, ciphertext_low] = halves(&self.polynomials_hash(statement));
        let round_client =
            Fr::from(statement.round) * power_of_two(160) + Fr::from_be_bytes_mod_order(&statement.client);
        [
            self.params_element(),
            committee_high,
            committee_low,
            round_client,
            ciphertext_high,
            ciphertext_low,
            statement.trained,
            Fr::from(statement.rows),
        ]
    }

    /// `Poseidon(vsies/update-statement/v1, digest elements)`: the first public input.
    pub fn digest(&self, statement: &UpdateStatement) -> Fr {
        poseidon::hash_block(poseidon::domain(STATEMENT_DOMAIN), &self.digest_elements(statement))
    }

    /// The evaluation point for challenge seed `seed`: `Poseidon(vsies/update-point/v1, [c,
    /// digest])` with `c` the seed's challenge. `c` binds every witness polynomial (through
    /// the proof's commitment to them), the digest every public one (through the committee and
    /// ciphertext polynomials), so the point is fixed only after everything the identities check.
    pub fn point(&self, statement: &UpdateStatement, seed: Fr) -> Fr {
        let challenge = expand_challenges(seed, 1)[0];
        poseidon::hash_block(poseidon::domain(POINT_DOMAIN), &[challenge, self.digest(statement)])
    }

    /// The public polynomials at `point`, in the circuit's order: `a`, each chunk's mask, then
    /// per body polynomial its key `b_j` and its stored values.
    pub fn evaluations(&self, statement: &UpdateStatement, point: Fr) -> Vec<Fr> {
        let packing = self.params.ring.packing;
        let mut values = vec![evaluate_u128(&statement.mask_key, point)];
        values.extend(statement.masks.iter().map(|mask| evaluate_u128(mask, point)));
        for (poly, body) in statement.bodies.iter().enumerate() {
            values.push(evaluate_u128(&statement.body_keys[poly % packing], point));
            values.push(evaluate_u128(body, point));
        }
        values
    }

    /// Checks that the statement's polynomials have this relation's sizes and stored widths
    /// (the identities' soundness assumes coefficients inside them).
    pub fn check_statement(&self, statement: &UpdateStatement) -> Result<(), ZkError> {
        let ring = self.params.ring;
        let n = ring.degree;
        let below = |poly: &[u128], bits: u32| poly.iter().all(|&c| bits >= 128 || c >> bits == 0);
        if statement.mask_key.len() != n || statement.body_keys.len() != ring.packing.min(self.polynomials()) {
            return Err(relation_error("the committee key does not have this relation's ring and packing"));
        }
        if statement.body_keys.iter().any(|b| b.len() != n) {
            return Err(relation_error("a committee key polynomial has the wrong degree"));
        }
        if statement.masks.len() != self.chunks()
            || statement.masks.iter().any(|m| m.len() != n || !below(m, ring.mask_bits))
        {
            return Err(relation_error("the masks do not have this relation's count, degree and width"));
        }
        let bodies_fit = statement.bodies.len() == self.polynomials()
            && statement
                .bodies
                .iter()
                .enumerate()
                .all(|(p, b)| b.len() == self.values_in(p) && below(b, ring.body_bits));
        if !bodies_fit {
            return Err(relation_error("the bodies do not have this relation's count and width"));
        }
        if statement.rows == 0 || statement.rows > self.max_rows() {
            return Err(relation_error(format!(
                "an update weighs between 1 and {} rows; this one states {}",
                self.max_rows(),
                statement.rows
            )));
        }
        Ok(())
    }

    /// The weighted update `n·W` and `n` as signed integers (what the bodies encrypt, mod 2^32).
    pub fn messages(&self, weights: &[i64], rows: u64) -> Vec<i64> {
        let mut messages: Vec<i64> = weights.iter().map(|&w| rows as i64 * w).collect();
        messages.push(rows as i64);
        messages
    }

    /// The witness of an honest encryption with binary polynomials `binary` (one per chunk) of
    /// the weights `weights` committed with `blinding`: every error, carry, free coefficient
    /// and quotient, after checking that the ciphertext is such an encryption with errors
    /// inside the bounds the relation proves.
    pub fn witness(
        &self,
        statement: &UpdateStatement,
        weights: &[i64],
        blinding: Fr,
        binary: &[Vec<bool>],
    ) -> Result<UpdateWitness, ZkError> {
        self.check_statement(statement)?;
        let format = self.params.weight_format;
        if weights.len() != self.params.width || weights.iter().any(|&w| w < format.min() || w > format.max()) {
            return Err(relation_error("the weights do not have this relation's width and format"));
        }
        if model_commitment::commit(format, weights, blinding) != statement.trained {
            return Err(relation_error("the weights and blinding do not open the stated model commitment"));
        }
        let n = self.params.ring.degree;
        if binary.len() != self.chunks() || binary.iter().any(|r| r.len() != n) {
            return Err(relation_error("one binary polynomial of the ring degree per mask is needed"));
        }
        let small: Vec<Vec<i64>> = binary.iter().map(|r| r.iter().map(|&bit| i64::from(bit)).collect()).collect();
        let witness = self.witness_for(statement, weights, blinding, &small);
        let ring = self.params.ring;
        let outside = |values: &[Vec<Fr>], bits: u32| {
            values.iter().flatten().any(|v| small_integer(v).is_none_or(|v| v.unsigned_abs() >> bits != 0))
        };
        if outside(&witness.mask_errors, ring.mask_error_bits())
            || outside(&witness.body_errors, ring.body_error_bits())
        {
            return Err(relation_error(
                "the ciphertext is not an encryption of this model with this randomness: an error exceeds its bound",
            ));
        }
        if outside(&witness.mask_carries, ring.carry_bits()) || outside(&witness.body_carries, ring.carry_bits()) {
            return Err(relation_error("internal: a carry of the integer identity is not small"));
        }
        Ok(witness)
    }

    /// The witness polynomials that make the integer identities hold for any small-integer
    /// `r` (one per chunk), whatever the errors come to: each error is the ciphertext's
    /// difference from `key·r` (and the message) mod 2^128, as a signed integer, and the carries
    /// and quotients follow. Nothing is checked: an honest prover uses
    /// [`UpdateRelation::witness`]; the soundness tests use this to play a prover who encrypted
    /// something else (a chosen mask, a non-binary `r`, another message) and tries to prove it.
    pub fn witness_for(
        &self,
        statement: &UpdateStatement,
        weights: &[i64],
        blinding: Fr,
        r: &[Vec<i64>],
    ) -> UpdateWitness {
        let ring = self.params.ring;
        let n = ring.degree;
        let messages = self.messages(weights, statement.rows);
        let mut witness = UpdateWitness {
            weights: weights.to_vec(),
            blinding,
            binary: r.iter().map(|r| r.iter().map(|&c| Fr::from(c)).collect()).collect(),
            mask_errors: Vec::new(),
            mask_carries: Vec::new(),
            mask_quotients: Vec::new(),
            body_errors: Vec::new(),
            body_carries: Vec::new(),
            body_free: Vec::new(),
            body_quotients: Vec::new(),
        };
        let lift = |bits: u32| power_of_two(MODULUS_BITS - bits);
        for (chunk, r) in r.iter().enumerate() {
            let stored = &statement.masks[chunk];
            let product = negacyclic_product(&statement.mask_key, r, n);
            let errors: Vec<Fr> = stored
                .iter()
                .zip(&product)
                .map(|(&m, &p)| signed((m << (MODULUS_BITS - ring.mask_bits)).wrapping_sub(p)))
                .collect();
            let known: Vec<Fr> =
                errors.iter().zip(stored).map(|(e, &m)| *e - lift(ring.mask_bits) * Fr::from(m)).collect();
            let split = split_identity(&statement.mask_key, r, &known, n);
            witness.mask_errors.push(errors);
            witness.mask_carries.push(split.carries);
            witness.mask_quotients.push(split.quotient);
        }
        for (poly, stored) in statement.bodies.iter().enumerate() {
            let r = &r[poly / ring.packing];
            let key = &statement.body_keys[poly % ring.packing];
            let values = &messages[poly * n..poly * n + stored.len()];
            let product = negacyclic_product(key, r, stored.len());
            let errors: Vec<Fr> = stored
                .iter()
                .zip(&product)
                .zip(values)
                .map(|((&b, &p), &m)| {
                    let message = (m as u32 as u128) << ring.delta_log2;
                    signed((b << (MODULUS_BITS - ring.body_bits)).wrapping_sub(p).wrapping_sub(message))
                })
                .collect();
            let delta = power_of_two(ring.delta_log2);
            let known: Vec<Fr> = errors
                .iter()
                .zip(stored)
                .zip(values)
                .map(|((e, &b), &m)| *e + delta * Fr::from(m) - lift(ring.body_bits) * Fr::from(b))
                .collect();
            let split = split_identity(key, r, &known, n);
            witness.body_errors.push(errors);
            witness.body_carries.push(split.carries);
            witness.body_free.push(split.free);
            witness.body_quotients.push(split.quotient);
        }
        witness
    }
}
