//! The key-contribution relation's parameters, statement and witness, and the native
//! computations the circuit mirrors: the statement digest, the evaluation point, the derived
//! inputs, the pieces' evaluation hashes and the witness polynomials of an honest dealing.

use crate::error::ZkError;
use crate::field::{bit_length, power_of_two, small_integer};
use crate::poseidon::{self, BlockSponge};
use crate::relations::ring::{evaluate_u128, negacyclic_product, signed, split_identity, MODULUS_BITS};
use crate::transcript::expand_challenges;
use ark_bn254::Fr;
use ark_ff::{Field, PrimeField, Zero};
use serde::{Deserialize, Serialize};

/// Name and version of the relation; part of every key and proof.
pub const RELATION: &str = "vsies/key-contribution/v1";
pub(crate) const STATEMENT_DOMAIN: &str = "vsies/keygen-statement/v1";
pub(crate) const POINT_DOMAIN: &str = "vsies/keygen-point/v1";
pub(crate) const PIECE_DOMAIN: &str = "vsies/keygen-piece/v1";

/// What the keys fix: the committee's ring, its noise, its packing and its number of piece
/// sets. One setup serves every key generation of that shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContributionParams {
    /// Ring degree `n`, a power of two.
    pub degree: usize,
    /// A contribution's noise is TUniform(2^noise_bound_log2).
    pub noise_bound_log2: u32,
    /// Secret polynomials per dealer (the committee's packing).
    pub packing: usize,
    /// Piece sets of the committee's replicated sharing: `C(N, T − 1)`.
    pub pieces: usize,
}

/// [`ContributionParams`] with the relation's name, as key files record them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyContributionParams {
    /// [`RELATION`].
    pub relation: String,
    /// The committee's shape.
    pub shape: ContributionParams,
}

impl ContributionParams {
    /// `|e| < 2^b` for a contribution's error: the noise bound, one bit of slack.
    pub fn error_bits(&self) -> u32 {
        self.noise_bound_log2 + 1
    }

    /// `|K| < 2^b` for a carry of `a·s + e − b`: `|K| ≤ n + 2`.
    pub fn carry_bits(&self) -> u32 {
        bit_length(self.degree as u64 + 2)
    }

    /// `|K| < 2^b` for a carry of the pieces' sum: `0 ≤ K < pieces`.
    pub fn piece_carry_bits(&self) -> u32 {
        bit_length(self.pieces as u64)
    }
}

/// What a contribution proof states. The ring polynomials are public (the session's `a` and
/// the dealer's contribution `b_j`); the verifier evaluates them at the proof's point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContributionStatement {
    /// The key generation's session id.
    pub session: [u8; 32],
    /// The dealer's member number.
    pub dealer: u32,
    /// keccak256 of the dealer's signed round-1 commitment (its piece hashes among it): the
    /// pieces are fixed before the point is drawn.
    pub commitment: [u8; 32],
    /// The session's `a`, coefficients mod 2^128.
    pub mask: Vec<u128>,
    /// The contribution `b_j = a·s_j + e_j`, `j < packing`.
    pub contribution: Vec<Vec<u128>>,
    /// Per piece set, in the committee's order, [`piece_hash`] of the piece's evaluations at
    /// the proof's point: what each holder checks its piece against.
    pub piece_hashes: Vec<Fr>,
}

/// The witness: the binary secret, the polynomials that make the integer identity of `b`
/// hold, the pieces (whose evaluations the circuit takes at the point) with their salts, and
/// the carries of their sum. Polynomials are vectors of field elements, so that a test can
/// play a prover who puts anything there.
#[derive(Clone, Debug)]
pub struct ContributionWitness {
    /// Per secret polynomial, `s_j` (binary).
    pub secret: Vec<Vec<Fr>>,
    /// Per secret polynomial, the error `e_j`.
    pub errors: Vec<Vec<Fr>>,
    /// Per secret polynomial, the carries of `a·s_j + e_j − b_j`.
    pub carries: Vec<Vec<Fr>>,
    /// Per secret polynomial, the quotient by `X^n + 1`.
    pub quotients: Vec<Vec<Fr>>,
    /// Per secret polynomial, the carries of `Σ_A s_{A,j} − s_j`.
    pub piece_carries: Vec<Vec<Fr>>,
    /// Per piece set, per secret polynomial, the piece's coefficients mod 2^128.
    pub pieces: Vec<Vec<Vec<u128>>>,
    /// Per piece set, the salt of its evaluation hash ([`piece_salt`]).
    pub salts: Vec<Fr>,
}

