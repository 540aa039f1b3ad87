//! Proving and verifying training, and the proof and opening files.
//!
//! A training proof (`vsies prove train … -o proof.json`) is a JSON artifact of kind
//! `training-proof` whose body states what was proved in readable form (relation, schema,
//! parameters id, verifying key, rows, round, node, `D`, both model commitments, the work
//! counts), the two public inputs as decimal strings and the 192-byte proof `(A, B, C, D, P)`
//! in hex. Verification recomputes the inputs from the readable fields, so editing either is
//! caught. The opening (`--opening FILE`, kind `model-opening`, written 0600) is the trained
//! model commitment's blinding: whoever holds it and the model can check `C_out`; the update
//! proof of the hostile-inputs issue opens the same commitment.

use super::relation::{
    ModelCommitment, TrainingProver, TrainingRelation, TrainingStatement, TrainingVerifier, TrainingWitness,
};
use super::RELATION;
use crate::error::ZkError;
use crate::field::{field_hex, from_commitment, node_hex, parse_field_hex, parse_node, to_commitment};
use crate::groth16::CommittedProof;
use crate::groth16::Relation;
use crate::relations::data_validation::DataRelation;
use ark_bn254::Fr;
use ark_ff::{PrimeField, UniformRand};
use ark_std::rand::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};
use std::path::Path;
use vsies_core::artifact::{self, ArtifactKind};
use vsies_core::{codec, ContentId, DataCommitment, Model, QuantizedDataset};

/// A training proof with its statement in readable form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingProof {
    /// [`RELATION`].
    pub relation: String,
    /// The schema of the training rows.
    pub schema_id: ContentId,
    /// The relation parameters' id (schema, rows, training parameters).
    pub params_id: ContentId,
    /// The verifying key the proof is for.
    pub verifying_key: ContentId,
    /// Training rows.
    pub rows: usize,
    /// The federated round.
    pub round: u64,
    /// The node's address, `0x` and 40 lowercase hex digits.
    pub node: String,
    /// The commitment `D` to the training rows.
    pub data_commitment: DataCommitment,
    /// The commitment to the starting weights.
    pub initial_commitment: ModelCommitment,
    /// The hiding commitment to the trained weights.
    pub trained_commitment: ModelCommitment,
    /// Compute units: rows × epochs.
    pub compute: u64,
    /// Data units: rows.
    pub data: u64,
    /// The statement's two public inputs (the vault's), decimal; verifiers append the
    /// challenge seed derived from the proof.
    pub public_inputs: Vec<String>,
    /// `A ‖ B ‖ C ‖ D ‖ P`, compressed, 192 bytes of lowercase hex.
    pub proof: String,
}

/// The opening of a trained model's commitment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelOpening {
    /// The commitment it opens.
    pub commitment: ModelCommitment,
    /// The model it commits to.
    pub model_id: ContentId,
    /// The blinding `ρ`, 32 big-endian bytes in hex.
    pub blinding: String,
}

/// What `prove train` produces: the proof file, the trained model and the opening.
pub struct ProvedTraining {
    /// The proof file.
    pub proof: TrainingProof,
    /// The trained model, byte-identical to `vsies train`'s.
    pub model: Model,
    /// The opening of `C_out`.
    pub opening: ModelOpening,
}

impl TrainingRelation {
    /// The starting weights of a training from `initial` (zero weights when `None`), after
    /// checking that the model fits these parameters.
    pub fn initial_weights(&self, initial: Option<&Model>) -> Result<Vec<i64>, ZkError> {
        match initial {
            None => Ok(vec![0; self.width()]),
            Some(model) => {
                if model.schema_id != self.data.schema_id || model.weights.len() != self.features() {
                    return Err(ZkError::Relation(format!(
                        "the initial model {} is for another schema or width than these keys",
                        model.content_id()
                    )));
                }
                Ok(model.augmented_weights())
            }
        }
    }

