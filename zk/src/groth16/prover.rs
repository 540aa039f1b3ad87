//! The Groth16 prover, in bounded memory.
//!
//! arkworks' prover builds the whole constraint system, then the QAP witness, then runs its
//! multi-scalar multiplications over a proving key held in memory: about 2 KB per constraint.
//! This one builds the circuit into a [`WitnessSink`] (the assignment and each constraint's
//! `A·z`, `B·z`), computes the quotient `h` with three domain-sized vectors, and streams the
//! proving key from its file through the MSMs chunk by chunk: at most about 170 bytes per
//! constraint, whatever the key's size. It draws `r` and `s` as arkworks does and computes the
//! same group elements, so with the same randomness both write the same proof (tested).

use super::backend::Backend;
use super::commitment::{append_blinding, Commitment, CommittedProof};
use super::key_file::ProvingKeyReader;
use super::qap;
use super::relation::Relation;
use super::witness::{CommittedValuesSink, WitnessSink};
use crate::circuit::{Builder, ConstraintFailure, ConstraintSink};
use crate::error::ZkError;
use crate::transcript::challenge_seed;
use ark_bn254::{Bn254, Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{UniformRand, Zero};
use ark_groth16::{Proof, ProvingKey};
use ark_poly::EvaluationDomain;
use ark_std::rand::RngCore;
use std::path::Path;

/// Where the proving key's queries come from.
pub enum KeySource<'a> {
    /// A key in memory (small relations, tests).
    Memory(&'a ProvingKey<Bn254>),
    /// `proving.key`, read once front to back, this many points at a time.
    File {
        /// The key file.
        path: &'a Path,
        /// Points read per chunk.
        chunk_points: usize,
    },
}

/// The key's fixed elements and its queries' products with the assignment.
struct Products {
    alpha_g1: G1Affine,
    beta_g1: G1Affine,
    delta_g1: G1Affine,
    beta_g2: G2Affine,
    delta_g2: G2Affine,
    a: G1Projective,
    b_g1: G1Projective,
    b_g2: G2Projective,
    h: G1Projective,
    l: G1Projective,
}

/// The assignment `z = [1, inputs…, witnesses…]`, where the witnesses start, `h`, and the
/// committed witnesses' indices (they are not in the `L` query).
struct Assignment {
    z: Vec<Fr>,
    instance_count: usize,
    h: Vec<Fr>,
    committed: Vec<usize>,
}

fn msm<P: AffineRepr<ScalarField = Fr>>(
    what: &str,
    bases: &[P],
    scalars: &[Fr],
    msm: impl Fn(&[P], &[Fr]) -> P::Group,
) -> Result<P::Group, ZkError> {
    if bases.len() != scalars.len() {
        return Err(ZkError::Relation(format!(
            "the proving key's {what} has {} points, the relation needs {}",
            bases.len(),
            scalars.len()
        )));
    }
    Ok(msm(bases, scalars))
}

impl Assignment {
    /// The witnesses of the `L` query: every witness but the committed ones.
    fn l_scalars(&self) -> std::borrow::Cow<'_, [Fr]> {
        let witnesses = &self.z[self.instance_count..];
        if self.committed.is_empty() {
            return std::borrow::Cow::Borrowed(witnesses);
        }
        let mut committed = self.committed.iter().peekable();
        let kept = witnesses
            .iter()
            .enumerate()
            .filter(|(index, _)| {
                let skip = committed.peek() == Some(&index);
                if skip {
                    committed.next();
                }
                !skip
            })
            .map(|(_, w)| *w)
            .collect();
        std::borrow::Cow::Owned(kept)
    }

    fn products_in_memory(&self, pk: &ProvingKey<Bn254>, backend: &dyn Backend) -> Result<Products, ZkError> {
        let h = &self.h[..self.h.len() - 1];
        let g1 = |bases: &[G1Affine], scalars: &[Fr]| backend.msm_g1(bases, scalars);
        Ok(Products {
            alpha_g1: pk.vk.alpha_g1,
            beta_g1: pk.beta_g1,
            delta_g1: pk.delta_g1,
            beta_g2: pk.vk.beta_g2,
            delta_g2: pk.vk.delta_g2,
            a: msm("a_query", &pk.a_query, &self.z, g1)?,
            b_g1: msm("b_g1_query", &pk.b_g1_query, &self.z, g1)?,
            b_g2: msm("b_g2_query", &pk.b_g2_query, &self.z, |bases, scalars| backend.msm_g2(bases, scalars))?,
            h: msm("h_query", &pk.h_query, h, g1)?,
            l: msm("l_query", &pk.l_query, &self.l_scalars(), g1)?,
        })
    }

    /// The products from a key file being read, in file order; checks its checksum at the end.
    fn products_from_file<R: Relation>(
        &self,
        mut key: ProvingKeyReader<R>,
        backend: &dyn Backend,
    ) -> Result<Products, ZkError> {
        let h = &self.h[..self.h.len() - 1];
        key.report_progress("prove: proving key");
        let a = key.msm_g1(backend, "a_query", &self.z)?;
        let b_g1 = key.msm_g1(backend, "b_g1_query", &self.z)?;
        let b_g2 = key.msm_g2(backend, "b_g2_query", &self.z)?;
        let h = key.msm_g1(backend, "h_query", h)?;
        let l = key.msm_g1(backend, "l_query", &self.l_scalars())?;
        let products = Products {
            alpha_g1: key.vk.alpha_g1,
            beta_g1: key.beta_g1()?,
            delta_g1: key.delta_g1()?,
            beta_g2: key.vk.beta_g2,
            delta_g2: key.vk.delta_g2,
            a,
            b_g1,
            b_g2,
            h,
            l,
        };
        key.finish()?;
        Ok(products)
    }
}

