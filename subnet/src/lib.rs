//! # vsies-subnet
//!
//! Whole federated rounds of a simulated data network, from rows to rewards, in one process
//! through library calls (`vsies round` is its command line; `docs/ROUND.md` walks through a
//! round):
//!
//! 1. **Task** ([`task`]): the owner runs the Groth16 setups (data validation, training,
//!    update proofs), deals the secure-aggregation committee's keys, and deploys the reward
//!    vault and the key-as-data verifiers to an embedded EVM (revm) from the committed bytecode.
//! 2. **Nodes** ([`node`]): each stakes, proves its shard valid and registers it; each round it
//!    trains from the round's checkpoint under the spec, proves the training, submits the proof
//!    to the vault, and encrypts its update for the committee with a proof that it is an honest
//!    encryption of the very model its training proof commits to.
//! 3. **Aggregation** ([`aggregate`]): the aggregator sums the updates that pass; members
//!    recompute the sum, decrypt under their records, and the shares combine into FedAvg; refused
//!    updates are slashed on the members' signed evidence and the node's own signature.
//! 4. **Checkpoint and settlement**: `T` members sign the next global model's commitment and its
//!    stored file's digest; the vault opens the next round with it; inactive nodes are reported;
//!    nodes claim.
//! 5. **Store** ([`store`]): every artifact as a CAR file addressed by its CID.
//!
//! Adversaries ([`config::AdversaryKind`]) are caught by proofs and the vault's checks, never by
//! inspection, and the global model equals plaintext FedAvg of the accepted nodes' models.

pub mod aggregate;
pub mod config;
pub mod error;
pub mod node;
pub mod report;
pub mod simulation;
pub mod store;
pub mod task;

pub use config::{parse_adversary, AdversaryKind, SubnetConfig};
pub use error::SubnetError;
pub use report::Report;
pub use simulation::{run, Progress, Quiet};
