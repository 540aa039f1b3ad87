//! The vault's arithmetic, signatures and refusals. Accepted proofs need keys and provers, so
//! the flows with real proofs (registration, training submissions, replays, other data) are
//! tested against the contract in revm (`chain/tests/vault.rs`); here accepted work and
//! registrations are recorded directly and every proof is checked against keys it was not
//! made for.

use super::*;
use crate::groth16::encode_g1;
use crate::solidity::EvmVerifyingKey;
use ark_bn254::{G1Affine, G2Affine};
use ark_ec::{AffineRepr, CurveGroup};
use k256::elliptic_curve::PrimeField;

fn params() -> Params {
    Params {
        round_reward: 1_000_000_000_000_000_000,
        halving_rounds: 4,
        decay_wad: crate::fixed::WAD,
        compute_bps: 7_000,
        invalid_slash_bps: 5_000,
        inactivity_slash_bps: 1_000,
        max_missed_rounds: 2,
        min_stake: 100,
        loyalty_rounds: 3,
        loyalty_bps: 1_000,
        unbonding_rounds: 2,
    }
}

const OWNER: Address = [0xee; 20];
const VAULT: Address = [0xaa; 20];
const COMMITTEE_ID: &[u8] = b"bafkreicommittee";

fn address(i: u8) -> Address {
    [i; 20]
}

/// Committee members' signing keys, sorted by address.
fn members() -> Vec<(Address, k256::ecdsa::SigningKey)> {
    let mut keys: Vec<_> = (1..=4u8)
        .map(|i| {
            let key = k256::ecdsa::SigningKey::from_slice(&[i; 32]).unwrap();
            (address_of(&key), key)
        })
        .collect();
    keys.sort_by_key(|(address, _)| *address);
    keys
}

fn address_of(key: &k256::ecdsa::SigningKey) -> Address {
    let point = key.verifying_key().to_encoded_point(false);
    Keccak256::digest(&point.as_bytes()[1..])[12..].try_into().unwrap()
}

/// `key`'s signature of `message` as calldata words (low s, v 27 or 28).
fn sign(key: &k256::ecdsa::SigningKey, message: &[u8; 32]) -> SignatureWords {
    let (signature, recovery) = key.sign_prehash_recoverable(message).unwrap();
    let bytes = signature.to_bytes();
    let mut v = [0u8; 32];
    v[31] = 27 + recovery.to_byte();
    [bytes[..32].try_into().unwrap(), bytes[32..].try_into().unwrap(), v]
}

fn committee() -> Committee {
    Committee { members: members().iter().map(|(a, _)| *a).collect(), threshold: 3, id: COMMITTEE_ID.to_vec() }
}

fn vault_with(params: Params) -> Vault {
    Vault::new(params, OWNER, VAULT, &committee(), [0; 32]).unwrap()
}

fn vault() -> Vault {
    vault_with(params())
}

/// Members 0, 1, 2's signatures of the checkpoint closing the open round.
fn close(vault: &mut Vault, next: Word) -> Event {
    let message = checkpoint_message(&VAULT, vault.round, &next, &[7; 32]);
    let signatures: Vec<_> = members()[..3].iter().map(|(_, key)| sign(key, &message)).collect();
    vault.close_round(next, [7; 32], &signatures).unwrap()
}

fn claim(compute: u64, data: u64) -> TrainingClaim {
    TrainingClaim { params_id: [3; 32], data_commitment: [4; 32], trained: [5; 32], compute, data }
}

/// A key of valid points that no proof here was made for.
fn unrelated_key(inputs: usize) -> EvmVerifyingKey {
    let g1 = |k: u64| encode_g1(&(G1Affine::generator() * ark_bn254::Fr::from(k)).into_affine());
    let g2 = |k: u64| crate::groth16::encode_g2(&(G2Affine::generator() * ark_bn254::Fr::from(k)).into_affine());
    EvmVerifyingKey {
        alpha: g1(2),
        beta: g2(3),
        gamma: g2(5),
        delta: g2(7),
        ic: (0..=inputs as u64).map(|i| g1(11 + i)).collect(),
    }
}

fn some_proof() -> EvmProof {
    let key = unrelated_key(0);
    EvmProof { a: key.alpha, b: [[key.beta[0], key.beta[1]], [key.beta[2], key.beta[3]]], c: key.ic[0] }
}

