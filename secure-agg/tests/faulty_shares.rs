//! A corrupted or forged decryption share (one byte changed, checksum recomputed) once made
//! `combine` return a wrong FedAvg model. Now every key piece is cross-checked between its
//! present holders: with `T + 2` members the faulty member is named, with `T + 1` the two that
//! disagree are, with `T` cross-checking is refused unless asked for, and the rounding
//! residue still catches corruption that no honest set of shares gives.

use std::path::{Path, PathBuf};
use vsies_core::artifact::{read_binary, write_binary, ArtifactKind};
use vsies_core::fedavg::fedavg;
use vsies_core::Model;
use vsies_secure_agg::test_support::{toy_model, CountingSeeder};
use vsies_secure_agg::{
    combine, generate, AggError, Aggregator, Committee, DecryptionShare, EncryptedUpdate, KeyShare, ShareCheck,
};

/// A change to a share's payload, made before its checksum is recomputed.
type Edit<'a> = &'a dyn Fn(&mut Vec<u8>);

struct Round {
    aggregate: EncryptedUpdate,
    shares: Vec<KeyShare>,
    models: Vec<Model>,
    dir: tempfile::TempDir,
}

fn round() -> Round {
    let committee = Committee::with_packing(5, 3, 1).unwrap();
    let mut seeder = CountingSeeder(77);
    let (public, shares) = generate(committee, &mut seeder);
    let models: Vec<Model> = (0..3).map(|c| toy_model(40, 10 + c)).collect();
    let mut aggregator = Aggregator::new(EncryptedUpdate::encrypt(&public, &models[0], 1, &mut seeder).unwrap());
    for model in &models[1..] {
        aggregator.add(&EncryptedUpdate::encrypt(&public, model, 1, &mut seeder).unwrap(), Path::new("u")).unwrap();
    }
    Round { aggregate: aggregator.finish(), shares, models, dir: tempfile::tempdir().unwrap() }
}

impl Round {
    /// Member `member`'s share, saved; with `edit` applied to its payload (checksum recomputed).
    fn share(&self, member: usize, edit: Option<Edit<'_>>) -> (PathBuf, DecryptionShare) {
        let path = self.dir.path().join(format!("p{member}"));
        let mut seeder = CountingSeeder(1000 + member as u128);
        DecryptionShare::decrypt(&self.shares[member - 1], &self.aggregate, &mut seeder).unwrap().save(&path).unwrap();
        if let Some(edit) = edit {
            let mut payload = read_binary(&path, ArtifactKind::DecryptionShare).unwrap();
            edit(&mut payload);
            write_binary(&path, ArtifactKind::DecryptionShare, &payload).unwrap();
        }
        let share = DecryptionShare::load(&path).unwrap();
        (path, share)
    }

    fn combine(&self, shares: &[(PathBuf, DecryptionShare)], check: ShareCheck) -> Result<Model, AggError> {
        let named: Vec<(&Path, DecryptionShare)> = shares.iter().map(|(p, s)| (p.as_path(), s.clone())).collect();
        combine(&self.aggregate, &named, None, check)
    }
}

/// Adds `2^(8 * byte)` times `delta` to the second value (a weight away from the clamp) of the
/// share's last partial, of `coordinates` values: at byte 4 and above a multiple of `Delta`
/// (the message changes, the residue does not).
fn shift(coordinates: usize, byte: usize, delta: u8) -> impl Fn(&mut Vec<u8>) {
    move |payload: &mut Vec<u8>| {
        let at = payload.len() - 8 * coordinates + 8;
        let mut value = u64::from_le_bytes(payload[at..at + 8].try_into().unwrap());
        value = value.wrapping_add(u64::from(delta) << (8 * byte));
        payload[at..at + 8].copy_from_slice(&value.to_le_bytes());
    }
}

#[test]
fn a_forged_share_is_named_among_t_plus_2_and_caught_among_t_plus_1() {
    let r = round();
    let plain = fedavg(&r.models).unwrap();
    let forged = shift(r.aggregate.coordinates(), 5, 1);
    let honest: Vec<_> = (1..=5).map(|m| r.share(m, None)).collect();
    assert_eq!(r.combine(&honest, ShareCheck::CrossChecked).unwrap(), plain);

    // The old behaviour's shape: exactly T shares, one forged by a multiple of Delta, used
    // unchecked, decrypt to a wrong model without any error.
    let t_forged = vec![honest[0].clone(), r.share(2, Some(&forged)), honest[2].clone()];
    assert_ne!(r.combine(&t_forged, ShareCheck::Unchecked).unwrap(), plain, "the forgery goes unnoticed");
    // Cross-checking is refused with T shares rather than trusted.
    let err = r.combine(&t_forged, ShareCheck::CrossChecked).unwrap_err();
    assert!(matches!(err, AggError::UncheckedPiece { .. }), "{err}");

    // T + 2 = every member: the forger is named, with its file.
    let mut all = honest.clone();
    all[1] = r.share(2, Some(&forged));
    let err = r.combine(&all, ShareCheck::CrossChecked).unwrap_err();
    assert!(matches!(err, AggError::FaultyShare { member: 2, .. }), "{err}");
    assert!(err.to_string().contains("p2: member 2's decryption share is faulty"), "{err}");

    // T + 1: the pieces member 2 shares with one other present holder expose a disagreement
    // that involves member 2 (or name it where three holders are present).
    let four = vec![honest[0].clone(), r.share(2, Some(&forged)), honest[2].clone(), honest[3].clone()];
    let err = r.combine(&four, ShareCheck::CrossChecked).unwrap_err();
    match &err {
        AggError::FaultyShare { member, .. } => assert_eq!(*member, 2),
        AggError::InconsistentShares { first, second, .. } => assert!(first.0 == 2 || second.0 == 2, "{err}"),
        other => panic!("unexpected: {other}"),
    }
}

#[test]
fn corruption_no_honest_shares_give_is_caught_by_the_residue_even_unchecked() {
    let r = round();
    // Byte 3, top bit: half of Delta, as far from every message as a value can be.
    let shares = vec![r.share(1, None), r.share(2, Some(&shift(r.aggregate.coordinates(), 3, 0x80))), r.share(3, None)];
    let err = r.combine(&shares, ShareCheck::Unchecked).unwrap_err();
    assert!(matches!(err, AggError::FaultyShares { .. }), "{err}");
    assert!(err.to_string().contains("some share is faulty"), "{err}");
}

#[test]
fn honest_shares_agree_within_their_flooding_at_every_subset() {
    let r = round();
    let plain = fedavg(&r.models).unwrap();
    let honest: Vec<_> = (1..=5).map(|m| r.share(m, None)).collect();
    for subset in [[0usize, 1, 2, 3], [0, 2, 3, 4], [1, 2, 3, 4]] {
        let shares: Vec<_> = subset.iter().map(|&i| honest[i].clone()).collect();
        assert_eq!(r.combine(&shares, ShareCheck::CrossChecked).unwrap(), plain, "{subset:?}");
    }
    assert_eq!(r.combine(&honest[..3], ShareCheck::Unchecked).unwrap(), plain);
}
