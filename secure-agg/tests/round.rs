//! Whole rounds through the library: exactness against plaintext FedAvg for random subsets of
//! members, dropouts, and every refusal the issue lists.

use proptest::prelude::*;
use std::path::{Path, PathBuf};
use vsies_core::fedavg::fedavg;
use vsies_core::Model;
use vsies_secure_agg::test_support::{toy_model, CountingSeeder};
use vsies_secure_agg::{
    combine, generate, save_all, AggError, Aggregator, Committee, DecryptionShare, EncryptedUpdate, KeyShare,
    ShareCheck,
};

/// A client model: same shape as `toy_model`, its own weights and row count.
fn client_model(features: usize, client: u64) -> Model {
    let mut model = toy_model(features, 10 + 37 * client);
    for (i, w) in model.weights.iter_mut().enumerate() {
        *w = ((i as i64 * 131 + client as i64 * 7919) % 4096) - 2048;
    }
    model.bias = (client as i64 * 101) % 2048;
    model
}

fn shares_of(shares: &[KeyShare], aggregate: &EncryptedUpdate, members: &[usize], seed: u128) -> Vec<DecryptionShare> {
    let mut seeder = CountingSeeder(seed);
    members.iter().map(|&m| DecryptionShare::decrypt(&shares[m - 1], aggregate, &mut seeder).unwrap()).collect()
}

fn combined(aggregate: &EncryptedUpdate, partials: Vec<DecryptionShare>) -> Result<Model, AggError> {
    combined_with(aggregate, partials, None)
}

fn combined_with(
    aggregate: &EncryptedUpdate,
    partials: Vec<DecryptionShare>,
    schema: Option<&vsies_core::Schema>,
) -> Result<Model, AggError> {
    // Cross-checked where every piece has two present holders (T + 1 members), else unchecked.
    let check =
        if partials.len() > aggregate.committee.threshold { ShareCheck::CrossChecked } else { ShareCheck::Unchecked };
    let named: Vec<(&Path, DecryptionShare)> = partials.into_iter().map(|p| (Path::new("share"), p)).collect();
    combine(aggregate, &named, schema, check)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, .. ProptestConfig::default() })]

    /// Any T-subset of a 5-member, threshold-3 committee decrypts exactly plaintext FedAvg.
    #[test]
    fn any_threshold_subset_decrypts_plaintext_fedavg(seed in 0u64..1000, subset in proptest::sample::subsequence(vec![1usize, 2, 3, 4, 5], 3..=5)) {
        let committee = Committee::with_packing(5, 3, 2).unwrap();
        let mut seeder = CountingSeeder(u128::from(seed) << 20);
        let (public, shares) = generate(committee, &mut seeder);
        let models: Vec<Model> = (0..6).map(|c| client_model(4100, c + seed)).collect();
        let mut aggregator = Aggregator::new(EncryptedUpdate::encrypt(&public, &models[0], 3, &mut seeder).unwrap());
        for model in &models[1..] {
            aggregator.add(&EncryptedUpdate::encrypt(&public, model, 3, &mut seeder).unwrap(), Path::new("u")).unwrap();
        }
        let aggregate = aggregator.finish();
        // 4,100 features: the schema is too large to embed and travels by id.
        prop_assert!(aggregate.model.schema.is_none());
        let partials = shares_of(&shares, &aggregate, &subset, u128::from(seed));
        let err = combined(&aggregate, partials.clone()).unwrap_err();
        prop_assert!(matches!(err, AggError::SchemaNeeded { .. }), "{}", err);
        let other = toy_model(3, 1).schema;
        let err = combined_with(&aggregate, partials.clone(), Some(&other)).unwrap_err();
        prop_assert!(matches!(err, AggError::SchemaMismatch { .. }), "{}", err);
        let average = combined_with(&aggregate, partials, Some(&models[0].schema)).unwrap();
        prop_assert_eq!(average, fedavg(&models).unwrap());
    }
}

