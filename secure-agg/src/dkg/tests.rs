//! The key generation among five members (threshold 3): honest runs give one key that
//! decrypts aggregates exactly; a dealer that deals an inconsistent piece, equivocates, or
//! reveals a contribution it did not commit to is excluded with evidence, and the others'
//! key still works; messages of another session or signer are refused.

use super::*;
use crate::test_support::{toy_model, CountingSeeder};
use crate::{combine, Aggregator, DecryptionShare, EncryptedUpdate, ShareCheck};
use std::path::PathBuf;

const MEMBERS: usize = 5;

fn keys() -> Vec<ClientKey> {
    (1..=MEMBERS as u8).map(|k| ClientKey::from_bytes(&[k; 32]).unwrap()).collect()
}

fn session(keys: &[ClientKey]) -> Session {
    let committee = Committee::with_packing(MEMBERS, 3, 1).unwrap();
    Session::new(committee, keys.iter().map(ClientKey::address).collect(), [9; 32]).unwrap()
}

/// Every dealer's dealing, commitments and contributions.
struct Run {
    session: Session,
    keys: Vec<ClientKey>,
    dealings: Vec<Dealing>,
    commitments: Vec<Commitment>,
    contributions: Vec<Contribution>,
}

fn run() -> Run {
    let keys = keys();
    let session = session(&keys);
    let dealings: Vec<Dealing> =
        (1..=MEMBERS).map(|d| Dealing::new(&session, d, &[d as u8 + 40; 32]).unwrap()).collect();
    let commitments = dealings.iter().zip(&keys).map(|(d, k)| d.commitment(k)).collect();
    let contributions = dealings.iter().zip(&keys).map(|(d, k)| d.contribution(k)).collect();
    Run { session, keys, dealings, commitments, contributions }
}

impl Run {
    fn pieces_for(&self, member: usize) -> Vec<Piece> {
        self.dealings.iter().zip(&self.keys).flat_map(|(d, k)| d.pieces_for(member, k)).collect()
    }

    /// Every member's checks, then every member's key, with `tamper` applied to the pieces
    /// each member receives.
    fn finish(&self, tamper: impl Fn(usize, &mut Vec<Piece>)) -> Vec<(PublicKey, KeyShare, Vec<Exclusion>)> {
        let (commitments, _) = index_commitments(&self.session, self.commitments.clone());
        let mut checked = Vec::new();
        for member in 1..=MEMBERS {
            let mut received = self.pieces_for(member);
            tamper(member, &mut received);
            checked.push(check_pieces(&self.session, member, &commitments, received).unwrap());
        }
        let complaints: Vec<Piece> = checked.iter().flat_map(|c| c.complaints.clone()).collect();
        checked
            .iter()
            .enumerate()
            .map(|(i, c)| {
                finish(&self.session, i + 1, &commitments, &self.contributions, &complaints, &c.pieces).unwrap()
            })
            .collect()
    }
}

/// Three clients' updates under `public`, decrypted by members 1-4 and combined.
fn decrypts(public: &PublicKey, shares: &[&KeyShare]) {
    let model = toy_model(3, 10);
    let mut seeder = CountingSeeder(7);
    let mut aggregator = Aggregator::new(EncryptedUpdate::encrypt(public, &model, 1, &mut seeder).unwrap());
    for client in 2..=3 {
        let update = EncryptedUpdate::encrypt(public, &model, 1, &mut seeder).unwrap();
        aggregator.add(&update, Path::new(&format!("client {client}"))).unwrap();
    }
    let sum = aggregator.finish();
    let path = PathBuf::from("share");
    let partials: Vec<_> = shares
        .iter()
        .map(|share| (path.as_path(), DecryptionShare::decrypt(share, &sum, &mut seeder).unwrap()))
        .collect();
    let average = combine(&sum, &partials, None, ShareCheck::CrossChecked).unwrap();
    assert_eq!(average.weights, model.weights);
    assert_eq!(average.training_samples, 3 * model.training_samples);
}

#[test]
fn honest_members_agree_on_one_key_that_decrypts_exactly() {
    let run = run();
    let results = run.finish(|_, _| {});
    let id = results[0].0.id();
    assert!(results
        .iter()
        .all(|(public, share, excluded)| public.id() == id && share.committee_id == id && excluded.is_empty()));
    assert_eq!(results[0].0.committee.dealers, MEMBERS);
    let shares: Vec<&KeyShare> = results.iter().take(4).map(|(_, share, _)| share).collect();
    decrypts(&results[0].0, &shares);
    // Any three members decrypt too (unchecked combination).
    let model = toy_model(3, 10);
    let mut seeder = CountingSeeder(70);
    let update = EncryptedUpdate::encrypt(&results[0].0, &model, 1, &mut seeder).unwrap();
    let path = PathBuf::from("share");
    let partials: Vec<_> = [0, 2, 4]
        .iter()
        .map(|&i| (path.as_path(), DecryptionShare::decrypt(&results[i].1, &update, &mut seeder).unwrap()))
        .collect();
    assert_eq!(combine(&update, &partials, None, ShareCheck::Unchecked).unwrap().weights, model.weights);
}

