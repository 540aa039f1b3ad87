//! vsies proof files as the contracts' words: a data-validation proof as `registerData`'s
//! arguments and a training proof as `submit`'s, through `vsies_verifier_contract`'s types (so
//! the Rust vault takes exactly the words the contract takes).

use crate::error::ChainError;
use std::path::Path;
use vsies_verifier_contract::groth16::{EvmCommittedProof, EvmProof};
use vsies_verifier_contract::solidity::Word;
use vsies_verifier_contract::vault::statement::word;
use vsies_verifier_contract::vault::TrainingClaim;
use vsies_zk::relations::training::TrainingProof;
use vsies_zk::{DataProof, DataRelation};

/// `registerData`'s arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataRegistration {
    /// `(a, b, c)`.
    pub proof: EvmProof,
    /// The keys' parameters id.
    pub params_id: Word,
    /// `D`.
    pub commitment: Word,
    /// Rows.
    pub rows: u64,
    /// The histogram, 7 counts per word.
    pub histogram: Vec<Word>,
}

/// `submit`'s arguments after the round.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrainingSubmission {
    /// `(a, b, c)`, `D`, `P`.
    pub proof: EvmCommittedProof,
    /// The statement's words.
    pub claim: TrainingClaim,
}

fn id_word(id: &vsies_core::ContentId) -> Word {
    use ark_ff::PrimeField;
    word(&ark_bn254::Fr::from_be_bytes_mod_order(id.digest()))
}

/// The registration of a data proof file (its words as the file states them: the chain
/// checks them).
pub fn data_registration(proof: &DataProof, path: &Path) -> Result<DataRegistration, ChainError> {
    let groth16 =
        proof.groth16(path).map_err(|err| ChainError::Calldata { path: path.into(), reason: err.to_string() })?;
    let counts: Vec<Vec<u64>> =
        proof.histogram.iter().map(|column| column.buckets.iter().map(|bucket| bucket.count).collect()).collect();
    Ok(DataRegistration {
        proof: EvmProof::from_proof(&groth16),
        params_id: id_word(&proof.params_id),
        commitment: *proof.commitment.as_bytes(),
        rows: proof.rows as u64,
        histogram: DataRelation::histogram_words(&counts).iter().map(word).collect(),
    })
}

/// The submission of a training proof file.
pub fn training_submission(proof: &TrainingProof, path: &Path) -> Result<TrainingSubmission, ChainError> {
    let committed = proof
        .committed_proof(path)
        .map_err(|err| ChainError::Calldata { path: path.into(), reason: err.to_string() })?;
    Ok(TrainingSubmission {
        proof: EvmCommittedProof::new(&committed.proof, &committed.commitment.point, &committed.commitment.knowledge),
        claim: TrainingClaim {
            params_id: id_word(&proof.params_id),
            data_commitment: *proof.data_commitment.as_bytes(),
            trained: *proof.trained_commitment.as_bytes(),
            compute: proof.compute,
            data: proof.data,
        },
    })
}