#[test]
fn dropouts_of_clients_and_members() {
    let committee = Committee::with_packing(5, 3, 1).unwrap();
    let mut seeder = CountingSeeder(1);
    let (public, shares) = generate(committee, &mut seeder);
    let models: Vec<Model> = (0..8).map(|c| client_model(30, c)).collect();
    // Clients 2 and 5 drop out: they never submit.
    let present: Vec<&Model> = models.iter().enumerate().filter(|(c, _)| ![2, 5].contains(c)).map(|(_, m)| m).collect();
    let mut aggregator = Aggregator::new(EncryptedUpdate::encrypt(&public, present[0], 0, &mut seeder).unwrap());
    for model in &present[1..] {
        aggregator.add(&EncryptedUpdate::encrypt(&public, model, 0, &mut seeder).unwrap(), Path::new("u")).unwrap();
    }
    let aggregate = aggregator.finish();
    assert_eq!(aggregate.contributors.len(), 6);
    // Members 1 and 4 are absent (N - T = 2).
    let average = combined(&aggregate, shares_of(&shares, &aggregate, &[2, 3, 5], 9)).unwrap();
    let expected = fedavg(&present.into_iter().cloned().collect::<Vec<_>>()).unwrap();
    assert_eq!(average, expected);
    assert_ne!(average, fedavg(&models).unwrap(), "dropped clients must not count");
}

#[test]
fn refusals_name_the_problem() {
    let committee = Committee::with_packing(3, 2, 1).unwrap();
    let mut seeder = CountingSeeder(100);
    let (public, shares) = generate(committee, &mut seeder);
    let (other_public, other_shares) = generate(committee, &mut seeder);
    let model = client_model(12, 1);
    let first = EncryptedUpdate::encrypt(&public, &model, 1, &mut seeder).unwrap();
    let mut aggregator = Aggregator::new(first.clone());
    // The same ciphertext twice.
    assert!(matches!(aggregator.add(&first, Path::new("dup")), Err(AggError::Duplicate { .. })));
    // Another committee, another round, another shape.
    let foreign = EncryptedUpdate::encrypt(&other_public, &model, 1, &mut seeder).unwrap();
    assert!(matches!(aggregator.add(&foreign, Path::new("f")), Err(AggError::WrongCommittee { .. })));
    let late = EncryptedUpdate::encrypt(&public, &model, 2, &mut seeder).unwrap();
    assert!(matches!(aggregator.add(&late, Path::new("r")), Err(AggError::WrongRound { expected: 1, found: 2, .. })));
    let wide = EncryptedUpdate::encrypt(&public, &client_model(13, 1), 1, &mut seeder).unwrap();
    assert!(matches!(aggregator.add(&wide, Path::new("s")), Err(AggError::WrongShape { .. })));
    // A failed add leaves the aggregate untouched.
    assert_eq!(aggregator.clients(), 1);
    aggregator.add(&EncryptedUpdate::encrypt(&public, &model, 1, &mut seeder).unwrap(), Path::new("ok")).unwrap();
    let aggregate = aggregator.finish();

    let p1 = shares_of(&shares, &aggregate, &[1], 1).remove(0);
    // Fewer than T shares, the same share twice.
    let err = combined(&aggregate, vec![p1.clone()]).unwrap_err();
    assert!(matches!(err, AggError::TooFewShares { found: 1, threshold: 2 }), "{err}");
    let err = combined(&aggregate, vec![p1.clone(), p1.clone()]).unwrap_err();
    assert!(matches!(err, AggError::DuplicateShare { member: 1, .. }), "{err}");
    // A share from another committee's member: refused when decrypting and when combining.
    let err = DecryptionShare::decrypt(&other_shares[1], &aggregate, &mut seeder).unwrap_err();
    assert!(matches!(err, AggError::WrongCommittee { .. }), "{err}");
    let foreign_partial = DecryptionShare::decrypt(&other_shares[1], &foreign, &mut seeder).unwrap();
    let err = combined(&aggregate, vec![p1.clone(), foreign_partial]).unwrap_err();
    assert!(matches!(err, AggError::WrongCommittee { .. }), "{err}");
    // A share of another aggregate of the same committee.
    let stale = DecryptionShare::decrypt(&shares[1], &first, &mut seeder).unwrap();
    let err = combined(&aggregate, vec![p1, stale]).unwrap_err();
    assert!(matches!(err, AggError::WrongAggregate { .. }), "{err}");
}

