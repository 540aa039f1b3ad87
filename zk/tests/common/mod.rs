//! A relation shared by the engine's tests.
#![allow(dead_code)] // each test file uses its own subset

use ark_bn254::Fr;
use ark_relations::gr1cs::SynthesisError;
use serde::{Deserialize, Serialize};
use vsies_zk::circuit::{Builder, ConstraintSink};
use vsies_zk::{Relation, ZkError};

/// "I know `x` with `x^3 + x + 5 = y`", for public `y`.
#[derive(Clone, Debug)]
pub struct Cubic(CubicParams);

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CubicParams {
    pub relation: String,
}

impl Relation for Cubic {
    type Params = CubicParams;
    type Statement = Fr;
    type Witness = Fr;
    const NAME: &'static str = "test/cubic/v1";

    fn new(params: CubicParams) -> Result<Self, ZkError> {
        Ok(Self(params))
    }
    fn params(&self) -> &CubicParams {
        &self.0
    }
    fn public_inputs(&self, y: &Fr) -> Vec<Fr> {
        vec![*y]
    }
    fn synthesize<S: ConstraintSink>(&self, b: &Builder<S>, y: &Fr, x: &Fr) -> Result<(), SynthesisError> {
        b.stage("cubic");
        let y = b.input(*y)?;
        let x = b.witness(*x)?;
        let cube = b.mul(&b.mul(&x, &x)?, &x)?;
        b.enforce_equal_named("x^3 + x + 5 = y", &cube.add(&x).add_constant(Fr::from(5u64)), &y)
    }
    fn setup_assignment(&self) -> (Fr, Fr) {
        (Fr::from(5u64), Fr::from(0u64))
    }
}

pub fn cubic() -> Cubic {
    Cubic(CubicParams { relation: Cubic::NAME.into() })
}