/// The secret and the pieces are the dealer's secret: wiped when dropped.
impl Drop for ContributionWitness {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        // The quotient and carries of a·s are, with the public a, as telling as s itself.
        for polys in
            [&mut self.secret, &mut self.errors, &mut self.carries, &mut self.quotients, &mut self.piece_carries]
        {
            polys.iter_mut().for_each(|poly| poly.zeroize());
        }
        self.pieces.iter_mut().flatten().for_each(|poly| poly.zeroize());
        self.salts.zeroize();
    }
}

/// The relation for one committee shape.
#[derive(Clone, Debug)]
pub struct KeyContributionRelation {
    /// What the keys fix.
    pub params: KeyContributionParams,
    pub(crate) shape: std::sync::OnceLock<crate::groth16::Shape>,
}

fn relation_error(reason: impl Into<String>) -> ZkError {
    ZkError::Relation(reason.into())
}

/// The salt of a piece's evaluation hash, from the 32-byte salt the dealer sent with the
/// piece (and hashed into its round-1 commitment): only the piece's holders know it.
pub fn piece_salt(salt: &[u8; 32]) -> Fr {
    use sha3::{Digest, Keccak256};
    let mut hasher = Keccak256::new();
    hasher.update(b"vsies/key-piece-salt/v1\n");
    hasher.update(salt);
    Fr::from_le_bytes_mod_order(&hasher.finalize())
}

/// `Poseidon(vsies/keygen-piece/v1, [salt, s_{A,0}(z), …])`: hides the evaluations
/// from everyone without the salt, and binds them for those with it.
pub fn piece_hash(salt: Fr, evaluations: &[Fr]) -> Fr {
    let mut sponge = BlockSponge::new(poseidon::domain(PIECE_DOMAIN));
    let elements: Vec<Fr> = std::iter::once(salt).chain(evaluations.iter().copied()).collect();
    sponge.absorb(&elements);
    sponge.digest()
}

/// A piece's polynomials evaluated at `point` (coefficients as integers below 2^128).
pub fn piece_evaluations(piece: &[Vec<u128>], point: Fr) -> Vec<Fr> {
    piece.iter().map(|poly| evaluate_u128(poly, point)).collect()
}

impl KeyContributionRelation {
    /// The relation for `params`, after checking them.
    pub fn new(params: KeyContributionParams) -> Result<Self, ZkError> {
        if params.relation != RELATION {
            return Err(relation_error(format!("unknown relation `{}` (expected `{RELATION}`)", params.relation)));
        }
        let shape = params.shape;
        if !shape.degree.is_power_of_two() || !(2..=1 << 16).contains(&shape.degree) {
            return Err(relation_error("the ring degree must be a power of two up to 2^16"));
        }
        if !(1..=61).contains(&shape.noise_bound_log2) {
            return Err(relation_error("the noise bound must lie between 2 and 2^61"));
        }
        if !(1..=64).contains(&shape.packing) || !(1..=1 << 16).contains(&shape.pieces) {
            return Err(relation_error("packing must lie in 1..=64 and the piece sets in 1..=65536"));
        }
        Ok(Self { params, shape: std::sync::OnceLock::new() })
    }

    /// The relation for a committee shape.
    pub fn for_shape(shape: ContributionParams) -> Result<Self, ZkError> {
        Self::new(KeyContributionParams { relation: RELATION.into(), shape })
    }

    /// The committee's shape.
    pub fn shape_params(&self) -> ContributionParams {
        self.params.shape
    }

    /// Keccak-256 of the public polynomials (`a`, then each `b_j`; each coefficient as 16
    /// little-endian bytes after the polynomial's length).
    pub fn polynomials_hash(&self, statement: &ContributionStatement) -> [u8; 32] {
        use sha3::{Digest, Keccak256};
        let mut hasher = Keccak256::new();
        hasher.update(b"vsies/key-contribution-polynomials/v1\n");
        for poly in std::iter::once(&statement.mask).chain(&statement.contribution) {
            hasher.update((poly.len() as u64).to_le_bytes());
            poly.iter().for_each(|c| hasher.update(c.to_le_bytes()));
        }
        hasher.finalize().into()
    }

