//! Proofs of well-formed public-key encryption on the command line: `vsies setup encryption`
//! (the owner's CRS), and the checks `vsies infer` makes before it scores contributors' rows.

use super::load_schema;
use clap::Args;
use std::path::{Path, PathBuf};
use tfhe::core_crypto::commons::math::random::RandomGenerator;
use tfhe::core_crypto::prelude::DefaultRandomGenerator;
use tfhe::core_crypto::seeders::new_seeder;
use vsies_fhe::keys::PUBLIC_KEY_FILE;
use vsies_fhe::proofs::{TrainingCrs, CRS_FILE, TRAINING_CRS_FILE};
use vsies_fhe::{EncryptedDataset, EncryptionCrs, PublicKey};

#[derive(Args)]
pub struct SetupEncryptionArgs {
    /// Schema (TOML) whose feature format the proofs check (not needed with --training).
    #[arg(long, required_unless_present = "training")]
    schema: Option<PathBuf>,
    /// Make training.crs instead: the CRS of proofs that training rows (`vsies encrypt
    /// --training --prove`) encrypt bits.
    #[arg(long)]
    training: bool,
    /// The key directory (`vsies keygen`): encryption.crs is written beside public.key.
    #[arg(long)]
    keys: PathBuf,
    /// Replace an existing encryption.crs.
    #[arg(long)]
    force: bool,
}

/// `vsies setup encryption`: the CRS with which contributors prove their encryptions.
pub fn setup(args: SetupEncryptionArgs) -> anyhow::Result<i32> {
    let start = std::time::Instant::now();
    let path = args.keys.join(if args.training { TRAINING_CRS_FILE } else { CRS_FILE });
    if path.exists() && !args.force {
        anyhow::bail!("{} exists; pass --force to replace it", path.display());
    }
    let mut seeder = new_seeder();
    let mut generator = RandomGenerator::<DefaultRandomGenerator>::new(seeder.seed());
    if args.training {
        let crs = TrainingCrs::generate(&mut generator)?;
        crs.save(&path)?;
        say!(
            "wrote {} for training rows of bits; give it to contributors and compute nodes with {PUBLIC_KEY_FILE}",
            path.display()
        );
        say!("crs id {}", crs.id);
        crate::memory::print_peak_memory(start);
        return Ok(0);
    }
    let schema_path = args.schema.as_deref().expect("clap requires --schema without --training");
    let schema = load_schema(schema_path)?;
    let crs = EncryptionCrs::generate(schema.quantization, &mut generator)?;
    crs.save(&path)?;
    say!(
        "wrote {} for {}-bit features ({} bytes); give it to contributors and compute nodes with {PUBLIC_KEY_FILE}",
        path.display(),
        schema.quantization.bits,
        std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0)
    );
    say!("crs id {}", crs.id);
    crate::memory::print_peak_memory(start);
    Ok(0)
}

/// The key set's public key and CRS, for proving or checking encryptions.
pub fn load_public_parts(keys: &Path) -> anyhow::Result<(PublicKey, EncryptionCrs)> {
    let crs_path = keys.join(CRS_FILE);
    if !crs_path.exists() {
        anyhow::bail!("{} is missing: the key owner makes it with `vsies setup encryption`", crs_path.display());
    }
    Ok((PublicKey::load(&keys.join(PUBLIC_KEY_FILE))?, EncryptionCrs::load(&crs_path)?))
}

/// The key set's public key and training CRS, for proving or checking training rows.
pub fn load_training_parts(keys: &Path) -> anyhow::Result<(PublicKey, TrainingCrs)> {
    let crs_path = keys.join(TRAINING_CRS_FILE);
    if !crs_path.exists() {
        anyhow::bail!(
            "{} is missing: the key owner makes it with `vsies setup encryption --training`",
            crs_path.display()
        );
    }
    Ok((PublicKey::load(&keys.join(PUBLIC_KEY_FILE))?, TrainingCrs::load(&crs_path)?))
}

/// Checks the proofs of a public-key-encrypted dataset (`vsies infer` without --unproved).
pub fn check(data: &EncryptedDataset, keys: &Path) -> anyhow::Result<()> {
    if !data.is_public_key_encrypted() {
        return Ok(());
    }
    let (public, crs) = load_public_parts(keys)?;
    data.check_proofs(&public, &crs)?;
    Ok(())
}
