//! The reward vault in revm with real proofs, against its Rust twin: nodes register their
//! datasets with data-validation proofs and submit training proofs round after round; a node
//! that resubmits another node's registration, trains on data it did not register, replays
//! last round's proof, or misstates its work is rejected and slashed; every stake, the slashed
//! total, every reward and every claim equal what `vsies_verifier_contract::Vault` computes
//! from the same words, to the wei. Needs Node.js and npm (`scripts/solc.sh`).

use ark_std::rand::Rng;
use std::collections::BTreeMap;
use std::path::Path;
use vsies_chain::calldata::{data_registration, training_submission, TrainingSubmission};
use vsies_chain::vault::{calls, deploy_data_verifier, deploy_training_verifier, deploy_vault, LocalVault};
use vsies_chain::{Address, Chain, U256};
use vsies_core::{Model, QuantizedDataset, TrainingConfig};
use vsies_verifier_contract::groth16::{encode_g2, PreparedCommittedKey, PreparedKey};
use vsies_verifier_contract::solidity::EvmVerifyingKey;
use vsies_verifier_contract::vault::{statement::word, Verifier};
use vsies_verifier_contract::{Event, Params, RelationId, SlashReason, Vault};
use vsies_zk::relations::training::{TrainingKeys, TrainingParams, TrainingProof, TrainingProver, TrainingRelation};
use vsies_zk::{doc_dataset, DataKeys, DataRelation};

const OWNER: Address = Address::repeat_byte(0x11);

