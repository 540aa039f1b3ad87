//! The exported Solidity verifiers, compiled by the real Solidity compiler (solcjs, pinned,
//! installed by `scripts/solc.sh`) and run in revm: valid proofs verify, tampered proofs,
//! wrong public inputs and proofs for other keys do not, the Rust crate gives the same verdict
//! on the same words, and the gas is set beside snarkjs's verifier for the same keys. Needs
//! Node.js and npm (the scripts install the rest). The vault itself: `chain/tests/vault.rs`.

mod common;

use ark_ec::{AffineRepr, CurveGroup};
use common::ok;
use std::path::{Path, PathBuf};
use std::process::Command;
use vsies_chain::abi::{call, word, words};
use vsies_chain::evm::intrinsic_gas;
use vsies_chain::vault::{deploy_data_verifier_with_key, deploy_training_verifier_with_key};
use vsies_chain::{Address, Chain, U256};
use vsies_verifier_contract::groth16::{encode_g1, encode_g2, EvmCommittedProof, PreparedCommittedKey, PreparedKey};
use vsies_verifier_contract::solidity::EvmVerifyingKey;

const OWNER: Address = Address::repeat_byte(0x11);

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

fn deploy(chain: &mut Chain, source: &Path, contract: &str) -> (Address, u64) {
    chain.deploy(OWNER, vsies_chain::solc::compile_one(&[source], contract).unwrap(), U256::ZERO).unwrap()
}

fn returned_true(output: &[u8]) -> bool {
    output.len() == 32 && output[31] == 1 && output[..31].iter().all(|&b| b == 0)
}

fn decimal_word(text: &str) -> U256 {
    U256::from_str_radix(text, 10).unwrap()
}

/// Calldata of the plain `verifyProof` for snarkjs-layout `proof` and `inputs`.
fn plain_call(proof: &serde_json::Value, inputs: &[String]) -> Vec<u8> {
    let text = |v: &serde_json::Value| v.as_str().unwrap().to_string();
    let (a, b, c) = (&proof["pi_a"], &proof["pi_b"], &proof["pi_c"]);
    // snarkjs's JSON has G2 as [c0, c1]; the precompile (and both verifiers) take [c1, c0].
    let proof_words = [
        text(&a[0]),
        text(&a[1]),
        text(&b[0][1]),
        text(&b[0][0]),
        text(&b[1][1]),
        text(&b[1][0]),
        text(&c[0]),
        text(&c[1]),
    ];
    let values: Vec<U256> = proof_words.iter().chain(inputs).map(|w| decimal_word(w)).collect();
    call(&format!("verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[{}])", inputs.len()), &words(&values))
}

/// Calldata of the committed `verifyProof`.
fn committed_call(proof: &EvmCommittedProof, inputs: &[[u8; 32]]) -> Vec<u8> {
    let values: Vec<U256> = proof.words().iter().chain(inputs).map(word).collect();
    call(
        &format!("verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[2],uint256[2],uint256[{}])", inputs.len()),
        &words(&values),
    )
}

/// A schema from the whole bundled file and the first `rows` rows as `part.csv`.
fn bundled_part(dir: &Path, rows: usize) {
    let data = common::bundled();
    ok(&["schema", "infer", data.to_str().unwrap(), "--label", "malignant", "-o", "schema.toml"], dir);
    let csv = std::fs::read_to_string(&data).unwrap();
    std::fs::write(dir.join("part.csv"), csv.lines().take(rows + 1).collect::<Vec<_>>().join("\n") + "\n").unwrap();
}

