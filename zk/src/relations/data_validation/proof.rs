//! Proving and verifying data validation, and the proof file.
//!
//! A proof file (`vsies prove data … -o proof.json`) is a vsies JSON artifact of kind
//! `data-proof` whose body states, in readable form, what was proved: the chain account it is
//! for, schema, row count, commitment and histogram (bucket bounds as quantized values), the
//! verifying key it is for, the two public inputs as decimal strings (the same list
//! snarkjs's `public.json` holds: `node << 60` and the statement digest) and the
//! 128-byte compressed Groth16 proof in hex. Verification recomputes the public inputs from the
//! readable fields, so editing either is caught.

use super::relation::{DataProver, DataVerifier, Offsets, Statement, RELATION};
use crate::error::ZkError;
use crate::field::{from_commitment, node_hex, parse_node, to_commitment};
use crate::groth16::snarkjs;
use ark_bn254::Bn254;
use ark_ff::PrimeField;
use ark_groth16::Proof;
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use ark_std::rand::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};
use std::path::Path;
use vsies_core::artifact::{self, ArtifactKind};
use vsies_core::codec;
use vsies_core::{ContentId, DataCommitment, QuantizedDataset};

/// One histogram bucket: inclusive bounds in quantized units, and its count.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bucket {
    /// Smallest quantized value in the bucket.
    pub min: i64,
    /// Largest quantized value in the bucket.
    pub max: i64,
    /// Rows whose value falls in it.
    pub count: u64,
}

/// The histogram of one column.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnHistogram {
    /// The column's name.
    pub column: String,
    /// Its buckets, in order.
    pub buckets: Vec<Bucket>,
}

/// A data-validation proof with its public statement in readable form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataProof {
    /// [`RELATION`].
    pub relation: String,
    /// The schema the data passes.
    pub schema_id: ContentId,
    /// The relation parameters' id (schema, max rows, buckets): the vault's key for the
    /// verifier, part of the statement digest.
    pub params_id: ContentId,
    /// The verifying key the proof is for.
    pub verifying_key: ContentId,
    /// The keys' largest row count.
    pub max_rows: usize,
    /// The chain account the proof registers the dataset for (`0x` and 40 hex digits; all
    /// zeros: none).
    pub node: String,
    /// Rows proved.
    pub rows: usize,
    /// The dataset commitment, a BN254 scalar, as 32 big-endian bytes in hex.
    pub commitment: DataCommitment,
    /// Per column, its buckets and counts.
    pub histogram: Vec<ColumnHistogram>,
    /// Public inputs in circuit order, decimal.
    pub public_inputs: Vec<String>,
    /// Compressed Groth16 proof, hex.
    pub proof: String,
}

impl DataProver {
    /// Proves that `dataset` passes the relation's schema, for no chain account. The dataset is
    /// checked natively first: a value outside its column's range is reported by row and
    /// column, and never reaches the prover (the circuit would be unsatisfiable; see the
    /// soundness tests).
    pub fn prove<R: RngCore + CryptoRng>(&self, dataset: &QuantizedDataset, rng: &mut R) -> Result<DataProof, ZkError> {
        self.prove_for(dataset, [0; 20], rng)
    }

    /// [`DataProver::prove`] for the chain account `node`: the proof the vault registers the
    /// dataset with, when `node` sends it.
    pub fn prove_for<R: RngCore + CryptoRng>(
        &self,
        dataset: &QuantizedDataset,
        node: [u8; 20],
        rng: &mut R,
    ) -> Result<DataProof, ZkError> {
        self.prove_for_on(&crate::groth16::Cpu, dataset, node, rng)
    }

    /// [`DataProver::prove_for`] with the MSMs and FFTs on `backend`.
    pub fn prove_for_on<R: RngCore + CryptoRng>(
        &self,
        backend: &dyn crate::groth16::Backend,
        dataset: &QuantizedDataset,
        node: [u8; 20],
        rng: &mut R,
    ) -> Result<DataProof, ZkError> {
        let offsets = self.relation.offsets(dataset)?;
        let statement = self.relation.statement_for(&offsets, node);
        let proof = self.prove_groth16_with(backend, &statement, &offsets, rng)?;
        let file = self.proof_file(&statement, &proof);
        // The file's readable statement must say what was proved.
        self.verifier.verify(&file, Path::new("the new proof"))?;
        Ok(file)
    }

    /// The Groth16 proof that `offsets` pass the relation, claiming their true statement;
    /// [`ZkError::Unsatisfied`] (located) if they do not satisfy it.
    pub fn prove_offsets<R: RngCore + CryptoRng>(
        &self,
        offsets: &Offsets,
        rng: &mut R,
    ) -> Result<Proof<Bn254>, ZkError> {
        self.prove_groth16(&self.relation.statement(offsets), offsets, rng)
    }

    /// The proof file for `statement` and `proof`.
    pub fn proof_file(&self, statement: &Statement, proof: &Proof<Bn254>) -> DataProof {
        let relation = &self.relation;
        let histogram = relation
            .columns
            .iter()
            .zip(&statement.histogram)
            .map(|(column, counts)| ColumnHistogram {
                column: column.name.clone(),
                buckets: counts
                    .iter()
                    .enumerate()
                    .map(|(k, &count)| {
                        let (first, last) = column.bucket_bounds(k);
                        Bucket { min: column.lo + first as i64, max: column.lo + last as i64, count }
                    })
                    .collect(),
            })
            .collect();
        let mut bytes = Vec::new();
        proof.serialize_compressed(&mut bytes).expect("writing to memory");
        DataProof {
            relation: RELATION.into(),
            schema_id: relation.schema_id,
            params_id: relation.params_id(),
            verifying_key: self.verifier.id,
            max_rows: relation.max_rows(),
            node: node_hex(&statement.node),
            rows: statement.rows,
            commitment: to_commitment(&statement.commitment),
            histogram,
            public_inputs: relation.public_inputs(statement).iter().map(|x| x.into_bigint().to_string()).collect(),
            proof: codec::hex(&bytes),
        }
    }
}