    /// The witness of the training of `dataset` from `initial` (zero weights when `None`),
    /// the trained weights committed with `trained_blinding`, and the trained model (checked
    /// equal to `Model::train`'s).
    pub fn witness(
        &self,
        dataset: &QuantizedDataset,
        initial: Option<&Model>,
        trained_blinding: Fr,
    ) -> Result<(TrainingWitness, Model), ZkError> {
        let params = &self.params;
        if dataset.rows() != params.rows {
            return Err(ZkError::Relation(format!(
                "the dataset has {} rows; these keys prove a training of exactly {}",
                dataset.rows(),
                params.rows
            )));
        }
        let initial_weights = self.initial_weights(initial)?;
        let model = Model::train(&params.schema, dataset, params.training, initial)
            .map_err(|err| ZkError::Relation(err.to_string()))?;
        let offsets = DataRelation::for_schema(&params.schema, params.rows, 1)?.offsets(dataset)?;
        let (trace, trained) = self.trace(dataset, &initial_weights)?;
        if trained != model.augmented_weights() {
            return Err(ZkError::Relation("internal: the traced training differs from `vsies train`".into()));
        }
        let witness = TrainingWitness {
            offsets,
            initial: initial_weights,
            trace,
            initial_blinding: Fr::from(0u64),
            trained_blinding,
        };
        Ok((witness, model))
    }

    /// The commitment of a public model (blinding 0), as the vault stores a round's model.
    pub fn public_model_commitment(&self, model: Option<&Model>) -> Result<ModelCommitment, ZkError> {
        Ok(to_commitment(&self.model_commitment(&self.initial_weights(model)?, Fr::from(0u64))))
    }
}

impl TrainingProver {
    /// Proves the training of `dataset` from `initial` (zero weights when `None`) for `round`
    /// and `node`: the trained model (checked equal to `Model::train`'s), the proof and the
    /// opening of the trained weights' commitment (a fresh blinding from `rng`).
    pub fn prove_training<G: RngCore + CryptoRng>(
        &self,
        dataset: &QuantizedDataset,
        initial: Option<&Model>,
        round: u64,
        node: [u8; 20],
        rng: &mut G,
    ) -> Result<ProvedTraining, ZkError> {
        self.prove_training_on(&crate::groth16::Cpu, dataset, initial, round, node, rng)
    }

    /// [`TrainingProver::prove_training`] with the MSMs and FFTs on `backend`.
    pub fn prove_training_on<G: RngCore + CryptoRng>(
        &self,
        backend: &dyn crate::groth16::Backend,
        dataset: &QuantizedDataset,
        initial: Option<&Model>,
        round: u64,
        node: [u8; 20],
        rng: &mut G,
    ) -> Result<ProvedTraining, ZkError> {
        let relation = &self.relation;
        let (witness, model) = relation.witness(dataset, initial, Fr::rand(rng))?;
        let statement = relation.statement(round, node, &witness);
        let proof = self.prove_committed_with(backend, &statement, &witness, rng)?;
        let opening = ModelOpening {
            commitment: statement.trained,
            model_id: model.content_id(),
            blinding: field_hex(&witness.trained_blinding),
        };
        let file = self.proof_file(&statement, &proof);
        self.verifier.verify_training(&file, Path::new("the new proof"))?;
        Ok(ProvedTraining { proof: file, model, opening })
    }

    /// The proof file for `statement` and `proof`.
    pub fn proof_file(&self, statement: &TrainingStatement, proof: &CommittedProof) -> TrainingProof {
        let relation = &self.relation;
        TrainingProof {
            relation: RELATION.into(),
            schema_id: relation.data.schema_id,
            params_id: relation.params_id(),
            verifying_key: self.verifier.id,
            rows: relation.params.rows,
            round: statement.round,
            node: node_hex(&statement.node),
            data_commitment: statement.data,
            initial_commitment: statement.initial,
            trained_commitment: statement.trained,
            compute: relation.compute_units(),
            data: relation.data_units(),
            public_inputs: relation.public_inputs(statement).iter().map(|x| x.into_bigint().to_string()).collect(),
            proof: codec::hex(&proof.to_bytes()),
        }
    }
}

impl TrainingProof {
    /// Writes the proof file atomically.
    pub fn save(&self, path: &Path) -> Result<(), ZkError> {
        Ok(artifact::write_json(path, ArtifactKind::TrainingProof, self)?)
    }

    /// Reads and checks a proof file's envelope.
    pub fn load(path: &Path) -> Result<Self, ZkError> {
        Ok(artifact::read_json(path, ArtifactKind::TrainingProof)?)
    }

    /// The proof: exactly 192 bytes of lowercase hex.
    pub fn committed_proof(&self, path: &Path) -> Result<CommittedProof, ZkError> {
        let bytes = codec::unhex(&self.proof).ok_or_else(|| ZkError::InvalidProof {
            path: path.into(),
            reason: "`proof` is not lowercase hex".into(),
        })?;
        CommittedProof::from_bytes(&bytes, path)
    }
}

