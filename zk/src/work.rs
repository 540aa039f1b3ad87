//! A work claim: the statement `RewardVault.sol` checks for each submission, with two public
//! inputs, `round << 220 | node << 60 | compute << 30 | data` (32 + 160 + 30 + 30 bits) and the
//! dataset commitment: two inputs keep verification within the pairing floor + 15,000 gas.
//! Until the training relation lands, its circuit only binds the inputs (each copied into a
//! witness by one constraint, so every input's verifying-key point is non-trivial and the proof
//! is for exactly these values): it stands in for the proofs of training and of data that will
//! carry the same public inputs. Used by the vault's tests and gas table.

use crate::gadget::Builder;
use ark_bn254::Fr;
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};

/// Bits of each work count in the packed input.
pub const WORK_BITS: u32 = 30;

/// What a node claims for a round, as the vault packs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WorkClaim {
    pub round: u64,
    pub node: [u8; 20],
    /// The dataset commitment (a BN254 scalar, 32 big-endian bytes).
    pub commitment: [u8; 32],
    pub compute: u128,
    pub data: u128,
}

impl WorkClaim {
    /// `[round << 220 | node << 60 | compute << 30 | data, commitment]`, as the vault builds
    /// them (it refuses work counts of 2^30 or more; the commitment must be a canonical scalar).
    pub fn public_inputs(&self) -> [Fr; 2] {
        use crate::relation::power_of_two;
        use ark_ff::PrimeField;
        let packed = Fr::from(self.round) * power_of_two(160 + 2 * WORK_BITS)
            + Fr::from_be_bytes_mod_order(&self.node) * power_of_two(2 * WORK_BITS)
            + Fr::from(self.compute) * power_of_two(WORK_BITS)
            + Fr::from(self.data);
        [packed, Fr::from_be_bytes_mod_order(&self.commitment)]
    }
}

impl ConstraintSynthesizer<Fr> for WorkClaim {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let builder = Builder::new(cs);
        for value in self.public_inputs() {
            let input = builder.input(value)?;
            let copy = builder.witness(value)?;
            builder.enforce_equal(&input, &copy)?;
        }
        Ok(())
    }
}