/// Data keys, a proof in snarkjs layout, and our verifier for 16 rows of the bundled data.
fn prepare_data(dir: &Path, seed: &str) {
    let keys = format!("zk{seed}");
    let setup = ["setup", "data", "--schema", "schema.toml", "--rows", "16", "--buckets", "2", "-o", &keys];
    ok(&[&setup[..], &["--insecure-seed", seed]].concat(), dir);
    let (proof, sj) = (format!("proof{seed}.json"), format!("sj{seed}"));
    let args =
        ["prove", "data", "part.csv", "--schema", "schema.toml", "--keys", &keys, "-o", &proof, "--snarkjs", &sj];
    ok(&[&args[..], &["--insecure-seed", seed, "--node", "0x00000000000000000000000000000000000000aa"]].concat(), dir);
    ok(&["export-verifier", "--keys", &keys, "-o", &format!("Verifier{seed}.sol")], dir);
}

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn the_exported_data_verifier_accepts_valid_proofs_only_and_beats_snarkjs_on_gas() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    bundled_part(dir, 16);
    prepare_data(dir, "1");
    prepare_data(dir, "2");
    let proof = read_json(&dir.join("sj1/proof.json"));
    let inputs: Vec<String> = serde_json::from_value(read_json(&dir.join("sj1/public.json"))).unwrap();
    assert_eq!(inputs.len(), 2, "the vault's layout: node and digest");

    let mut chain = Chain::new(&[OWNER]);
    let (ours, ours_deploy) = deploy(&mut chain, &dir.join("Verifier1.sol"), "Groth16Verifier");
    let valid = chain.call(OWNER, ours, plain_call(&proof, &inputs)).unwrap();
    assert!(returned_true(&valid.output), "a valid proof verifies");
    // The committed bytecode that takes the key as constructor data: the same verdicts.
    let data_verifier = vsies_zk::DataVerifier::load(&dir.join("zk1")).unwrap();
    let (with_key, with_key_deploy) = deploy_data_verifier_with_key(&mut chain, OWNER, &data_verifier).unwrap();
    let valid_with_key = chain.call(OWNER, with_key, plain_call(&proof, &inputs)).unwrap();
    assert!(returned_true(&valid_with_key.output), "the key-as-data verifier accepts the valid proof");
    let key = |name: &str| {
        let verifier = vsies_zk::DataVerifier::load(&dir.join(name)).unwrap();
        PreparedKey::new(&EvmVerifyingKey::from_key(&verifier.key)).unwrap()
    };
    let (key1, key2) = (key("zk1"), key("zk2"));
    let rust_verdict = |key: &PreparedKey, call: &[u8]| {
        let w: Vec<[u8; 32]> = call[4..].chunks(32).map(|c| c.try_into().unwrap()).collect();
        let proof = vsies_verifier_contract::groth16::EvmProof {
            a: [w[0], w[1]],
            b: [[w[2], w[3]], [w[4], w[5]]],
            c: [w[6], w[7]],
        };
        key.verify(&proof, &w[8..])
    };
    assert!(rust_verdict(&key1, &plain_call(&proof, &inputs)));

    // A changed input (another node), a proof point moved, off the curve, outside the field,
    // a proof for other keys: false, never a revert, and the Rust crate agrees.
    let mut other_node = inputs.clone();
    other_node[0] = (decimal_word(&inputs[0]) + U256::from(1u64 << 60)).to_string();
    let mut moved = proof.clone();
    moved["pi_c"] = proof["pi_a"].clone();
    let mut off_curve = proof.clone();
    off_curve["pi_a"][1] = serde_json::json!("7");
    let mut out_of_field = inputs.clone();
    out_of_field[1] = "21888242871839275222246405745257275088548364400416034343698204186575808495617".into();
    for (proof, inputs) in [(&proof, &other_node), (&moved, &inputs), (&off_curve, &inputs), (&proof, &out_of_field)] {
        let data = plain_call(proof, inputs);
        for verifier in [ours, with_key] {
            assert!(!returned_true(&chain.call(OWNER, verifier, data.clone()).unwrap().output));
        }
        assert!(!rust_verdict(&key1, &data));
    }
    let (other, _) = deploy(&mut chain, &dir.join("Verifier2.sol"), "Groth16Verifier");
    assert!(!returned_true(&chain.call(OWNER, other, plain_call(&proof, &inputs)).unwrap().output));
    assert!(!rust_verdict(&key2, &plain_call(&proof, &inputs)), "a proof for other keys");

    // snarkjs's verifier for the same key: same verdict, more gas.
    let snarkjs_source = dir.join("SnarkjsVerifier.sol");
    std::fs::write(&snarkjs_source, script("snarkjs-solidity.sh", &[&dir.join("sj1/verification_key.json")])).unwrap();
    let (theirs, theirs_deploy) = deploy(&mut chain, &snarkjs_source, "Groth16Verifier");
    let baseline = chain.call(OWNER, theirs, plain_call(&proof, &inputs)).unwrap();
    assert!(returned_true(&baseline.output), "snarkjs's verifier accepts our proof too");
    let intrinsic = intrinsic_gas(&plain_call(&proof, &inputs));
    let floor = 45_000 + 4 * 34_000 + inputs.len() as u64 * (6_000 + 150);
    println!(
        "gas: data verifyProof, 2 inputs: ours {} ({} execution), key as constructor data {} ({} execution), snarkjs {} ({} execution); precompile floor {floor}; deployment: ours {ours_deploy}, key as data {with_key_deploy}, snarkjs {theirs_deploy}",
        valid.gas,
        valid.gas - intrinsic,
        valid_with_key.gas,
        valid_with_key.gas - intrinsic,
        baseline.gas,
        baseline.gas - intrinsic,
    );
    assert!(valid.gas < baseline.gas, "ours {} >= snarkjs {}", valid.gas, baseline.gas);
    assert!(valid.gas - intrinsic <= floor + 15_000, "within the precompile floor + 15,000");
    assert!(valid_with_key.gas - intrinsic <= floor + 15_000, "the key-as-data verifier too");
}