    /// The eight elements of the statement digest: the parameters, the session (two 128-bit
    /// halves), the dealer, the commitment (two halves), the polynomials' hash (two halves).
    /// Each element takes its value from a fixed bit range, so the encoding is injective.
    fn digest_elements(&self, statement: &ContributionStatement) -> [Fr; 8] {
        let halves = crate::field::halves;
        let [session_high, session_low] = halves(&statement.session);
        let [commitment_high, commitment_low] = halves(&statement.commitment);
        let [polys_high, polys_low] = halves(&self.polynomials_hash(statement));
        [
            crate::field::params_element(&self.params),
            session_high,
            session_low,
            Fr::from(statement.dealer),
            commitment_high,
            commitment_low,
            polys_high,
            polys_low,
        ]
    }

    /// `Poseidon(vsies/keygen-statement/v1, digest elements)`: the first public input.
    pub fn digest(&self, statement: &ContributionStatement) -> Fr {
        poseidon::hash_block(poseidon::domain(STATEMENT_DOMAIN), &self.digest_elements(statement))
    }

    /// The evaluation point for challenge seed `seed`: `Poseidon(vsies/keygen-point/v1,
    /// [c, digest])`. `c` binds every committed witness polynomial (the secret, errors,
    /// carries, quotients and the pieces' carries), the digest the public polynomials and,
    /// through the round-1 commitment, the pieces: the point is drawn after everything its
    /// identities check.
    pub fn point(&self, statement: &ContributionStatement, seed: Fr) -> Fr {
        let challenge = expand_challenges(seed, 1)[0];
        poseidon::hash_block(poseidon::domain(POINT_DOMAIN), &[challenge, self.digest(statement)])
    }

    /// The derived inputs at `point`: `a(z)`, each `b_j(z)`, then the stated piece hashes.
    pub fn derived_at(&self, statement: &ContributionStatement, point: Fr) -> Vec<Fr> {
        let mut values = vec![evaluate_u128(&statement.mask, point)];
        values.extend(statement.contribution.iter().map(|b| evaluate_u128(b, point)));
        values.extend(statement.piece_hashes.iter().copied());
        values
    }

    /// Checks that the statement's polynomials have this relation's ring and packing.
    fn check_polynomials(&self, statement: &ContributionStatement) -> Result<(), ZkError> {
        let shape = self.params.shape;
        let n = shape.degree;
        if statement.mask.len() != n
            || statement.contribution.len() != shape.packing
            || statement.contribution.iter().any(|b| b.len() != n)
        {
            return Err(relation_error("the contribution does not have this relation's ring and packing"));
        }
        Ok(())
    }

    /// Checks that the statement has this relation's sizes.
    pub fn check_statement(&self, statement: &ContributionStatement) -> Result<(), ZkError> {
        let shape = self.params.shape;
        self.check_polynomials(statement)?;
        if statement.piece_hashes.len() != shape.pieces {
            return Err(relation_error(format!(
                "{} piece hashes; the relation has {} piece sets",
                statement.piece_hashes.len(),
                shape.pieces
            )));
        }
        Ok(())
    }

    /// The pieces' evaluation hashes for a proof whose challenge seed is `seed`: the dealer
    /// fills its statement's [`ContributionStatement::piece_hashes`] with them after proving.
    pub fn piece_hashes(&self, statement: &ContributionStatement, witness: &ContributionWitness, seed: Fr) -> Vec<Fr> {
        let point = self.point(statement, seed);
        witness
            .pieces
            .iter()
            .zip(&witness.salts)
            .map(|(piece, &salt)| piece_hash(salt, &piece_evaluations(piece, point)))
            .collect()
    }