impl ModelOpening {
    /// Writes the opening owner-only (0600), atomically.
    pub fn save(&self, path: &Path) -> Result<(), ZkError> {
        Ok(artifact::write_json_private(path, ArtifactKind::ModelOpening, self)?)
    }

    /// Reads an opening.
    pub fn load(path: &Path) -> Result<Self, ZkError> {
        Ok(artifact::read_json(path, ArtifactKind::ModelOpening)?)
    }

    /// The blinding.
    pub fn blinding(&self, path: &Path) -> Result<Fr, ZkError> {
        parse_field_hex(&self.blinding)
            .ok_or_else(|| ZkError::malformed(path, "opening", "`blinding` is not a canonical field element"))
    }
}

impl TrainingVerifier {
    /// The statement a proof file claims, checked against these keys.
    pub fn training_statement(&self, proof: &TrainingProof, path: &Path) -> Result<TrainingStatement, ZkError> {
        let wrong = |reason: String| ZkError::WrongKeys { path: path.into(), reason };
        let relation = &self.relation;
        if proof.relation != RELATION {
            return Err(wrong(format!("relation `{}`, not `{RELATION}`", proof.relation)));
        }
        if proof.verifying_key != self.id {
            return Err(wrong(format!("verifying key {}, these keys are {}", proof.verifying_key, self.id)));
        }
        if proof.schema_id != relation.data.schema_id
            || proof.params_id != relation.params_id()
            || proof.rows != relation.params.rows
        {
            return Err(wrong("schema, parameters or rows differ from these keys'".into()));
        }
        let invalid = |reason: &str| ZkError::InvalidProof { path: path.into(), reason: reason.into() };
        if proof.compute != relation.compute_units() || proof.data != relation.data_units() {
            return Err(invalid("the work counts are not the keys' (rows × epochs, rows)"));
        }
        let node = parse_node(&proof.node).ok_or_else(|| invalid("`node` is not 0x and 40 lowercase hex digits"))?;
        Ok(TrainingStatement {
            round: proof.round,
            node,
            data: proof.data_commitment,
            initial: proof.initial_commitment,
            trained: proof.trained_commitment,
        })
    }

    /// Verifies a proof file: its statement fits these keys, its listed inputs are the
    /// statement's, and the proof checks. [`ZkError::InvalidProof`] when it does not.
    pub fn verify_training(&self, proof: &TrainingProof, path: &Path) -> Result<TrainingStatement, ZkError> {
        let statement = self.training_statement(proof, path)?;
        let committed = proof.committed_proof(path)?;
        let listed: Vec<String> =
            self.relation.public_inputs(&statement).iter().map(|x| x.into_bigint().to_string()).collect();
        if listed != proof.public_inputs {
            return Err(ZkError::InvalidProof {
                path: path.into(),
                reason: "`public_inputs` do not match the readable statement".into(),
            });
        }
        self.verify_committed(&statement, &committed, path)?;
        Ok(statement)
    }

    /// Checks that the proof started from `initial` (zero weights when `None`).
    pub fn check_initial(
        &self,
        statement: &TrainingStatement,
        initial: Option<&Model>,
        path: &Path,
    ) -> Result<(), ZkError> {
        if self.relation.public_model_commitment(initial)? != statement.initial {
            return Err(ZkError::InvalidProof {
                path: path.into(),
                reason: "the proof does not start from this initial model".into(),
            });
        }
        Ok(())
    }

    /// Checks that the proof's trained weights are `model`'s, with the opening's blinding.
    pub fn check_trained(
        &self,
        statement: &TrainingStatement,
        model: &Model,
        opening: &ModelOpening,
        path: &Path,
    ) -> Result<(), ZkError> {
        let blinding = opening.blinding(path)?;
        let weights = self.relation.initial_weights(Some(model))?;
        let computed = to_commitment(&self.relation.model_commitment(&weights, blinding));
        if computed != statement.trained || opening.commitment != statement.trained {
            return Err(ZkError::InvalidProof {
                path: path.into(),
                reason: "the model and opening do not open the trained commitment".into(),
            });
        }
        Ok(())
    }
}

/// The field element of a commitment (for callers that compute with it).
pub fn commitment_element(commitment: &DataCommitment) -> Fr {
    from_commitment(commitment)
}
