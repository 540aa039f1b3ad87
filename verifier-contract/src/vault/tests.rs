//! The vault's arithmetic and refusals. Accepted proofs need keys and provers, so the flows
//! with real proofs (registration, training submissions, replays, other data) are tested
//! against the contract in revm (`cli/tests/evm.rs`); here accepted work is recorded directly
//! and every proof is checked against keys it was not made for.

use super::*;
use crate::groth16::encode_g1;
use crate::solidity::EvmVerifyingKey;
use ark_bn254::{G1Affine, G2Affine};
use ark_ec::{AffineRepr, CurveGroup};

fn params() -> Params {
    Params {
        round_reward: 1_000_000_000_000_000_000,
        halving_rounds: 4,
        compute_bps: 7_000,
        invalid_slash_bps: 5_000,
        inactivity_slash_bps: 1_000,
        max_missed_rounds: 2,
        min_stake: 100,
    }
}

const OWNER: Address = [0xee; 20];

fn address(i: u8) -> Address {
    [i; 20]
}

fn vault() -> Vault {
    Vault::new(params(), OWNER, [0; 32]).unwrap()
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
fn a_round_pays_seventy_percent_by_compute_and_thirty_by_data() {
    let mut vault = vault();
    for i in 1..=3 {
        vault.join(address(i), 1_000).unwrap();
    }
    vault.record(address(1), 0, [0; 32], 3, 0);
    vault.record(address(2), 0, [0; 32], 1, 10);
    vault.record(address(3), 0, [0; 32], 0, 30);
    vault.close_round(OWNER, [1; 32]).unwrap();
    let pool = params().round_reward;
    let (compute, data) = (pool * 7 / 10, pool - pool * 7 / 10);
    assert_eq!(vault.reward(&address(1), 0), compute * 3 / 4);
    assert_eq!(vault.reward(&address(2), 0), compute / 4 + data / 4);
    assert_eq!(vault.reward(&address(3), 0), data * 3 / 4);
    let paid: u128 = (1..=3).map(|i| vault.reward(&address(i), 0)).sum();
    assert!(paid <= pool && pool - paid < 3, "rounding leaves at most dust");
    assert_eq!(vault.model(1), Some([1; 32]), "the next round's model is stored when it opens");
}

#[test]
fn the_pool_halves_on_schedule() {
    let p = params();
    assert_eq!(p.pool(3), p.round_reward);
    assert_eq!(p.pool(4), p.round_reward / 2);
    assert_eq!(p.pool(9), p.round_reward / 4);
    assert_eq!(Params { halving_rounds: 1, ..p }.pool(200), 0);
    assert_eq!(Params { halving_rounds: 0, ..p }.pool(200), p.round_reward);
}

#[test]
fn invalid_proofs_and_inactivity_are_slashed() {
    let mut vault = vault();
    for i in 1..=3 {
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
    vault.record(address(1), 0, [0; 32], 1, 1);
    let closed = vault.close_round(OWNER, [0; 32]).unwrap();
    assert!(closed.iter().all(|e| !matches!(e, Event::Slashed { .. })), "one missed round is allowed");
    vault.record(address(1), 1, [0; 32], 1, 1);
    // Nodes 2 and 3 have now missed rounds 0 and 1: K = 2.
    let slashed: Vec<(Address, u128)> = vault
        .close_round(OWNER, [0; 32])
        .unwrap()
        .into_iter()
        .filter_map(|e| match e {
            Event::Slashed { node, amount, reason: SlashReason::Inactivity, .. } => Some((node, amount)),
            _ => None,
        })
        .collect();
    assert_eq!(slashed, [(address(2), 50), (address(3), 100)]);
    assert_eq!(vault.slashed, 650);
}

#[test]
fn training_submissions_need_a_registered_dataset_and_a_verifier() {
    let mut vault = vault();
    vault.join(address(1), 1_000).unwrap();
    let proof = EvmCommittedProof {
        proof: some_proof(),
        commitment: unrelated_key(0).ic[0],
        knowledge: unrelated_key(0).alpha,
    };
    let claim = TrainingClaim { params_id: [3; 32], data_commitment: [4; 32], trained: [5; 32], compute: 10, data: 1 };
    assert_eq!(vault.submit(address(1), 0, &proof, &claim), Err(VaultError::UnknownVerifier));
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
    let events = vault.submit(address(1), 0, &proof, &claim).unwrap();
    assert!(matches!(events[..], [Event::Slashed { reason: SlashReason::UnregisteredData, amount: 500, .. }]));
    assert_eq!(vault.submit(address(1), 1, &proof, &claim), Err(VaultError::WrongRound { expected: 0, found: 1 }));
    assert_eq!(vault.submit(address(9), 0, &proof, &claim), Err(VaultError::NotANode));
    let huge = TrainingClaim { trained: [0xff; 32], ..claim };
    assert_eq!(vault.submit(address(1), 0, &proof, &huge), Err(VaultError::NotInField));
    assert_eq!(vault.close_round(address(1), [0; 32]), Err(VaultError::NotOwner));
    assert_eq!(vault.close_round(OWNER, [0xff; 32]), Err(VaultError::NotInField));
}

#[test]
fn claims_are_once_for_oneself_and_only_after_closing() {
    let mut vault = vault();
    vault.join(address(1), 1_000).unwrap();
    vault.join(address(2), 1_000).unwrap();
    vault.record(address(1), 0, [0; 32], 1, 1);
    assert_eq!(vault.claim(address(1), 0), Err(VaultError::RoundNotClosed));
    vault.close_round(OWNER, [0; 32]).unwrap();
    let pool = params().round_reward;
    assert_eq!(vault.claim(address(1), 0), Ok(Event::Claimed { node: address(1), round: 0, amount: pool }));
    assert_eq!(vault.claim(address(1), 0), Err(VaultError::AlreadyClaimed));
    assert_eq!(vault.claim(address(2), 0), Err(VaultError::NothingToClaim));
    assert_eq!(vault.join(address(3), 99), Err(VaultError::StakeTooLow));
    assert_eq!(vault.join(address(1), 1_000), Err(VaultError::AlreadyJoined));
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
