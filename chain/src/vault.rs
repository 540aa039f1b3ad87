//! The reward vault on the local chain: its calls' calldata, and deployment of the vault with
//! verifiers generated from vsies keys.

use crate::abi::{address_word, call, returned_word, word, words, Arg};
use crate::calldata::{DataRegistration, TrainingSubmission};
use crate::error::ChainError;
use crate::evm::Chain;
use crate::solc;
use revm::primitives::{Address, TxKind, U256};
use vsies_verifier_contract::groth16::encode_g2;
use vsies_verifier_contract::solidity::{render_committed_verifier, render_verifier, EvmVerifyingKey, Word};
use vsies_verifier_contract::{Params, RelationId};

/// The vault's calls, as calldata.
pub mod calls {
    use super::*;

    /// `join()`.
    pub fn join() -> Vec<u8> {
        call("join()", &[])
    }

    /// `setVerifier(relation, paramsId, verifier)`.
    pub fn set_verifier(relation: RelationId, params_id: &Word, verifier: Address) -> Vec<u8> {
        call(
            "setVerifier(uint8,uint256,address)",
            &words(&[U256::from(relation as u8), word(params_id), address_word(verifier)]),
        )
    }

    /// `registerData(proof, paramsId, commitment, rows, histogram)`.
    pub fn register_data(registration: &DataRegistration) -> Vec<u8> {
        let mut args: Vec<Arg> = registration.proof.words().iter().map(|w| Arg::Word(word(w))).collect();
        args.extend(words(&[
            word(&registration.params_id),
            word(&registration.commitment),
            U256::from(registration.rows),
        ]));
        args.push(Arg::Words(registration.histogram.iter().map(word).collect()));
        call("registerData(uint256[8],uint256,uint256,uint64,uint256[])", &args)
    }

    /// `submit(round, proof, commitment, paramsId, dataCommitment, trained, compute, data)`.
    pub fn submit(round: u64, submission: &TrainingSubmission) -> Vec<u8> {
        let claim = &submission.claim;
        let mut values = vec![U256::from(round)];
        values.extend(submission.proof.words().iter().map(word));
        values.extend([
            word(&claim.params_id),
            word(&claim.data_commitment),
            word(&claim.trained),
            U256::from(claim.compute),
            U256::from(claim.data),
        ]);
        call("submit(uint64,uint256[8],uint256[4],uint256,uint256,uint256,uint64,uint64)", &words(&values))
    }

    /// `closeRound(nextModel)`.
    pub fn close_round(next_model: &Word) -> Vec<u8> {
        call("closeRound(uint256)", &words(&[word(next_model)]))
    }

    /// `claim(round)`.
    pub fn claim(round: u64) -> Vec<u8> {
        call("claim(uint64)", &words(&[U256::from(round)]))
    }

    /// `stakeOf(node)`.
    pub fn stake_of(node: Address) -> Vec<u8> {
        call("stakeOf(address)", &words(&[address_word(node)]))
    }

    /// `reward(node, round)`.
    pub fn reward(node: Address, round: u64) -> Vec<u8> {
        call("reward(address,uint64)", &words(&[address_word(node), U256::from(round)]))
    }

    /// `slashed()`.
    pub fn slashed() -> Vec<u8> {
        call("slashed()", &[])
    }

    /// `datasets(commitment)`: the registering node and the rows.
    pub fn dataset(commitment: &Word) -> Vec<u8> {
        call("datasets(uint256)", &words(&[word(commitment)]))
    }
}

/// Compiles Solidity `source` (written to a temporary file) and returns `contract`'s bytecode.
fn compile_source(source: &str, contract: &str) -> Result<Vec<u8>, ChainError> {
    let dir = tempfile::tempdir().map_err(|err| ChainError::Solc(format!("a temporary directory: {err}")))?;
    let path = dir.path().join(format!("{contract}.sol"));
    std::fs::write(&path, source).map_err(|err| ChainError::Solc(format!("writing {}: {err}", path.display())))?;
    solc::compile_one(&[&path], contract)
}

/// Deploys the plain verifier of a data-validation key.
pub fn deploy_data_verifier(
    chain: &mut Chain,
    from: Address,
    verifier: &vsies_zk::DataVerifier,
) -> Result<(Address, u64), ChainError> {
    let key = EvmVerifyingKey::from_key(&verifier.key);
    let source = render_verifier(&key, &format!("Verifying key {}.", verifier.id));
    chain.deploy(from, compile_source(&source, "Groth16Verifier")?, U256::ZERO)
}

/// The committed verifier's Solidity for a training key.
pub fn training_verifier_source(
    verifier: &vsies_zk::relations::training::TrainingVerifier,
) -> Result<String, ChainError> {
    let key = EvmVerifyingKey::from_key(&verifier.key);
    let commitment = verifier
        .commitment
        .as_ref()
        .ok_or_else(|| ChainError::Solc("a training key without its commitment key".into()))?;
    Ok(render_committed_verifier(
        &key,
        &encode_g2(&commitment.sigma_gamma_g2),
        &format!("Verifying key {}.", verifier.id),
    ))
}

/// Deploys the committed verifier of a training key.
pub fn deploy_training_verifier(
    chain: &mut Chain,
    from: Address,
    verifier: &vsies_zk::relations::training::TrainingVerifier,
) -> Result<(Address, u64), ChainError> {
    let source = training_verifier_source(verifier)?;
    chain.deploy(from, compile_source(&source, "Groth16CommittedVerifier")?, U256::ZERO)
}

/// Deploys the vault from `owner`, funded with `funding`, at round 0 with `initial_model`.
pub fn deploy_vault(
    chain: &mut Chain,
    owner: Address,
    params: &Params,
    initial_model: &Word,
    funding: U256,
) -> Result<(Address, u64), ChainError> {
    let [vault, poseidon] = solc::vault_sources();
    let mut bytecode = solc::compile_one(&[vault.as_path(), poseidon.as_path()], "RewardVault")?;
    let arguments = words(&[
        U256::from(params.round_reward),
        U256::from(params.halving_rounds),
        U256::from(params.compute_bps),
        U256::from(params.invalid_slash_bps),
        U256::from(params.inactivity_slash_bps),
        U256::from(params.max_missed_rounds),
        U256::from(params.min_stake),
        word(initial_model),
    ]);
    bytecode.extend(crate::abi::encode(&arguments));
    chain.deploy(owner, bytecode, funding)
}

/// A deployed vault and its owner, with the calls that read a single word.
pub struct LocalVault {
    /// The vault's address.
    pub address: Address,
    /// Its owner.
    pub owner: Address,
}

impl LocalVault {
    /// Sends `data` to the vault from `from` with `value`.
    pub fn send(
        &self,
        chain: &mut Chain,
        from: Address,
        data: Vec<u8>,
        value: U256,
    ) -> Result<crate::Receipt, ChainError> {
        chain.transact(from, TxKind::Call(self.address), data, value)
    }

    /// A view returning one word, called from the owner.
    pub fn view(&self, chain: &mut Chain, data: Vec<u8>) -> Result<U256, ChainError> {
        Ok(returned_word(&chain.call(self.owner, self.address, data)?.output))
    }
}
