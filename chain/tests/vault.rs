//! The reward vault in revm with real proofs, against its Rust twin: nodes register their
//! datasets with data-validation proofs and submit training proofs round after round; a node
//! that resubmits another node's registration, trains on data it did not register, replays
//! last round's proof or misstates its work is slashed and removed; an update the committee
//! refuses and inactivity are slashed on evidence; rounds close only with the committee's
//! checkpoint signatures; rewards follow the decaying compute pool, the loyalty bonus and the
//! KL data score. Every stake, total, reward, claim and withdrawal equals what
//! `vsies_verifier_contract::Vault` computes from the same words, to the wei, and no call's gas
//! grows with the number of nodes. Needs Node.js and npm only to check the committed bytecode
//! (`tests/bytecode.rs`); this test deploys it.

use ark_std::rand::Rng;
use std::collections::BTreeMap;
use std::path::Path;
use vsies_chain::account::{sorted_signatures, Account};
use vsies_chain::calldata::{data_registration, training_submission, TrainingSubmission};
use vsies_chain::evm::intrinsic_gas;
use vsies_chain::vault::{
    calls, deploy_data_verifier_with_key, deploy_training_verifier_with_key, deploy_vault, LocalVault,
};
use vsies_chain::{Address, Chain, U256};
use vsies_core::{Model, QuantizedDataset, TrainingConfig};
use vsies_verifier_contract::groth16::{encode_g2, PreparedCommittedKey, PreparedKey};
use vsies_verifier_contract::solidity::EvmVerifyingKey;
use vsies_verifier_contract::vault::signatures::{checkpoint_message, refusal_message, update_message, SignatureWords};
use vsies_verifier_contract::vault::{statement::word, Committee, Verifier};
use vsies_verifier_contract::{Event, Params, RelationId, SlashReason, Vault};
use vsies_zk::relations::training::{TrainingKeys, TrainingParams, TrainingProof, TrainingProver, TrainingRelation};
use vsies_zk::{doc_dataset, DataKeys, DataRelation};

const OWNER: Address = Address::repeat_byte(0x11);
const COMMITTEE_ID: &[u8] = b"bafkreitestcommittee";

fn params() -> Params {
    Params {
        round_reward: 10u128.pow(18),
        halving_rounds: 3,
        decay_wad: 900_000_000_000_000_000,
        compute_bps: 7_000,
        invalid_slash_bps: 2_000,
        inactivity_slash_bps: 1_000,
        max_missed_rounds: 2,
        min_stake: 10u128.pow(15),
        loyalty_rounds: 2,
        loyalty_bps: 1_500,
        unbonding_rounds: 1,
    }
}

fn training_relation() -> TrainingRelation {
    let (schema, dataset) = doc_dataset();
    TrainingRelation::new(TrainingParams {
        relation: vsies_zk::relations::training::RELATION.into(),
        schema,
        rows: dataset.rows(),
        training: TrainingConfig { batch_size_log2: 1, epochs: 2, ..TrainingConfig::default() },
    })
    .unwrap()
}

/// Node `i`'s dataset: doc rows picked with repeats by a stride of its own, so the datasets
/// differ in commitment and histogram but not in row count.
fn dataset_of(i: usize) -> QuantizedDataset {
    let (_, dataset) = doc_dataset();
    let n = dataset.rows();
    let rows: Vec<usize> = (0..n).map(|k| if k + 1 == n { (2 * i) % n } else { (k * (i % 4 + 1) + i) % n }).collect();
    dataset.select_rows(&rows)
}

fn bytes(address: &Address) -> [u8; 20] {
    address.0 .0
}

/// The signatures of the first `count` members (sorted by address) of `message`.
fn signed_by(members: &[Account], count: usize, message: &[u8; 32]) -> Vec<SignatureWords> {
    sorted_signatures(&members[..count], message)
}

/// What a node does in a round.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Move {
    Skip,
    Honest,
    OthersData,
    Replay,
    Misstate,
    /// An accepted training whose update the committee then refuses.
    CorruptUpdate,
}

