//! `vsies bench agg`: one secure-aggregation round at benchmark scale (100 clients x 100,000
//! parameters by default): client encryption, aggregation throughput against a plain copy of
//! the same bytes, partial decryption and combination, and the sizes of every artifact.

use super::measure::{human, median_seconds};
use super::synthetic::model_with_weights;
use clap::Args;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Instant;
use tfhe::core_crypto::seeders::new_seeder;
use vsies_core::fedavg::fedavg;
use vsies_secure_agg::update::bytes_per_value;
use vsies_secure_agg::{
    combine, generate, save_all, Aggregator, Committee, DecryptionShare, EncryptedUpdate, ShareCheck,
};

#[derive(Args)]
pub struct AggArgs {
    /// Clients in the round.
    #[arg(long, default_value_t = 100)]
    clients: usize,
    /// Model parameters per update (weights and bias).
    #[arg(long, default_value_t = 100_000)]
    params: usize,
    /// Committee members.
    #[arg(long, default_value_t = 5)]
    members: usize,
    /// Committee threshold.
    #[arg(long, default_value_t = 3)]
    threshold: usize,
    /// Repetitions of the aggregation measurements (the median is reported).
    #[arg(long, default_value_t = 5)]
    runs: usize,
}

fn gigabytes_per_second(bytes: usize, seconds: f64) -> String {
    format!("{:.2} GB/s", bytes as f64 / seconds / 1e9)
}

pub fn agg(args: AggArgs) -> anyhow::Result<i32> {
    let mut seeder = new_seeder();
    let committee = Committee::new(args.members, args.threshold)?;
    let models: Vec<_> = (0..args.clients as i64)
        .map(|client| {
            let weights = (0..args.params as i64 - 1).map(|i| (i * 31 + client * 977) % 4096 - 2048).collect();
            model_with_weights(weights, -17, 50 + client as u64)
        })
        .collect();
    let mut table: Vec<(String, String)> = Vec::new();

    let start = Instant::now();
    let (public, shares) = generate(committee, seeder.as_mut());
    table.push(("committee keygen (dealer)".into(), human(start.elapsed().as_secs_f64())));

    let mut encrypt_times = Vec::new();
    let updates: Vec<EncryptedUpdate> = models
        .iter()
        .map(|model| {
            let start = Instant::now();
            let update = EncryptedUpdate::encrypt(&public, model, 0, seeder.as_mut()).expect("bench models fit");
            encrypt_times.push(start.elapsed().as_secs_f64());
            update
        })
        .collect();
    encrypt_times.sort_by(f64::total_cmp);
    table.push(("client encryption, per update".into(), human(encrypt_times[encrypt_times.len() / 2])));

    // Aggregation in memory: the first update plus every other one.
    let ciphertext = updates[0].ciphertext_bytes();
    let summed_bytes = ciphertext * (args.clients - 1);
    let mut add_times: Vec<f64> = (0..args.runs.max(1))
        .map(|_| {
            let mut aggregator = Aggregator::new(updates[0].clone());
            let start = Instant::now();
            for update in &updates[1..] {
                aggregator.add(update, Path::new("bench")).expect("distinct updates");
            }
            let seconds = start.elapsed().as_secs_f64();
            black_box(aggregator.finish());
            seconds
        })
        .collect();
    add_times.sort_by(f64::total_cmp);
    let add_seconds = add_times[add_times.len() / 2];
    let sources: Vec<Vec<u8>> = (0..args.clients - 1).map(|i| vec![i as u8; ciphertext]).collect();
    let mut destination = vec![0u8; ciphertext];
    let copy_seconds = median_seconds(args.runs, || {
        for source in &sources {
            destination.copy_from_slice(black_box(source));
            black_box(&mut destination);
        }
    });
    table.push((
        format!("sum {} updates in memory ({} MB of ciphertext)", args.clients, summed_bytes / 1_000_000),
        format!("{} ({})", human(add_seconds), gigabytes_per_second(summed_bytes, add_seconds)),
    ));
    table.push((
        "memcpy of the same bytes, one core".into(),
        format!("{} ({})", human(copy_seconds), gigabytes_per_second(summed_bytes, copy_seconds)),
    ));
    table.push(("aggregation / memcpy throughput".into(), format!("{:.2}", copy_seconds / add_seconds)));

    // Aggregation from files: read, verify the checksum, parse, add.
    let dir = tempfile::tempdir()?;
    let paths: Vec<PathBuf> = updates
        .iter()
        .enumerate()
        .map(|(client, update)| {
            let path = dir.path().join(format!("u{client}.vsies"));
            update.save(&path).map(|()| path)
        })
        .collect::<Result<_, _>>()?;
    let file_bytes: u64 = paths.iter().map(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)).sum();
    let files_seconds = median_seconds(args.runs, || {
        black_box(EncryptedUpdate::sum_files(&paths).expect("bench files sum"));
    });
    table.push((
        format!("`agg sum` of {} files ({} MB, page cache)", args.clients, file_bytes / 1_000_000),
        format!("{} ({})", human(files_seconds), gigabytes_per_second(file_bytes as usize, files_seconds)),
    ));

    let aggregate = EncryptedUpdate::sum_files(&paths)?;
    let mut partials = Vec::new();
    let mut decrypt_times = Vec::new();
    // T + 1 members when the committee has them, so that every piece is cross-checked.
    let (present, check) = if shares.len() > args.threshold {
        (args.threshold + 1, ShareCheck::CrossChecked)
    } else {
        (args.threshold, ShareCheck::Unchecked)
    };
    for share in shares.iter().take(present) {
        let start = Instant::now();
        partials.push((Path::new("share"), DecryptionShare::decrypt(share, &aggregate, seeder.as_mut())?));
        decrypt_times.push(start.elapsed().as_secs_f64());
    }
    decrypt_times.sort_by(f64::total_cmp);
    table.push(("partial decryption, per member".into(), human(decrypt_times[decrypt_times.len() / 2])));
    let schema = &models[0].schema;
    let combine_seconds = median_seconds(args.runs, || {
        black_box(combine(&aggregate, &partials, Some(schema), check).expect("threshold shares"));
    });
    table.push((format!("combine {present} shares into the FedAvg model ({check:?})"), human(combine_seconds)));
    let exact = combine(&aggregate, &partials, Some(schema), check)? == fedavg(&models)?;
    table.push(("equal to plaintext FedAvg".into(), exact.to_string()));

    save_all(&public, &shares, dir.path())?;
    let size = |name: &str| std::fs::metadata(dir.path().join(name)).map(|m| m.len()).unwrap_or(0);
    let per_value = bytes_per_value(aggregate.coordinates(), committee.packing);
    table.push(("ciphertext per value".into(), format!("{per_value:.2} B ({:.2}x a 32-bit value)", per_value / 4.0)));
    table.push(("update file".into(), format!("{} B", size("u0.vsies"))));
    table.push((
        "public key / one member's key share".into(),
        format!("{} B / {} B", size("public.key"), size("member-1.key")),
    ));

    println!(
        "| secure aggregation: {} clients x {} parameters, committee {} of {} | median |",
        args.clients, args.params, args.threshold, args.members
    );
    println!("|---|---|");
    for (stage, value) in table {
        println!("| {stage} | {value} |");
    }
    anyhow::ensure!(exact, "the combined model differs from plaintext FedAvg");
    Ok(0)
}
