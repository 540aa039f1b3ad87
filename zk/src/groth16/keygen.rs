//! Groth16 key generation that writes `proving.key` as it computes it.
//!
//! arkworks' generator holds the whole constraint system and the whole proving key in memory
//! (about 2 KB per constraint). Here the circuit is built into a [`QapSink`], which keeps only
//! each variable's QAP polynomials at the secret point, and every query is computed and
//! written one chunk at a time. The randomness is drawn in arkworks' order and the arithmetic
//! is the same, so a seeded run writes byte for byte the file that [`super::Keys::setup`] and
//! [`super::Keys::save`] write (tested).
//!
//! A committing relation ([`super::commitment`]) gets the commitment basis too: its committed
//! witnesses' scalars are scaled by `1/γ` instead of `1/δ` and written, with their multiples
//! by a fresh secret `σ`, right after the verifying key; the rest of the file is laid out as
//! arkworks lays it out, the `L` query holding the other witnesses only.

use super::backend::Backend;
use super::commitment::{append_blinding, CommitmentKey};
use super::key_file::{self, point_size, query_size, write_points, write_query_len};
use super::qap::{self, QapEvaluations, QapSink};
use super::relation::Relation;
use crate::circuit::Builder;
use crate::error::ZkError;
use ark_bn254::{Bn254, Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::scalar_mul::BatchMulPreprocessing;
use ark_ec::CurveGroup;
use ark_ff::{Field, UniformRand, Zero};
use ark_groth16::VerifyingKey;
use ark_poly::EvaluationDomain;
use ark_serialize::CanonicalSerialize;
use ark_std::rand::{CryptoRng, RngCore};
use rayon::prelude::*;
use std::io::Write;
use std::path::Path;
use vsies_core::artifact::{self, ArtifactKind};

/// The setup's secrets ("toxic waste"): whoever knows them can forge proofs. Dropped when key
/// generation returns.
struct Toxic {
    alpha: Fr,
    beta: Fr,
    gamma: Fr,
    delta: Fr,
    g1: G1Projective,
    g2: G2Projective,
    t: Fr,
    /// The commitment basis's secret, for a committing relation only.
    sigma: Option<Fr>,
}

impl Toxic {
    /// Draws as ark-groth16's `generate_random_parameters_with_reduction` does, in its order,
    /// then `σ` for a committing relation (so a plain relation's keys are arkworks' keys).
    fn draw<R: RngCore>(rng: &mut R, domain: &qap::Domain, committing: bool) -> Self {
        let alpha = Fr::rand(rng);
        let beta = Fr::rand(rng);
        let gamma = Fr::rand(rng);
        let delta = Fr::rand(rng);
        let g1 = G1Projective::rand(rng);
        let g2 = G2Projective::rand(rng);
        let t = domain.sample_element_outside_domain(rng);
        let sigma = committing.then(|| Fr::rand(rng));
        Self { alpha, beta, gamma, delta, g1, g2, t, sigma }
    }

    /// Phase 2's starting point for powers of tau whose `τ`, `α`, `β` are drawn here: the
    /// standard generators and `γ = δ = σ = 1`, as a ceremony's initial key has them.
    fn unscaled<R: RngCore>(rng: &mut R, domain: &qap::Domain, committing: bool) -> Self {
        use ark_ec::AffineRepr;
        use ark_ff::One;
        Self {
            alpha: Fr::rand(rng),
            beta: Fr::rand(rng),
            gamma: Fr::one(),
            delta: Fr::one(),
            g1: G1Affine::generator().into_group(),
            g2: G2Affine::generator().into_group(),
            t: domain.sample_element_outside_domain(rng),
            sigma: committing.then(Fr::one),
        }
    }
}

/// Generates `relation`'s proving key into the file `path`, computing and writing each query
/// `chunk_points` points at a time on `backend`, and returns the verifying key (and the
/// commitment key of a committing relation). Memory: a few hundred bytes per constraint,
/// whatever the size of the proving key.
pub fn write_proving_key<R: Relation, G: RngCore + CryptoRng>(
    relation: &R,
    rng: &mut G,
    backend: &dyn Backend,
    path: &Path,
    chunk_points: usize,
) -> Result<(VerifyingKey<Bn254>, Option<CommitmentKey>), ZkError> {
    write_key_with(relation, backend, path, chunk_points, |domain, committing| Toxic::draw(rng, domain, committing))
}

/// The proving key a setup ceremony's phase 2 starts from (`γ = δ = σ = 1`, the standard
/// generators) for powers of tau whose `τ`, `α` and `β` are drawn from `rng` here: laid out as
/// [`crate::ceremony::Ceremony::init`]'s initial key, at a setup's speed instead of a group
/// FFT over a phase 1. **Benchmarks only**: whoever knows `rng`'s output knows `τ`.
pub fn write_unscaled_key<R: Relation, G: RngCore + CryptoRng>(
    relation: &R,
    rng: &mut G,
    backend: &dyn Backend,
    path: &Path,
    chunk_points: usize,
) -> Result<(VerifyingKey<Bn254>, Option<CommitmentKey>), ZkError> {
    write_key_with(relation, backend, path, chunk_points, |domain, committing| Toxic::unscaled(rng, domain, committing))
}

fn write_key_with<R: Relation>(
    relation: &R,
    backend: &dyn Backend,
    path: &Path,
    chunk_points: usize,
    draw: impl FnOnce(&qap::Domain, bool) -> Toxic,
) -> Result<(VerifyingKey<Bn254>, Option<CommitmentKey>), ZkError> {
    let shape = relation.shape()?.with_blinding();
    let (constraints, instance) = (shape.constraints, shape.public_inputs + 1);
    let domain = qap::domain(constraints, instance)?;
    let toxic = draw(&domain, shape.committed > 0);

    let builder = Builder::for_setup(QapSink::new(&domain, toxic.t));
    let (statement, witness) = relation.setup_assignment();
    let synthesis = crate::progress::phase("setup: constraints", constraints as u64);
    relation.synthesize(&builder, &statement, &witness)?;
    drop(synthesis);
    if shape.committed > 0 {
        append_blinding(&builder, Fr::zero())?;
    }
    let qap = builder.into_sink().finish(&domain)?;
    qap::check_shape((qap.constraint_count, qap.instance_count), (constraints, instance))?;
    let committed = qap.committed.iter().filter(|&&c| c).count();
    if committed != shape.committed {
        return Err(ZkError::Relation(format!(
            "internal: the circuit commits to {committed} witnesses, its shape says {}",
            shape.committed
        )));
    }
    write_queries(path, relation, qap, &toxic, &domain, backend, chunk_points.max(1))
}

/// A writer that reports the bytes written to a progress phase.
struct Counted<'a> {
    inner: &'a mut dyn Write,
    progress: &'a crate::progress::Phase,
}