#[test]
fn the_vault_pays_only_proved_work_under_the_incentive_rules_exactly_as_the_rust_twin() {
    use ark_std::rand::{rngs::StdRng, SeedableRng};
    let mut rng = StdRng::seed_from_u64(7);
    let (schema, _) = doc_dataset();
    let relation = training_relation();
    let data_keys = DataKeys::setup(DataRelation::for_schema(&schema, 8, 3).unwrap(), &mut rng).unwrap();
    let train_dir = tempfile::tempdir().unwrap();
    TrainingKeys::generate(relation.clone(), &mut rng, train_dir.path()).unwrap();
    let trainer = TrainingProver::load(train_dir.path()).unwrap();

    let node_keys: Vec<Account> = (1..=8u8).map(|i| Account::from_seed(&[b'n', i])).collect();
    let nodes: Vec<Address> = node_keys.iter().map(Account::address).collect();
    let mut members: Vec<Account> = (1..=5u8).map(|i| Account::from_seed(&[b'm', i])).collect();
    members.sort_by_key(Account::address);
    let committee = Committee {
        members: members.iter().map(|member| bytes(&member.address())).collect(),
        threshold: 3,
        id: COMMITTEE_ID.to_vec(),
    };
    let mut chain = Chain::new(&[nodes.clone(), vec![OWNER]].concat());
    let initial = *relation.public_model_commitment(None).unwrap().as_bytes();
    let params = params();
    let mut gas = BTreeMap::<String, u64>::new();
    let funding = U256::from(10u128.pow(24));
    let (address, deploy_gas) = deploy_vault(&mut chain, OWNER, &params, &committee, &initial, funding).unwrap();
    gas.insert("deploy RewardVault".into(), deploy_gas);
    let vault = LocalVault { address, owner: OWNER };
    let mut twin = Vault::new(params, bytes(&OWNER), bytes(&address), &committee, initial).unwrap();

    // The owner registers both verifiers, on chain and in the twin.
    let (data_verifier, g) = deploy_data_verifier_with_key(&mut chain, OWNER, &data_keys.verifier).unwrap();
    gas.insert("deploy Groth16VerifierWithKey (data validation)".into(), g);
    let (train_verifier, g) = deploy_training_verifier_with_key(&mut chain, OWNER, &trainer.verifier).unwrap();
    gas.insert("deploy Groth16CommittedVerifierWithKey (training)".into(), g);
    let data_id = word(&data_keys.verifier.relation.params_element());
    let train_id = word(&relation.params_element());
    vault
        .send(&mut chain, OWNER, calls::set_verifier(RelationId::DataValidation, &data_id, data_verifier), U256::ZERO)
        .unwrap();
    vault
        .send(&mut chain, OWNER, calls::set_verifier(RelationId::Training, &train_id, train_verifier), U256::ZERO)
        .unwrap();
    assert!(
        vault
            .send(&mut chain, nodes[0], calls::set_verifier(RelationId::Training, &train_id, nodes[0]), U256::ZERO)
            .is_err(),
        "only the owner sets verifiers"
    );
    let plain = PreparedKey::new(&EvmVerifyingKey::from_key(&data_keys.verifier.key)).unwrap();
    twin.set_verifier(twin.owner, RelationId::DataValidation, data_id, Verifier::Plain(plain.into())).unwrap();
    let sigma = encode_g2(&trainer.verifier.commitment.as_ref().unwrap().sigma_gamma_g2);
    let committed = PreparedCommittedKey::new(&EvmVerifyingKey::from_key(&trainer.verifier.key), &sigma).unwrap();
    twin.set_verifier(twin.owner, RelationId::Training, train_id, Verifier::Committed(committed.into())).unwrap();

    let mut events: Vec<Event> = Vec::new();
    for (i, node) in nodes.iter().enumerate() {
        let stake = params.min_stake * (i as u128 + 2);
        vault.send(&mut chain, *node, calls::join(), U256::from(stake)).unwrap();
        events.push(twin.join(bytes(node), stake).unwrap());
    }

    // Registration: each node proves its own dataset for its own account. Node 8 first
    // resubmits node 1's public proof: nothing registered, slashed and removed. Node 7
    // registers in round 1, after the pool froze for that round.
    let proofs: Vec<_> = nodes
        .iter()
        .enumerate()
        .map(|(i, node)| data_keys.prover.prove_for(&dataset_of(i), bytes(node), &mut rng).unwrap())
        .collect();
    let registrations: Vec<_> = proofs.iter().map(|p| data_registration(p, Path::new("data proof")).unwrap()).collect();
    let register = |chain: &mut Chain, twin: &mut Vault, events: &mut Vec<Event>, node: usize, r: usize| {
        let receipt = vault.send(chain, nodes[node], calls::register_data(&registrations[r]), U256::ZERO).unwrap();
        let r = &registrations[r];
        let found =
            twin.register_data(bytes(&nodes[node]), &r.proof, r.params_id, r.commitment, r.rows, &r.histogram).unwrap();
        events.extend(found.clone());
        (receipt.gas, found)
    };
    let (stolen, found) = register(&mut chain, &mut twin, &mut events, 7, 0);
    gas.insert("registerData (another node's proof, slashed)".into(), stolen);
    assert!(matches!(found[..], [Event::Slashed { reason: SlashReason::InvalidProof, .. }]));
    for i in 0..6 {
        let (used, _) = register(&mut chain, &mut twin, &mut events, i, i);
        gas.insert(format!("registerData ({} histogram words)", registrations[i].histogram.len()), used);
        let owner = vault.view(&mut chain, calls::dataset(&registrations[i].commitment)).unwrap();
        assert_eq!(owner, vsies_chain::abi::address_word(nodes[i]), "registered for its sender");
    }
    assert!(vault.send(&mut chain, nodes[1], calls::register_data(&registrations[1]), U256::ZERO).is_err(), "once");

    // Rounds. Nodes 1 and 2 are honest but skip at random; nodes 3 to 6 play one adversary
    // each; node 7 joins the pool late and goes inactive; node 8 was removed at registration.
    // The vault and the twin must agree on every outcome.
    let schedule = |node: usize, round: u64, rng: &mut StdRng| -> Move {
        match (node, round) {
            (0 | 1, _) => {
                if rng.gen_range(0..4) == 0 {
                    Move::Skip
                } else {
                    Move::Honest
                }
            }
            (2, 1) => Move::Replay,
            (3, 1) => Move::OthersData,
            (4, 1) => Move::CorruptUpdate,
            (5, 2) => Move::Misstate,
            (6, 0) => Move::Skip,     // not registered yet
            (6, 2 | 3) => Move::Skip, // inactive for rounds 2 and 3: reported after round 3
            _ => Move::Honest,
        }
    };
    let mut model: Option<Model> = None;
    let mut last_round_proof: BTreeMap<usize, TrainingSubmission> = BTreeMap::new();
    let mut seen = std::collections::BTreeSet::new();
    let rounds = 5u64;
    for round in 0..rounds {
        if round == 1 {
            let (used, _) = register(&mut chain, &mut twin, &mut events, 6, 6);
            gas.insert("registerData (first of its round: freezes the pool)".into(), used);
        }
        let mut next_model = None;
        for (i, node) in nodes.iter().enumerate().take(7) {
            let choice = match schedule(i, round, &mut rng) {
                Move::Replay if !last_round_proof.contains_key(&i) => Move::Honest,
                other => other,
            };
            if !twin.is_member(&bytes(node)) || choice == Move::Skip {
                continue;
            }
            seen.insert(format!("{choice:?}"));
            let honest = |rng: &mut StdRng, data: &QuantizedDataset| -> (TrainingProof, Model) {
                let proved = trainer.prove_training(data, model.as_ref(), round, bytes(node), rng).unwrap();
                (proved.proof, proved.model)
            };
            let submission = match choice {
                Move::Skip => unreachable!(),
                Move::Honest | Move::CorruptUpdate => {
                    let (proof, trained) = honest(&mut rng, &dataset_of(i));
                    if choice == Move::Honest {
                        next_model.get_or_insert(trained);
                    }
                    training_submission(&proof, Path::new("p")).unwrap()
                }
                // A valid proof of training on the next node's (registered) data.
                Move::OthersData => {
                    training_submission(&honest(&mut rng, &dataset_of(i + 1)).0, Path::new("p")).unwrap()
                }
                Move::Replay => last_round_proof[&i].clone(),
                Move::Misstate => {
                    let mut s = training_submission(&honest(&mut rng, &dataset_of(i)).0, Path::new("p")).unwrap();
                    s.claim.compute += 1;
                    s
                }
            };
            let histogram = &registrations[i].histogram;
            let receipt = vault
                .send(&mut chain, *node, calls::submit(round, &submission, histogram), U256::ZERO)
                .expect("bad submissions slash, never revert");
            let found = twin.submit(bytes(node), round, &submission.proof, &submission.claim, histogram).unwrap();
            let accepted = matches!(found[..], [Event::Submitted { .. }]);
            let expected = matches!(choice, Move::Honest | Move::CorruptUpdate);
            assert_eq!(accepted, expected, "round {round}, node {i}: {choice:?} -> {found:?}");
            if let (Move::OthersData, [Event::Slashed { reason, .. }]) = (choice, &found[..]) {
                assert_eq!(*reason, SlashReason::UnregisteredData);
            }
            let what = if accepted {
                let first = round == 0 || i == 6 && round == 1;
                format!("submit (valid training proof, {} score)", if first { "first" } else { "cached" })
            } else {
                format!("submit ({choice:?}, slashed)")
            };
            gas.insert(what, receipt.gas);
            events.extend(found);
            if accepted {
                last_round_proof.insert(i, submission.clone());
                assert!(
                    vault.send(&mut chain, *node, calls::submit(round, &submission, histogram), U256::ZERO).is_err(),
                    "once per round"
                );
            }
            if choice == Move::CorruptUpdate {
                // The committee refuses its update: the node's signature shows it sent the
                // ciphertext, three members sign the refusal; two do not suffice.
                let ciphertext = [0xc0 | i as u8; 32];
                let sent = node_keys[i].sign(&update_message(COMMITTEE_ID, round, &ciphertext));
                let refusal = refusal_message(&bytes(&address), round, &bytes(node), &ciphertext);
                let (two, three) = (signed_by(&members, 2, &refusal), signed_by(&members, 3, &refusal));
                let data = calls::slash_refused_update(*node, &ciphertext, &sent, &two);
                assert!(vault.send(&mut chain, OWNER, data, U256::ZERO).is_err(), "two refusals of three");
                let data = calls::slash_refused_update(*node, &ciphertext, &sent, &three);
                let receipt = vault.send(&mut chain, OWNER, data, U256::ZERO).unwrap();
                gas.insert("slashRefusedUpdate (3 members)".into(), receipt.gas);
                events.push(twin.slash_refused_update(bytes(node), ciphertext, &sent, &three).unwrap());
            }
        }
        let (weight, score) = twin.totals(round);
        let found = vault.view_words(&mut chain, calls::totals(round), 2).unwrap();
        assert_eq!(found, [U256::from(weight), U256::from(score)], "round {round}'s totals");
        // The committee's checkpoint: the first honest training's model, public (blinding 0).
        if let Some(trained) = next_model {
            model = Some(trained);
        }
        let next = *relation.public_model_commitment(model.as_ref()).unwrap().as_bytes();
        let digest = [round as u8 + 1; 32];
        let message = checkpoint_message(&bytes(&address), round, &next, &digest);
        let short = calls::close_round(&next, &digest, &signed_by(&members, 2, &message));
        assert!(vault.send(&mut chain, nodes[0], short, U256::ZERO).is_err(), "two signatures of three");
        let signatures = signed_by(&members, 3, &message);
        let data = calls::close_round(&next, &digest, &signatures);
        let receipt = vault.send(&mut chain, nodes[0], data.clone(), U256::ZERO).unwrap();
        gas.insert("closeRound (3 member signatures)".into(), receipt.gas);
        events.push(twin.close_round(next, digest, &signatures).unwrap());
        // Anyone reports inactivity; the vault and the twin agree on who is reportable.
        for node in &nodes {
            let result = vault.send(&mut chain, OWNER, calls::report_inactive(*node), U256::ZERO);
            match twin.report_inactive(bytes(node)) {
                Ok(event) => {
                    gas.insert("reportInactive".into(), result.expect("the contract slashes too").gas);
                    events.push(event);
                }
                Err(err) => assert!(result.is_err(), "the contract slashes what the twin refuses ({err:?})"),
            }
        }
        for node in &nodes {
            let stake = vault.view(&mut chain, calls::stake_of(*node)).unwrap();
            assert_eq!(stake, U256::from(twin.stake(&bytes(node)).unwrap()), "stake after round {round}");
        }
        if round == 3 {
            // Node 1 leaves: its last round (3) stays claimable, the stake unbonds for a round.
            vault.send(&mut chain, nodes[0], calls::exit(), U256::ZERO).unwrap();
            events.push(twin.exit(bytes(&nodes[0])).unwrap());
        }
    }
    for adversary in ["Replay", "OthersData", "Misstate", "CorruptUpdate", "Honest"] {
        assert!(seen.contains(adversary), "{adversary} was played: {seen:?}");
    }
    assert_eq!(vault.view(&mut chain, calls::slashed()).unwrap(), U256::from(twin.slashed));

    // Claims: the twin's amounts, to the wei; once; nothing for nothing; withdrawals after
    // unbonding for every node whose membership ended.
    let mut paid = 0;
    for round in 0..rounds {
        for node in &nodes {
            let expected = twin.reward(&bytes(node), round);
            assert_eq!(vault.view(&mut chain, calls::reward(*node, round)).unwrap(), U256::from(expected));
            let before = chain.balance(*node);
            let result = vault.send(&mut chain, *node, calls::claim(round), U256::ZERO);
            match twin.claim(bytes(node), round) {
                Ok(_) => {
                    gas.insert("claim".into(), result.expect("the claim succeeds").gas);
                    assert_eq!(chain.balance(*node) - before, U256::from(expected));
                    paid += 1;
                    assert!(vault.send(&mut chain, *node, calls::claim(round), U256::ZERO).is_err(), "a double claim");
                }
                Err(err) => assert!(result.is_err(), "the contract pays what the twin refuses ({err:?})"),
            }
        }
    }
    assert!(paid > 0, "some rewards were paid");
    assert!(vault.send(&mut chain, nodes[0], calls::claim(rounds), U256::ZERO).is_err(), "the open round");
    let mut withdrawn = 0;
    for node in &nodes {
        let before = chain.balance(*node);
        let result = vault.send(&mut chain, *node, calls::withdraw(), U256::ZERO);
        match twin.withdraw(bytes(node)) {
            Ok(Event::Withdrawn { amount, .. }) => {
                gas.insert("withdraw".into(), result.expect("the withdrawal succeeds").gas);
                assert_eq!(chain.balance(*node) - before, U256::from(amount));
                withdrawn += 1;
            }
            other => assert!(result.is_err(), "the contract pays what the twin refuses ({other:?})"),
        }
    }
    assert!(withdrawn >= 4, "the exited node and the slashed ones withdraw");
    for reason in
        [SlashReason::InvalidProof, SlashReason::UnregisteredData, SlashReason::Inactivity, SlashReason::RefusedUpdate]
    {
        assert!(
            events.iter().any(|e| matches!(e, Event::Slashed { reason: r, .. } if *r == reason)),
            "{reason:?} happened"
        );
    }
    let loyal =
        events.iter().any(|e| matches!(e, Event::Submitted { weight, .. } if weight % 11_500 == 0 && *weight > 0));
    assert!(loyal, "a loyalty bonus was earned");

    // No call's gas grows with the nodes: closing round 0 of a fresh vault costs the same
    // execution gas with no node as with 1,000 (the decay's squarings grow with the round's
    // bits, not with the nodes).
    let crowd: Vec<Address> =
        (0..1_000u32).map(|i| Address::left_padding_from(&(0x1_0000 + i).to_be_bytes())).collect();
    let mut close_fresh = |joined: &[Address]| -> u64 {
        let (fresh, _) = deploy_vault(&mut chain, OWNER, &params, &committee, &initial, funding).unwrap();
        let fresh = LocalVault { address: fresh, owner: OWNER };
        for node in joined {
            chain.fund(*node, U256::from(10u128.pow(18)));
            fresh.send(&mut chain, *node, calls::join(), U256::from(params.min_stake)).unwrap();
        }
        let next = [1; 32];
        let message = checkpoint_message(&bytes(&fresh.address), 0, &next, &[9; 32]);
        let data = calls::close_round(&next, &[9; 32], &signed_by(&members, 3, &message));
        let receipt = fresh.send(&mut chain, OWNER, data.clone(), U256::ZERO).unwrap();
        receipt.gas - intrinsic_gas(&data)
    };
    // The signatures' bytes move the cost by a few dozen gas between vaults; a loop over the
    // nodes would add at least 2,100 gas (one cold read) per node.
    let (empty, crowded) = (close_fresh(&[]), close_fresh(&crowd));
    assert!(empty.abs_diff(crowded) < 100, "closeRound's execution gas: {empty} with 0 nodes, {crowded} with 1,000");
    println!("gas: closeRound of round 0, execution: {empty} with no node joined, {crowded} with 1,000");
    for (what, used) in gas {
        println!("gas: {what}: {used}");
    }
}