#[test]
fn a_round_pays_seventy_percent_by_compute_weight_and_thirty_by_data_score() {
    let mut vault = vault();
    for i in 1..=3 {
        vault.join(address(i), 1_000).unwrap();
    }
    vault.accept(address(1), 0, &claim(3, 1), 0);
    vault.accept(address(2), 0, &claim(1, 10), 1);
    vault.accept(address(3), 0, &claim(0, 10), 3);
    close(&mut vault, [1; 32]);
    let pool = params().round_reward;
    let (compute, data) = (pool * 7 / 10, pool - pool * 7 / 10);
    assert_eq!(vault.reward(&address(1), 0), compute * 3 / 4);
    assert_eq!(vault.reward(&address(2), 0), compute / 4 + data / 4);
    assert_eq!(vault.reward(&address(3), 0), data * 3 / 4);
    let paid: u128 = (1..=3).map(|i| vault.reward(&address(i), 0)).sum();
    assert!(paid <= pool && pool - paid < 3, "rounding leaves at most dust");
    assert_eq!(vault.model(1), Some([1; 32]), "the next round's model is the checkpoint");
    assert_eq!(vault.model_digest(0), Some([7; 32]));
}

#[test]
fn the_compute_pool_halves_on_schedule_and_decays_every_round() {
    let p = params();
    assert_eq!(p.pool(3), p.round_reward);
    assert_eq!(p.pool(4), p.round_reward / 2);
    assert_eq!(p.pool(9), p.round_reward / 4);
    assert_eq!(Params { halving_rounds: 1, ..p }.pool(200), 0);
    assert_eq!(Params { halving_rounds: 0, ..p }.pool(200), p.round_reward);
    let decaying = Params { decay_wad: crate::fixed::WAD / 2, halving_rounds: 0, ..p };
    assert_eq!(decaying.compute_pool(0), p.round_reward * 7 / 10);
    assert_eq!(decaying.compute_pool(3), p.round_reward * 7 / 10 / 8);
    assert_eq!(decaying.data_pool(3), p.round_reward * 3 / 10, "data rewards do not decay");
    assert!(!Params { decay_wad: crate::fixed::WAD + 1, ..p }.valid());
}

#[test]
fn a_loyal_streak_earns_the_bonus_and_a_gap_resets_it() {
    let mut vault = vault();
    vault.join(address(1), 1_000).unwrap();
    vault.join(address(2), 1_000).unwrap();
    let mut weights = Vec::new();
    for round in 0..5 {
        if round != 3 {
            match vault.accept(address(1), round, &claim(10, 1), 1) {
                Event::Submitted { weight, .. } => weights.push(weight),
                other => panic!("{other:?}"),
            }
        }
        vault.accept(address(2), round, &claim(10, 1), 1);
        close(&mut vault, [0; 32]);
    }
    // Node 1: rounds 0, 1, 2 (the third in a row earns 10%), then a gap at 3, then 4.
    assert_eq!(weights, [100_000, 100_000, 110_000, 100_000]);
    assert_eq!(vault.totals(4).0, 100_000 + 110_000, "node 2's streak is 5 at round 4");
}

#[test]
fn invalid_proofs_slash_and_end_the_membership() {
    let mut vault = vault();
    for i in 1..=2 {
        vault.join(address(i), 1_000).unwrap();
    }
    let id = [7; 32];
    let key = PreparedKey::new(&unrelated_key(2)).unwrap();
    vault.set_verifier(OWNER, RelationId::DataValidation, id, Verifier::Plain(key.into())).unwrap();
    // Node 2 registers with a proof the keys reject: half its stake, nothing registered.
    let events = vault.register_data(address(2), &some_proof(), id, [9; 32], 5, &[[0; 32]]).unwrap();
    assert_eq!(events, [Event::Slashed { node: address(2), round: 0, amount: 500, reason: SlashReason::InvalidProof }]);
    assert_eq!(vault.dataset(&[9; 32]), None);
    assert_eq!(vault.stake(&address(2)), Some(500));
    assert_eq!(vault.register_data(address(2), &some_proof(), id, [9; 32], 5, &[[0; 32]]), Err(VaultError::Removed));
    assert_eq!(vault.report_inactive(address(2)), Err(VaultError::Removed), "slashed once");
    assert_eq!(vault.register_data(address(1), &some_proof(), id, [9; 32], 5, &[]), Err(VaultError::HistogramMismatch));
}

