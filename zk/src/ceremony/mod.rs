//! A multi-party setup ceremony for every Groth16 key of the engine (Bowe, Gabizon and Miers
//! 2017, "A multi-party protocol for constructing the public parameters of the Pinocchio
//! zk-SNARK"), laid out as snarkjs lays out its `powersoftau` and `zkey` ceremonies.
//!
//! **Phase 1** ([`powers`]) makes powers of a secret `τ` and their multiples by secrets `α`
//! and `β`, for every relation up to a size: each contributor multiplies `τ`, `α`, `β` by
//! secrets of its own. **Phase 2** ([`phase2`]) turns phase 1 into one relation's proving key
//! with `γ = δ = σ = 1` ([`initial`]), then each contributor multiplies `δ` (and the
//! commitment basis's `σ`, for a relation with a commitment) by secrets of its own. The keys
//! are sound if at least one contributor of each phase was honest and forgot its secrets;
//! `γ = 1` is public, as in snarkjs.
//!
//! Every contribution publishes, per secret `x`, a proof of knowledge ([`pok`]) bound to the
//! state it changed; `verify` checks the chain of those proofs, that the state was changed by
//! exactly the proved factors, and (phase 2) that the initial key is the one phase 1 and the
//! circuit give. Each contributor checks the state it receives before it contributes, so a
//! state that fails those checks is the fault of its last contributor, whom `verify` names.
//!
//! Files: a ceremony directory holds `transcript.json` (the contributions) and the current
//! state (`powers.bin` in phase 1; `initial.key` and `current.key`, in `proving.key`'s layout,
//! in phase 2). Every step streams the state files in chunks of points.

pub mod beacon;
pub mod chain;
pub mod files;
pub mod initial;
pub mod phase2;
pub mod pok;
pub mod powers;
pub mod secret;
pub mod transcript;

pub use phase2::{Ceremony, FinalKeys};
pub use powers::Powers;
pub use transcript::{Contribution, ContributionKind};
