//! The key generation among five members (threshold 3): honest runs give one key that
//! decrypts aggregates exactly; a dealer that deals an inconsistent piece, equivocates, or
//! reveals a contribution it did not commit to is excluded with evidence, and the others'
//! key still works; messages of another session or signer are refused. In a proved session
//! (three members), every contribution carries a proof: a dealer whose proof is missing, is
//! for other keys or another dealer, or does not sum the pieces it dealt is excluded.

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
    verifier: Option<&'static ContributionVerifier>,
}

fn run() -> Run {
    let keys = keys();
    let session = session(&keys);
    let dealings: Vec<Dealing> =
        (1..=MEMBERS).map(|d| Dealing::new(&session, d, &[d as u8 + 40; 32]).unwrap()).collect();
    let commitments = dealings.iter().zip(&keys).map(|(d, k)| d.commitment(k)).collect();
    let contributions = dealings.iter().zip(&keys).map(|(d, k)| d.contribution(k)).collect();
    Run { session, keys, dealings, commitments, contributions, verifier: None }
}

impl Run {
    fn members(&self) -> usize {
        self.session.committee.members
    }

    fn pieces_for(&self, member: usize) -> Vec<Piece> {
        self.dealings.iter().zip(&self.keys).flat_map(|(d, k)| d.pieces_for(member, k)).collect()
    }

    /// Every member's checks, then every member's key, with `tamper` applied to the pieces
    /// each member receives.
    fn finish(&self, tamper: impl Fn(usize, &mut Vec<Piece>)) -> Vec<(PublicKey, KeyShare, Vec<Exclusion>)> {
        let (commitments, _) = index_commitments(&self.session, self.commitments.clone());
        let mut checked = Vec::new();
        for member in 1..=self.members() {
            let mut received = self.pieces_for(member);
            tamper(member, &mut received);
            checked.push(check_pieces(&self.session, member, &commitments, &self.contributions, received).unwrap());
        }
        let complaints: Vec<Piece> = checked.iter().flat_map(|c| c.complaints.clone()).collect();
        checked
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let board = Board { contributions: &self.contributions, complaints: &complaints, ..Board::default() };
                finish(&self.session, i + 1, &commitments, board, &c.pieces, self.verifier).unwrap()
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
fn a_withheld_piece_is_complained_about_and_its_dealer_answers_or_is_excluded() {
    // Dealer 4 sends member 1 nothing. Member 1 finds the gap and publishes a signed complaint.
    let run = run();
    let (commitments, _) = index_commitments(&run.session, run.commitments.clone());
    let mut checked = Vec::new();
    for member in 1..=MEMBERS {
        let mut received = run.pieces_for(member);
        if member == 1 {
            received.retain(|p| p.dealer != 4);
        }
        checked.push(check_pieces(&run.session, member, &commitments, &run.contributions, received).unwrap());
    }
    let gaps = missing_pieces(&run.session, 1, &commitments, &checked[0].pieces);
    assert!(!gaps.is_empty() && gaps.iter().all(|(dealer, _)| *dealer == 4), "{gaps:?}");
    assert!((2..=MEMBERS).all(|m| missing_pieces(&run.session, m, &commitments, &checked[m - 1].pieces).is_empty()));
    let missing: Vec<MissingPiece> =
        gaps.iter().map(|&(dealer, set)| MissingPiece::new(&run.session, 1, dealer, set, &run.keys[0])).collect();
    // The complaint survives its file; one about a set the member does not hold is refused.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing.dkg");
    missing[0].save(&path).unwrap();
    assert_eq!(MissingPiece::load(&path, &run.session).unwrap(), missing[0]);
    let other_set = run.session.committee.piece_sets().into_iter().find(|set| set & 1 == 0).unwrap();
    MissingPiece::new(&run.session, 1, 4, other_set, &run.keys[0]).save(&path).unwrap();
    assert!(MissingPiece::load(&path, &run.session).unwrap_err().to_string().contains("do not fit"));
    let finish_all = |answers: &[Piece]| -> Vec<(PublicKey, KeyShare, Vec<Exclusion>)> {
        let board = Board { contributions: &run.contributions, missing: &missing, answers, ..Board::default() };
        (1..=MEMBERS)
            .map(|m| finish(&run.session, m, &commitments, board, &checked[m - 1].pieces, None).unwrap())
            .collect()
    };
    // Dealer 4 answers: its pieces go on the board, member 1 uses them, nobody is excluded.
    let answers: Vec<Piece> = missing.iter().map(|c| run.dealings[3].answer(c, &run.keys[3]).unwrap()).collect();
    assert!(run.dealings[2].answer(&missing[0], &run.keys[2]).is_none(), "only the accused dealer answers");
    let results = finish_all(&answers);
    assert!(excluded_dealers(&results).is_empty());
    let shares: Vec<&KeyShare> = results.iter().take(4).map(|(_, share, _)| share).collect();
    decrypts(&results[0].0, &shares);
    // Dealer 4 does not answer (or answers with another piece): every member excludes it.
    let mut wrong = answers.clone();
    wrong[0].polys[0][0] ^= 1;
    wrong[0] = wrong[0].clone().signed_by(&run.keys[3]);
    for answers in [&[][..], &wrong[..1]] {
        let results = finish_all(answers);
        let excluded = excluded_dealers(&results);
        assert_eq!(excluded.len(), 1, "{excluded:?}");
        assert_eq!(excluded[0].0, 4);
        assert!(excluded[0].1.contains("did not answer member 1"), "{}", excluded[0].1);
    }
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

/// Keys of the key-contribution relation for 3/2 committees of packing 1, made once.
fn proof_keys() -> &'static (tempfile::TempDir, ContributionProver) {
    static KEYS: std::sync::OnceLock<(tempfile::TempDir, ContributionProver)> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let relation = contribution_relation(&Committee::with_packing(3, 2, 1).unwrap()).unwrap();
        let mut rng = ark_std::rand::rngs::StdRng::seed_from_u64(1);
        vsies_zk::groth16::Keys::generate(relation, &mut rng, dir.path()).unwrap();
        let prover = ContributionProver::load(dir.path()).unwrap();
        (dir, prover)
    })
}