impl Write for Counted<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let written = self.inner.write(bytes)?;
        self.progress.advance(written as u64);
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// The queries' scalars, as arkworks derives them from the QAP evaluations.
struct Scalars {
    a: Vec<Fr>,
    b: Vec<Fr>,
    /// `(beta a + alpha b + c) / gamma` for the instance variables.
    gamma_abc: Vec<Fr>,
    /// `(beta a + alpha b + c) / delta` for the witnesses not committed to.
    l: Vec<Fr>,
    /// `(beta a + alpha b + c) / gamma` for the committed witnesses, in creation order.
    k: Vec<Fr>,
    /// `Z(t) / delta`: the `h` query's scalars are its multiples by `t^i`.
    zt_over_delta: Fr,
    h_len: usize,
}

impl Scalars {
    fn new(qap: QapEvaluations, toxic: &Toxic, domain: &qap::Domain) -> Self {
        let QapEvaluations { a, b, mut c, instance_count, committed, .. } = qap;
        let gamma_inverse = toxic.gamma.inverse().expect("gamma is nonzero");
        let delta_inverse = toxic.delta.inverse().expect("delta is nonzero");
        c.par_iter_mut().zip(&a).zip(&b).enumerate().for_each(|(i, ((c, a), b))| {
            let gamma_scaled = i < instance_count || committed[i - instance_count];
            let inverse = if gamma_scaled { gamma_inverse } else { delta_inverse };
            *c = (toxic.beta * a + toxic.alpha * b + *c) * inverse;
        });
        let witnesses = c.split_off(instance_count);
        let (mut l, mut k) = (Vec::with_capacity(witnesses.len()), Vec::new());
        for (scalar, committed) in witnesses.into_iter().zip(committed) {
            if committed {
                k.push(scalar)
            } else {
                l.push(scalar)
            }
        }
        let zt_over_delta = domain.evaluate_vanishing_polynomial(toxic.t) * delta_inverse;
        Self { a, b, gamma_abc: c, l, k, zt_over_delta, h_len: domain.size() - 1 }
    }

    fn non_zero(scalars: &[Fr]) -> usize {
        scalars.par_iter().filter(|s| !s.is_zero()).count()
    }
}

