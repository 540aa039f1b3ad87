//! Proving on the GPU kernels' path (their CUDA sources on the CPU emulator) gives the same
//! proof as the CPU, byte for byte, for the same randomness: the kernels compute the same group
//! elements and field vectors, so the backend cannot change what the chain verifies.

use ark_bn254::Fr;
use ark_relations::gr1cs::SynthesisError;
use ark_serialize::CanonicalSerialize;
use ark_std::rand::{rngs::StdRng, SeedableRng};
use serde::{Deserialize, Serialize};
use std::path::Path;
use vsies_zk::circuit::{Builder, ConstraintSink};
use vsies_zk::groth16::{Cpu, Emulated};
use vsies_zk::{Keys, Prover, Relation, Verifier, ZkError};

/// "I know `x` with `x^(2^k) = y`": `k` squarings, enough constraints for a domain past one NTT
/// tile and MSMs of thousands of points.
#[derive(Clone, Debug)]
struct Squarings(SquaringParams);

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct SquaringParams {
    relation: String,
    squarings: usize,
}

impl Relation for Squarings {
    type Params = SquaringParams;
    type Statement = Fr;
    type Witness = Fr;
    const NAME: &'static str = "test/squarings/v1";

    fn new(params: SquaringParams) -> Result<Self, ZkError> {
        Ok(Self(params))
    }
    fn params(&self) -> &SquaringParams {
        &self.0
    }
    fn public_inputs(&self, y: &Fr) -> Vec<Fr> {
        vec![*y]
    }
    fn synthesize<S: ConstraintSink>(&self, b: &Builder<S>, y: &Fr, x: &Fr) -> Result<(), SynthesisError> {
        b.stage("squarings");
        let y = b.input(*y)?;
        let mut value = b.witness(*x)?;
        for _ in 0..self.0.squarings {
            value = b.mul(&value, &value)?;
        }
        b.enforce_equal_named("x^(2^k) = y", &value, &y)
    }
    fn setup_assignment(&self) -> (Fr, Fr) {
        (Fr::from(0u64), Fr::from(0u64))
    }
}

fn bytes(proof: &impl CanonicalSerialize) -> Vec<u8> {
    let mut out = Vec::new();
    proof.serialize_compressed(&mut out).unwrap();
    out
}

#[test]
fn emulated_kernels_prove_byte_identically_to_the_cpu() {
    let squarings = 1500;
    let relation = Squarings(SquaringParams { relation: Squarings::NAME.into(), squarings });
    let dir = tempfile::tempdir().unwrap();
    Keys::generate(relation, &mut StdRng::seed_from_u64(11), dir.path()).unwrap();
    let prover = Prover::<Squarings>::load(dir.path()).unwrap();
    let x = Fr::from(3u64);
    let y = (0..squarings).fold(x, |v, _| v * v);
    let on_cpu = prover.prove_groth16_with(&Cpu, &y, &x, &mut StdRng::seed_from_u64(12)).unwrap();
    let emulated = prover.prove_groth16_with(&Emulated, &y, &x, &mut StdRng::seed_from_u64(12)).unwrap();
    assert_eq!(bytes(&emulated), bytes(&on_cpu));
    Verifier::<Squarings>::load(dir.path()).unwrap().verify_groth16(&y, &emulated, Path::new("proof")).unwrap();
}