use ark_std::rand::SeedableRng;

/// A proved 3/2 session's run: every dealer proves its contribution; `dealt` may change a
/// dealer's dealing after it proved (what it then commits to and deals).
fn proved_run(dealt: impl Fn(usize, &mut Dealing)) -> Run {
    let keys: Vec<ClientKey> = (1..=3u8).map(|k| ClientKey::from_bytes(&[k + 20; 32]).unwrap()).collect();
    let prover = &proof_keys().1;
    let committee = Committee::with_packing(3, 2, 1).unwrap();
    let session = Session::new(committee, keys.iter().map(ClientKey::address).collect(), [6; 32])
        .unwrap()
        .with_proof_key(prover.verifying_key_id());
    let mut rng = ark_std::rand::rngs::StdRng::seed_from_u64(2);
    let mut dealings = Vec::new();
    let mut commitments = Vec::new();
    let mut contributions = Vec::new();
    for (d, key) in (1..=3).zip(&keys) {
        let honest = Dealing::new(&session, d, &[d as u8 + 60; 32]).unwrap();
        let mut dealing = Dealing::new(&session, d, &[d as u8 + 60; 32]).unwrap();
        dealt(d, &mut dealing);
        let commitment = dealing.commitment(key);
        contributions.push(honest.prove_for(&session, &commitment, key, prover, &mut rng).unwrap());
        commitments.push(commitment);
        dealings.push(dealing);
    }
    Run { session, keys, dealings, commitments, contributions, verifier: Some(&prover.verifier) }
}

fn excluded_dealers(results: &[(PublicKey, KeyShare, Vec<Exclusion>)]) -> Vec<(usize, String)> {
    assert!(results.iter().all(|(public, _, _)| public.id() == results[0].0.id()), "one key for all");
    results[0].2.iter().map(|e| (e.dealer, e.reason.clone())).collect()
}

#[test]
fn a_proved_session_checks_every_contribution_and_its_key_decrypts() {
    let run = proved_run(|_, _| {});
    let results = run.finish(|_, _| {});
    assert!(excluded_dealers(&results).is_empty());
    assert_eq!(results[0].0.committee.dealers, 3);
    let shares: Vec<&KeyShare> = results.iter().map(|(_, share, _)| share).collect();
    decrypts(&results[0].0, &shares);
    // The proof survives its file; the session names its key.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("b.dkg");
    run.contributions[0].save(&path).unwrap();
    assert_eq!(Contribution::load(&path, &run.session).unwrap(), run.contributions[0]);
    run.session.save(&dir.path().join("session.json")).unwrap();
    assert_eq!(Session::load(&dir.path().join("session.json")).unwrap(), run.session);
    // Finishing a proved session needs its keys.
    let (commitments, _) = index_commitments(&run.session, run.commitments.clone());
    let board = Board { contributions: &run.contributions, ..Board::default() };
    let err = finish(&run.session, 1, &commitments, board, &[], None).err().unwrap();
    assert!(err.to_string().contains("key-contribution keys"), "{err}");
}

