//! What the task owner sets up before round 0: the three Groth16 key sets (the owner runs every
//! setup and is trusted not to forge until the ceremony issue lands), the committee's keys (a
//! dealer today), the chain with the vault and verifiers deployed from the committed bytecode,
//! and the verifiers registered.

use crate::config::SubnetConfig;
use crate::error::SubnetError;
use crate::report::Transaction;
use ark_std::rand::rngs::StdRng;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;
use tfhe::core_crypto::commons::math::random::Seeder;
use vsies_chain::account::Account;
use vsies_chain::vault::{
    calls, deploy_data_verifier_with_key, deploy_training_verifier_with_key, deploy_vault, LocalVault,
};
use vsies_chain::{Address, Chain, ChainError, Receipt, U256};
use vsies_core::{Model, QuantizedDataset, Schema};
use vsies_secure_agg::{generate, update_params, Committee, KeyShare, PublicKey};
use vsies_verifier_contract::vault::{statement::word, Committee as VaultCommittee};
use vsies_verifier_contract::RelationId;
use vsies_zk::relations::training::{TrainingKeys, TrainingParams, TrainingProver, TrainingRelation, RELATION};
use vsies_zk::relations::update::UpdateRelation;
use vsies_zk::{DataKeys, DataRelation, Keys, Prover, Verifier};

/// The task's keys, committee and chain.
pub struct Task {
    /// Data-validation keys (in memory).
    pub data: DataKeys,
    /// The training prover (its proving key streamed from `OUT/keys/training/`).
    pub training: TrainingProver,
    /// The update prover (from `OUT/keys/update/`) and its verifier.
    pub update: (Prover<UpdateRelation>, Verifier<UpdateRelation>),
    /// The committee's public key.
    pub public: PublicKey,
    /// Members' key shares (in member order).
    pub shares: Vec<KeyShare>,
    /// Members' chain accounts (in member order).
    pub members: Vec<Account>,
    /// The chain.
    pub chain: Chain,
    /// The vault.
    pub vault: LocalVault,
    /// Gas and seconds of the setup steps.
    pub costs: BTreeMap<String, f64>,
    /// Every transaction sent through [`Task::send`].
    pub transactions: Vec<Transaction>,
}

/// The owner's account (it deploys and registers verifiers; it signs nothing).
pub const OWNER: Address = Address::repeat_byte(0x0a);

/// An account derived from the run's seed and a label (simulated keys, never for real funds).
pub fn account(seed: u64, label: &str) -> Account {
    Account::from_seed(format!("vsies/subnet/{seed}/{label}").as_bytes())
}

impl Task {
    /// Runs every setup for shards of `shard_rows` rows of `schema`, with model shape
    /// `example` (any model of the schema), writing keys under `keys`.
    #[allow(clippy::too_many_arguments)]
    pub fn setup(
        config: &SubnetConfig,
        schema: &Schema,
        shard: &QuantizedDataset,
        example: &Model,
        keys: &Path,
        funded: &[Address],
        rng: &mut StdRng,
        seeder: &mut dyn Seeder,
    ) -> Result<Self, SubnetError> {
        let mut costs = BTreeMap::new();
        let mut timed = |label: &str, start: Instant| {
            costs.insert(format!("{label} (s)"), start.elapsed().as_secs_f64());
        };
        let start = Instant::now();
        let data = DataKeys::setup(DataRelation::for_schema(schema, shard.rows(), config.buckets)?, rng)?;
        timed("setup data-validation keys", start);
        let start = Instant::now();
        let relation = TrainingRelation::new(TrainingParams {
            relation: RELATION.into(),
            schema: schema.clone(),
            rows: shard.rows(),
            training: config.training,
        })?;
        let training_dir = keys.join("training");
        TrainingKeys::generate(relation.clone(), rng, &training_dir)?;
        let training = TrainingProver::load(&training_dir)?;
        timed("setup training keys", start);
        let start = Instant::now();
        let committee = Committee::with_packing(config.members, config.threshold, 1)?;
        let (public, shares) = generate(committee, seeder);
        let params = update_params(committee.packing, example.weights.len() + 1, example.training.weight_format);
        let update_dir = keys.join("update");
        let update_verifier = Keys::generate(UpdateRelation::new(params)?, rng, &update_dir)?;
        let update = (Prover::<UpdateRelation>::load(&update_dir)?, update_verifier);
        timed("setup committee and update keys", start);

        let members: Vec<Account> =
            (1..=config.members).map(|k| account(config.seed, &format!("member/{k}"))).collect();
        let mut accounts = funded.to_vec();
        accounts.push(OWNER);
        let mut chain = Chain::new(&accounts);
        let vault_committee = VaultCommittee {
            members: members.iter().map(|member| member.address().0 .0).collect(),
            threshold: config.threshold,
            id: public.id().to_string().into_bytes(),
        };
        let initial = *relation.public_model_commitment(None)?.as_bytes();
        let funding = U256::from(config.vault.round_reward) * U256::from(config.rounds + 1);
        let (address, gas) = deploy_vault(&mut chain, OWNER, &config.vault, &vault_committee, &initial, funding)?;
        costs.insert("deploy RewardVault (gas)".into(), gas as f64);
        let vault = LocalVault { address, owner: OWNER };
        let (data_address, gas) = deploy_data_verifier_with_key(&mut chain, OWNER, &data.verifier)?;
        costs.insert("deploy Groth16VerifierWithKey (gas)".into(), gas as f64);
        let (train_address, gas) = deploy_training_verifier_with_key(&mut chain, OWNER, &training.verifier)?;
        costs.insert("deploy Groth16CommittedVerifierWithKey (gas)".into(), gas as f64);
        let data_id = word(&data.verifier.relation.params_element());
        let train_id = word(&relation.params_element());
        for (relation, id, verifier) in
            [(RelationId::DataValidation, data_id, data_address), (RelationId::Training, train_id, train_address)]
        {
            vault.send(&mut chain, OWNER, calls::set_verifier(relation, &id, verifier), U256::ZERO)?;
        }
        Ok(Self { data, training, update, public, shares, members, chain, vault, costs, transactions: Vec::new() })
    }

    /// Sends `data` (the vault call `call`) from `from` with `value`, recording its gas.
    pub fn send(&mut self, call: &str, from: Address, data: Vec<u8>, value: U256) -> Result<Receipt, ChainError> {
        let receipt = self.vault.send(&mut self.chain, from, data, value)?;
        let round = self.vault.view(&mut self.chain, calls::round())?.to::<u64>();
        self.transactions.push(Transaction { round, from: from.to_string(), call: call.to_string(), gas: receipt.gas });
        Ok(receipt)
    }
}