#[test]
fn inactivity_is_reported_per_node_after_k_closed_rounds() {
    let mut vault = vault();
    for i in 1..=3 {
        vault.join(address(i), 1_000).unwrap();
    }
    vault.accept(address(1), 0, &claim(1, 1), 1);
    close(&mut vault, [0; 32]);
    assert_eq!(vault.report_inactive(address(2)), Err(VaultError::NotInactive), "one missed round is allowed");
    vault.accept(address(1), 1, &claim(1, 1), 1);
    vault.accept(address(3), 1, &claim(1, 1), 1);
    close(&mut vault, [0; 32]);
    // Node 2 has now missed rounds 0 and 1 (K = 2); node 3 only round 0.
    assert_eq!(
        vault.report_inactive(address(2)),
        Ok(Event::Slashed { node: address(2), round: 2, amount: 100, reason: SlashReason::Inactivity })
    );
    assert_eq!(vault.report_inactive(address(3)), Err(VaultError::NotInactive));
    assert_eq!(vault.report_inactive(address(1)), Err(VaultError::NotInactive));
    assert_eq!(vault.report_inactive(address(9)), Err(VaultError::NotANode));
    assert_eq!(vault.slashed, 100);
    let never = vault_with(Params { max_missed_rounds: 0, ..params() });
    let mut never = never;
    never.join(address(1), 1_000).unwrap();
    for _ in 0..5 {
        close(&mut never, [0; 32]);
    }
    assert_eq!(never.report_inactive(address(1)), Err(VaultError::NotInactive), "K = 0 disables the rule");
}

#[test]
fn training_submissions_need_a_registered_dataset_and_a_verifier() {
    let mut vault = vault();
    vault.join(address(1), 1_000).unwrap();
    vault.join(address(2), 1_000).unwrap();
    let proof = EvmCommittedProof {
        proof: some_proof(),
        commitment: unrelated_key(0).ic[0],
        knowledge: unrelated_key(0).alpha,
    };
    let claim = claim(10, 1);
    assert_eq!(vault.submit(address(1), 0, &proof, &claim, &[]), Err(VaultError::UnknownVerifier));
    let g2 = unrelated_key(0).beta;
    let key = PreparedCommittedKey::new(&unrelated_key(3), &g2).unwrap();
    assert_eq!(
        vault.set_verifier(
            address(1),
            RelationId::Training,
            [3; 32],
            Verifier::Committed(PreparedCommittedKey::new(&unrelated_key(3), &g2).unwrap().into())
        ),
        Err(VaultError::NotOwner)
    );
    vault.set_verifier(OWNER, RelationId::Training, [3; 32], Verifier::Committed(key.into())).unwrap();
    // Data nobody registered: slashed for it, before any pairing.
    let events = vault.submit(address(1), 0, &proof, &claim, &[]).unwrap();
    assert!(matches!(events[..], [Event::Slashed { reason: SlashReason::UnregisteredData, amount: 500, .. }]));
    assert_eq!(vault.submit(address(1), 0, &proof, &claim, &[]), Err(VaultError::Removed));
    assert_eq!(vault.submit(address(2), 1, &proof, &claim, &[]), Err(VaultError::WrongRound { expected: 0, found: 1 }));
    assert_eq!(vault.submit(address(9), 0, &proof, &claim, &[]), Err(VaultError::NotANode));
    let huge = TrainingClaim { trained: [0xff; 32], ..claim };
    assert_eq!(vault.submit(address(2), 0, &proof, &huge, &[]), Err(VaultError::NotInField));
    assert_eq!(vault.close_round([0xff; 32], [0; 32], &[]), Err(VaultError::NotInField));
}

