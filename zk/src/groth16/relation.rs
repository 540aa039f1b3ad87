//! What the engine proves: the [`Relation`] trait, and a satisfaction check for tests.

use crate::circuit::{Builder, ConstraintSink, CountingSink};
use crate::error::ZkError;
use ark_bn254::Fr;
use ark_relations::gr1cs::SynthesisError;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fmt::Debug;

/// The size of a relation's circuit, which fixes its QAP domain and its keys' lengths.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    /// Rank-1 constraints.
    pub constraints: usize,
    /// Public inputs (the constant one excluded).
    pub public_inputs: usize,
    /// Committed witnesses (0: a plain Groth16 relation). The engine adds its blinding
    /// witness and constraint on top ([`super::commitment`]).
    pub committed: usize,
}

impl Shape {
    /// The circuit the engine builds: the relation's, plus the blinding when it commits.
    pub(crate) fn with_blinding(self) -> Self {
        if self.committed == 0 {
            return self;
        }
        Self { constraints: self.constraints + 1, committed: self.committed + 1, ..self }
    }
}

/// A relation the engine proves: `R(statement; witness)`, for parameters fixed by the keys.
///
/// The circuit must be *data-oblivious*: the same parameters give the same constraints and
/// variables whatever the statement and witness (the keys are made from one assignment and
/// used with all others).
pub trait Relation: Sized {
    /// What the keys fix, written into every key file as JSON. Its JSON object must have a
    /// top-level `"relation"` field holding [`Relation::NAME`], so that any key file says what
    /// it is for.
    type Params: Serialize + DeserializeOwned + Clone + PartialEq + Debug;
    /// The public statement: what a proof states, in the order of the public inputs.
    type Statement;
    /// The private witness.
    type Witness;

    /// Name and version, recorded in keys and proofs (`vsies/<relation>/v<n>`).
    const NAME: &'static str;

    /// Challenges the circuit draws after its committed witnesses are fixed (0: none, a plain
    /// Groth16 relation). A relation with challenges makes its lookups' values with
    /// [`Builder::committed_witness`] and takes the challenges with [`Builder::challenges`]
    /// after its own public inputs: that call makes the seed input, which the verifier
    /// appends to [`Relation::public_inputs`] ([`crate::transcript`]).
    const CHALLENGES: usize = 0;

    /// The relation for `params`, after checking them.
    fn new(params: Self::Params) -> Result<Self, ZkError>;

    /// The parameters.
    fn params(&self) -> &Self::Params;

    /// The public inputs of `statement`, in circuit order.
    fn public_inputs(&self, statement: &Self::Statement) -> Vec<Fr>;

    /// Public inputs the circuit makes after the challenge seed, which the verifier computes
    /// from the statement and the seed: values that depend on a challenge, such as public
    /// polynomials evaluated at a challenge point (a polynomial the verifier holds in full
    /// costs it one evaluation instead of the circuit a hash of every coefficient). Empty by
    /// default; only a committing relation has them.
    fn derived_inputs(&self, statement: &Self::Statement, seed: Fr) -> Vec<Fr> {
        let _ = (statement, seed);
        Vec::new()
    }

    /// Fills in the values of `statement` that its prover learns only from the challenge seed
    /// (hashes of witness values at a challenge point, which the circuit makes as derived
    /// inputs): [`super::Prover::prove_committed_completing`] calls it after proving. None
    /// by default.
    fn complete_statement(&self, statement: &mut Self::Statement, witness: &Self::Witness, seed: Fr) {
        let _ = (statement, witness, seed);
    }

    /// Builds the circuit for `statement` and `witness` into `builder`'s sink. The first
    /// [`Self::Shape`]-many public inputs it makes must be [`Relation::public_inputs`], in order.
    fn synthesize<S: ConstraintSink>(
        &self,
        builder: &Builder<S>,
        statement: &Self::Statement,
        witness: &Self::Witness,
    ) -> Result<(), SynthesisError>;

    /// Some valid assignment, for key generation (its values are never checked there).
    fn setup_assignment(&self) -> (Self::Statement, Self::Witness);

    /// The circuit's size. The default counts it with one synthesis of the setup assignment;
    /// a large relation computes it from its layout instead (the engine checks either against
    /// what synthesis builds).
    fn shape(&self) -> Result<Shape, ZkError> {
        count_shape(self)
    }

    /// How a located failure names `index` of `label` (a relation may name its columns).
    fn describe(&self, label: &str, index: usize) -> String {
        let _ = label;
        index.to_string()
    }
}

/// The size of `relation`'s circuit, counted by one synthesis of its setup assignment (what
/// [`Relation::shape`] does unless a relation computes it otherwise).
pub fn count_shape<R: Relation>(relation: &R) -> Result<Shape, ZkError> {
    let (statement, witness) = relation.setup_assignment();
    let builder = Builder::for_setup(CountingSink::default());
    relation.synthesize(&builder, &statement, &witness)?;
    let counted = builder.into_sink();
    Ok(Shape { constraints: counted.constraints, public_inputs: counted.inputs, committed: counted.committed })
}

/// [`count_shape`] once per relation value: the count cached in `cache` (for relations whose
/// count is a synthesis of a large circuit).
pub fn count_shape_once<R: Relation>(relation: &R, cache: &std::sync::OnceLock<Shape>) -> Result<Shape, ZkError> {
    if let Some(shape) = cache.get() {
        return Ok(*shape);
    }
    let shape = count_shape(relation)?;
    Ok(*cache.get_or_init(|| shape))
}

/// Constraints of `relation` per stage (its setup assignment, counted): the cost breakdown
/// `vsies setup` prints and BENCHMARKS.md publishes.
pub fn constraints_by_stage<R: Relation>(relation: &R) -> Result<Vec<(&'static str, usize)>, ZkError> {
    let (statement, witness) = relation.setup_assignment();
    let builder = Builder::for_setup(CountingSink::default());
    relation.synthesize(&builder, &statement, &witness)?;
    Ok(builder.constraints_by_stage())
}

/// Synthesizes `statement` and `witness` into arkworks' constraint system and reports the
/// first unsatisfied constraint, located (`None`: satisfied). For tests and debugging; the
/// prover makes the same check in its witness pass.
pub fn check_satisfied<R: Relation>(
    relation: &R,
    statement: &R::Statement,
    witness: &R::Witness,
) -> Result<Option<crate::circuit::ConstraintFailure>, ZkError> {
    let builder = Builder::new(ark_relations::gr1cs::ConstraintSystem::<Fr>::new_ref());
    relation.synthesize(&builder, statement, witness)?;
    check_failure(relation, &builder)
}

/// [`check_satisfied`] with a given challenge seed (what a committing relation's prover has
/// after its first pass), for tests that play an adversarial prover.
pub fn check_satisfied_with_seed<R: Relation>(
    relation: &R,
    statement: &R::Statement,
    witness: &R::Witness,
    seed: Fr,
) -> Result<Option<crate::circuit::ConstraintFailure>, ZkError> {
    let builder = Builder::new(ark_relations::gr1cs::ConstraintSystem::<Fr>::new_ref()).with_challenge_seed(seed);
    relation.synthesize(&builder, statement, witness)?;
    check_failure(relation, &builder)
}

fn check_failure<R: Relation, S: ConstraintSink>(
    relation: &R,
    builder: &Builder<S>,
) -> Result<Option<crate::circuit::ConstraintFailure>, ZkError> {
    Ok(builder
        .failure()
        .map(|raw| crate::circuit::ConstraintFailure::new(R::NAME, raw, |l, i| relation.describe(l, i))))
}
