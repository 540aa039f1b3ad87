//! The exported Solidity verifier, compiled by the real Solidity compiler (solcjs, pinned,
//! installed by `scripts/solc.sh`) and run in revm: valid proofs verify, tampered proofs, wrong
//! public inputs and proofs for other keys do not, and it costs less gas than snarkjs's own
//! verifier for the same key. Needs Node.js and npm (the scripts install the rest).

mod common;

use common::ok;
use revm::context::TxEnv;
use revm::context_interface::result::{ExecutionResult, Output};
use revm::database::{CacheDB, EmptyDB};
use revm::primitives::{keccak256, Address, Bytes, TxKind};
use revm::{Context, ExecuteCommitEvm, MainBuilder, MainContext};
use std::path::{Path, PathBuf};
use std::process::Command;

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

/// An in-memory chain: one caller, no gas price, every transaction committed.
struct Chain {
    evm: revm::handler::MainnetEvm<revm::handler::MainnetContext<CacheDB<EmptyDB>>>,
    nonce: u64,
}

/// Gas used and output of a transaction, or why it failed.
struct Receipt {
    gas: u64,
    output: Vec<u8>,
    created: Option<Address>,
}

impl Chain {
    fn new() -> Self {
        let evm = Context::mainnet().with_db(CacheDB::<EmptyDB>::default()).build_mainnet();
        Self { evm, nonce: 0 }
    }

    fn transact(&mut self, kind: TxKind, data: Vec<u8>) -> Result<Receipt, String> {
        let tx = TxEnv::builder()
            .caller(Address::repeat_byte(0x11))
            .kind(kind)
            .data(Bytes::from(data))
            .gas_limit(16_000_000)
            .nonce(self.nonce)
            .build()
            .map_err(|err| format!("{err:?}"))?;
        self.nonce += 1;
        match self.evm.transact_commit(tx).map_err(|err| format!("{err:?}"))? {
            ExecutionResult::Success { gas, output, .. } => {
                let created = match &output {
                    Output::Create(_, address) => *address,
                    Output::Call(_) => None,
                };
                Ok(Receipt { gas: gas.total_gas_spent(), output: output.into_data().to_vec(), created })
            }
            other => Err(format!("{other:?}")),
        }
    }

    fn deploy(&mut self, bytecode: Vec<u8>) -> (Address, u64) {
        let receipt = self.transact(TxKind::Create, bytecode).expect("deploys");
        (receipt.created.expect("a created address"), receipt.gas)
    }

    fn call(&mut self, to: Address, data: Vec<u8>) -> Result<Receipt, String> {
        self.transact(TxKind::Call(to), data)
    }
}

/// Calldata of `verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[n])`.
fn verify_call(proof: &serde_json::Value, inputs: &[String]) -> Vec<u8> {
    let signature = format!("verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[{}])", inputs.len());
    let mut data = keccak256(signature.as_bytes())[..4].to_vec();
    let word = |decimal: &str| {
        let value = revm::primitives::U256::from_str_radix(decimal, 10).unwrap();
        value.to_be_bytes::<32>()
    };
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

    let mut chain = Chain::new();
    let (ours, ours_deploy) = chain.deploy(compile(&dir.join("Verifier1.sol"), "Groth16Verifier"));
    let valid = chain.call(ours, verify_call(&proof, &inputs)).unwrap();
    assert!(returned_true(&valid), "a valid proof verifies");

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

    // snarkjs's verifier for the same key: same verdict, more gas.
    let snarkjs_source = dir.join("SnarkjsVerifier.sol");
    std::fs::write(&snarkjs_source, script("snarkjs-solidity.sh", &[&dir.join("sj1/verification_key.json")])).unwrap();
    let (theirs, theirs_deploy) = chain.deploy(compile(&snarkjs_source, "Groth16Verifier"));
    let baseline = chain.call(theirs, verify_call(&proof, &inputs)).unwrap();
    assert!(returned_true(&baseline), "snarkjs's verifier accepts our proof too");
    let call = verify_call(&proof, &inputs);
    // Intrinsic cost of the transaction: 21,000 plus 4 gas per zero and 16 per other calldata byte.
    let intrinsic = 21_000 + call.iter().map(|&byte| if byte == 0 { 4 } else { 16 }).sum::<u64>();
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
