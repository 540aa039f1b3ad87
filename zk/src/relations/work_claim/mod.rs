//! A work claim: the statement `RewardVault.sol` checks for each submission, with two public
//! inputs, `round << 220 | node << 60 | compute << 30 | data` (32 + 160 + 30 + 30 bits) and the
//! dataset commitment: two inputs keep verification within the pairing floor + 15,000 gas.
//! Its circuit only binds the inputs (each copied into a witness by one constraint, so every
//! input's verifying-key point is non-trivial and the proof is for exactly these values): it
//! proves nothing about the work, and stands in for the proofs of training that will carry the
//! same public inputs. Used by the vault's tests and gas table.

use crate::circuit::{Builder, ConstraintSink};
use crate::error::ZkError;
use crate::field::power_of_two;
use crate::groth16::{Circuit, Relation};
use ark_bn254::Fr;
use ark_ff::PrimeField;
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};
use serde::{Deserialize, Serialize};

/// Name and version of the relation.
pub const RELATION: &str = "vsies/work-claim/v1";

/// Bits of each work count in the packed input.
pub const WORK_BITS: u32 = 30;

/// What a node claims for a round, as the vault packs it: the statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WorkClaim {
    /// The round.
    pub round: u64,
    /// The node's address.
    pub node: [u8; 20],
    /// The dataset commitment (a BN254 scalar, 32 big-endian bytes).
    pub commitment: [u8; 32],
    /// Compute units claimed.
    pub compute: u128,
    /// Data units claimed.
    pub data: u128,
}

impl WorkClaim {
    /// `[round << 220 | node << 60 | compute << 30 | data, commitment]`, as the vault builds
    /// them (it refuses work counts of 2^30 or more; the commitment must be a canonical scalar).
    pub fn public_inputs(&self) -> [Fr; 2] {
        let packed = Fr::from(self.round) * power_of_two(160 + 2 * WORK_BITS)
            + Fr::from_be_bytes_mod_order(&self.node) * power_of_two(2 * WORK_BITS)
            + Fr::from(self.compute) * power_of_two(WORK_BITS)
            + Fr::from(self.data);
        [packed, Fr::from_be_bytes_mod_order(&self.commitment)]
    }
}

/// The parameters: none but the name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkClaimParams {
    /// [`RELATION`].
    pub relation: String,
}

/// The work-claim relation.
#[derive(Clone, Debug)]
pub struct WorkClaimRelation {
    params: WorkClaimParams,
}

impl Default for WorkClaimRelation {
    fn default() -> Self {
        Self { params: WorkClaimParams { relation: RELATION.into() } }
    }
}

impl Relation for WorkClaimRelation {
    type Params = WorkClaimParams;
    type Statement = WorkClaim;
    type Witness = ();

    const NAME: &'static str = RELATION;

    fn new(params: WorkClaimParams) -> Result<Self, ZkError> {
        Ok(Self { params })
    }

    fn params(&self) -> &WorkClaimParams {
        &self.params
    }

    fn public_inputs(&self, statement: &WorkClaim) -> Vec<Fr> {
        statement.public_inputs().to_vec()
    }

    fn synthesize<S: ConstraintSink>(
        &self,
        builder: &Builder<S>,
        statement: &WorkClaim,
        _: &(),
    ) -> Result<(), SynthesisError> {
        builder.stage("claim");
        for value in statement.public_inputs() {
            let input = builder.input(value)?;
            let copy = builder.witness(value)?;
            builder.enforce_equal_named("copy", &input, &copy)?;
        }
        Ok(())
    }

    fn setup_assignment(&self) -> (WorkClaim, ()) {
        (WorkClaim { round: 0, node: [0; 20], commitment: [0; 32], compute: 0, data: 0 }, ())
    }
}

impl ConstraintSynthesizer<Fr> for WorkClaim {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let relation = WorkClaimRelation::default();
        Circuit { relation: &relation, statement: &self, witness: &() }.generate_constraints(cs)
    }
}
