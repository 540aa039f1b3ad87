//! Proving and verifying data validation, and the proof file.
//!
//! A proof file (`vsies prove data … -o proof.json`) is a vsies JSON artifact of kind
//! `data-proof` whose body states, in readable form, what was proved: schema, row count,
//! commitment and histogram (bucket bounds as quantized values), the verifying key it is for,
//! the public inputs as decimal strings (the same list snarkjs's `public.json` holds) and the
//! 128-byte compressed Groth16 proof in hex. Verification recomputes the public inputs from the
//! readable fields, so editing either is caught.

use crate::circuit::DataCircuit;
use crate::error::ZkError;
use crate::key_file::CHUNK_POINTS;
use crate::keys::{DataProver, DataVerifier, ProvingKeyLocation};
use crate::prover::{self, KeySource};
use crate::relation::{Offsets, Statement, RELATION};
use crate::snarkjs;
use ark_bn254::{Bn254, Fr};
use ark_ff::{BigInteger, PrimeField};
use ark_groth16::{Groth16, Proof};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use ark_snark::SNARK;
use ark_std::rand::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};
use std::path::Path;
use vsies_core::artifact::{self, ArtifactKind};
use vsies_core::{ContentId, QuantizedDataset};

/// One histogram bucket: inclusive bounds in quantized units, and its count.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bucket {
    pub min: i64,
    pub max: i64,
    pub count: u64,
}

/// The histogram of one column.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnHistogram {
    pub column: String,
    pub buckets: Vec<Bucket>,
}

/// A data-validation proof with its public statement in readable form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataProof {
    pub relation: String,
    pub schema_id: ContentId,
    pub verifying_key: ContentId,
    pub max_rows: usize,
    pub rows: usize,
    /// The dataset commitment, a BN254 scalar, as 32 big-endian bytes in hex.
    pub commitment: String,
    pub histogram: Vec<ColumnHistogram>,
    /// Public inputs in circuit order, decimal.
    pub public_inputs: Vec<String>,
    /// Compressed Groth16 proof, hex.
    pub proof: String,
}

/// A field element as 32 big-endian bytes.
pub fn field_bytes(value: &Fr) -> [u8; 32] {
    value.into_bigint().to_bytes_be().try_into().expect("BN254 scalars are 32 bytes")
}

/// A field element as 32 big-endian bytes in hex.
pub fn field_hex(value: &Fr) -> String {
    hex(&field_bytes(value))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

/// Parses [`field_hex`]'s output, refusing non-canonical values.
pub fn parse_field_hex(text: &str) -> Option<Fr> {
    let bytes = unhex(text)?;
    let value = Fr::from_be_bytes_mod_order(&bytes);
    (bytes.len() == 32 && field_hex(&value) == text).then_some(value)
}

impl DataProver {
    /// Proves that `dataset` passes the relation's schema. The dataset is checked natively
    /// first: a value outside its column's range is reported by row and column, and never
    /// reaches the prover (the circuit would be unsatisfiable; see the soundness tests).
    pub fn prove<R: RngCore + CryptoRng>(&self, dataset: &QuantizedDataset, rng: &mut R) -> Result<DataProof, ZkError> {
        let offsets = self.relation.offsets(dataset)?;
        let statement = self.relation.statement(&offsets);
        let proof = self.prove_offsets(offsets, rng)?;
        let file = self.proof_file(&statement, &proof);
        // Never hand out a proof that does not verify (a damaged or mismatched proving key).
        self.verifier.verify(&file, Path::new("the new proof")).map_err(|err| {
            ZkError::Relation(format!(
                "the new proof does not verify ({err}): the proving key is damaged or was made by another vsies version; run `vsies setup data` again"
            ))
        })?;
        Ok(file)
    }

    /// The Groth16 proof for `offsets`; [`ZkError::Unsatisfied`] if they do not satisfy the
    /// relation.
    pub fn prove_offsets<R: RngCore + CryptoRng>(
        &self,
        offsets: Offsets,
        rng: &mut R,
    ) -> Result<Proof<Bn254>, ZkError> {
        let source = match &self.key {
            ProvingKeyLocation::Memory(key) => KeySource::Memory(key),
            ProvingKeyLocation::File(path) => KeySource::File { path, chunk_points: CHUNK_POINTS },
        };
        prover::prove(&DataCircuit::new(&self.relation, offsets), &source, rng)
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
            verifying_key: self.verifier.id,
            max_rows: relation.max_rows(),
            rows: statement.rows,
            commitment: field_hex(&statement.commitment),
            histogram,
            public_inputs: relation.public_inputs(statement).iter().map(|x| x.into_bigint().to_string()).collect(),
            proof: hex(&bytes),
        }
    }
}

impl DataProof {
    pub fn save(&self, path: &Path) -> Result<(), ZkError> {
        Ok(artifact::write_json(path, ArtifactKind::DataProof, self)?)
    }

    pub fn load(path: &Path) -> Result<Self, ZkError> {
        Ok(artifact::read_json(path, ArtifactKind::DataProof)?)
    }

    /// The Groth16 proof.
    pub fn groth16(&self, path: &Path) -> Result<Proof<Bn254>, ZkError> {
        let bytes = unhex(&self.proof).ok_or_else(|| ZkError::malformed(path, "proof", "`proof` is not hex"))?;
        Proof::deserialize_compressed(&bytes[..])
            .map_err(|err| ZkError::malformed(path, "proof", format!("`proof`: {err}")))
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
        if proof.verifying_key != self.id {
            return Err(wrong(format!("verifying key {}, these keys are {}", proof.verifying_key, self.id)));
        }
        if proof.max_rows != relation.max_rows() {
            return Err(wrong(format!("max rows {}, the keys have {}", proof.max_rows, relation.max_rows())));
        }
        let invalid = |reason: String| ZkError::InvalidProof { path: path.into(), reason };
        let commitment = parse_field_hex(&proof.commitment)
            .ok_or_else(|| invalid("`commitment` is not a canonical 32-byte field element in hex".into()))?;
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
        Ok(Statement { commitment, rows: proof.rows, histogram })
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
        match Groth16::<Bn254>::verify_with_processed_vk(&self.prepared, &inputs, &groth16) {
            Ok(true) => Ok(statement),
            Ok(false) => Err(ZkError::InvalidProof { path: path.into(), reason: "the Groth16 check fails".into() }),
            Err(err) => Err(ZkError::InvalidProof { path: path.into(), reason: err.to_string() }),
        }
    }
}