impl DataProof {
    /// Writes the proof file atomically.
    pub fn save(&self, path: &Path) -> Result<(), ZkError> {
        Ok(artifact::write_json(path, ArtifactKind::DataProof, self)?)
    }

    /// Reads and checks a proof file's envelope.
    pub fn load(path: &Path) -> Result<Self, ZkError> {
        Ok(artifact::read_json(path, ArtifactKind::DataProof)?)
    }

    /// The Groth16 proof: exactly 128 bytes of lowercase hex, the canonical compressed form.
    pub fn groth16(&self, path: &Path) -> Result<Proof<Bn254>, ZkError> {
        let bytes: [u8; 128] = codec::unhex_array(&self.proof)
            .ok_or_else(|| ZkError::malformed(path, "proof", "`proof` is not 128 bytes of lowercase hex"))?;
        let proof = Proof::<Bn254>::deserialize_compressed(&bytes[..])
            .map_err(|err| ZkError::malformed(path, "proof", format!("`proof`: {err}")))?;
        let mut canonical = Vec::with_capacity(bytes.len());
        proof.serialize_compressed(&mut canonical).expect("writing to memory");
        if canonical != bytes {
            return Err(ZkError::malformed(path, "proof", "`proof` is not the canonical encoding of its points"));
        }
        Ok(proof)
    }

    /// snarkjs's `proof.json` and `public.json` for this proof.
    pub fn snarkjs(&self, path: &Path) -> Result<(serde_json::Value, serde_json::Value), ZkError> {
        Ok((snarkjs::proof(&self.groth16(path)?), serde_json::Value::from(self.public_inputs.clone())))
    }
}

impl DataVerifier {
    /// The statement a proof file claims, checked against these keys' relation.
    pub fn statement(&self, proof: &DataProof, path: &Path) -> Result<Statement, ZkError> {
        let wrong = |reason: String| ZkError::WrongKeys { path: path.into(), reason };
        let relation = &self.relation;
        if proof.relation != RELATION {
            return Err(wrong(format!("relation `{}`, not `{RELATION}`", proof.relation)));
        }
        if proof.schema_id != relation.schema_id {
            return Err(wrong(format!("schema {}, the keys are for {}", proof.schema_id, relation.schema_id)));
        }
        if proof.params_id != relation.params_id() {
            return Err(wrong(format!("parameters {}, the keys have {}", proof.params_id, relation.params_id())));
        }
        if proof.verifying_key != self.id {
            return Err(wrong(format!("verifying key {}, these keys are {}", proof.verifying_key, self.id)));
        }
        if proof.max_rows != relation.max_rows() {
            return Err(wrong(format!("max rows {}, the keys have {}", proof.max_rows, relation.max_rows())));
        }
        let invalid = |reason: String| ZkError::InvalidProof { path: path.into(), reason };
        let node =
            parse_node(&proof.node).ok_or_else(|| invalid("`node` is not 0x and 40 lowercase hex digits".into()))?;
        let commitment = from_commitment(&proof.commitment);
        if proof.histogram.len() != relation.columns.len() {
            return Err(invalid(format!(
                "{} histogram columns, the schema has {}",
                proof.histogram.len(),
                relation.columns.len()
            )));
        }
        let mut histogram = Vec::with_capacity(relation.columns.len());
        for (column, claimed) in relation.columns.iter().zip(&proof.histogram) {
            let expected: Vec<(i64, i64)> = (0..column.bucket_starts.len())
                .map(|k| column.bucket_bounds(k))
                .map(|(first, last)| (column.lo + first as i64, column.lo + last as i64))
                .collect();
            let found: Vec<(i64, i64)> = claimed.buckets.iter().map(|bucket| (bucket.min, bucket.max)).collect();
            if claimed.column != column.name || found != expected {
                return Err(invalid(format!("histogram of `{}` does not have the schema's buckets", claimed.column)));
            }
            histogram.push(claimed.buckets.iter().map(|bucket| bucket.count).collect());
        }
        Ok(Statement { node, commitment, rows: proof.rows, histogram })
    }

    /// Verifies a proof file: its statement fits these keys, its listed public inputs are the
    /// statement's, and the Groth16 proof checks. [`ZkError::InvalidProof`] when it does not.
    pub fn verify(&self, proof: &DataProof, path: &Path) -> Result<Statement, ZkError> {
        let statement = self.statement(proof, path)?;
        let inputs = self.relation.public_inputs(&statement);
        let listed: Vec<String> = inputs.iter().map(|x| x.into_bigint().to_string()).collect();
        if listed != proof.public_inputs {
            return Err(ZkError::InvalidProof {
                path: path.into(),
                reason: "`public_inputs` do not match the readable statement".into(),
            });
        }
        let groth16 =
            proof.groth16(path).map_err(|err| ZkError::InvalidProof { path: path.into(), reason: err.to_string() })?;
        self.verify_groth16(&statement, &groth16, path)?;
        Ok(statement)
    }
}