fn write_queries<R: Relation>(
    path: &Path,
    relation: &R,
    qap: QapEvaluations,
    toxic: &Toxic,
    domain: &qap::Domain,
    backend: &dyn Backend,
    chunk_points: usize,
) -> Result<(VerifyingKey<Bn254>, Option<CommitmentKey>), ZkError> {
    let t = toxic.t;
    let scalars = Scalars::new(qap, toxic, domain);
    let variables = scalars.a.len();
    // Window tables sized as arkworks sizes them (the results do not depend on it).
    let non_zero_b = Scalars::non_zero(&scalars.b);
    let g1_scalars = Scalars::non_zero(&scalars.a) + non_zero_b + variables + scalars.h_len + 2 + scalars.k.len();
    let g1_table = BatchMulPreprocessing::new(toxic.g1, g1_scalars);
    let g2_table = BatchMulPreprocessing::new(toxic.g2, non_zero_b);

    let vk = VerifyingKey::<Bn254> {
        alpha_g1: (toxic.g1 * toxic.alpha).into_affine(),
        beta_g2: (toxic.g2 * toxic.beta).into_affine(),
        gamma_g2: (toxic.g2 * toxic.gamma).into_affine(),
        delta_g2: (toxic.g2 * toxic.delta).into_affine(),
        gamma_abc_g1: backend.fixed_base_g1(&g1_table, &scalars.gamma_abc),
    };
    let beta_g1 = (toxic.g1 * toxic.beta).into_affine();
    let delta_g1 = (toxic.g1 * toxic.delta).into_affine();
    let commitment = toxic.sigma.map(|sigma| CommitmentKey {
        committed: scalars.k.len() as u64,
        sigma_gamma_g2: (toxic.g2 * (sigma * toxic.gamma)).into_affine(),
    });

    let header = key_file::params_header::<R>(relation.params());
    let g1 = point_size::<G1Affine>() as u64;
    let commitment_len = match &commitment {
        Some(key) => key.sigma_gamma_g2.uncompressed_size() as u64 + 2 * query_size::<G1Affine>(scalars.k.len()),
        None => 0,
    };
    let payload_len = header.len() as u64
        + vk.uncompressed_size() as u64
        + commitment_len
        + 2 * g1
        + 2 * query_size::<G1Affine>(variables)
        + query_size::<G2Affine>(variables)
        + query_size::<G1Affine>(scalars.h_len)
        + query_size::<G1Affine>(scalars.l.len());

    let write_g1_query = |writer: &mut dyn Write, scalars: &[Fr]| -> std::io::Result<()> {
        write_query_len(writer, scalars.len())?;
        scalars
            .chunks(chunk_points)
            .try_for_each(|chunk| write_points(writer, &backend.fixed_base_g1(&g1_table, chunk)))
    };
    let progress = crate::progress::phase("setup: proving key", payload_len);
    artifact::write_binary_streamed(path, ArtifactKind::ZkProvingKey, payload_len, |writer| {
        let writer = &mut Counted { inner: writer, progress: &progress };
        writer.write_all(&header)?;
        let mut fixed = Vec::new();
        vk.serialize_uncompressed(&mut fixed).expect("writing to memory");
        if let (Some(key), Some(sigma)) = (&commitment, toxic.sigma) {
            key.sigma_gamma_g2.serialize_uncompressed(&mut fixed).expect("writing to memory");
            writer.write_all(&fixed)?;
            fixed.clear();
            write_g1_query(writer, &scalars.k)?;
            let sigma_k: Vec<Fr> = scalars.k.par_iter().map(|k| sigma * k).collect();
            write_g1_query(writer, &sigma_k)?;
        }
        beta_g1.serialize_uncompressed(&mut fixed).expect("writing to memory");
        delta_g1.serialize_uncompressed(&mut fixed).expect("writing to memory");
        writer.write_all(&fixed)?;
        write_g1_query(writer, &scalars.a)?;
        write_g1_query(writer, &scalars.b)?;
        write_query_len(writer, variables)?;
        for chunk in scalars.b.chunks(chunk_points) {
            write_points(writer, &backend.fixed_base_g2(&g2_table, chunk))?;
        }
        write_query_len(writer, scalars.h_len)?;
        for start in (0..scalars.h_len).step_by(chunk_points) {
            let count = chunk_points.min(scalars.h_len - start);
            let chunk = qap::h_query_scalars(start, count, t, scalars.zt_over_delta);
            write_points(writer, &backend.fixed_base_g1(&g1_table, &chunk))?;
        }
        write_g1_query(writer, &scalars.l)
    })?;
    Ok((vk, commitment))
}