    /// The witness of an honest dealing of the binary secret `secret` (one polynomial per
    /// packing slot) into `pieces` (per set, summing to it mod 2^128) with `salts`, after
    /// checking that the contribution is `a·s + e` with `e` inside the proved bound and that
    /// the pieces sum to the secret.
    pub fn witness(
        &self,
        statement: &ContributionStatement,
        secret: &[Vec<bool>],
        pieces: Vec<Vec<Vec<u128>>>,
        salts: Vec<Fr>,
    ) -> Result<ContributionWitness, ZkError> {
        let shape = self.params.shape;
        let n = shape.degree;
        self.check_polynomials(statement)?;
        if secret.len() != shape.packing || secret.iter().any(|s| s.len() != n) {
            return Err(relation_error("one binary polynomial of the ring degree per packing slot is needed"));
        }
        let pieces_fit = pieces.len() == shape.pieces
            && pieces.iter().all(|piece| piece.len() == shape.packing && piece.iter().all(|p| p.len() == n));
        if !pieces_fit || salts.len() != shape.pieces {
            return Err(relation_error("one piece (and salt) per piece set, of the relation's packing and degree"));
        }
        let small: Vec<Vec<i64>> = secret.iter().map(|s| s.iter().map(|&bit| i64::from(bit)).collect()).collect();
        let witness = self.witness_for(statement, &small, pieces, salts);
        let outside = |values: &[Vec<Fr>], bits: u32| {
            values.iter().flatten().any(|v| small_integer(v).is_none_or(|v| v.unsigned_abs() >> bits != 0))
        };
        if outside(&witness.errors, shape.error_bits()) {
            return Err(relation_error(
                "the contribution is not a·s + e for this secret: an error exceeds the noise bound",
            ));
        }
        if outside(&witness.piece_carries, shape.piece_carry_bits()) {
            return Err(relation_error("the pieces do not sum to the secret"));
        }
        if outside(&witness.carries, shape.carry_bits()) {
            return Err(relation_error("internal: a carry of the integer identity is not small"));
        }
        Ok(witness)
    }

    /// The witness polynomials for any small-integer secret `s`, whatever the errors and
    /// sums come to: each error is `b − a·s` mod 2^128 as a signed integer, each piece carry
    /// `(Σ_A s_A − s) / 2^128` in the field. Nothing is checked: an honest dealer uses
    /// [`KeyContributionRelation::witness`]; the soundness tests use this to play a dealer who
    /// contributed or dealt something else and tries to prove it.
    pub fn witness_for(
        &self,
        statement: &ContributionStatement,
        secret: &[Vec<i64>],
        pieces: Vec<Vec<Vec<u128>>>,
        salts: Vec<Fr>,
    ) -> ContributionWitness {
        let n = self.params.shape.degree;
        let inverse = power_of_two(MODULUS_BITS).inverse().expect("2^128 is invertible");
        let mut witness = ContributionWitness {
            secret: secret.iter().map(|s| s.iter().map(|&c| Fr::from(c)).collect()).collect(),
            errors: Vec::new(),
            carries: Vec::new(),
            quotients: Vec::new(),
            piece_carries: Vec::new(),
            pieces,
            salts,
        };
        for (j, s) in secret.iter().enumerate() {
            let b = &statement.contribution[j];
            let product = negacyclic_product(&statement.mask, s, n);
            let errors: Vec<Fr> = b.iter().zip(&product).map(|(&b, &p)| signed(b.wrapping_sub(p))).collect();
            let known: Vec<Fr> = errors.iter().zip(b).map(|(e, &b)| *e - Fr::from(b)).collect();
            let split = split_identity(&statement.mask, s, &known, n);
            let piece_carries = (0..n)
                .map(|k| {
                    let sum: Fr = witness.pieces.iter().map(|piece| Fr::from(piece[j][k])).sum();
                    (sum - Fr::from(s[k])) * inverse
                })
                .collect();
            witness.errors.push(errors);
            witness.carries.push(split.carries);
            witness.quotients.push(split.quotient);
            witness.piece_carries.push(piece_carries);
        }
        witness
    }

    /// All-zero polynomials of the relation's sizes (setup and shape counting).
    pub(crate) fn zero_assignment(&self) -> (ContributionStatement, ContributionWitness) {
        let shape = self.params.shape;
        let (n, packing) = (shape.degree, shape.packing);
        let statement = ContributionStatement {
            session: [0; 32],
            dealer: 0,
            commitment: [0; 32],
            mask: vec![0; n],
            contribution: vec![vec![0; n]; packing],
            piece_hashes: vec![Fr::zero(); shape.pieces],
        };
        let zeros = |len: usize| vec![vec![Fr::zero(); len]; packing];
        let witness = ContributionWitness {
            secret: zeros(n),
            errors: zeros(n),
            carries: zeros(n),
            quotients: zeros(n - 1),
            piece_carries: zeros(n),
            pieces: vec![vec![vec![0; n]; packing]; shape.pieces],
            salts: vec![Fr::zero(); shape.pieces],
        };
        (statement, witness)
    }
}
