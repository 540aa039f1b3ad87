//! One round of the reward vault in an embedded EVM (revm), paying a node for a proved
//! training: the task owner deploys the vault and the verifiers generated from the data and
//! training keys and registers them; the node joins, registers its dataset with its
//! data-validation proof, submits its training proof; the committee checkpoints the round; the node
//! claims. The vault and verifiers are the committed bytecode (no Solidity compiler needed);
//! two of three committee accounts sign the round's checkpoint. Every step is also applied to
//! the vault's Rust twin, and the payout must be equal to the wei.
//!
//! ```sh
//! cargo run -p vsies-examples --example vault_round -- DATA_KEYS/ TRAIN_KEYS/ data-proof.json train-proof.json
//! ```
//! (the main job runs it on the bundled training; both proofs must be for the same node, the
//! training proof for round 0 from zero weights, and for the same dataset).

use std::path::{Path, PathBuf};
use vsies_chain::account::{sorted_signatures, Account};
use vsies_chain::calldata::{data_registration, training_submission};
use vsies_chain::vault::{
    calls, deploy_data_verifier_with_key, deploy_training_verifier_with_key, deploy_vault, LocalVault,
};
use vsies_chain::{Address, Chain, U256};
use vsies_verifier_contract::groth16::{encode_g2, PreparedCommittedKey, PreparedKey};
use vsies_verifier_contract::solidity::EvmVerifyingKey;
use vsies_verifier_contract::vault::signatures::checkpoint_message;
use vsies_verifier_contract::vault::{statement::word, Committee, Verifier};
use vsies_verifier_contract::{Event, Params, RelationId, Vault};
use vsies_zk::relations::training::{parse_node, TrainingProof, TrainingVerifier};
use vsies_zk::{DataProof, DataVerifier};

