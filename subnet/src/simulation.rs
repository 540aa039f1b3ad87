//! Whole rounds of a simulated subnet, in one process through library calls: setup, staking
//! and registration, then per round local training and its proof, the vault's verdict, the
//! encrypted update with its proof, aggregation and committee decryption, the committee's
//! checkpoint on chain, inactivity reports, claims and the report.

use crate::aggregate::aggregate;
use crate::config::SubnetConfig;
use crate::error::SubnetError;
use crate::node::{Node, Work};
use crate::report::{NodeRound, Report, RoundReport};
use crate::store::Store;
use crate::task::{account, Task, OWNER};
use ark_std::rand::{rngs::StdRng, SeedableRng};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;
use tfhe::core_crypto::commons::generators::DeterministicSeeder;
use tfhe::core_crypto::commons::math::random::{DefaultRandomGenerator, Seed};
use vsies_chain::abi::{address_word, call, words};
use vsies_chain::account::{sorted_signatures, Account};
use vsies_chain::calldata::data_registration;
use vsies_chain::vault::calls;
use vsies_chain::{Address, Receipt, U256};
use vsies_core::artifact::{encode_json, ArtifactKind};
use vsies_core::fedavg::fedavg;
use vsies_core::metrics::accuracy;
use vsies_core::{train_test_split, Model, QuantizedDataset, Schema};
use vsies_secure_agg::{ClientKey, ClientRegistry, ProvedTraining};
use vsies_verifier_contract::vault::signatures::{checkpoint_message, refusal_message};
use vsies_zk::relations::training::commitment_element;

/// The first training round: round 0 is the registration epoch.
pub const FIRST_ROUND: u64 = 1;

/// Where a run reports progress (the CLI draws a bar with an ETA).
pub trait Progress {
    /// The run has `total` steps.
    fn start(&self, total: u64) {
        let _ = total;
    }
    /// One step is done.
    fn step(&self, message: &str) {
        let _ = message;
    }
}

/// No progress reporting.
pub struct Quiet;
impl Progress for Quiet {}

/// Why the vault refused a slash reason code.
fn slash_reason(code: u8) -> &'static str {
    match code {
        0 => "invalid proof",
        1 => "inactivity",
        2 => "training on unregistered data",
        3 => "refused update",
        _ => "unknown",
    }
}

/// The vault's verdict on a submission, from its events.
enum Verdict {
    Accepted { weight: U256, score: U256 },
    Slashed { reason: u8 },
}

fn verdict(receipt: &Receipt) -> Option<Verdict> {
    let word = |data: &[u8], i: usize| U256::from_be_slice(&data[32 * i..32 * (i + 1)]);
    if let Some(log) = receipt.events("Submitted(address,uint64,uint256,uint256,uint256,uint256)").next() {
        return Some(Verdict::Accepted { weight: word(&log.data, 2), score: word(&log.data, 3) });
    }
    receipt
        .events("Slashed(address,uint64,uint256,uint8)")
        .next()
        .map(|log| Verdict::Slashed { reason: word(&log.data, 1).to::<u8>() })
}

/// Whether `node`'s membership is live on chain: `nodes(address)` returns (stake, joined,
/// everActive, removed, exiting, …).
fn is_member(task: &mut Task, node: Address) -> Result<bool, SubnetError> {
    let fields = task.vault.view_words(&mut task.chain, call("nodes(address)", &words(&[address_word(node)])), 5)?;
    Ok(fields[1] == U256::from(1) && fields[3].is_zero() && fields[4].is_zero())
}