fn params() -> Params {
    Params {
        round_reward: 10u128.pow(18),
        halving_rounds: 2,
        compute_bps: 7_000,
        invalid_slash_bps: 2_000,
        inactivity_slash_bps: 1_000,
        max_missed_rounds: 2,
        min_stake: 10u128.pow(15),
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

/// Node `i`'s dataset: the doc rows in its own order (so its own commitment).
fn dataset_of(i: usize) -> QuantizedDataset {
    let (_, dataset) = doc_dataset();
    let rows: Vec<usize> = (0..dataset.rows()).map(|k| (k * (i + 1) + i) % dataset.rows()).collect();
    dataset.select_rows(&rows)
}

fn node_bytes(address: &Address) -> [u8; 20] {
    address.0 .0
}

/// What a node does in a round.
#[derive(Clone, Copy, Debug)]
enum Move {
    Skip,
    Honest,
    OthersData,
    Replay,
    Misstate,
}

#[test]
fn the_vault_pays_only_proved_training_on_registered_data_exactly_as_the_rust_twin() {
    use ark_std::rand::{rngs::StdRng, SeedableRng};
    let mut rng = StdRng::seed_from_u64(7);
    let (schema, _) = doc_dataset();
    let relation = training_relation();
    let data_keys = DataKeys::setup(DataRelation::for_schema(&schema, 8, 3).unwrap(), &mut rng).unwrap();
    let train_dir = tempfile::tempdir().unwrap();
    TrainingKeys::generate(relation.clone(), &mut rng, train_dir.path()).unwrap();
    let trainer = TrainingProver::load(train_dir.path()).unwrap();

    let nodes: Vec<Address> = (1..=4u8).map(|i| Address::repeat_byte(0x20 + i)).collect();
    let mut chain = Chain::new(&[nodes.clone(), vec![OWNER]].concat());
    let initial = *relation.public_model_commitment(None).unwrap().as_bytes();
    let params = params();
    let mut gas = BTreeMap::<String, u64>::new();
    let (address, deploy_gas) = deploy_vault(&mut chain, OWNER, &params, &initial, U256::from(10u128.pow(24))).unwrap();
    gas.insert("deploy RewardVault".into(), deploy_gas);
    let vault = LocalVault { address, owner: OWNER };
    let mut twin = Vault::new(params, node_bytes(&OWNER), initial).unwrap();

    // The owner registers both verifiers, on chain and in the twin.
    let (data_verifier, g) = deploy_data_verifier(&mut chain, OWNER, &data_keys.verifier).unwrap();
    gas.insert("deploy Groth16Verifier (data validation)".into(), g);
    let (train_verifier, g) = deploy_training_verifier(&mut chain, OWNER, &trainer.verifier).unwrap();
    gas.insert("deploy Groth16CommittedVerifier (training)".into(), g);
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
        events.push(twin.join(node_bytes(node), stake).unwrap());
    }

    // Registration: each node proves its own dataset for its own account. Node 4 first
    // resubmits node 1's public proof: nothing registered, slashed.
    let proofs: Vec<_> = nodes
        .iter()
        .enumerate()
        .map(|(i, node)| data_keys.prover.prove_for(&dataset_of(i), node_bytes(node), &mut rng).unwrap())
        .collect();
    let registrations: Vec<_> = proofs.iter().map(|p| data_registration(p, Path::new("data proof")).unwrap()).collect();
    let stolen = vault.send(&mut chain, nodes[3], calls::register_data(&registrations[0]), U256::ZERO).unwrap();
    gas.insert("registerData (another node's proof, slashed)".into(), stolen.gas);
    let r = &registrations[0];
    let twin_events =
        twin.register_data(node_bytes(&nodes[3]), &r.proof, r.params_id, r.commitment, r.rows, &r.histogram).unwrap();
    assert!(matches!(twin_events[..], [Event::Slashed { reason: SlashReason::InvalidProof, .. }]));
    for (node, r) in nodes.iter().zip(&registrations) {
        let receipt = vault.send(&mut chain, *node, calls::register_data(r), U256::ZERO).unwrap();
        gas.insert(format!("registerData ({} histogram words)", r.histogram.len()), receipt.gas);
        events.extend(
            twin.register_data(node_bytes(node), &r.proof, r.params_id, r.commitment, r.rows, &r.histogram).unwrap(),
        );
        let owner = vault.view(&mut chain, calls::dataset(&r.commitment)).unwrap();
        assert_eq!(owner, vsies_chain::abi::address_word(*node), "registered for its sender");
    }
    assert!(vault.send(&mut chain, nodes[1], calls::register_data(&registrations[1]), U256::ZERO).is_err(), "once");

    // Rounds: every node picks a move; the vault and the twin must agree on everything.
    let mut model: Option<Model> = None;
    let mut last_round_proof: BTreeMap<usize, TrainingSubmission> = BTreeMap::new();
    let moves = [Move::Honest, Move::OthersData, Move::Replay, Move::Misstate, Move::Skip];
    let mut seen_moves = std::collections::BTreeSet::new();
    let rounds = 4u64;
    for round in 0..rounds {
        let mut next_model = None;
        for (i, node) in nodes.iter().enumerate() {
            // Round 0 has nothing to replay; the schedule makes sure every move happens.
            let mut choice = moves[(i + round as usize + rng.gen_range(0..2)) % moves.len()];
            if matches!(choice, Move::Replay) && !last_round_proof.contains_key(&i) {
                choice = Move::Honest;
            }
            seen_moves.insert(format!("{choice:?}"));
            let honest = |rng: &mut StdRng, data: &QuantizedDataset| -> (TrainingProof, Model) {
                let proved = trainer.prove_training(data, model.as_ref(), round, node_bytes(node), rng).unwrap();
                (proved.proof, proved.model)
            };
            let submission = match choice {
                Move::Skip => continue,
                Move::Honest => {
                    let (proof, trained) = honest(&mut rng, &dataset_of(i));
                    next_model.get_or_insert(trained);
                    training_submission(&proof, Path::new("p")).unwrap()
                }
                // A valid proof of training on the next node's (registered) data.
                Move::OthersData => {
                    training_submission(&honest(&mut rng, &dataset_of((i + 1) % 4)).0, Path::new("p")).unwrap()
                }
                Move::Replay => last_round_proof[&i].clone(),
                Move::Misstate => {
                    let mut s = training_submission(&honest(&mut rng, &dataset_of(i)).0, Path::new("p")).unwrap();
                    s.claim.compute += 1;
                    s
                }
            };
            let receipt = vault
                .send(&mut chain, *node, calls::submit(round, &submission), U256::ZERO)
                .expect("bad submissions slash, never revert");
            let found = twin.submit(node_bytes(node), round, &submission.proof, &submission.claim).unwrap();
            let accepted = matches!(found[..], [Event::Submitted { .. }]);
            let expected = matches!(choice, Move::Honest);
            assert_eq!(accepted, expected, "round {round}, node {i}: {choice:?} -> {found:?}");
            if let (Move::OthersData, [Event::Slashed { reason, .. }]) = (choice, &found[..]) {
                assert_eq!(*reason, SlashReason::UnregisteredData);
            }
            let what = if accepted {
                "submit (valid training proof)".to_string()
            } else {
                format!("submit ({choice:?}, slashed)")
            };
            gas.insert(what, receipt.gas);
            if accepted {
                last_round_proof.insert(i, submission.clone());
                assert!(
                    vault.send(&mut chain, *node, calls::submit(round, &submission), U256::ZERO).is_err(),
                    "once per round"
                );
            }
            events.extend(found);
        }
        // The next global model: the first accepted training's, public (blinding 0).
        if let Some(trained) = next_model {
            model = Some(trained);
        }
        let next = *relation.public_model_commitment(model.as_ref()).unwrap().as_bytes();
        let receipt = vault.send(&mut chain, OWNER, calls::close_round(&next), U256::ZERO).unwrap();
        gas.insert("closeRound (4 nodes)".into(), receipt.gas);
        events.extend(twin.close_round(twin.owner, next).unwrap());
        for node in &nodes {
            let stake = vault.view(&mut chain, calls::stake_of(*node)).unwrap();
            assert_eq!(stake, U256::from(twin.stake(&node_bytes(node)).unwrap()), "stake after round {round}");
        }
    }
    assert!(seen_moves.len() == moves.len(), "every move was played: {seen_moves:?}");
    assert_eq!(vault.view(&mut chain, calls::slashed()).unwrap(), U256::from(twin.slashed));

    // Claims: the twin's amounts, to the wei; once; nothing for nothing.
    let mut paid = 0;
    for round in 0..rounds {
        for node in &nodes {
            let expected = twin.reward(&node_bytes(node), round);
            assert_eq!(vault.view(&mut chain, calls::reward(*node, round)).unwrap(), U256::from(expected));
            let before = chain.balance(*node);
            let result = vault.send(&mut chain, *node, calls::claim(round), U256::ZERO);
            match twin.claim(node_bytes(node), round) {
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
    for reason in [SlashReason::InvalidProof, SlashReason::UnregisteredData, SlashReason::Inactivity] {
        assert!(
            events.iter().any(|e| matches!(e, Event::Slashed { reason: r, .. } if *r == reason)),
            "{reason:?} happened"
        );
    }
    for (what, used) in gas {
        println!("gas: {what}: {used}");
    }
}