#[test]
fn files_round_trip_and_damaged_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let committee = Committee::with_packing(3, 2, 1).unwrap();
    let mut seeder = CountingSeeder(500);
    let (public, shares) = generate(committee, &mut seeder);
    save_all(&public, &shares, dir.path()).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("member-2.key")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let public = vsies_secure_agg::PublicKey::load(&dir.path().join("public.key")).unwrap();
    let share = KeyShare::load(&dir.path().join("member-2.key")).unwrap();
    assert_eq!(share.member, 2);
    let models: Vec<Model> = (0..3).map(|c| client_model(40, c)).collect();
    let paths: Vec<PathBuf> = models
        .iter()
        .enumerate()
        .map(|(c, model)| {
            let path = dir.path().join(format!("u{c}.vsies"));
            EncryptedUpdate::encrypt(&public, model, 0, &mut seeder).unwrap().save(&path).unwrap();
            path
        })
        .collect();
    let aggregate = EncryptedUpdate::sum_files(&paths).unwrap();
    aggregate.save(&dir.path().join("sum.vsies")).unwrap();
    let aggregate = EncryptedUpdate::load(&dir.path().join("sum.vsies")).unwrap();
    let p2 = DecryptionShare::decrypt(&share, &aggregate, &mut seeder).unwrap();
    p2.save(&dir.path().join("p2")).unwrap();
    let p3 = DecryptionShare::decrypt(&shares[2], &aggregate, &mut seeder).unwrap();
    let p2 = DecryptionShare::load(&dir.path().join("p2")).unwrap();
    assert_eq!(combined(&aggregate, vec![p2, p3]).unwrap(), fedavg(&models).unwrap());
    // Listing the same file twice is a duplicate, not a double count.
    let twice = [paths[0].clone(), paths[1].clone(), paths[0].clone()];
    assert!(matches!(EncryptedUpdate::sum_files(&twice), Err(AggError::Duplicate { .. })));

    // Truncated and bit-flipped files: clear errors naming the file, never a panic.
    let bytes = std::fs::read(&paths[1]).unwrap();
    let damaged = dir.path().join("damaged.vsies");
    for cut in [0, 10, 30, bytes.len() / 2, bytes.len() - 1] {
        std::fs::write(&damaged, &bytes[..cut]).unwrap();
        let err = EncryptedUpdate::load(&damaged).unwrap_err().to_string();
        assert!(err.contains("damaged.vsies"), "{err}");
    }
    for position in [40, 200, bytes.len() / 2, bytes.len() - 40] {
        let mut flipped = bytes.clone();
        flipped[position] ^= 0x10;
        std::fs::write(&damaged, &flipped).unwrap();
        let err = EncryptedUpdate::load(&damaged).unwrap_err().to_string();
        assert!(err.contains("damaged.vsies") && err.contains("checksum"), "{err}");
    }
    // A key share file given as an update, and an update given as a key share.
    assert!(EncryptedUpdate::load(&dir.path().join("member-1.key")).is_err());
    assert!(KeyShare::load(&paths[0]).is_err());
}

#[test]
fn expansion_is_under_three_times_32_bit_at_100k_values() {
    let per_value = vsies_secure_agg::update::bytes_per_value(100_000, vsies_secure_agg::params::DEFAULT_PACKING);
    assert!(per_value <= 12.0, "{per_value} bytes per value");
}