/// Runs `config`'s rounds on `dataset` (rows of `schema`), writing keys, the store and the
/// report under `out`.
pub fn run(
    config: &SubnetConfig,
    schema: &Schema,
    dataset: &QuantizedDataset,
    out: &Path,
    progress: &dyn Progress,
) -> Result<Report, SubnetError> {
    config.check()?;
    let mut rng = StdRng::seed_from_u64(config.seed);
    let mut seeder = DeterministicSeeder::<DefaultRandomGenerator>::new(Seed(u128::from(config.seed)));
    let split = train_test_split(dataset.rows(), config.test_fraction, config.seed as u32)?;
    let shard_rows = split.train.len() / config.nodes;
    if shard_rows < 2 {
        return Err(SubnetError::Usage(format!(
            "{} training rows cannot make {} shards of at least 2 rows",
            split.train.len(),
            config.nodes
        )));
    }
    let test = dataset.select_rows(&split.test);
    let labels = test.labels().map(<[u8]>::to_vec).unwrap_or_default();
    let mut nodes = Vec::new();
    for i in 0..config.nodes {
        let rows = &split.train[i * shard_rows..(i + 1) * shard_rows];
        let mut other = rows.to_vec();
        other[0] = split.train[((i + 1) % config.nodes) * shard_rows + 1];
        let account = account(config.seed, &format!("node/{}", i + 1));
        let client = ClientKey::from_bytes(&account.secret())?;
        nodes.push(Node {
            number: i + 1,
            account,
            client,
            kind: config.adversary(i + 1),
            shard: dataset.select_rows(rows),
            other_rows: dataset.select_rows(&other),
            registration: None,
            last_submission: None,
        });
    }
    progress.start(3 + config.nodes as u64 + config.rounds * (config.nodes as u64 + 1));
    let mut store = Store::create(&out.join("store")).map_err(|err| SubnetError::io(&out.join("store"), err))?;
    let example = Model::train(schema, &nodes[0].shard, config.training, None)?;
    let addresses: Vec<Address> = nodes
        .iter()
        .map(|node| node.account.address())
        .chain((1..=config.members).map(|k| account(config.seed, &format!("member/{k}")).address()))
        .collect();
    let mut task =
        Task::setup(config, schema, &nodes[0].shard, &example, &out.join("keys"), &addresses, &mut rng, &mut seeder)?;
    progress.step("setup: keys, committee, chain");
    let mut registry = ClientRegistry::new(task.public.id());
    let relation = task.training.verifier.relation.clone();

    // Every node stakes, proves its shard valid and registers it once.
    for node in &mut nodes {
        registry.register(node.address());
        let stake = U256::from(config.vault.min_stake) * U256::from(2);
        task.send("join", node.account.address(), calls::join(), stake)?;
        let proof = task.data.prover.prove_for(&node.shard, node.address(), &mut rng)?;
        let name = format!("node-{}/data-proof.json", node.number);
        let bytes = encode_json(ArtifactKind::DataProof, &proof);
        store.put(&name, "data-proof", &bytes, None).map_err(|err| SubnetError::io(out, err))?;
        let registration = data_registration(&proof, Path::new(&name))?;
        task.send("registerData", node.account.address(), calls::register_data(&registration), U256::ZERO)?;
        node.registration = Some(registration);
        progress.step(&format!("node {} registered", node.number));
    }
    // Round 0 is the registration epoch: it closes on the initial model, so that every
    // dataset registered in it is in the pool that training round 1 scores against.
    let threshold: Vec<Account> = task.members.iter().take(config.threshold).cloned().collect();
    let zero = zero_model(&example);
    let bytes = encode_json(ArtifactKind::Model, &zero);
    let cid = store
        .put("round-0/global-model.json", "model", &bytes, Some(zero.content_id().to_string()))
        .map_err(|err| SubnetError::io(out, err))?;
    checkpoint(&mut task, &threshold, 0, relation.public_model_commitment(None)?.as_bytes(), &cid.digest())?;
    for _ in 0..2 {
        progress.step("registration epoch closed");
    }

    let mut global: Option<Model> = None;
    let mut rounds = Vec::new();
    let mut totals: BTreeMap<usize, (U256, U256)> = BTreeMap::new();
    for round in FIRST_ROUND..FIRST_ROUND + config.rounds {
        let started = Instant::now();
        let mut reports: BTreeMap<usize, NodeRound> = BTreeMap::new();
        let mut works: BTreeMap<usize, Work> = BTreeMap::new();
        let mut updates = Vec::new();
        let mut trainings = BTreeMap::new();
        let stakes_before = stakes(&mut task, &nodes)?;
        for node in &mut nodes {
            let mut entry = NodeRound {
                node: node.number,
                status: "skipped".into(),
                weight: "0".into(),
                score: "0".into(),
                reward: "0".into(),
                slashed: "0".into(),
                gas: 0,
                prove_seconds: 0.0,
                detail: None,
            };
            if !is_member(&mut task, node.account.address())? {
                entry.status = "removed".into();
            } else if node.submits(round) {
                let proving = Instant::now();
                let (submission, work) = node.train(&task, global.as_ref(), round, &mut rng)?;
                entry.prove_seconds = proving.elapsed().as_secs_f64();
                let histogram = &node.registration.as_ref().expect("registered").histogram;
                let data = calls::submit(round, &submission, histogram);
                let receipt = task.send("submit", node.account.address(), data, U256::ZERO)?;
                entry.gas += receipt.gas;
                match verdict(&receipt) {
                    Some(Verdict::Accepted { weight, score }) => {
                        entry.status = "accepted".into();
                        entry.weight = weight.to_string();
                        entry.score = score.to_string();
                        node.last_submission = Some(submission);
                        if let Some(work) = work {
                            let proving = Instant::now();
                            let update = node.encrypt_update(&task, &work, round, &mut rng, &mut seeder)?;
                            entry.prove_seconds += proving.elapsed().as_secs_f64();
                            let staged = out.join("store").join(".update");
                            update.save(&staged)?;
                            let bytes = std::fs::read(&staged).map_err(|err| SubnetError::io(&staged, err))?;
                            let _ = std::fs::remove_file(&staged);
                            let name = format!("round-{round}/node-{}/update.vsies", node.number);
                            store.put(&name, "update", &bytes, None).map_err(|err| SubnetError::io(out, err))?;
                            let name = format!("round-{round}/node-{}/training-proof.json", node.number);
                            let bytes = encode_json(ArtifactKind::TrainingProof, &work.proof);
                            store
                                .put(&name, "training-proof", &bytes, None)
                                .map_err(|err| SubnetError::io(out, err))?;
                            let trained = commitment_element(&work.proof.trained_commitment);
                            let proved = ProvedTraining { trained, rows: work.proof.rows as u64, round };
                            trainings.insert(node.address(), proved);
                            updates.push((node.number, update));
                            works.insert(node.number, work);
                        }
                    }
                    Some(Verdict::Slashed { reason, .. }) => {
                        entry.status = format!("slashed: {}", slash_reason(reason))
                    }
                    None => return Err(SubnetError::Invariant("a submission neither accepted nor slashed".into())),
                }
            }
            reports.insert(node.number, entry);
            progress.step(&format!("round {round}: node {}", node.number));
        }

        // Aggregation; refused updates are slashed on the members' signed evidence.
        let records = out.join("committee");
        std::fs::create_dir_all(&records).map_err(|err| SubnetError::io(&records, err))?;
        let aggregation = aggregate(&task, &updates, &trainings, &registry, config.min_clients, &records, &mut seeder)?;
        for refusal in &aggregation.refused {
            let entry = reports.get_mut(&refusal.node).expect("a node of the round");
            entry.status = "refused: the update does not prove it encrypts the trained model".into();
            entry.detail = Some(refusal.reason.clone());
            let Some(signature) = refusal.signature else { continue };
            let node = Address::from(signature.address);
            let message = refusal_message(&task.vault.address.0 .0, round, &signature.address, &refusal.ciphertext_id);
            let members = sorted_signatures(&threshold, &message);
            let node_signature = split_signature(&signature.signature);
            let data = calls::slash_refused_update(node, &refusal.ciphertext_id, &node_signature, &members);
            task.send("slashRefusedUpdate", OWNER, data, U256::ZERO)?;
        }
        let mut equals_plaintext = true;
        if let Some(model) = aggregation.model {
            let plain: Vec<Model> = aggregation.included.iter().map(|node| works[node].model.clone()).collect();
            equals_plaintext = fedavg(&plain)? == model;
            if !equals_plaintext {
                return Err(SubnetError::Invariant(format!(
                    "round {round}: the decrypted aggregate is not plaintext FedAvg"
                )));
            }
            global = Some(model);
        }

        // The checkpoint: the next global model's commitment and its stored file, signed by T
        // members; anyone sends it.
        let model = global.clone().unwrap_or_else(|| zero_model(&example));
        let bytes = encode_json(ArtifactKind::Model, &model);
        let name = format!("round-{round}/global-model.json");
        let cid = store
            .put(&name, "model", &bytes, Some(model.content_id().to_string()))
            .map_err(|err| SubnetError::io(out, err))?;
        let next = *relation.public_model_commitment(global.as_ref())?.as_bytes();
        let checkpoint = checkpoint(&mut task, &threshold, round, &next, &cid.digest())?;
        for node in &nodes {
            // A report of an active node reverts (NotInactive); only a slashing report lands.
            if task.send("reportInactive", OWNER, calls::report_inactive(node.account.address()), U256::ZERO).is_ok() {
                reports.get_mut(&node.number).expect("every node").status = "slashed: inactivity".into();
            }
        }
        // Claims of the closed round.
        for node in &nodes {
            let address = node.account.address();
            let owed = task.vault.view(&mut task.chain, calls::reward(address, round))?;
            if !owed.is_zero() {
                let receipt = task.send("claim", address, calls::claim(round), U256::ZERO)?;
                let entry = reports.get_mut(&node.number).expect("every node");
                entry.gas += receipt.gas;
                entry.reward = owed.to_string();
                totals.entry(node.number).or_default().0 += owed;
            }
        }
        let stakes_after = stakes(&mut task, &nodes)?;
        for (node, (before, after)) in nodes.iter().zip(stakes_before.iter().zip(&stakes_after)) {
            if after < before {
                reports.get_mut(&node.number).expect("every node").slashed = (*before - *after).to_string();
                totals.entry(node.number).or_default().1 += *before - *after;
            }
        }
        let pools = [
            task.vault.view(&mut task.chain, call("computePool(uint64)", &words(&[U256::from(round)])))?.to_string(),
            task.vault.view(&mut task.chain, call("dataPool(uint64)", &words(&[U256::from(round)])))?.to_string(),
        ];
        rounds.push(RoundReport {
            round,
            nodes: reports.into_values().collect(),
            aggregated: aggregation.included,
            decrypting_members: aggregation.members,
            model_content_id: model.content_id().to_string(),
            model_cid: cid.to_string(),
            accuracy: accuracy(&model.scores(&test)?, &labels),
            equals_plaintext_fedavg: equals_plaintext,
            checkpoint_gas: checkpoint.gas,
            pools,
            seconds: started.elapsed().as_secs_f64(),
        });
        progress.step(&format!("round {round}: aggregated and checkpointed"));
    }
    store.write_index().map_err(|err| SubnetError::io(&out.join("store"), err))?;
    let adversaries = config.adversaries.iter().map(|(node, kind)| (*node, kind.name().to_string())).collect();
    Ok(Report {
        nodes: config.nodes,
        committee: format!("{}/{}", config.members, config.threshold),
        seed: config.seed,
        rows: [shard_rows, split.test.len()],
        adversaries,
        setup_by: "the task owner ran every Groth16 setup and dealt the committee keys (trusted until the ceremony and DKG land)".into(),
        setup: task.costs.clone(),
        rounds,
        totals: totals.into_iter().map(|(node, (paid, slashed))| (node, [paid.to_string(), slashed.to_string()])).collect(),
        transactions: std::mem::take(&mut task.transactions),
    })
}

