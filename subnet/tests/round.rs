//! Two rounds of a simulated subnet of eight nodes, one adversary of each kind: every
//! adversary is caught by a proof or the vault's rules and slashed, the honest nodes are paid,
//! and each round's global model is plaintext FedAvg of the accepted nodes' models, bit for
//! bit. (The README's main job runs 8 nodes x 4 rounds on the bundled data.)

use vsies_core::FixedFormat;
use vsies_subnet::{run, AdversaryKind, Quiet, SubnetConfig};

#[test]
fn every_adversary_is_caught_and_slashed_and_the_honest_nodes_are_paid() {
    let (schema, dataset) = vsies_zk::synthetic_dataset(88, 3, FixedFormat::FEATURES, 5);
    let mut config = SubnetConfig::new(8, 2, 3, 2);
    config.seed = 11;
    config.vault.max_missed_rounds = 1;
    config.training.epochs = 1;
    for (node, kind) in [
        (4, AdversaryKind::WrongData),
        (5, AdversaryKind::CorruptUpdate),
        (6, AdversaryKind::Replay),
        (7, AdversaryKind::Inactive),
        (8, AdversaryKind::InvalidProof),
    ] {
        config.adversaries.insert(node, kind);
    }
    let out = tempfile::tempdir().unwrap();
    let report = run(&config, &schema, &dataset, out.path(), &Quiet).unwrap();
    let status = |round: usize, node: usize| report.rounds[round].nodes[node - 1].status.clone();
    let paid = |round: usize, node: usize| report.rounds[round].nodes[node - 1].reward != "0";
    let slashed = |round: usize, node: usize| report.rounds[round].nodes[node - 1].slashed != "0";
    for node in 1..=3 {
        for round in 0..2 {
            assert_eq!(status(round, node), "accepted", "honest node {node}, round {round}");
            assert!(paid(round, node), "honest node {node} is paid in round {round}");
        }
    }
    assert_eq!(status(0, 4), "slashed: training on unregistered data");
    assert!(status(0, 5).starts_with("refused:"), "{}", status(0, 5));
    assert!(slashed(0, 5) && !paid(0, 5), "a refused update forfeits the round");
    assert_eq!(status(0, 6), "accepted", "a replayer is honest in its first round");
    assert_eq!(status(1, 6), "slashed: invalid proof", "last round's proof does not verify now");
    assert_eq!(status(0, 7), "accepted");
    assert_eq!(status(1, 7), "slashed: inactivity", "K = 1 missed round");
    assert_eq!(status(0, 8), "slashed: invalid proof");
    for node in [4, 5, 8] {
        assert_eq!(status(1, node), "removed", "a slashed node takes no further part");
    }
    for round in &report.rounds {
        assert!(round.equals_plaintext_fedavg, "round {}", round.round);
        assert!(round.aggregated.len() >= 3 && !round.aggregated.contains(&5));
        assert_eq!(round.decrypting_members.len(), 3, "T + 1 members cross-check every key piece");
    }
    assert_eq!(report.rounds[0].aggregated, [1, 2, 3, 6, 7]);
    assert_eq!(report.rounds[1].aggregated, [1, 2, 3]);
    // The store holds every object as a CAR file named by its root CID.
    let index: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(out.path().join("store/index.json")).unwrap()).unwrap();
    for entry in &index {
        let cid = entry["cid"].as_str().unwrap();
        assert!(out.path().join(format!("store/{cid}.car")).exists(), "{cid}");
    }
    let models = index.iter().filter(|entry| entry["kind"] == "model").count();
    assert_eq!(models, 3, "the registration epoch's model and two rounds'");
    assert!(report.svg().unwrap().starts_with("<svg"));
    // Every transaction's gas is in the report: a checkpoint for the registration epoch and
    // each round, a submit for each live node's work.
    let calls = |call: &str| report.transactions.iter().filter(|t| t.call == call).count();
    assert_eq!(calls("closeRound"), 3);
    assert_eq!(calls("registerData"), 8);
    assert_eq!(calls("submit"), 8 + 3 + 1, "round 1: all eight; round 2: nodes 1-3 and the replayer");
    assert_eq!(calls("slashRefusedUpdate") + calls("reportInactive"), 2);
    assert!(report.transactions.iter().all(|t| t.gas > 21_000));
}
