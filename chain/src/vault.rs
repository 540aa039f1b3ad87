//! The reward vault on the local chain: its calls' calldata, and deployment of the vault with
//! verifiers generated from vsies keys.

use crate::abi::{address_word, call, returned_word, word, words, Arg};
use crate::calldata::{DataRegistration, TrainingSubmission};
use crate::error::ChainError;
use crate::evm::Chain;
use crate::{bytecode, solc};
use revm::primitives::{Address, TxKind, U256};
use vsies_verifier_contract::groth16::encode_g2;
use vsies_verifier_contract::solidity::{
    constructor_words, render_committed_verifier, render_verifier, EvmVerifyingKey, Word,
};
use vsies_verifier_contract::vault::signatures::SignatureWords;
use vsies_verifier_contract::vault::Committee;
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

    /// `submit(round, proof, commitment, (paramsId, dataCommitment, trained, compute, data),
    /// histogram)`: the histogram is the registered dataset's, which the vault scores.
    pub fn submit(round: u64, submission: &TrainingSubmission, histogram: &[Word]) -> Vec<u8> {
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
        let mut args = words(&values);
        args.push(Arg::Words(histogram.iter().map(word).collect()));
        call("submit(uint64,uint256[8],uint256[4],(uint256,uint256,uint256,uint64,uint64),uint256[])", &args)
    }

    /// `closeRound(nextModel, modelDigest, signatures)`: `threshold` members' checkpoint
    /// signatures, signers in increasing address order.
    pub fn close_round(next_model: &Word, model_digest: &Word, signatures: &[SignatureWords]) -> Vec<u8> {
        let mut args = words(&[word(next_model), word(model_digest)]);
        args.push(Arg::Words(signatures.iter().flatten().map(word).collect()));
        call("closeRound(uint256,bytes32,uint256[])", &args)
    }

    /// `reportInactive(node)`.
    pub fn report_inactive(node: Address) -> Vec<u8> {
        call("reportInactive(address)", &words(&[address_word(node)]))
    }

    /// `slashRefusedUpdate(node, ciphertextId, nodeSignature, signatures)`.
    pub fn slash_refused_update(
        node: Address,
        ciphertext_id: &Word,
        node_signature: &SignatureWords,
        signatures: &[SignatureWords],
    ) -> Vec<u8> {
        let mut values = vec![address_word(node), word(ciphertext_id)];
        values.extend(node_signature.iter().map(word));
        let mut args = words(&values);
        args.push(Arg::Words(signatures.iter().flatten().map(word).collect()));
        call("slashRefusedUpdate(address,bytes32,uint256[3],uint256[])", &args)
    }

    /// `exit()`.
    pub fn exit() -> Vec<u8> {
        call("exit()", &[])
    }

    /// `withdraw()`.
    pub fn withdraw() -> Vec<u8> {
        call("withdraw()", &[])
    }

    /// `totals(round)`: compute weight and data score.
    pub fn totals(round: u64) -> Vec<u8> {
        call("totals(uint64)", &words(&[U256::from(round)]))
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

    /// `round()`: the open round.
    pub fn round() -> Vec<u8> {
        call("round()", &[])
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
    Ok(render_committed_verifier(
        &key,
        &encode_g2(&training_commitment(verifier)?.sigma_gamma_g2),
        &format!("Verifying key {}.", verifier.id),
    ))
}

/// A training key's commitment key (every training key has one).
fn training_commitment(
    verifier: &vsies_zk::relations::training::TrainingVerifier,
) -> Result<&vsies_zk::groth16::commitment::CommitmentKey, ChainError> {
    verifier.commitment.as_ref().ok_or_else(|| ChainError::Solc("a training key without its commitment key".into()))
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

/// Deploys the committed verifier bytecode `contract` with `words` as its key (constructor
/// data), after checking that the key has the `ic_points` input points that bytecode serves.
fn deploy_with_key(
    chain: &mut Chain,
    from: Address,
    contract: bytecode::CommittedContract,
    words: &[Word],
    ic_points: usize,
    key: &EvmVerifyingKey,
) -> Result<(Address, u64), ChainError> {
    if key.ic.len() != ic_points {
        return Err(ChainError::Solc(format!(
            "{} serves keys of {ic_points} input points; this key has {}",
            contract.name,
            key.ic.len()
        )));
    }
    let mut code = contract.creation_code()?;
    code.extend(crate::abi::encode(&words.iter().map(|w| Arg::Word(word(w))).collect::<Vec<_>>()));
    chain.deploy(from, code, U256::ZERO)
}

/// Deploys the committed `Groth16VerifierWithKey` for a data-validation key (its two-input
/// statement): no compiler at run time, the key as constructor data.
pub fn deploy_data_verifier_with_key(
    chain: &mut Chain,
    from: Address,
    verifier: &vsies_zk::DataVerifier,
) -> Result<(Address, u64), ChainError> {
    let key = EvmVerifyingKey::from_key(&verifier.key);
    deploy_with_key(chain, from, bytecode::VERIFIER_WITH_KEY, &constructor_words(&key, None), 3, &key)
}

/// Deploys the committed `Groth16CommittedVerifierWithKey` for a training key (two statement
/// inputs and the seed's point).
pub fn deploy_training_verifier_with_key(
    chain: &mut Chain,
    from: Address,
    verifier: &vsies_zk::relations::training::TrainingVerifier,
) -> Result<(Address, u64), ChainError> {
    let key = EvmVerifyingKey::from_key(&verifier.key);
    let sigma_gamma = encode_g2(&training_commitment(verifier)?.sigma_gamma_g2);
    let words = constructor_words(&key, Some(&sigma_gamma));
    deploy_with_key(chain, from, bytecode::COMMITTED_VERIFIER_WITH_KEY, &words, 4, &key)
}

/// Deploys the vault from `owner`, funded with `funding`, at round 0 with `initial_model`,
/// from the committed bytecode (no compiler at run time).
pub fn deploy_vault(
    chain: &mut Chain,
    owner: Address,
    params: &Params,
    committee: &Committee,
    initial_model: &Word,
    funding: U256,
) -> Result<(Address, u64), ChainError> {
    let mut bytecode = bytecode::REWARD_VAULT.creation_code()?;
    let mut arguments = words(&[
        U256::from(params.round_reward),
        U256::from(params.halving_rounds),
        U256::from(params.decay_wad),
        U256::from(params.compute_bps),
        U256::from(params.invalid_slash_bps),
        U256::from(params.inactivity_slash_bps),
        U256::from(params.max_missed_rounds),
        U256::from(params.min_stake),
        U256::from(params.loyalty_rounds),
        U256::from(params.loyalty_bps),
        U256::from(params.unbonding_rounds),
    ]);
    arguments.push(Arg::Words(committee.members.iter().map(|member| address_word(Address::from(*member))).collect()));
    arguments.push(Arg::Word(U256::from(committee.threshold)));
    arguments.push(Arg::Bytes(committee.id.clone()));
    arguments.push(Arg::Word(word(initial_model)));
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

    /// A view returning `count` words, called from the owner.
    pub fn view_words(&self, chain: &mut Chain, data: Vec<u8>, count: usize) -> Result<Vec<U256>, ChainError> {
        let output = chain.call(self.owner, self.address, data)?.output;
        Ok((0..count).map(|i| returned_word(output.get(32 * i..).unwrap_or_default())).collect())
    }

    /// A view returning one word, called from the owner.
    pub fn view(&self, chain: &mut Chain, data: Vec<u8>) -> Result<U256, ChainError> {
        Ok(returned_word(&chain.call(self.owner, self.address, data)?.output))
    }
}
