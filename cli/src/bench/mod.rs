//! `vsies bench`: medians of repeated runs of each stage, as Markdown tables for
//! BENCHMARKS.md, one module per stage. Criterion benches (`cargo bench -p vsies-benches`)
//! give confidence intervals.

mod agg;
mod ceremony;
mod concrete_ml_peer;
mod core;
mod dkg;
mod fhe;
mod fhe_train;
mod measure;
mod synthetic;
mod train;
mod zk;

use clap::Subcommand;

#[derive(Subcommand)]
pub enum BenchCommand {
    /// The plaintext pipeline: validate + quantize, content id, train, score.
    Core(core::CoreArgs),
    /// Encrypted inference: keygen, encryption, inference latency and throughput, sizes.
    Fhe(fhe::FheArgs),
    /// Training under TFHE: key generation and sizes, time per bootstrap, bootstraps per batch
    /// (counted), time per batch and epoch (extrapolated), a measured run on a slice, memory.
    FheTrain(fhe_train::FheTrainArgs),
    /// Secure aggregation: client encryption, aggregation GB/s against memcpy, decryption.
    Agg(agg::AggArgs),
    /// Validation proofs: constraints per value, setup, prove, verify, key size, memory,
    /// against the naive relation.
    Zk(zk::ZkArgs),
    /// Committee key generation without a dealer, at several committee shapes.
    Dkg(dkg::DkgArgs),
    /// A setup ceremony for a relation's keys: each step's time and peak memory.
    Ceremony(ceremony::CeremonyArgs),
    /// Training proofs: constraints per sample·feature·epoch by part, setup, prove, verify,
    /// key size, memory, against the naive relation.
    Train(train::TrainArgs),
}

pub fn run(command: BenchCommand) -> anyhow::Result<i32> {
    match command {
        BenchCommand::Core(args) => core::core(args),
        BenchCommand::Fhe(args) => fhe::fhe(args),
        BenchCommand::FheTrain(args) => fhe_train::fhe_train(args),
        BenchCommand::Agg(args) => agg::agg(args),
        BenchCommand::Zk(args) => zk::zk(args),
        BenchCommand::Train(args) => train::train(args),
        BenchCommand::Dkg(args) => dkg::dkg(args),
        BenchCommand::Ceremony(args) => ceremony::ceremony(args),
    }
}