#[test]
fn a_dealer_of_an_inconsistent_piece_is_excluded_with_its_signed_piece_as_evidence() {
    let run = run();
    // Dealer 2 gives member 1 a piece other than the one it committed to, and signs it.
    let bad_key = ClientKey::from_bytes(&[2; 32]).unwrap();
    let results = run.finish(|member, pieces| {
        if member == 1 {
            let piece = pieces.iter_mut().find(|p| p.dealer == 2).unwrap();
            piece.polys[0][0] = piece.polys[0][0].wrapping_add(1);
            *piece = piece.clone().signed_by(&bad_key);
        }
    });
    for (public, _, excluded) in &results {
        assert_eq!(public.id(), results[0].0.id(), "every member computes the same key");
        assert_eq!(excluded.len(), 1);
        assert_eq!(excluded[0].dealer, 2);
        assert!(excluded[0].reason.contains("evidence"), "{}", excluded[0].reason);
    }
    assert_eq!(results[0].0.committee.dealers, MEMBERS - 1);
    let shares: Vec<&KeyShare> = results.iter().skip(1).map(|(_, share, _)| share).collect();
    decrypts(&results[0].0, &shares);
}

#[test]
fn a_complaint_against_an_honest_dealer_is_worthless() {
    // Member 1 alters a piece it received from dealer 3 and publishes it: the signature no
    // longer verifies, so it is no evidence; if it re-signs it, it is not dealer 3's signature.
    let run = run();
    let mut piece = run.pieces_for(1).into_iter().find(|p| p.dealer == 3).unwrap();
    piece.polys[0][1] ^= 1;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("forged.dkg");
    piece.save(&path).unwrap();
    assert!(Piece::load(&path, &run.session).is_err(), "a changed piece keeps no valid signature");
    piece.clone().signed_by(&run.keys[0]).save(&path).unwrap();
    let err = Piece::load(&path, &run.session).unwrap_err();
    assert!(err.to_string().contains("not signed by member 3"), "{err}");
}

#[test]
fn an_equivocating_dealer_and_a_rogue_contribution_are_excluded() {
    let mut run = run();
    // Dealer 3 signs a second, different commitment.
    let mut other = run.commitments[2].clone();
    other.contribution[0] ^= 1;
    run.commitments.push(other.signed_by(&run.keys[2]));
    // Dealer 4 reveals a contribution other than the one it committed to (a rogue key chosen
    // after seeing the others').
    let mut rogue = run.contributions[3].clone();
    rogue.b[0][0] ^= 1;
    run.contributions[3] = rogue.signed_by(&run.keys[3]);
    let results = run.finish(|_, _| {});
    let mut dealers: Vec<usize> = results[0].2.iter().map(|e| e.dealer).collect();
    dealers.sort();
    assert_eq!(dealers, vec![3, 4]);
    assert!(results.iter().all(|(public, _, _)| public.id() == results[0].0.id()));
    let shares: Vec<&KeyShare> = results.iter().take(4).map(|(_, share, _)| share).collect();
    decrypts(&results[0].0, &shares);
}

#[test]
fn messages_round_trip_and_another_session_is_refused() {
    let run = run();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.dkg");
    run.commitments[0].save(&path).unwrap();
    assert_eq!(Commitment::load(&path, &run.session).unwrap(), run.commitments[0]);
    let mut other = run.session.clone();
    other.nonce = [8; 32];
    assert!(Commitment::load(&path, &other).is_err());
    let path = dir.path().join("b.dkg");
    run.contributions[1].save(&path).unwrap();
    assert_eq!(Contribution::load(&path, &run.session).unwrap(), run.contributions[1]);
    let session_path = dir.path().join("session.json");
    run.session.save(&session_path).unwrap();
    assert_eq!(Session::load(&session_path).unwrap(), run.session);
    // A piece file is owner-only.
    let piece = &run.pieces_for(2)[0];
    let path = dir.path().join("p.dkg");
    piece.save(&path).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    }
    assert!(Piece::load(&path, &run.session).unwrap() == *piece);
}

#[test]
fn a_committee_whose_dealer_free_key_cannot_decrypt_three_clients_is_refused() {
    let keys: Vec<ClientKey> = (1..=10u8).map(|k| ClientKey::from_bytes(&[k; 32]).unwrap()).collect();
    let committee = Committee::with_packing(10, 6, 1).unwrap();
    let err = Session::new(committee, keys.iter().map(ClientKey::address).collect(), [0; 32]).unwrap_err();
    assert!(err.to_string().contains("at most 0 clients"), "{err}");
    let addresses: Vec<_> = keys.iter().take(3).map(ClientKey::address).collect();
    let twice = vec![addresses[0], addresses[0], addresses[1]];
    assert!(Session::new(Committee::with_packing(3, 2, 1).unwrap(), twice, [0; 32]).is_err());
}
