//! The exported Solidity verifier, compiled by the real Solidity compiler (solcjs, pinned,
//! installed by `scripts/solc.sh`) and run in revm: valid proofs verify, tampered proofs, wrong
//! public inputs and proofs for other keys do not, and it costs less gas than snarkjs's own
//! verifier for the same key. Needs Node.js and npm (the scripts install the rest).

mod common;

use common::ok;
use revm::context::TxEnv;
use revm::context_interface::result::{ExecutionResult, Output};
use revm::database::{CacheDB, EmptyDB};
use revm::primitives::{keccak256, Address, Bytes, TxKind, U256};
use revm::{Context, ExecuteCommitEvm, MainBuilder, MainContext};
use std::path::{Path, PathBuf};
use std::process::Command;
use vsies_verifier_contract::groth16::EvmProof;
use vsies_verifier_contract::solidity::EvmVerifyingKey;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs a project script and returns its standard output.
fn script(name: &str, args: &[&Path]) -> String {
    let out = Command::new(root().join("scripts").join(name)).args(args).output().expect("the script runs");
    assert!(
        out.status.success(),
        "{name}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Creation bytecode of `contract` in `source`.
fn compile(source: &Path, contract: &str) -> Vec<u8> {
    let output: serde_json::Value = serde_json::from_str(&script("solc.sh", &[source])).unwrap();
    let hex = output[contract]["bytecode"].as_str().unwrap_or_else(|| panic!("{contract} in {output}"));
    decode_hex(hex.trim_start_matches("0x"))
}

fn decode_hex(hex: &str) -> Vec<u8> {
    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect()
}

/// An in-memory chain: funded callers, no gas price, every transaction committed.
struct Chain {
    evm: revm::handler::MainnetEvm<revm::handler::MainnetContext<CacheDB<EmptyDB>>>,
    nonces: std::collections::HashMap<Address, u64>,
}

/// Gas used and output of a successful transaction.
struct Receipt {
    gas: u64,
    output: Vec<u8>,
    created: Option<Address>,
}

/// The default caller (deployer and vault owner).
const OWNER: Address = Address::repeat_byte(0x11);

impl Chain {
    /// A chain where `funded` accounts (and [`OWNER`]) hold 10^27 wei.
    fn new(funded: &[Address]) -> Self {
        let mut db = CacheDB::<EmptyDB>::default();
        for &account in funded.iter().chain([&OWNER]) {
            let info = revm::state::AccountInfo { balance: U256::from(10u128.pow(27)), ..Default::default() };
            db.insert_account_info(account, info);
        }
        let evm = Context::mainnet().with_db(db).build_mainnet();
        Self { evm, nonces: Default::default() }
    }

    fn transact_from(&mut self, caller: Address, kind: TxKind, data: Vec<u8>, value: U256) -> Result<Receipt, String> {
        let nonce = self.nonces.entry(caller).or_default();
        let tx = TxEnv::builder()
            .caller(caller)
            .kind(kind)
            .data(Bytes::from(data))
            .value(value)
            .gas_limit(16_000_000)
            .nonce(*nonce)
            .build()
            .map_err(|err| format!("{err:?}"))?;
        *nonce += 1;
        match self.evm.transact_commit(tx).map_err(|err| format!("{err:?}"))? {
            ExecutionResult::Success { gas, output, .. } => {
                let created = match &output {
                    Output::Create(_, address) => *address,
                    Output::Call(_) => None,
                };
                Ok(Receipt { gas: gas.total_gas_spent(), output: output.into_data().to_vec(), created })
            }
            ExecutionResult::Revert { output, .. } => Err(format!("revert 0x{}", hex(&output))),
            other => Err(format!("{other:?}")),
        }
    }

    fn transact(&mut self, kind: TxKind, data: Vec<u8>) -> Result<Receipt, String> {
        self.transact_from(OWNER, kind, data, U256::ZERO)
    }

    fn deploy(&mut self, bytecode: Vec<u8>) -> (Address, u64) {
        let receipt = self.transact(TxKind::Create, bytecode).expect("deploys");
        (receipt.created.expect("a created address"), receipt.gas)
    }

    fn call(&mut self, to: Address, data: Vec<u8>) -> Result<Receipt, String> {
        self.transact(TxKind::Call(to), data)
    }

    fn balance(&mut self, account: Address) -> U256 {
        use revm::context_interface::ContextTr;
        use revm::Database;
        self.evm.ctx.db_mut().basic(account).unwrap().map_or(U256::ZERO, |info| info.balance)
    }
}

/// A call's intrinsic gas: 21,000 plus 4 per zero and 16 per other calldata byte.
fn intrinsic_gas(calldata: &[u8]) -> u64 {
    21_000 + calldata.iter().map(|&byte| if byte == 0 { 4 } else { 16 }).sum::<u64>()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The first four bytes of keccak256 of a function signature.
fn selector(signature: &str) -> Vec<u8> {
    keccak256(signature.as_bytes())[..4].to_vec()
}

/// ABI words: every argument here is a static 32-byte word.
fn words(values: &[U256]) -> Vec<u8> {
    values.iter().flat_map(|value| value.to_be_bytes::<32>()).collect()
}

fn address_word(address: Address) -> U256 {
    U256::from_be_slice(address.as_slice())
}

/// Calldata of `verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[n])`.
fn verify_call(proof: &serde_json::Value, inputs: &[String]) -> Vec<u8> {
    let mut data = selector(&format!("verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[{}])", inputs.len()));
    let word = |decimal: &str| U256::from_str_radix(decimal, 10).unwrap().to_be_bytes::<32>();
    let text = |v: &serde_json::Value| v.as_str().unwrap().to_string();
    let a = &proof["pi_a"];
    let b = &proof["pi_b"];
    let c = &proof["pi_c"];
    // snarkjs's JSON has G2 as [c0, c1]; the precompile (and both verifiers) take [c1, c0].
    let words = [
        text(&a[0]),
        text(&a[1]),
        text(&b[0][1]),
        text(&b[0][0]),
        text(&b[1][1]),
        text(&b[1][0]),
        text(&c[0]),
        text(&c[1]),
    ];
    for w in words.iter().chain(inputs) {
        data.extend_from_slice(&word(w));
    }
    data
}

fn returned_true(receipt: &Receipt) -> bool {
    receipt.output.len() == 32 && receipt.output[31] == 1 && receipt.output[..31].iter().all(|&b| b == 0)
}

/// Keys, a proof in snarkjs layout, and our verifier for rows of the bundled data.
fn prepare(dir: &Path, seed: &str) {
    let data = common::bundled();
    ok(&["schema", "infer", data.to_str().unwrap(), "--label", "malignant", "-o", "schema.toml"], dir);
    let csv = std::fs::read_to_string(&data).unwrap();
    std::fs::write(dir.join("part.csv"), csv.lines().take(17).collect::<Vec<_>>().join("\n") + "\n").unwrap();
    let keys = format!("zk{seed}");
    ok(
        &[
            "setup",
            "data",
            "--schema",
            "schema.toml",
            "--rows",
            "16",
            "--buckets",
            "2",
            "-o",
            &keys,
            "--insecure-seed",
            seed,
        ],
        dir,
    );
    let proof = format!("proof{seed}.json");
    let sj = format!("sj{seed}");
    let args =
        ["prove", "data", "part.csv", "--schema", "schema.toml", "--keys", &keys, "-o", &proof, "--snarkjs", &sj];
    ok(&[&args[..], &["--insecure-seed", seed]].concat(), dir);
    ok(&["export-verifier", "--keys", &keys, "-o", &format!("Verifier{seed}.sol")], dir);
}

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn the_exported_verifier_accepts_valid_proofs_only_and_beats_snarkjs_on_gas() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    prepare(dir, "1");
    prepare(dir, "2");
    let proof = read_json(&dir.join("sj1/proof.json"));
    let inputs: Vec<String> = serde_json::from_value(read_json(&dir.join("sj1/public.json"))).unwrap();

    let mut chain = Chain::new(&[]);
    let (ours, ours_deploy) = chain.deploy(compile(&dir.join("Verifier1.sol"), "Groth16Verifier"));
    let valid = chain.call(ours, verify_call(&proof, &inputs)).unwrap();
    assert!(returned_true(&valid), "a valid proof verifies");
    // The Rust crate, from the same calldata words, gives the contract's verdict in every case.
    let key = |name: &str| {
        let verifier = vsies_zk::DataVerifier::load(&dir.join(name)).unwrap();
        vsies_verifier_contract::groth16::PreparedKey::new(&EvmVerifyingKey::from_key(&verifier.key)).unwrap()
    };
    let (key1, key2) = (key("zk1"), key("zk2"));
    let rust_verdict = |key: &vsies_verifier_contract::groth16::PreparedKey, call: &[u8]| {
        let words: Vec<U256> = call[4..].chunks(32).map(U256::from_be_slice).collect();
        let inputs: Vec<[u8; 32]> = words[8..].iter().map(|word| word.to_be_bytes::<32>()).collect();
        key.verify(&evm_proof(&words[..8]), &inputs)
    };
    assert!(rust_verdict(&key1, &verify_call(&proof, &inputs)));

    // A changed public input, a proof point moved, a proof for other keys: false, not a revert.
    let mut wrong_input = inputs.clone();
    wrong_input[3] = (wrong_input[3].parse::<u64>().unwrap() + 1).to_string();
    assert!(!returned_true(&chain.call(ours, verify_call(&proof, &wrong_input)).unwrap()));
    let mut moved = proof.clone();
    moved["pi_c"] = proof["pi_a"].clone();
    assert!(!returned_true(&chain.call(ours, verify_call(&moved, &inputs)).unwrap()));
    let mut off_curve = proof.clone();
    off_curve["pi_a"][1] = serde_json::json!("7");
    assert!(!returned_true(&chain.call(ours, verify_call(&off_curve, &inputs)).unwrap()));
    let (other, _) = chain.deploy(compile(&dir.join("Verifier2.sol"), "Groth16Verifier"));
    assert!(!returned_true(&chain.call(other, verify_call(&proof, &inputs)).unwrap()));
    let mut out_of_field = inputs.clone();
    out_of_field[0] = "21888242871839275222246405745257275088548364400416034343698204186575808495617".into();
    assert!(!returned_true(&chain.call(ours, verify_call(&proof, &out_of_field)).unwrap()));
    for (proof, inputs) in [(&proof, &wrong_input), (&moved, &inputs), (&off_curve, &inputs), (&proof, &out_of_field)] {
        assert!(!rust_verdict(&key1, &verify_call(proof, inputs)));
    }
    assert!(!rust_verdict(&key2, &verify_call(&proof, &inputs)), "a proof for other keys");

    // snarkjs's verifier for the same key: same verdict, more gas.
    let snarkjs_source = dir.join("SnarkjsVerifier.sol");
    std::fs::write(&snarkjs_source, script("snarkjs-solidity.sh", &[&dir.join("sj1/verification_key.json")])).unwrap();
    let (theirs, theirs_deploy) = chain.deploy(compile(&snarkjs_source, "Groth16Verifier"));
    let baseline = chain.call(theirs, verify_call(&proof, &inputs)).unwrap();
    assert!(returned_true(&baseline), "snarkjs's verifier accepts our proof too");
    let intrinsic = intrinsic_gas(&verify_call(&proof, &inputs));
    let floor = 45_000 + 4 * 34_000 + inputs.len() as u64 * (6_000 + 150);
    println!(
        "verifyProof, {} public inputs: ours {} gas ({} execution), snarkjs {} gas ({} execution); \
         precompile floor {floor}; deployment: ours {ours_deploy}, snarkjs {theirs_deploy}",
        inputs.len(),
        valid.gas,
        valid.gas - intrinsic,
        baseline.gas,
        baseline.gas - intrinsic,
    );
    assert!(valid.gas < baseline.gas, "ours {} >= snarkjs {}", valid.gas, baseline.gas);
}

/// The vault's parameters, in Rust and as constructor arguments.
fn vault_params() -> vsies_verifier_contract::Params {
    vsies_verifier_contract::Params {
        round_reward: 10u128.pow(18),
        halving_rounds: 2,
        compute_bps: 7_000,
        invalid_slash_bps: 5_000,
        inactivity_slash_bps: 1_000,
        max_missed_rounds: 2,
        min_stake: 10u128.pow(15),
    }
}

/// A Groth16 proof of `claim` as the verifier's (a, b, c) words.
fn work_proof(
    key: &ark_groth16::ProvingKey<ark_bn254::Bn254>,
    claim: vsies_zk::relations::work_claim::WorkClaim,
    rng: &mut ark_std::rand::rngs::StdRng,
) -> Vec<U256> {
    use ark_snark::SNARK;
    let proof = ark_groth16::Groth16::<ark_bn254::Bn254>::prove(key, claim, rng).unwrap();
    EvmProof::from_proof(&proof).words().iter().map(|w| U256::from_be_bytes(*w)).collect()
}

/// A BN254 scalar as an ABI word.
fn field_word(value: &ark_bn254::Fr) -> U256 {
    use ark_ff::{BigInteger, PrimeField};
    U256::from_be_slice(&value.into_bigint().to_bytes_be())
}

/// The eight proof words as the Rust crate's proof.
fn evm_proof(words: &[U256]) -> EvmProof {
    let w: Vec<[u8; 32]> = words.iter().map(|word| word.to_be_bytes::<32>()).collect();
    EvmProof { a: [w[0], w[1]], b: [[w[2], w[3]], [w[4], w[5]]], c: [w[6], w[7]] }
}

#[test]
fn the_vault_pays_and_slashes_exactly_as_the_rust_crate_over_random_rounds() {
    use ark_snark::SNARK;
    use ark_std::rand::{rngs::StdRng, Rng, SeedableRng};
    use vsies_verifier_contract::{Vault, VaultError};
    use vsies_zk::relations::work_claim::WorkClaim;

    let mut rng = StdRng::seed_from_u64(7);
    let setup = WorkClaim { round: 0, node: [0; 20], commitment: [0; 32], compute: 0, data: 0 };
    let (pk, vk) = ark_groth16::Groth16::<ark_bn254::Bn254>::circuit_specific_setup(setup, &mut rng).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("WorkVerifier.sol");
    let evm_key = EvmVerifyingKey::from_key(&vk);
    let rust_verifier = vsies_verifier_contract::groth16::PreparedKey::new(&evm_key).expect("a valid key");
    let rendered = vsies_verifier_contract::solidity::render_verifier(&evm_key, "work claims");
    std::fs::write(&source, rendered).unwrap();

    let nodes: Vec<Address> = (1..=4u8).map(|i| Address::repeat_byte(0x20 + i)).collect();
    let mut chain = Chain::new(&nodes);
    let (verifier, verifier_deploy) = chain.deploy(compile(&source, "Groth16Verifier"));
    let params = vault_params();
    let mut deploy = compile(&root().join("verifier-contract/contracts/RewardVault.sol"), "RewardVault");
    deploy.extend(words(&[
        address_word(verifier),
        U256::from(params.round_reward),
        U256::from(params.halving_rounds),
        U256::from(params.compute_bps),
        U256::from(params.invalid_slash_bps),
        U256::from(params.inactivity_slash_bps),
        U256::from(params.max_missed_rounds),
        U256::from(params.min_stake),
    ]));
    let funding = U256::from(10u128.pow(24));
    let deployed = chain.transact_from(OWNER, TxKind::Create, deploy, funding).expect("deploys");
    let vault_address = deployed.created.expect("an address");
    let mut gas = std::collections::BTreeMap::<&str, u64>::new();
    gas.insert("deploy RewardVault", deployed.gas);
    gas.insert("deploy Groth16Verifier (2 public inputs)", verifier_deploy);
    let mut vault = Vault::new(params);
    let node_id = |address: &Address| -> [u8; 20] { address.0 .0 };

    for (i, node) in nodes.iter().enumerate() {
        let stake = params.min_stake * (i as u128 + 1);
        chain.transact_from(*node, TxKind::Call(vault_address), selector("join()"), U256::from(stake)).unwrap();
        vault.join(node_id(node), stake).unwrap();
    }
    let too_low = chain.transact_from(nodes[0], TxKind::Call(vault_address), selector("join()"), U256::from(1));
    assert!(too_low.is_err(), "a second join and a low stake revert");

    // Each node's dataset commitment (any canonical scalar here).
    let commitment_of = |node: &Address| -> [u8; 32] { keccak256(node.as_slice()).0.map(|b| b & 0x0f) };
    let submit = |round: u64, proof: &[U256], commitment: [u8; 32], compute: u128, data: u128| {
        let mut call = selector("submit(uint64,uint256[2],uint256[2][2],uint256[2],uint256,uint256,uint256)");
        let mut args = vec![U256::from(round)];
        args.extend_from_slice(proof);
        args.extend([U256::from_be_bytes(commitment), U256::from(compute), U256::from(data)]);
        call.extend(words(&args));
        call
    };
    let view = |chain: &mut Chain, call: Vec<u8>| U256::from_be_slice(&chain.call(vault_address, call).unwrap().output);

    // verifyProof alone for the vault's 2-input layout.
    let claim =
        WorkClaim { round: 0, node: node_id(&nodes[0]), commitment: commitment_of(&nodes[0]), compute: 5, data: 6 };
    let proof = work_proof(&pk, claim, &mut rng);
    let mut call = selector("verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[2])");
    let inputs: Vec<U256> = claim.public_inputs().iter().map(field_word).collect();
    call.extend(words(&[proof, inputs].concat()));
    let intrinsic = intrinsic_gas(&call);
    let verify_call_words = call.clone();
    let receipt = chain.call(verifier, call).unwrap();
    assert_eq!(U256::from_be_slice(&receipt.output), U256::from(1));
    gas.insert("verifyProof (2 public inputs)", receipt.gas);
    gas.insert("verifyProof (2 public inputs), execution only", receipt.gas - intrinsic);
    // snarkjs's verifier for the same key and proof.
    let vk_json = dir.path().join("work_vk.json");
    std::fs::write(&vk_json, serde_json::to_vec(&vsies_zk::groth16::snarkjs::verifying_key(&vk)).unwrap()).unwrap();
    let snarkjs_source = dir.path().join("SnarkjsWork.sol");
    std::fs::write(&snarkjs_source, script("snarkjs-solidity.sh", &[&vk_json])).unwrap();
    let (theirs, theirs_deploy) = chain.deploy(compile(&snarkjs_source, "Groth16Verifier"));
    gas.insert("deploy Groth16Verifier (2 public inputs), snarkjs's", theirs_deploy);
    let baseline = chain.call(theirs, verify_call_words.clone()).unwrap();
    assert_eq!(U256::from_be_slice(&baseline.output), U256::from(1));
    gas.insert("verifyProof (2 public inputs), snarkjs's verifier", baseline.gas);
    gas.insert("verifyProof (2 public inputs), snarkjs's verifier, execution only", baseline.gas - intrinsic);
    assert!(receipt.gas < baseline.gas, "ours {} >= snarkjs {}", receipt.gas, baseline.gas);
    assert!(receipt.gas - intrinsic <= 45_000 + 4 * 34_000 + 15_000, "within the pairing floor + 15,000");

    let rounds = 6u64;
    let mut slashes = Vec::new();
    for round in 0..rounds {
        for node in &nodes {
            let choice = rng.gen_range(0..4);
            let (compute, data) = (rng.gen_range(0..1_000_000u128), rng.gen_range(0..1_000u128));
            let claim = WorkClaim { round, node: node_id(node), commitment: commitment_of(node), compute, data };
            let (proof, valid) = match choice {
                0 => continue,                                                                        // misses the round
                1 => (work_proof(&pk, WorkClaim { compute: compute + 1, ..claim }, &mut rng), false), // lies about its work
                2 => (work_proof(&pk, WorkClaim { node: node_id(&nodes[0]), ..claim }, &mut rng), node == &nodes[0]), // another node's proof
                _ => (work_proof(&pk, claim, &mut rng), true),
            };
            // The crate's verifier, on the words the vault builds, agrees with the contract's.
            let vault_inputs = claim.public_inputs().map(|input| field_word(&input).to_be_bytes::<32>());
            assert_eq!(rust_verifier.verify(&evm_proof(&proof), &vault_inputs), valid);
            let receipt = chain
                .transact_from(
                    *node,
                    TxKind::Call(vault_address),
                    submit(round, &proof, commitment_of(node), compute, data),
                    U256::ZERO,
                )
                .expect("submissions never revert for a bad proof");
            gas.insert(if valid { "submit (valid proof)" } else { "submit (invalid proof, slashed)" }, receipt.gas);
            for event in vault.submit(node_id(node), round, valid, compute, data).unwrap() {
                slashes.push(event);
            }
            if valid {
                let again = chain.transact_from(
                    *node,
                    TxKind::Call(vault_address),
                    submit(round, &proof, commitment_of(node), compute, data),
                    U256::ZERO,
                );
                assert!(again.is_err(), "a second submission reverts");
                assert_eq!(vault.submit(node_id(node), round, true, compute, data), Err(VaultError::AlreadySubmitted));
            }
        }
        let receipt = chain.call(vault_address, selector("closeRound()")).unwrap();
        gas.insert("closeRound (4 nodes)", receipt.gas);
        slashes.extend(vault.close_round());
        for node in &nodes {
            let mut call = selector("stakeOf(address)");
            call.extend(words(&[address_word(*node)]));
            assert_eq!(
                view(&mut chain, call),
                U256::from(vault.stake(&node_id(node)).unwrap()),
                "stake after round {round}"
            );
        }
    }
    let mut call = selector("slashed()");
    call.truncate(4);
    assert_eq!(view(&mut chain, call), U256::from(vault.slashed));

    // Claims: the amount the crate computes, to the wei; once; nothing for nothing.
    let mut paid = 0u32;
    for round in 0..rounds {
        for node in &nodes {
            let expected = vault.reward(&node_id(node), round);
            let mut call = selector("reward(address,uint64)");
            call.extend(words(&[address_word(*node), U256::from(round)]));
            assert_eq!(view(&mut chain, call), U256::from(expected), "reward of {node} in round {round}");
            let before = chain.balance(*node);
            let mut claim = selector("claim(uint64)");
            claim.extend(words(&[U256::from(round)]));
            let result = chain.transact_from(*node, TxKind::Call(vault_address), claim.clone(), U256::ZERO);
            match vault.claim(node_id(node), round) {
                Ok(_) => {
                    gas.insert("claim", result.expect("the claim succeeds").gas);
                    assert_eq!(chain.balance(*node) - before, U256::from(expected));
                    paid += 1;
                    let again = chain.transact_from(*node, TxKind::Call(vault_address), claim, U256::ZERO);
                    assert!(again.is_err(), "a double claim reverts");
                }
                Err(err) => assert!(result.is_err(), "the contract pays what the crate refuses ({err:?})"),
            }
        }
    }
    assert!(paid > 0, "some rewards were paid");
    let slashed_for = |reason| {
        slashes.iter().any(|e| matches!(e, vsies_verifier_contract::Event::Slashed { reason: r, .. } if *r == reason))
    };
    assert!(slashed_for(vsies_verifier_contract::SlashReason::InvalidProof), "the history slashes an invalid proof");
    assert!(slashed_for(vsies_verifier_contract::SlashReason::Inactivity), "the history slashes inactivity");
    let mut open = selector("claim(uint64)");
    open.extend(words(&[U256::from(rounds)]));
    assert!(
        chain.transact_from(nodes[1], TxKind::Call(vault_address), open, U256::ZERO).is_err(),
        "the open round cannot be claimed"
    );
    for (what, used) in gas {
        println!("gas: {what}: {used}");
    }
}
