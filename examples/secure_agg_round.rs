//! One federated round with secure aggregation on the bundled breast-cancer data: the
//! training rows (scikit-learn's seeded 75/25 split) are dealt round-robin to 20 clients,
//! each trains under the integer spec and encrypts its weighted update for a 5-member,
//! threshold-3 committee; an aggregator sums the ciphertexts; members 1 to 4 decrypt (5
//! absent), and their shares are cross-checked piece by piece. Prints the aggregate's test accuracy beside plaintext FedAvg of the same
//! updates (they must be the same model) and the centrally trained model.
//!
//! Run: `cargo run --release -p vsies-examples --example secure_agg_round`
use std::path::Path;
use std::time::Instant;
use tfhe::core_crypto::seeders::new_seeder;
use vsies_core::fedavg::fedavg;
use vsies_core::metrics::accuracy;
use vsies_core::{infer_schema, train_test_split, validate_csv_file, Model, QuantizedDataset, TrainingConfig};
use vsies_secure_agg::{combine, generate, Aggregator, Committee, DecryptionShare, EncryptedUpdate, ShareCheck};

const CLIENTS: usize = 20;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dataset = vsies_examples::breast_cancer();
    let schema = infer_schema(&dataset.path, dataset.label, dataset.name)?;
    let raw = validate_csv_file(&dataset.path, &schema, Default::default())?;
    let data = QuantizedDataset::from_raw(&schema, &raw).expect("the bundled rows fit their schema");
    let split = train_test_split(data.rows(), 0.25, 0)?;
    let test = data.select_rows(&split.test);
    let labels = test.labels().map(<[u8]>::to_vec).unwrap_or_default();
    let test_accuracy =
        |model: &Model| -> Result<f64, Box<dyn std::error::Error>> { Ok(accuracy(&model.scores(&test)?, &labels)) };

    let models = (0..CLIENTS)
        .map(|client| {
            let rows: Vec<usize> = split.train.iter().copied().skip(client).step_by(CLIENTS).collect();
            Model::train(&schema, &data.select_rows(&rows), TrainingConfig::default(), None)
        })
        .collect::<Result<Vec<_>, _>>()?;

    let mut seeder = new_seeder();
    let committee = Committee::with_packing(5, 3, 1)?;
    let start = Instant::now();
    let (public, shares) = generate(committee, seeder.as_mut());
    let keygen = start.elapsed();
    let start = Instant::now();
    let updates = models
        .iter()
        .map(|model| EncryptedUpdate::encrypt(&public, model, 1, seeder.as_mut()))
        .collect::<Result<Vec<_>, _>>()?;
    let encrypt = start.elapsed() / CLIENTS as u32;
    let start = Instant::now();
    let mut aggregator = Aggregator::new(updates[0].clone());
    for (client, update) in updates.iter().enumerate().skip(1) {
        aggregator.add(update, Path::new(&format!("client {client}")))?;
    }
    let aggregate = aggregator.finish();
    let sum = start.elapsed();
    let start = Instant::now();
    // T + 1 = 4 members, so that every key piece is cross-checked between two holders.
    let partials = [1usize, 2, 3, 4]
        .iter()
        .map(|&member| {
            Ok((Path::new("share"), DecryptionShare::decrypt(&shares[member - 1], &aggregate, seeder.as_mut())?))
        })
        .collect::<Result<Vec<_>, vsies_secure_agg::AggError>>()?;
    let decrypt = start.elapsed() / 4;
    let start = Instant::now();
    let secure = combine(&aggregate, &partials, None, ShareCheck::CrossChecked)?;
    let combine_time = start.elapsed();

    let plain = fedavg(&models)?;
    let central = Model::train(&schema, &data.select_rows(&split.train), TrainingConfig::default(), None)?;
    println!(
        "{CLIENTS} clients, {} training rows, committee 5 members / threshold 3 (member 5 absent)",
        split.train.len()
    );
    println!("secure-aggregation FedAvg  accuracy {:.4}  model {}", test_accuracy(&secure)?, secure.content_id());
    println!("plaintext FedAvg           accuracy {:.4}  model {}", test_accuracy(&plain)?, plain.content_id());
    println!("centralized training       accuracy {:.4}", test_accuracy(&central)?);
    println!("identical to plaintext FedAvg: {}", secure == plain);
    println!(
        "keygen {keygen:.2?}, encrypt {encrypt:.2?} per client, sum {sum:.2?}, decrypt-share {decrypt:.2?} per member, combine {combine_time:.2?}"
    );
    assert_eq!(secure, plain, "secure aggregation must decrypt to plaintext FedAvg");
    Ok(())
}
