//! A bounded mutation fuzzer over every parser a party's file reaches: CSV, schema TOML, and
//! every artifact kind (binary and JSON). Each target starts from a valid seed built here (and
//! from any file kept in `fuzz/corpus/<target>/`, where regressions go), and reads thousands
//! of mutants: bit flips, boundary integers over length fields, truncations, insertions, and
//! for artifacts the same edits *inside* the envelope with the checksum recomputed, so the
//! payload parsers see them. A parser may refuse a mutant; it must never panic or allocate
//! without bound (an abort fails the run). Stable Rust, seeded, a few seconds: it runs in CI
//! with every test run.
//!
//! `VSIES_FUZZ_ITERATIONS=N` runs longer; `VSIES_WRITE_CORPUS=1` writes the seeds into
//! `fuzz/corpus/`; a panicking input is saved to `target/fuzz-failures/`.

mod common;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use vsies_core::artifact::{self, ArtifactKind};

/// xorshift64*: a seeded generator without dependencies.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// One edit of `bytes`.
fn mutate(bytes: &mut Vec<u8>, rng: &mut Rng) {
    const BOUNDARIES: [u64; 8] = [0, 1, 0x7f, 0xff, 0xffff, 0xffff_ffff, u64::MAX, 1 << 40];
    let at = rng.below(bytes.len());
    match rng.below(7) {
        0 if !bytes.is_empty() => bytes[at] ^= 1 << rng.below(8),
        1 if !bytes.is_empty() => bytes[at] = rng.next() as u8,
        2 => bytes.truncate(at),
        3 => {
            let insert: Vec<u8> = (0..1 + rng.below(16)).map(|_| rng.next() as u8).collect();
            bytes.splice(at..at, insert);
        }
        4 | 5 => {
            // A boundary integer over what may be a length or count field.
            let value = BOUNDARIES[rng.below(BOUNDARIES.len())].to_le_bytes();
            let width = [1, 2, 4, 8][rng.below(4)];
            let end = (at + width).min(bytes.len());
            bytes[at..end].copy_from_slice(&value[..end - at]);
        }
        _ if bytes.len() > 1 => {
            // Duplicate a slice (repeated fields, repeated keys).
            let end = (at + 1 + rng.below(64)).min(bytes.len());
            let copy = bytes[at..end].to_vec();
            bytes.splice(at..at, copy);
        }
        _ => bytes.push(rng.next() as u8),
    }
}

/// How a target's bytes are wrapped.
#[derive(Clone, Copy)]
enum Envelope {
    /// Plain text (CSV, TOML): mutated as is.
    Raw,
    /// A binary artifact: mutants of the payload are re-wrapped with a valid checksum.
    Binary(ArtifactKind),
    /// A JSON artifact: mutants of the body that still parse as JSON are re-wrapped with a
    /// valid checksum.
    Json(ArtifactKind),
}

/// Reads a file the way a party's parser does; the result is ignored (refusing is fine).
type Parse = Box<dyn Fn(&Path)>;

struct Target {
    name: &'static str,
    /// The file name the parser reads (some read a directory's fixed file).
    file: &'static str,
    envelope: Envelope,
    seed: Vec<u8>,
    parse: Parse,
}

/// A mutant of `seed` under `envelope`: edits of the whole file, or of its payload or body
/// re-wrapped with a valid checksum.
fn mutant(seed: &[u8], envelope: Envelope, rng: &mut Rng) -> Vec<u8> {
    let edits = 1 + rng.below(4);
    let inner = rng.below(3) != 0;
    match envelope {
        Envelope::Binary(kind) if inner => {
            let mut payload = artifact::decode_binary(seed, kind, Path::new("seed")).expect("a valid seed").to_vec();
            (0..edits).for_each(|_| mutate(&mut payload, rng));
            artifact::encode_binary(kind, &payload)
        }
        Envelope::Json(kind) if inner => {
            let envelope: serde_json::Value = serde_json::from_slice(seed).expect("a valid seed");
            let mut body = serde_json::to_vec(&envelope["body"]).unwrap();
            (0..edits).for_each(|_| mutate(&mut body, rng));
            match serde_json::from_slice::<serde_json::Value>(&body) {
                Ok(value) => artifact::encode_json(kind, &value),
                Err(_) => body,
            }
        }
        _ => {
            let mut bytes = seed.to_vec();
            (0..edits).for_each(|_| mutate(&mut bytes, rng));
            bytes
        }
    }
}