/// The round-0 model (zero weights, no samples): the global model until an aggregate decrypts.
fn zero_model(example: &Model) -> Model {
    let mut zero = example.clone();
    zero.weights.iter_mut().for_each(|weight| *weight = 0);
    zero.training_samples = 0;
    zero
}

/// `T` members sign round `round`'s checkpoint; the owner sends it (anyone may).
fn checkpoint(
    task: &mut Task,
    members: &[Account],
    round: u64,
    next: &[u8; 32],
    digest: &[u8; 32],
) -> Result<Receipt, SubnetError> {
    let signatures = sorted_signatures(members, &checkpoint_message(&task.vault.address.0 .0, round, next, digest));
    Ok(task.send("closeRound", OWNER, calls::close_round(next, digest, &signatures), U256::ZERO)?)
}

/// Every node's stake on chain.
fn stakes(task: &mut Task, nodes: &[Node]) -> Result<Vec<U256>, SubnetError> {
    nodes.iter().map(|node| Ok(task.vault.view(&mut task.chain, calls::stake_of(node.account.address()))?)).collect()
}

/// `r ‖ s ‖ v` as the vault's three words.
fn split_signature(signature: &[u8; 65]) -> [[u8; 32]; 3] {
    let mut v = [0u8; 32];
    v[31] = signature[64];
    [signature[..32].try_into().expect("r"), signature[32..64].try_into().expect("s"), v]
}