/// Synthesizes `relation` into `builder`, with the engine's blinding for a committing one.
fn synthesize<R: Relation, S: ConstraintSink>(
    relation: &R,
    builder: &Builder<S>,
    statement: &R::Statement,
    witness: &R::Witness,
    blinding: Option<Fr>,
) -> Result<(), ZkError> {
    relation.synthesize(builder, statement, witness)?;
    if let Some(rho) = blinding {
        append_blinding(builder, rho)?;
    }
    Ok(())
}

/// Builds the witness and `h` of `relation` for `statement` and `witness` (with the challenge
/// `seed` and the blinding of a committing relation), refusing an assignment that does not satisfy
/// it with the located first failure.
fn assign<R: Relation>(
    relation: &R,
    statement: &R::Statement,
    witness: &R::Witness,
    backend: &dyn Backend,
    seed: Fr,
    blinding: Option<Fr>,
) -> Result<(Assignment, Vec<Fr>), ZkError> {
    let shape = relation.shape()?.with_blinding();
    let (constraints, instance_count) = (shape.constraints, shape.public_inputs + 1);
    let domain = qap::domain(constraints, instance_count)?;
    let builder = Builder::new(WitnessSink::with_capacity(domain.size())).with_challenge_seed(seed);
    let synthesis = crate::progress::phase("prove: witness", constraints as u64);
    synthesize(relation, &builder, statement, witness, blinding)?;
    drop(synthesis);
    if let Some(raw) = builder.failure() {
        let failure = ConstraintFailure::new(R::NAME, raw, |label, index| relation.describe(label, index));
        return Err(ZkError::Unsatisfied(Box::new(failure)));
    }
    let sink = builder.into_sink();
    qap::check_shape((sink.constraint_count(), sink.instance.len()), (constraints, instance_count))?;
    let WitnessSink { instance, witness, a, b, committed } = sink;
    let committed_values = committed.iter().map(|&index| witness[index]).collect();
    let quotient = crate::progress::phase("prove: quotient", 1);
    let h = qap::quotient(backend, &domain, a, b, &instance);
    quotient.advance(1);
    drop(quotient);
    let mut z = instance;
    z.reserve_exact(witness.len());
    z.extend_from_slice(&witness);
    drop(witness);
    debug_assert_eq!(h.len(), domain.size());
    Ok((Assignment { z, instance_count, h, committed }, committed_values))
}

/// The group elements of the proof from the products and the randomness `r`, `s`.
fn assemble(k: &Products, r: Fr, s: Fr) -> Proof<Bn254> {
    let g_a = k.delta_g1 * r + k.alpha_g1 + k.a;
    let g1_b = if r.is_zero() { G1Projective::zero() } else { k.delta_g1 * s + k.beta_g1 + k.b_g1 };
    let g2_b = k.delta_g2 * s + k.beta_g2 + k.b_g2;
    let g_c = g_a * s + g1_b * r - k.delta_g1 * (r * s) + k.l + k.h;
    Proof { a: g_a.into_affine(), b: g2_b.into_affine(), c: g_c.into_affine() }
}

fn open_key<R: Relation>(relation: &R, path: &Path, chunk_points: usize) -> Result<ProvingKeyReader<R>, ZkError> {
    let key = ProvingKeyReader::<R>::open(path, chunk_points)?;
    if key.relation.params() != relation.params() {
        return Err(ZkError::malformed(path, "key file", "the proving key is for another relation"));
    }
    Ok(key)
}

