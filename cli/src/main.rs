//! `vsies`: the command line over the vsies libraries.
//!
//! Exit codes: 0 success; 1 the input was checked and is invalid (a schema violation); 2 usage
//! or I/O error, including unreadable or corrupted artifacts.

#[macro_use]
mod output;

mod bench;
mod commands;
mod failure;
mod keyset;
mod memory;
mod progress;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "vsies",
    version,
    about = "Validate, standardize, index, encrypt and store data; train and prove logistic regression"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Infer or check dataset schemas.
    #[command(subcommand)]
    Schema(SchemaCommand),
    /// Split a CSV 75/25 exactly as scikit-learn's train_test_split(random_state=SEED) does.
    Split(commands::split::SplitArgs),
    /// Validate, standardize and quantize a CSV into a quantized-dataset artifact.
    Quantize(commands::quantize::QuantizeArgs),
    /// Train logistic regression under the integer spec (deterministic for a seed).
    Train(commands::train::TrainArgs),
    /// Score a CSV with a model; prints accuracy when the file has labels.
    Predict(commands::predict::PredictArgs),
    /// Generate FHE keys: secret.key (owner only), public.key, eval.key.
    Keygen(commands::fhe::KeygenArgs),
    /// Validate, quantize and encrypt a CSV (with public.key, or secret.key with --secret-key).
    Encrypt(commands::fhe::EncryptArgs),
    /// Score an encrypted dataset with a model's clear weights, using only eval.key.
    Infer(commands::fhe::InferArgs),
    /// Train logistic regression on encrypted data (reads only eval.key): the encrypted model.
    TrainEncrypted(commands::fhe_train::TrainEncryptedArgs),
    /// Decrypt encrypted scores into the `row,class,score` CSV of `vsies predict`, or an
    /// attested encrypted model into model.json.
    Decrypt(commands::fhe::DecryptArgs),
    /// Secure aggregation of a federated round: committee keys, client encryption, sums,
    /// threshold decryption into the FedAvg model.
    #[command(subcommand)]
    Agg(commands::agg::AggCommand),
    /// Groth16 keys for a relation (`setup data`: a dataset passes a schema).
    #[command(subcommand)]
    Setup(commands::zk::SetupCommand),
    /// Prove a relation (`prove data`: a dataset passes a schema) without revealing the data.
    #[command(subcommand)]
    Prove(commands::zk::ProveCommand),
    /// Verify a proof from `vsies prove`: exit 0 valid, 1 invalid, 2 unreadable.
    Verify(commands::zk::VerifyArgs),
    /// Render the Solidity Groth16 verifier (BN254 precompiles) for a verifying key.
    ExportVerifier(commands::zk::ExportVerifierArgs),
    /// Print what an artifact or schema is: kind, version, content id, summary.
    Inspect(commands::inspect::InspectArgs),
    /// A multi-party setup ceremony for Groth16 keys: no single party can forge proofs.
    #[command(subcommand)]
    Ceremony(commands::ceremony::CeremonyCommand),
    /// Run whole rounds of a simulated subnet: proofs, secure aggregation, the vault on an embedded chain
    Round(commands::round::RoundArgs),
    /// Time vsies stages and print a table (medians).
    #[command(subcommand)]
    Bench(bench::BenchCommand),
}

#[derive(Subcommand)]
enum SchemaCommand {
    /// Infer a schema (ranges widened to round numbers, standardization from the data).
    Infer(commands::schema::InferArgs),
    /// Check a CSV against a schema: exit 0 if it conforms, 1 with every violation listed.
    Check(commands::schema::CheckArgs),
}

fn main() {
    failure::exit_cleanly_on_stdout_errors();
    failure::clean_up_on_signals();
    let cli = Cli::parse();
    output::route_messages(std::env::args_os().skip(1));
    progress::install();
    let result = match cli.command {
        Command::Schema(SchemaCommand::Infer(args)) => commands::schema::infer(args),
        Command::Schema(SchemaCommand::Check(args)) => commands::schema::check(args),
        Command::Split(args) => commands::split::run(args),
        Command::Quantize(args) => commands::quantize::run(args),
        Command::Train(args) => commands::train::run(args),
        Command::Predict(args) => commands::predict::run(args),
        Command::Keygen(args) => commands::fhe::keygen(args),
        Command::Encrypt(args) => commands::fhe::encrypt(args),
        Command::Infer(args) => commands::fhe::infer_command(args),
        Command::Decrypt(args) => commands::fhe::decrypt(args),
        Command::TrainEncrypted(args) => commands::fhe_train::train_encrypted(args),
        Command::Agg(command) => commands::agg::run(command),
        Command::Setup(command) => commands::zk::setup(command),
        Command::Prove(command) => commands::zk::prove(command),
        Command::Verify(args) => commands::zk::verify(args),
        Command::ExportVerifier(args) => commands::zk::export_verifier(args),
        Command::Inspect(args) => commands::inspect::run(args),
        Command::Round(args) => commands::round::run(args),
        Command::Ceremony(command) => commands::ceremony::run(command),
        Command::Bench(command) => bench::run(command),
    };
    std::process::exit(failure::flush_stdout(failure::report(result)));
}