fn repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Seeds kept in `fuzz/corpus/<name>/` (regressions; written with `VSIES_WRITE_CORPUS=1`).
fn kept_seeds(name: &str) -> Vec<Vec<u8>> {
    let dir = repository().join("fuzz/corpus").join(name);
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries.flatten().filter_map(|e| std::fs::read(e.path()).ok()).collect()
}

fn run(target: &Target, iterations: usize, dir: &Path) -> Vec<PathBuf> {
    let mut failures = Vec::new();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ target.name.len() as u64 ^ (target.name.as_bytes()[0] as u64) << 32);
    let kept = kept_seeds(target.name);
    let path = dir.join(target.file);
    // Every kept seed as is (a regression must stay fixed), then mutants of the built seed
    // and, every fourth, raw mutants of a kept one.
    let mut inputs = kept.clone();
    for i in 0..iterations {
        inputs.push(match kept.get(i / 4 % kept.len().max(1)) {
            Some(seed) if i % 4 == 3 => mutant(seed, Envelope::Raw, &mut rng),
            _ => mutant(&target.seed, target.envelope, &mut rng),
        });
    }
    for (index, input) in inputs.into_iter().enumerate() {
        std::fs::write(&path, &input).unwrap();
        if catch_unwind(AssertUnwindSafe(|| (target.parse)(&path))).is_err() {
            let saved = repository().join("target/fuzz-failures").join(format!("{}-{index}", target.name));
            std::fs::create_dir_all(saved.parent().unwrap()).unwrap();
            std::fs::write(&saved, &input).unwrap();
            failures.push(saved);
        }
    }
    failures
}