#[test]
fn checkpoints_need_threshold_distinct_members_in_order_for_this_round_and_vault() {
    let mut vault = vault();
    let keys = members();
    let next = [1; 32];
    let message = checkpoint_message(&VAULT, 0, &next, &[7; 32]);
    let signed: Vec<_> = keys.iter().map(|(_, key)| sign(key, &message)).collect();
    let outsider = k256::ecdsa::SigningKey::from_slice(&[9; 32]).unwrap();
    let mut high_s = signed[0];
    {
        // The malleated twin: s' = n - s, v flipped; ecrecover accepts it, the vault does not.
        let n = k256::Scalar::from_repr(k256::FieldBytes::from(high_s[1])).unwrap();
        high_s[1] = (-n).to_bytes().into();
        high_s[2][31] ^= 1;
    }
    let other_round = sign(&keys[2].1, &checkpoint_message(&VAULT, 1, &next, &[7; 32]));
    let other_vault = sign(&keys[2].1, &checkpoint_message(&[0xbb; 20], 0, &next, &[7; 32]));
    for (case, signatures) in [
        ("two of the threshold three", signed[..2].to_vec()),
        ("a duplicate", alloc::vec![signed[0], signed[1], signed[1]]),
        ("out of order", alloc::vec![signed[1], signed[0], signed[2]]),
        ("a non-member", alloc::vec![signed[0], signed[1], sign(&outsider, &message)]),
        ("a high-s twin", alloc::vec![high_s, signed[1], signed[2]]),
        ("another round's", alloc::vec![signed[0], signed[1], other_round]),
        ("another vault's", alloc::vec![signed[0], signed[1], other_vault]),
    ] {
        assert_eq!(vault.close_round(next, [7; 32], &signatures), Err(VaultError::BadSignatures), "{case}");
    }
    assert_eq!(vault.close_round(next, [8; 32], &signed[..3]), Err(VaultError::BadSignatures), "another digest");
    assert!(vault.close_round(next, [7; 32], &signed[1..]).is_ok(), "any three members, four too");
    assert_eq!(vault.round, 1);
    assert!(Vault::new(params(), OWNER, VAULT, &Committee { threshold: 5, ..committee() }, [0; 32]).is_err());
    let twice = Committee { members: alloc::vec![keys[0].0, keys[0].0], threshold: 1, id: alloc::vec![] };
    assert!(Vault::new(params(), OWNER, VAULT, &twice, [0; 32]).is_err());
}

#[test]
fn a_refused_update_needs_the_nodes_signature_and_the_committees_and_forfeits_the_round() {
    let mut vault = vault();
    let node_key = k256::ecdsa::SigningKey::from_slice(&[0x42; 32]).unwrap();
    let node = address_of(&node_key);
    vault.join(node, 1_000).unwrap();
    vault.join(address(1), 1_000).unwrap();
    vault.accept(node, 0, &claim(10, 1), 5);
    vault.accept(address(1), 0, &claim(10, 1), 5);
    let ciphertext = [0xc1; 32];
    let sent = sign(&node_key, &update_message(COMMITTEE_ID, 0, &ciphertext));
    let refusal = refusal_message(&VAULT, 0, &node, &ciphertext);
    let members = members();
    let refused: Vec<_> = members[..3].iter().map(|(_, key)| sign(key, &refusal)).collect();
    let forged = sign(&members[0].1, &update_message(COMMITTEE_ID, 0, &ciphertext));
    assert_eq!(vault.slash_refused_update(node, ciphertext, &forged, &refused), Err(VaultError::BadSignatures));
    assert_eq!(vault.slash_refused_update(node, [0xc2; 32], &sent, &refused), Err(VaultError::BadSignatures));
    assert_eq!(vault.slash_refused_update(node, ciphertext, &sent, &refused[..2]), Err(VaultError::BadSignatures));
    let event = vault.slash_refused_update(node, ciphertext, &sent, &refused).unwrap();
    assert!(matches!(event, Event::Slashed { reason: SlashReason::RefusedUpdate, amount: 500, .. }));
    assert_eq!(vault.totals(0), (100_000, 5), "the refused node's work left the round");
    close(&mut vault, [0; 32]);
    assert_eq!(vault.reward(&node, 0), 0);
    assert_eq!(vault.reward(&address(1), 0), params().round_reward, "the honest node takes both pools");
}