#[test]
fn a_dealer_who_deals_pieces_its_proof_does_not_sum_is_excluded_with_evidence() {
    // Dealer 2 proves its honest dealing, but commits to and deals a first piece that is off
    // by one: the piece matches its commitment, not its proof.
    let run = proved_run(|dealer, dealing| {
        if dealer == 2 {
            let (_, _, polys) = &mut dealing.pieces[0];
            polys[0][5] = polys[0][5].wrapping_add(1);
        }
    });
    let results = run.finish(|_, _| {});
    let excluded = excluded_dealers(&results);
    assert_eq!(excluded.len(), 1, "{excluded:?}");
    assert_eq!(excluded[0].0, 2);
    assert!(excluded[0].1.contains("its proof does not sum"), "{}", excluded[0].1);
    let shares: Vec<&KeyShare> = results.iter().map(|(_, share, _)| share).collect();
    decrypts(&results[0].0, &shares);
}

#[test]
fn a_contribution_without_its_proof_or_with_anothers_is_excluded() {
    let mut run = proved_run(|_, _| {});
    // Dealer 1 sends no proof; dealer 3 borrows dealer 2's proof (re-signed by itself).
    let mut bare = run.contributions[0].clone();
    bare.proof = None;
    run.contributions[0] = bare.signed_by(&run.keys[0]);
    let mut borrowed = run.contributions[2].clone();
    borrowed.proof = run.contributions[1].proof.clone();
    run.contributions[2] = borrowed.signed_by(&run.keys[2]);
    let results = run.finish(|_, _| {});
    let excluded = excluded_dealers(&results);
    assert_eq!(excluded.iter().map(|(d, _)| *d).collect::<Vec<_>>(), vec![1, 3], "{excluded:?}");
    assert!(excluded[0].1.contains("carries no proof"), "{}", excluded[0].1);
    assert!(excluded[1].1.contains("fails"), "{}", excluded[1].1);
    assert_eq!(results[0].0.committee.dealers, 1);
}

#[test]
fn proofs_for_other_keys_are_refused() {
    let run = proved_run(|_, _| {});
    let (commitments, _) = index_commitments(&run.session, run.commitments.clone());
    // The session names one verifying key; a member given others refuses to finish.
    let other = Session { proof_key: Some(vsies_core::ContentId::from_digest([1; 32])), ..run.session.clone() };
    let board = Board { contributions: &run.contributions, ..Board::default() };
    let err = finish(&other, 1, &commitments, board, &[], run.verifier).err().unwrap();
    assert!(err.to_string().contains("the keys given are"), "{err}");
    // A dealer of a session without proofs, or of other keys, cannot prove with these keys.
    let unproved = Session { proof_key: None, ..run.session.clone() };
    let dealing = Dealing::new(&unproved, 1, &[1; 32]).unwrap();
    let mut rng = ark_std::rand::rngs::StdRng::seed_from_u64(3);
    let err = dealing.proved_contribution(&unproved, &run.keys[0], &proof_keys().1, &mut rng).err().unwrap();
    assert!(err.to_string().contains("proof key is none"), "{err}");
}

#[test]
fn a_dealer_that_signs_two_contributions_is_excluded_for_equivocation() {
    // The same b with a second proof whose piece hashes differ: members could otherwise check
    // pieces against different proofs.
    let mut run = proved_run(|_, _| {});
    let mut second = run.contributions[1].clone();
    second.proof.as_mut().unwrap().piece_hashes[0] += ark_bn254::Fr::from(1u64);
    run.contributions.push(second.signed_by(&run.keys[1]));
    let results = run.finish(|_, _| {});
    let excluded = excluded_dealers(&results);
    assert_eq!(excluded.len(), 1, "{excluded:?}");
    assert_eq!(excluded[0].0, 2);
    assert!(excluded[0].1.contains("two different contributions"), "{}", excluded[0].1);
}
