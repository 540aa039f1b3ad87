//! Hostile training files: crafted payloads with valid checksums are refused with a reason,
//! never a panic or an allocation their bytes do not back; a checkpoint of another training,
//! or data of another key set, is refused before any bootstrap.

use tfhe::core_crypto::commons::generators::DeterministicSeeder;
use tfhe::core_crypto::commons::math::random::Seed;
use tfhe::core_crypto::prelude::DefaultRandomGenerator;
use vsies_core::artifact::{self, ArtifactKind};
use vsies_core::codec::Writer;
mod common;

use common::{tiny_dataset, tiny_training_config};
use vsies_core::{ContentId, QuantizedDataset, TrainingConfig};
use vsies_fhe::train::{EncryptedModel, EncryptedTrainingData, Trainer, TrainingKey};
use vsies_fhe::{Cpu, EvaluationKey, Keys};

const NTT_PRIME: u64 = 0xFFFF_FFFF_0000_0001;

fn dataset(values: Vec<i32>, labels: Vec<u8>) -> QuantizedDataset {
    tiny_dataset(1, values, labels)
}

fn config() -> TrainingConfig {
    tiny_training_config(0)
}

fn refused<T>(result: Result<T, vsies_fhe::FheError>, needle: &str) {
    let Err(err) = result else { panic!("a hostile file is refused") };
    assert!(err.to_string().contains(needle), "{err}");
}

/// An encrypted model's payload: header, then `bits` as given (kind byte and value).
fn model_payload(count: u32, weights: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Writer::new();
    out.raw(b"vsiesEM1").cid(&ContentId::of(b"k")).cid(&ContentId::of(b"d")).cid(&ContentId::of(b"s"));
    for v in [4u32, 2, 1, 1, 0, 1, 0] {
        out.u32(v);
    }
    out.u64(2).u64(0).u32(count);
    for _ in 0..count.min(2) {
        out.u64(0);
    }
    out.u8(0);
    for bits in weights {
        out.raw(bits);
    }
    out.into_bytes()
}

#[test]
fn crafted_models_data_and_keys_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hostile");
    // Models: a count the bytes cannot back, a known value that is not a bit, an unreduced
    // coefficient, an unknown kind.
    let write = |kind, payload: &[u8]| artifact::write_binary(&path, kind, payload).unwrap();
    write(ArtifactKind::EncryptedModel, &model_payload(u32::MAX, &[]));
    refused(EncryptedModel::load(&path), "weights");
    let known = |v: u8| [0u8, v].repeat(4);
    write(ArtifactKind::EncryptedModel, &model_payload(2, &[known(1), known(2)]));
    refused(EncryptedModel::load(&path), "weight 1, bit 0: known value 2 is not a bit");
    let mut unreduced = vec![1u8];
    unreduced.extend(NTT_PRIME.to_le_bytes().repeat(2049));
    let mut second = unreduced.clone();
    second.extend(known(0)[..6].iter());
    write(ArtifactKind::EncryptedModel, &model_payload(2, &[known(0), second]));
    refused(EncryptedModel::load(&path), "weight 1, bit 0: a coefficient is not reduced modulo p");
    write(ArtifactKind::EncryptedModel, &model_payload(2, &[known(0), vec![7, 0, 0, 0, 0, 0, 0, 0]]));
    refused(EncryptedModel::load(&path), "unknown kind 7");
    // A genuine model round-trips, and any changed bit changes its content id.
    write(ArtifactKind::EncryptedModel, &model_payload(2, &[known(0), known(1)]));
    let model = EncryptedModel::load(&path).unwrap();
    write(ArtifactKind::EncryptedModel, &model_payload(2, &[known(1), known(1)]));
    assert_ne!(EncryptedModel::load(&path).unwrap().content_id(), model.content_id());

    // Training data: rows the bytes cannot back, an impossible width.
    let data_header = |features: u32, rows: u64| {
        let mut out = Writer::new();
        out.raw(b"vsiesTD2").cid(&ContentId::of(b"k")).cid(&ContentId::of(b"s"));
        out.u32(3).u32(1).u32(features).u64(rows).u8(0);
        out.into_bytes()
    };
    write(ArtifactKind::EncryptedTrainingData, &data_header(1, u64::MAX));
    refused(EncryptedTrainingData::load(&path), "rows");
    write(ArtifactKind::EncryptedTrainingData, &data_header(1000, 1));
    refused(EncryptedTrainingData::load(&path), "do not fit a row");
    write(ArtifactKind::EncryptedTrainingData, &data_header(1, 0));
    refused(EncryptedTrainingData::load(&path), "no rows");
    // A model file is not training data.
    write(ArtifactKind::EncryptedModel, &model_payload(2, &[known(0), known(1)]));
    assert!(EncryptedTrainingData::load(&path).is_err());
}

#[test]
fn training_keys_checkpoints_and_data_of_another_training_are_refused() {
    let mut seeder = DeterministicSeeder::<DefaultRandomGenerator>::new(Seed(3));
    let keys = Keys::generate_with_seeder(&mut seeder);
    let key = TrainingKey::generate_with_seeder(&keys.secret, &mut seeder);
    let dir = tempfile::tempdir().unwrap();
    let eval = dir.path().join("eval.key");
    // An eval.key without training keys names the command that adds them; with them, both
    // readers accept it; a crafted one with an unreduced coefficient is refused.
    keys.save(dir.path()).unwrap();
    refused(TrainingKey::load(&eval), "vsies keygen --training");
    key.save(&keys.evaluation, dir.path()).unwrap();
    assert_eq!(EvaluationKey::load(&eval).unwrap(), keys.evaluation);
    assert!(TrainingKey::load(&eval).is_ok());
    let mut payload = artifact::read_binary(&eval, ArtifactKind::FheEvaluationKey).unwrap();
    let last = payload.len() - 8;
    payload[last..].copy_from_slice(&NTT_PRIME.to_le_bytes());
    artifact::write_binary(&eval, ArtifactKind::FheEvaluationKey, &payload).unwrap();
    refused(TrainingKey::load(&eval), "not reduced modulo p");
    payload.truncate(last);
    artifact::write_binary(&eval, ArtifactKind::FheEvaluationKey, &payload).unwrap();
    assert!(TrainingKey::load(&eval).is_err());

    // Data of another key set; a checkpoint of other data.
    let data = EncryptedTrainingData::encrypt(&dataset(vec![1, -2], vec![1, 0]), &keys.public).unwrap();
    let other_keys = Keys::generate_with_seeder(&mut seeder);
    let foreign = EncryptedTrainingData::encrypt(&dataset(vec![1, -2], vec![1, 0]), &other_keys.public).unwrap();
    refused(Trainer::new(&Cpu, &key, &foreign, config(), None).map(|_| ()), "the training key is of");
    let other = EncryptedTrainingData::encrypt(&dataset(vec![3, -2], vec![0, 0]), &keys.public).unwrap();
    let checkpoint = Trainer::new(&Cpu, &key, &other, config(), None).unwrap().checkpoint();
    refused(Trainer::resume(&Cpu, &key, &data, &checkpoint).map(|_| ()), "another training");
    // Initial weights outside the format, or of the wrong count.
    refused(Trainer::new(&Cpu, &key, &data, config(), Some(&[8, 0])).map(|_| ()), "outside");
    refused(Trainer::new(&Cpu, &key, &data, config(), Some(&[0])).map(|_| ()), "initial weights");
}