/// A Groth16 proof that `statement` and `witness` satisfy the plain (non-committing) `relation`,
/// with the key from `source`, MSMs and FFTs on `backend`: randomness `r`, `s` drawn from `rng`
/// first, as arkworks draws them. An assignment that does not satisfy the relation is refused
/// ([`ZkError::Unsatisfied`], located) before any key is read.
pub fn prove<R: Relation, G: RngCore>(
    relation: &R,
    statement: &R::Statement,
    witness: &R::Witness,
    source: &KeySource,
    backend: &dyn Backend,
    rng: &mut G,
) -> Result<Proof<Bn254>, ZkError> {
    if R::CHALLENGES > 0 {
        return Err(ZkError::Relation(format!("{} commits to witnesses: prove it with `prove_committed`", R::NAME)));
    }
    let r = Fr::rand(rng);
    let s = Fr::rand(rng);
    let (assignment, _) = assign(relation, statement, witness, backend, Fr::zero(), None)?;
    let products = match source {
        KeySource::Memory(pk) => assignment.products_in_memory(pk, backend)?,
        KeySource::File { path, chunk_points } => {
            assignment.products_from_file(open_key(relation, path, *chunk_points)?, backend)?
        }
    };
    drop(assignment);
    Ok(assemble(&products, r, s))
}

/// A proof of a committing relation ([`super::commitment`]) from `proving.key` at `path`:
/// randomness `r`, `s`, then the blinding from `rng`; a first synthesis collects the committed
/// witnesses, the commitment basis (read first from the file) commits to them, the challenge
/// seed is derived from the commitment, and a second synthesis with it builds the assignment
/// (refused, located, if it does not satisfy the relation, or if its committed witnesses
/// differ from the first pass's: a relation whose committed values depend on the challenges
/// would be unsound).
pub fn prove_committed<R: Relation, G: RngCore>(
    relation: &R,
    statement: &R::Statement,
    witness: &R::Witness,
    path: &Path,
    chunk_points: usize,
    backend: &dyn Backend,
    rng: &mut G,
) -> Result<CommittedProof, ZkError> {
    prove_committed_inner(relation, statement, witness, path, chunk_points, backend, rng, None)
}

/// [`prove_committed`] by a prover who picks the challenge seed itself instead of deriving it
/// from the commitment: what a cheating prover who knows the challenges in advance would do.
/// Its proofs do not verify (the verifier derives the seed); the soundness tests use it.
#[allow(clippy::too_many_arguments)]
pub fn prove_committed_with_chosen_seed<R: Relation, G: RngCore>(
    relation: &R,
    statement: &R::Statement,
    witness: &R::Witness,
    path: &Path,
    backend: &dyn Backend,
    rng: &mut G,
    seed: Fr,
) -> Result<CommittedProof, ZkError> {
    prove_committed_inner(relation, statement, witness, path, 1 << 20, backend, rng, Some(seed))
}

#[allow(clippy::too_many_arguments)]
fn prove_committed_inner<R: Relation, G: RngCore>(
    relation: &R,
    statement: &R::Statement,
    witness: &R::Witness,
    path: &Path,
    chunk_points: usize,
    backend: &dyn Backend,
    rng: &mut G,
    chosen: Option<Fr>,
) -> Result<CommittedProof, ZkError> {
    if R::CHALLENGES == 0 {
        return Err(ZkError::Relation(format!("{} commits to no witnesses: prove it with `prove`", R::NAME)));
    }
    let r = Fr::rand(rng);
    let s = Fr::rand(rng);
    let rho = Fr::rand(rng);
    let first = Builder::for_setup(CommittedValuesSink::default()).with_challenge_seed(Fr::zero());
    let synthesis = crate::progress::phase("prove: committed values", relation.shape()?.constraints as u64);
    synthesize(relation, &first, statement, witness, Some(rho))?;
    drop(synthesis);
    let committed = first.into_sink().values;
    let mut key = open_key(relation, path, chunk_points)?;
    let commitment_phase = crate::progress::phase("prove: commitment", 1);
    let commitment: Commitment = key.commit(backend, &committed)?;
    commitment_phase.advance(1);
    drop(commitment_phase);
    let seed = chosen.unwrap_or_else(|| challenge_seed(&commitment.point, &commitment.knowledge));
    let (assignment, second) = assign(relation, statement, witness, backend, seed, Some(rho))?;
    if second != committed {
        return Err(ZkError::Relation(format!(
            "internal: {}'s committed witnesses depend on the challenges; no proof was made",
            R::NAME
        )));
    }
    let products = assignment.products_from_file(key, backend)?;
    drop(assignment);
    Ok(CommittedProof { proof: assemble(&products, r, s), commitment })
}