/// Every target with its valid seed.
fn targets(work: &Path) -> Vec<Target> {
    use vsies_core::{
        infer_schema, validate_csv_file, Model, QuantizedDataset, Schema, TrainingConfig, ValidateOptions,
    };
    let read = |path: &Path| std::fs::read(path).unwrap();
    let mut targets = Vec::new();

    // CSV and schema, from the bundled data.
    let bundled = common::bundled();
    let schema = infer_schema(&bundled, "malignant", "fuzz").unwrap();
    let csv: String = std::fs::read_to_string(&bundled).unwrap().lines().take(20).map(|l| format!("{l}\n")).collect();
    let csv_schema = schema.clone();
    targets.push(Target {
        name: "csv",
        file: "data.csv",
        envelope: Envelope::Raw,
        seed: csv.into_bytes(),
        parse: Box::new(move |path| {
            let _ = validate_csv_file(path, &csv_schema, ValidateOptions::default());
            let _ = infer_schema(path, "malignant", "fuzz");
        }),
    });
    targets.push(Target {
        name: "schema",
        file: "schema.toml",
        envelope: Envelope::Raw,
        seed: schema.to_toml().into_bytes(),
        parse: Box::new(|path| drop(Schema::load(path))),
    });

    // The small dataset of the docs: quantized data, a model, proofs.
    let (schema, dataset) = vsies_zk::doc_dataset();
    let config = TrainingConfig { epochs: 1, batch_size_log2: 1, ..TrainingConfig::default() };
    dataset.save(&work.join("d.vqd")).unwrap();
    targets.push(Target {
        name: "quantized-dataset",
        file: "d.vqd",
        envelope: Envelope::Binary(ArtifactKind::QuantizedDataset),
        seed: read(&work.join("d.vqd")),
        parse: Box::new(|path| drop(QuantizedDataset::load(path))),
    });
    let model = Model::train(&schema, &dataset, config, None).unwrap();
    model.save(&work.join("m.json")).unwrap();
    targets.push(Target {
        name: "model",
        file: "m.json",
        envelope: Envelope::Json(ArtifactKind::Model),
        seed: read(&work.join("m.json")),
        parse: Box::new(|path| drop(Model::load(path))),
    });

    // Encrypted inference.
    use tfhe::core_crypto::commons::generators::DeterministicSeeder;
    use tfhe::core_crypto::commons::math::random::Seed;
    use tfhe::core_crypto::prelude::DefaultRandomGenerator;
    let keys = vsies_fhe::Keys::generate_with_seeder(&mut DeterministicSeeder::<DefaultRandomGenerator>::new(Seed(1)));
    let fhe = work.join("fhe");
    keys.save(&fhe).unwrap();
    let encrypted = vsies_fhe::EncryptedDataset::encrypt_with_public_key(&dataset, &keys.public).unwrap();
    encrypted.save(&work.join("x.vsies")).unwrap();
    vsies_fhe::infer(&encrypted, &model, &keys.evaluation).unwrap().save(&work.join("s.vsies")).unwrap();
    // The encryption CRS and a dataset of proved lists (its proofs parsed, not verified).
    let crs = vsies_fhe::proofs::test_support::cached_crs(dataset.format());
    crs.save(&work.join("e.crs")).unwrap();
    vsies_fhe::EncryptedDataset::encrypt_with_public_key_proved(&dataset, &keys.public, &crs, None)
        .unwrap()
        .save(&work.join("xp.vsies"))
        .unwrap();
    for (name, file, kind) in [
        ("fhe-encryption-crs", "e.crs", ArtifactKind::FheEncryptionCrs),
        ("encrypted-dataset-proved", "xp.vsies", ArtifactKind::EncryptedDataset),
    ] {
        let parse: Parse = if kind == ArtifactKind::FheEncryptionCrs {
            Box::new(|p| drop(vsies_fhe::EncryptionCrs::load(p)))
        } else {
            Box::new(|p| drop(vsies_fhe::EncryptedDataset::load(p)))
        };
        targets.push(Target { name, file, envelope: Envelope::Binary(kind), seed: read(&work.join(file)), parse });
    }
    let fhe_targets: [(&str, &'static str, ArtifactKind, Parse); 5] = [
        ("fhe-secret-key", "secret.key", ArtifactKind::FheSecretKey, Box::new(|p| drop(vsies_fhe::SecretKey::load(p)))),
        ("fhe-public-key", "public.key", ArtifactKind::FhePublicKey, Box::new(|p| drop(vsies_fhe::PublicKey::load(p)))),
        (
            "fhe-evaluation-key",
            "eval.key",
            ArtifactKind::FheEvaluationKey,
            Box::new(|p| drop(vsies_fhe::EvaluationKey::load(p))),
        ),
        (
            "encrypted-dataset",
            "x.vsies",
            ArtifactKind::EncryptedDataset,
            Box::new(|p| drop(vsies_fhe::EncryptedDataset::load(p))),
        ),
        (
            "encrypted-scores",
            "s.vsies",
            ArtifactKind::EncryptedScores,
            Box::new(|p| drop(vsies_fhe::EncryptedScores::load(p))),
        ),
    ];
    for (name, file, kind, parse) in fhe_targets {
        let source = if file.ends_with(".key") { fhe.join(file) } else { work.join(file) };
        targets.push(Target { name, file, envelope: Envelope::Binary(kind), seed: read(&source), parse });
    }
    // Training under TFHE: rows of one 3-bit feature, and a model after one batch (so that its
    // seed holds encrypted bits); the training keys' own section is fuzzed through eval.key's
    // reader above and refused by `fhe/tests/training_files.rs`.
    let tiny = QuantizedDataset::from_values(
        dataset.schema_id(),
        vsies_core::FixedFormat { bits: 3, frac_bits: 1 },
        1,
        vec![1, -2],
        Some(vec![1, 0]),
    )
    .unwrap();
    let tiny_config = TrainingConfig {
        weight_format: vsies_core::FixedFormat { bits: 4, frac_bits: 2 },
        sigmoid_frac_bits: 1,
        batch_size_log2: 1,
        learning_rate_log2: 0,
        epochs: 1,
        seed: 0,
    };
    let training_data = vsies_fhe::train::EncryptedTrainingData::encrypt(&tiny, &keys.public).unwrap();
    training_data.save(&work.join("t.vsies")).unwrap();
    let training_key = vsies_fhe::train::TrainingKey::generate_with_seeder(
        &keys.secret,
        &mut DeterministicSeeder::<DefaultRandomGenerator>::new(Seed(2)),
    );
    let mut trainer =
        vsies_fhe::train::Trainer::new(&vsies_fhe::Cpu, &training_key, &training_data, tiny_config, None).unwrap();
    trainer.step().unwrap();
    trainer.checkpoint().save(&work.join("em.vsies")).unwrap();
    let training_targets: [(&str, &'static str, ArtifactKind, Parse); 2] = [
        (
            "encrypted-training-data",
            "t.vsies",
            ArtifactKind::EncryptedTrainingData,
            Box::new(|p| drop(vsies_fhe::train::EncryptedTrainingData::load(p))),
        ),
        (
            "encrypted-model",
            "em.vsies",
            ArtifactKind::EncryptedModel,
            Box::new(|p| drop(vsies_fhe::train::EncryptedModel::load(p))),
        ),
    ];
    for (name, file, kind, parse) in training_targets {
        targets.push(Target { name, file, envelope: Envelope::Binary(kind), seed: read(&work.join(file)), parse });
    }

    // Secure aggregation.
    use vsies_secure_agg::test_support::CountingSeeder;
    let committee = vsies_secure_agg::Committee::with_packing(3, 2, 1).unwrap();
    let (public, shares) = vsies_secure_agg::generate(committee, &mut CountingSeeder(3));
    vsies_secure_agg::save_all(&public, &shares, &work.join("committee")).unwrap();
    std::fs::copy(work.join("committee/public.key"), work.join("c.key")).unwrap();
    std::fs::copy(work.join("committee/member-1.key"), work.join("member-1.key")).unwrap();
    let mut update = vsies_secure_agg::EncryptedUpdate::encrypt(&public, &model, 1, &mut CountingSeeder(4)).unwrap();
    let client = vsies_secure_agg::ClientKey::from_bytes(&[5; 32]).unwrap();
    update.sign(&client).unwrap();
    update.save(&work.join("u.vsies")).unwrap();
    vsies_secure_agg::DecryptionShare::decrypt(&shares[0], &update, &mut CountingSeeder(6))
        .unwrap()
        .save(&work.join("p.vsies"))
        .unwrap();
    client.save(&work.join("client.key")).unwrap();
    let mut registry = vsies_secure_agg::ClientRegistry::new(public.id());
    registry.register(client.address());
    registry.save(&work.join("clients.json")).unwrap();
    vsies_secure_agg::Attestation::sign(&client, &vsies_core::ContentId::of(b"an encrypted model"))
        .save(&work.join("attestation.json"))
        .unwrap();
    targets.push(Target {
        name: "attestation",
        file: "attestation.json",
        envelope: Envelope::Json(ArtifactKind::Attestation),
        seed: read(&work.join("attestation.json")),
        parse: Box::new(|p| drop(vsies_secure_agg::Attestation::load(p))),
    });
    let agg_targets: [(&str, &'static str, Envelope, Parse); 6] = [
        (
            "committee-public-key",
            "c.key",
            Envelope::Binary(ArtifactKind::CommitteePublicKey),
            Box::new(|p| drop(vsies_secure_agg::PublicKey::load(p))),
        ),
        (
            "committee-key-share",
            "member-1.key",
            Envelope::Binary(ArtifactKind::CommitteeKeyShare),
            Box::new(|p| drop(vsies_secure_agg::KeyShare::load(p))),
        ),
        (
            "encrypted-update",
            "u.vsies",
            Envelope::Binary(ArtifactKind::EncryptedUpdate),
            Box::new(|p| drop(vsies_secure_agg::EncryptedUpdate::load(p))),
        ),
        (
            "decryption-share",
            "p.vsies",
            Envelope::Binary(ArtifactKind::DecryptionShare),
            Box::new(|p| drop(vsies_secure_agg::DecryptionShare::load(p))),
        ),
        (
            "client-signing-key",
            "client.key",
            Envelope::Json(ArtifactKind::ClientSigningKey),
            Box::new(|p| drop(vsies_secure_agg::ClientKey::load(p))),
        ),
        (
            "client-registry",
            "clients.json",
            Envelope::Json(ArtifactKind::ClientRegistry),
            Box::new(|p| drop(vsies_secure_agg::ClientRegistry::load(p))),
        ),
    ];
    for (name, file, envelope, parse) in agg_targets {
        targets.push(Target { name, file, envelope, seed: read(&work.join(file)), parse });
    }

    // Proofs and keys: the data-validation and training relations on the doc dataset.
    use ark_std::rand::{rngs::StdRng, SeedableRng};
    use vsies_zk::relations::training::{
        ModelOpening, TrainingKeys, TrainingParams, TrainingProof, TrainingProver, TrainingRelation, TrainingVerifier,
        RELATION,
    };
    let data_keys = work.join("zk-data");
    let relation = vsies_zk::DataRelation::for_schema(&schema, dataset.rows(), 2).unwrap();
    vsies_zk::DataKeys::generate(relation, &mut StdRng::seed_from_u64(7), &data_keys).unwrap();
    let proof = vsies_zk::DataProver::load(&data_keys).unwrap().prove(&dataset, &mut StdRng::seed_from_u64(8)).unwrap();
    proof.save(&work.join("dp.json")).unwrap();
    let train_keys = work.join("zk-train");
    let params = TrainingParams { relation: RELATION.into(), schema, rows: dataset.rows(), training: config };
    TrainingKeys::generate(TrainingRelation::new(params).unwrap(), &mut StdRng::seed_from_u64(9), &train_keys).unwrap();
    let proved = TrainingProver::load(&train_keys)
        .unwrap()
        .prove_training(&dataset, None, 0, [1; 20], &mut StdRng::seed_from_u64(10))
        .unwrap();
    proved.proof.save(&work.join("tp.json")).unwrap();
    proved.opening.save(&work.join("o.json")).unwrap();
    // A client update with a proof section (the proof's points are a training proof's: the
    // parser checks their encoding, the checker their validity).
    let mut with_proof = vsies_secure_agg::EncryptedUpdate::load(&work.join("u.vsies")).unwrap();
    with_proof.proof = Some(vsies_secure_agg::UpdateProof {
        verifying_key: vsies_core::ContentId::of(b"update keys"),
        trained: [3; 32],
        rows: 12,
        proof: proved.proof.committed_proof(&work.join("tp.json")).unwrap(),
    });
    with_proof.save(&work.join("up.vsies")).unwrap();
    targets.push(Target {
        name: "encrypted-update-proved",
        file: "up.vsies",
        envelope: Envelope::Binary(ArtifactKind::EncryptedUpdate),
        seed: read(&work.join("up.vsies")),
        parse: Box::new(|p| drop(vsies_secure_agg::EncryptedUpdate::load(p))),
    });
    let zk_targets: [(&str, &'static str, Envelope, PathBuf, Parse); 6] = [
        (
            "data-proof",
            "dp.json",
            Envelope::Json(ArtifactKind::DataProof),
            work.join("dp.json"),
            // The envelope, then the proof's points.
            Box::new(|p| drop(vsies_zk::DataProof::load(p).map(|proof| proof.groth16(p)))),
        ),
        (
            "training-proof",
            "tp.json",
            Envelope::Json(ArtifactKind::TrainingProof),
            work.join("tp.json"),
            Box::new(|p| drop(TrainingProof::load(p).map(|proof| proof.committed_proof(p)))),
        ),
        (
            "model-opening",
            "o.json",
            Envelope::Json(ArtifactKind::ModelOpening),
            work.join("o.json"),
            Box::new(|p| drop(ModelOpening::load(p).map(|opening| opening.blinding(p)))),
        ),
        (
            "zk-verifying-key-data",
            vsies_zk::VERIFYING_KEY_FILE,
            Envelope::Binary(ArtifactKind::ZkVerifyingKey),
            data_keys.join(vsies_zk::VERIFYING_KEY_FILE),
            Box::new(|p| drop(vsies_zk::DataVerifier::load(p.parent().unwrap()))),
        ),
        (
            "zk-verifying-key-training",
            vsies_zk::VERIFYING_KEY_FILE,
            Envelope::Binary(ArtifactKind::ZkVerifyingKey),
            train_keys.join(vsies_zk::VERIFYING_KEY_FILE),
            Box::new(|p| drop(TrainingVerifier::load(p.parent().unwrap()))),
        ),
        (
            "zk-proving-key-data",
            vsies_zk::PROVING_KEY_FILE,
            Envelope::Raw,
            data_keys.join(vsies_zk::PROVING_KEY_FILE),
            // The proving key is opened beside a valid verifying key: its header, relation and
            // fixed elements are parsed, its queries streamed only by a proof.
            Box::new(|p| drop(vsies_zk::DataProver::load(p.parent().unwrap()))),
        ),
    ];
    for (name, file, envelope, source, parse) in zk_targets {
        targets.push(Target { name, file, envelope, seed: read(&source), parse });
    }

    // Ceremony state (a phase 1 of 2^3 powers with one contribution) and key generation.
    use vsies_zk::ceremony::Powers;
    let powers_dir = work.join("powers");
    Powers::new(&powers_dir, 3).unwrap().contribute("fuzz").unwrap();
    let dkg_keys: Vec<_> = (1..=3u8).map(|k| vsies_secure_agg::ClientKey::from_bytes(&[k; 32]).unwrap()).collect();
    let addresses = dkg_keys.iter().map(vsies_secure_agg::ClientKey::address).collect();
    let session = vsies_secure_agg::dkg::Session::new(committee, addresses, [4; 32]).unwrap();
    session.save(&work.join("session.json")).unwrap();
    let dealing = vsies_secure_agg::dkg::Dealing::new(&session, 1, &[5; 32]).unwrap();
    dealing.pieces_for(2, &dkg_keys[0])[0].save(&work.join("piece.dkg")).unwrap();
    vsies_secure_agg::dkg::save_seed(&work.join("m.seed"), &[6; 32]).unwrap();
    let ceremony_targets: [(&str, &'static str, Envelope, PathBuf, Parse); 5] = [
        (
            "ceremony-powers",
            "powers.bin",
            Envelope::Binary(ArtifactKind::CeremonyPowers),
            powers_dir.join("powers.bin"),
            // Beside the valid transcript: the whole phase is verified.
            Box::new(|p| drop(Powers::open(p.parent().unwrap()).map(|powers| powers.verify()))),
        ),
        (
            "ceremony-transcript",
            "transcript.json",
            Envelope::Json(ArtifactKind::CeremonyTranscript),
            powers_dir.join("transcript.json"),
            Box::new(|p| drop(Powers::open(p.parent().unwrap()).map(|powers| powers.verify()))),
        ),
        (
            "dkg-session",
            "session.json",
            Envelope::Json(ArtifactKind::DkgSession),
            work.join("session.json"),
            Box::new(|p| drop(vsies_secure_agg::dkg::Session::load(p))),
        ),
        (
            "dkg-message",
            "piece.dkg",
            Envelope::Binary(ArtifactKind::DkgMessage),
            work.join("piece.dkg"),
            // One kind carries four messages: every mutant meets every message's parser.
            Box::new(move |p| {
                use vsies_secure_agg::dkg::{Commitment, Contribution, MissingPiece, Piece};
                drop(Piece::load(p, &session));
                drop(Commitment::load(p, &session));
                drop(Contribution::load(p, &session));
                drop(MissingPiece::load(p, &session));
            }),
        ),
        (
            "dkg-dealer-seed",
            "m.seed",
            Envelope::Binary(ArtifactKind::DkgDealerSeed),
            work.join("m.seed"),
            Box::new(|p| drop(vsies_secure_agg::dkg::load_seed(p))),
        ),
    ];
    for (name, file, envelope, source, parse) in ceremony_targets {
        targets.push(Target { name, file, envelope, seed: read(&source), parse });
    }
    targets
}

#[test]
fn no_parser_panics_or_grows_without_bound_on_mutated_files() {
    let iterations = std::env::var("VSIES_FUZZ_ITERATIONS").ok().and_then(|n| n.parse().ok()).unwrap_or(300);
    let work = tempfile::tempdir().unwrap();
    let targets = targets(work.path());
    let mut failures = Vec::new();
    for target in &targets {
        if std::env::var("VSIES_WRITE_CORPUS").is_ok() && target.seed.len() <= 256 << 10 {
            let dir = repository().join("fuzz/corpus").join(target.name);
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("seed"), &target.seed).unwrap();
        }
        // Each target reads from its own directory (a verifying key beside the proving key).
        let dir = work.path().join(format!("run-{}", target.name));
        std::fs::create_dir_all(&dir).unwrap();
        // A ceremony file is read with the rest of its phase-1 directory.
        for (name, partner) in [("ceremony-powers", "transcript.json"), ("ceremony-transcript", "powers.bin")] {
            if target.name == name {
                std::fs::copy(work.path().join("powers").join(partner), dir.join(partner)).unwrap();
            }
        }
        if target.name == "zk-proving-key-data" {
            std::fs::copy(
                work.path().join("zk-data").join(vsies_zk::VERIFYING_KEY_FILE),
                dir.join(vsies_zk::VERIFYING_KEY_FILE),
            )
            .unwrap();
        }
        // Seeds above 1 MiB (the 12.9 MB encryption CRS) get proportionally fewer mutants, at
        // least 20: each one is written and parsed whole.
        let scaled = (iterations as u64 * (1 << 20) / target.seed.len().max(1) as u64) as usize;
        failures.extend(run(target, iterations.min(scaled.max(20)), &dir));
    }
    assert!(failures.is_empty(), "parsers panicked on: {failures:?}");
    assert_eq!(
        targets.len(),
        ArtifactKind::ALL.len() + 5,
        "every artifact kind, CSV, schema, both verifying keys, updates and encrypted datasets with and without proofs"
    );
}