const OWNER: Address = Address::repeat_byte(0x0a);

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [data_keys, train_keys, data_proof_path, train_proof_path] = &args[..] else {
        eprintln!("usage: vault_round DATA_KEYS/ TRAIN_KEYS/ DATA_PROOF TRAIN_PROOF");
        std::process::exit(2);
    };
    let data_verifier = DataVerifier::load(data_keys)?;
    let train_verifier = TrainingVerifier::load(train_keys)?;
    let data_proof = DataProof::load(data_proof_path)?;
    let train_proof = TrainingProof::load(train_proof_path)?;
    let node_bytes = parse_node(&train_proof.node).ok_or("the training proof's node is not an address")?;
    let node = Address::from(node_bytes);

    let params = Params::with_seed_rules(10u128.pow(18), 10u128.pow(16));
    // The secure-aggregation committee that checkpoints rounds: three accounts, two must sign
    // (simulated: derived from fixed seeds).
    let members: Vec<Account> = (1..=3u8).map(|i| Account::from_seed(&[b'm', i])).collect();
    let committee = Committee {
        members: members.iter().map(|member| member.address().0 .0).collect(),
        threshold: 2,
        id: b"example-committee".to_vec(),
    };
    let initial = *train_verifier.relation.public_model_commitment(None)?.as_bytes();
    let mut chain = Chain::new(&[OWNER, node]);
    let funding = U256::from(10u128.pow(20));
    let (address, deploy_gas) = deploy_vault(&mut chain, OWNER, &params, &committee, &initial, funding)?;
    let vault = LocalVault { address, owner: OWNER };
    let mut twin = Vault::new(params, OWNER.0 .0, address.0 .0, &committee, initial)?;
    println!("deployed RewardVault ({deploy_gas} gas), funded with 100 ETH; round 0's model: zero weights");

    // The owner registers the verifiers of the task's keys.
    let (data_address, _) = deploy_data_verifier_with_key(&mut chain, OWNER, &data_verifier)?;
    let (train_address, _) = deploy_training_verifier_with_key(&mut chain, OWNER, &train_verifier)?;
    let data_id = word(&data_verifier.relation.params_element());
    let train_id = word(&train_verifier.relation.params_element());
    vault.send(
        &mut chain,
        OWNER,
        calls::set_verifier(RelationId::DataValidation, &data_id, data_address),
        U256::ZERO,
    )?;
    vault.send(&mut chain, OWNER, calls::set_verifier(RelationId::Training, &train_id, train_address), U256::ZERO)?;
    let plain = PreparedKey::new(&EvmVerifyingKey::from_key(&data_verifier.key)).ok_or("an invalid data key")?;
    twin.set_verifier(twin.owner, RelationId::DataValidation, data_id, Verifier::Plain(plain.into()))?;
    let commitment = train_verifier.commitment.as_ref().ok_or("a training key without its commitment key")?;
    let committed = PreparedCommittedKey::new(
        &EvmVerifyingKey::from_key(&train_verifier.key),
        &encode_g2(&commitment.sigma_gamma_g2),
    )
    .ok_or("an invalid training key")?;
    twin.set_verifier(twin.owner, RelationId::Training, train_id, Verifier::Committed(committed.into()))?;
    println!("registered the verifiers of {} and {}", data_keys.display(), train_keys.display());

    // The node joins, registers its dataset and submits its training.
    let stake = params.min_stake;
    vault.send(&mut chain, node, calls::join(), U256::from(stake))?;
    twin.join(node_bytes, stake)?;
    let registration = data_registration(&data_proof, data_proof_path)?;
    let receipt = vault.send(&mut chain, node, calls::register_data(&registration), U256::ZERO)?;
    let events = twin.register_data(
        node_bytes,
        &registration.proof,
        registration.params_id,
        registration.commitment,
        registration.rows,
        &registration.histogram,
    )?;
    accepted(&events, "the data registration", data_proof_path)?;
    println!(
        "node {} registered dataset {} ({} rows): {} gas",
        train_proof.node, data_proof.commitment, data_proof.rows, receipt.gas
    );
    let submission = training_submission(&train_proof, train_proof_path)?;
    let histogram = &registration.histogram;
    let receipt = vault.send(&mut chain, node, calls::submit(0, &submission, histogram), U256::ZERO)?;
    let events = twin.submit(node_bytes, 0, &submission.proof, &submission.claim, histogram)?;
    accepted(&events, "the training submission", train_proof_path)?;
    println!(
        "node submitted its training proof (compute {}, data {}): accepted, {} gas",
        train_proof.compute, train_proof.data, receipt.gas
    );

    // Two committee members sign the checkpoint (the next model: here zero weights again,
    // and a digest standing for its file); anyone closes the round with it; the node claims.
    let next = *train_verifier.relation.public_model_commitment(None)?.as_bytes();
    let digest = [0x11; 32];
    let message = checkpoint_message(&address.0 .0, 0, &next, &digest);
    let signatures = sorted_signatures([&members[0], &members[2]], &message);
    vault.send(&mut chain, node, calls::close_round(&next, &digest, &signatures), U256::ZERO)?;
    twin.close_round(next, digest, &signatures)?;
    let before = chain.balance(node);
    let receipt = vault.send(&mut chain, node, calls::claim(0), U256::ZERO)?;
    let paid = chain.balance(node) - before;
    let Event::Claimed { amount, .. } = twin.claim(node_bytes, 0)? else { return Err("the twin paid nothing".into()) };
    if paid != U256::from(amount) {
        return Err(format!("the contract paid {paid} wei, the Rust twin {amount}").into());
    }
    println!("round 0 closed; the node claimed {paid} wei ({} gas), equal to the Rust twin's reward", receipt.gas);
    Ok(())
}

fn accepted(events: &[Event], what: &str, path: &Path) -> Result<(), Box<dyn std::error::Error>> {
    match events {
        [Event::DataRegistered { .. }] | [Event::Submitted { .. }] => Ok(()),
        _ => Err(format!("the vault rejected {what} of {}: {events:?}", path.display()).into()),
    }
}