#[test]
fn claims_are_once_for_oneself_after_closing_and_end_with_the_membership() {
    let mut vault = vault();
    vault.join(address(1), 1_000).unwrap();
    vault.join(address(2), 1_000).unwrap();
    vault.accept(address(1), 0, &claim(1, 1), 1);
    assert_eq!(vault.claim(address(1), 0), Err(VaultError::RoundNotClosed));
    close(&mut vault, [0; 32]);
    let pool = params().round_reward;
    assert_eq!(vault.claim(address(1), 0), Ok(Event::Claimed { node: address(1), round: 0, amount: pool }));
    assert_eq!(vault.claim(address(1), 0), Err(VaultError::AlreadyClaimed));
    assert_eq!(vault.claim(address(2), 0), Err(VaultError::NothingToClaim));
    assert_eq!(vault.join(address(3), 99), Err(VaultError::StakeTooLow));
    assert_eq!(vault.join(address(1), 1_000), Err(VaultError::AlreadyJoined));
    // Node 1 works in round 1, exits in round 2 having worked: round 1 is claimable, its
    // round-2 work (recorded before the exit) is not; the stake unbonds for 2 rounds.
    vault.accept(address(1), 1, &claim(1, 1), 1);
    close(&mut vault, [0; 32]);
    vault.accept(address(1), 2, &claim(1, 1), 1);
    assert_eq!(vault.withdraw(address(1)), Err(VaultError::StillBonded), "a member cannot withdraw");
    assert_eq!(vault.exit(address(1)), Ok(Event::Exiting { node: address(1), round: 2 }));
    assert_eq!(vault.exit(address(1)), Err(VaultError::Removed));
    close(&mut vault, [0; 32]);
    assert_eq!(vault.claim(address(1), 2), Err(VaultError::NothingToClaim));
    assert!(vault.claim(address(1), 1).is_ok());
    assert_eq!(vault.withdraw(address(1)), Err(VaultError::StillBonded), "one round of two");
    close(&mut vault, [0; 32]);
    assert_eq!(vault.withdraw(address(1)), Ok(Event::Withdrawn { node: address(1), amount: 1_000 }));
    assert_eq!(vault.withdraw(address(1)), Err(VaultError::NothingToClaim));
}

#[test]
fn scores_are_against_the_pool_as_the_round_opened_without_the_nodes_own_data() {
    use crate::fixed::{kl_wad, sub_word};
    let mut vault = vault();
    for i in 1..=3 {
        vault.join(address(i), 1_000).unwrap();
    }
    let word = |counts: [u32; 7]| {
        let mut word = [0u8; 32];
        for (i, count) in counts.iter().enumerate() {
            word[28 - 4 * i..32 - 4 * i].copy_from_slice(&count.to_be_bytes());
        }
        word
    };
    let (a, b, c) = (word([5, 5, 0, 0, 3, 7, 0]), word([0, 2, 8, 0, 9, 1, 0]), word([1, 1, 1, 7, 5, 5, 0]));
    let p = [3; 32];
    vault.add_dataset(address(1), p, [11; 32], 10, &[a]);
    // Round 0: node 1's own registration is the pool's first: it is scored against nothing.
    assert_eq!(vault.score(&[11; 32], &[a]), Ok(kl_wad(&[a], &[[0; 32]])));
    assert_eq!(vault.score(&[11; 32], &[b]), Err(VaultError::HistogramMismatch));
    close(&mut vault, [0; 32]);
    vault.add_dataset(address(2), p, [12; 32], 10, &[b]);
    // Round 1 opened with {a}: b (registered now) is scored against a; a against nothing
    // else (itself removed), not against b, which joined after the round opened.
    assert_eq!(vault.score(&[12; 32], &[b]), Ok(kl_wad(&[b], &[a])));
    assert_eq!(vault.score(&[11; 32], &[a]), Ok(kl_wad(&[a], &[[0; 32]])));
    vault.add_dataset(address(3), p, [13; 32], 10, &[c]);
    close(&mut vault, [0; 32]);
    // Round 2 opened with {a, b, c}: each against the other two.
    let all = crate::fixed::add_word(&crate::fixed::add_word(&a, &b).unwrap(), &c).unwrap();
    for (commitment, own) in [([11; 32], a), ([12; 32], b), ([13; 32], c)] {
        let others = sub_word(&all, &own).unwrap();
        assert_eq!(vault.score(&commitment, &[own]), Ok(kl_wad(&[own], &[others])));
    }
}

#[test]
fn the_packed_input_is_round_and_node_at_their_bits() {
    let word = statement::packed_input(3, &[0xff; 20]);
    // 3 << 220: bits 220 and 221, i.e. byte 4 (from the top) holds 0x30 ...
    assert_eq!(word[4] & 0xf0, 0x30);
    // ... and the node's 160 ones occupy bits 60..220.
    assert_eq!(word[4] & 0x0f, 0x0f);
    assert!(word[5..24].iter().all(|&b| b == 0xff));
    assert_eq!(word[24], 0xf0);
    assert!(word[25..].iter().all(|&b| b == 0));
    assert!(word[..4].iter().all(|&b| b == 0));
}