#[test]
fn the_exported_training_verifier_accepts_valid_proofs_only_within_the_floor() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    bundled_part(dir, 16);
    let setup =
        ["setup", "train", "--schema", "schema.toml", "--rows", "16", "--epochs", "1", "--batch-size-log2", "2"];
    ok(&[&setup[..], &["-o", "tk", "--insecure-seed", "3"]].concat(), dir);
    let prove = ["prove", "train", "part.csv", "--schema", "schema.toml", "--keys", "tk", "-o", "tp.json"];
    let node = "0x00000000000000000000000000000000000000bb";
    let rest = ["--model-out", "m.json", "--opening", "o.json", "--round", "2", "--node", node, "--snarkjs", "tsj"];
    ok(&[&prove[..], &rest[..], &["--insecure-seed", "4"]].concat(), dir);
    let out = ok(&["export-verifier", "--keys", "tk", "-o", "TrainVerifier.sol"], dir);
    assert!(out.contains("Groth16CommittedVerifier"), "{out}");

    let verifier = vsies_zk::relations::training::TrainingVerifier::load(&dir.join("tk")).unwrap();
    let file = vsies_zk::relations::training::TrainingProof::load(&dir.join("tp.json")).unwrap();
    let committed = file.committed_proof(Path::new("tp.json")).unwrap();
    let proof = EvmCommittedProof::new(&committed.proof, &committed.commitment.point, &committed.commitment.knowledge);
    let inputs: Vec<[u8; 32]> = file.public_inputs.iter().map(|d| decimal_word(d).to_be_bytes::<32>()).collect();
    let sigma = encode_g2(&verifier.commitment.as_ref().unwrap().sigma_gamma_g2);
    let rust = PreparedCommittedKey::new(&EvmVerifyingKey::from_key(&verifier.key), &sigma).unwrap();
    // public.json holds the two statement inputs and the seed the verifiers derive.
    let public: Vec<String> = serde_json::from_value(read_json(&dir.join("tsj/public.json"))).unwrap();
    assert_eq!(public[..2], file.public_inputs[..]);
    assert_eq!(public.len(), 3);

    let mut chain = Chain::new(&[OWNER]);
    let (ours, ours_deploy) = deploy(&mut chain, &dir.join("TrainVerifier.sol"), "Groth16CommittedVerifier");
    let valid = chain.call(OWNER, ours, committed_call(&proof, &inputs)).unwrap();
    assert!(returned_true(&valid.output), "a valid training proof verifies");
    let (with_key, with_key_deploy) = deploy_training_verifier_with_key(&mut chain, OWNER, &verifier).unwrap();
    let valid_with_key = chain.call(OWNER, with_key, committed_call(&proof, &inputs)).unwrap();
    assert!(returned_true(&valid_with_key.output), "the key-as-data verifier accepts the valid proof");
    assert!(rust.verify(&proof, &inputs));

    let mut other_round = inputs.clone();
    let next_round: U256 = U256::from_be_bytes::<32>(inputs[0]) + (U256::from(1u64) << 220usize);
    other_round[0] = next_round.to_be_bytes::<32>();
    let mut moved = proof.clone();
    moved.commitment = encode_g1(&(committed.commitment.point + verifier.key.gamma_abc_g1[1]).into_affine());
    let mut forged = proof.clone();
    forged.knowledge = encode_g1(&ark_bn254::G1Affine::generator());
    let mut zero = proof.clone();
    zero.commitment = [[0; 32]; 2];
    zero.knowledge = [[0; 32]; 2];
    let mut swapped = proof.clone();
    swapped.proof.c = proof.proof.a;
    for (case, proof, inputs) in [
        ("another round", &proof, &other_round),
        ("a moved commitment", &moved, &inputs),
        ("a forged proof of knowledge", &forged, &inputs),
        ("the identity commitment", &zero, &inputs),
        ("C replaced", &swapped, &inputs),
    ] {
        let data = committed_call(proof, inputs);
        for verifier in [ours, with_key] {
            assert!(!returned_true(&chain.call(OWNER, verifier, data.clone()).unwrap().output), "{case}");
        }
        assert!(!rust.verify(proof, inputs), "{case}");
    }

    // snarkjs's verifier for the same key: it checks the Groth16 equation with the inputs'
    // accumulation only, so for a gas baseline give it a key whose IC0 absorbs this proof's D
    // (then it accepts the proof, with the seed as a third input).
    let mut shifted = verifier.key.clone();
    shifted.gamma_abc_g1[0] = (shifted.gamma_abc_g1[0] + committed.commitment.point).into_affine();
    let vk_json = dir.join("shifted_vk.json");
    std::fs::write(&vk_json, serde_json::to_vec(&vsies_zk::groth16::snarkjs::verifying_key(&shifted)).unwrap())
        .unwrap();
    let snarkjs_source = dir.join("SnarkjsTrain.sol");
    std::fs::write(&snarkjs_source, script("snarkjs-solidity.sh", &[&vk_json])).unwrap();
    let (theirs, _) = deploy(&mut chain, &snarkjs_source, "Groth16Verifier");
    let sj_proof = read_json(&dir.join("tsj/proof.json"));
    let baseline = chain.call(OWNER, theirs, plain_call(&sj_proof, &public)).unwrap();
    assert!(returned_true(&baseline.output), "snarkjs's verifier accepts the proof under the shifted key");
    let intrinsic = intrinsic_gas(&committed_call(&proof, &inputs));
    let sj_intrinsic = intrinsic_gas(&plain_call(&sj_proof, &public));
    // The committed check's precompiles: a 5-pair pairing, ecMul and ecAdd for the two inputs
    // and the seed, two ecMul for the batching scalar and two ecAdd for D and -rho P.
    let floor = 45_000 + 5 * 34_000 + 3 * (6_000 + 150) + 2 * 6_000 + 2 * 150;
    println!(
        "gas: training verifyProof, 2 inputs + seed: ours {} ({} execution), key as constructor data {} ({} execution), precompile floor {floor}; snarkjs's 4-pair check without the commitment {} ({} execution); deployment {ours_deploy}, key as data {with_key_deploy}",
        valid.gas,
        valid.gas - intrinsic,
        valid_with_key.gas,
        valid_with_key.gas - intrinsic,
        baseline.gas,
        baseline.gas - sj_intrinsic,
    );
    assert!(valid.gas - intrinsic <= floor + 15_000, "within the precompile floor + 15,000");
    assert!(valid_with_key.gas - intrinsic <= floor + 15_000, "the key-as-data verifier too");
}
