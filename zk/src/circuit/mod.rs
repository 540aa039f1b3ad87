//! The vocabulary every circuit is written in: [`Wire`]s (a linear combination and its
//! value), a [`Builder`] that enforces rank-1 constraints into a [`ConstraintSink`], and the
//! location of each constraint (relation stage, row, column, …) so that an unsatisfied
//! witness is reported as halo2's `MockProver` reports it ([`ConstraintFailure`]).
//!
//! One circuit description serves every pass: arkworks' constraint system (tests, small
//! in-memory keys), the prover's witness pass and key generation's QAP pass (both in
//! [`crate::groth16`]), so they cannot disagree on the constraints.

mod builder;
mod failure;
mod sink;
mod wire;

pub use builder::Builder;
pub use failure::{ConstraintFailure, Location};
pub use sink::{ConstraintSink, CountingSink};
pub use wire::Wire;
