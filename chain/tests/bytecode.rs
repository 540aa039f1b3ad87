//! The committed bytecode (`chain/bytecode/`) is what the pinned solc makes of the committed
//! sources, so what the chain runs is the Solidity in the repository. Needs Node.js and npm
//! (`scripts/solc.sh`). After changing a contract: `VSIES_WRITE_BYTECODE=1 cargo test -p
//! vsies-chain --test bytecode`.

use vsies_chain::bytecode::{encode_hex, ALL};
use vsies_chain::solc;

#[test]
fn the_pinned_solc_reproduces_every_committed_bytecode() {
    for contract in ALL {
        let paths = contract.source_paths();
        let sources: Vec<&std::path::Path> = paths.iter().map(|path| path.as_path()).collect();
        let compiled = solc::compile_one(&sources, contract.name).expect("the pinned solc compiles the sources");
        if std::env::var_os("VSIES_WRITE_BYTECODE").is_some() {
            std::fs::write(contract.path(), format!("{}\n", encode_hex(&compiled))).unwrap();
        }
        assert!(
            compiled == contract.creation_code().unwrap(),
            "chain/bytecode/{} is not what solc makes of {:?}: run VSIES_WRITE_BYTECODE=1 cargo test -p vsies-chain --test bytecode",
            contract.file,
            contract.sources
        );
    }
}
