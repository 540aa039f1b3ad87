//! A work claim: the statement `RewardVault.sol` checks for each submission, with public
//! inputs `[round, node address, compute units, data units]`. Until the training relation
//! lands, its circuit only binds the four inputs (each copied into a witness by one
//! constraint, so every input's verifying-key point is non-trivial and the proof is for exactly
//! these values): it stands in for the proofs of training and of data that will carry the same
//! public inputs. Used by the vault's tests and gas table.

use crate::gadget::Builder;
use ark_bn254::Fr;
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};

/// `[round, node, compute, data]` as the vault builds them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WorkClaim {
    pub round: u64,
    pub node: [u8; 20],
    pub compute: u128,
    pub data: u128,
}

impl WorkClaim {
    pub fn public_inputs(&self) -> [Fr; 4] {
        use ark_ff::PrimeField;
        [Fr::from(self.round), Fr::from_be_bytes_mod_order(&self.node), Fr::from(self.compute), Fr::from(self.data)]
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
