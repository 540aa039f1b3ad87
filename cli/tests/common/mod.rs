//! Helpers shared by the binary's end-to-end tests.
#![allow(dead_code)] // each test file uses its own subset

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `vsies args` in `cwd`.
pub fn vsies(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vsies")).args(args).current_dir(cwd).output().expect("vsies runs")
}

/// Standard output and error together.
pub fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

/// Runs `vsies args`, asserts success and returns its output.
pub fn ok(args: &[&str], cwd: &Path) -> String {
    let out = vsies(args, cwd);
    assert!(out.status.success(), "{args:?}: {}", text(&out));
    text(&out)
}

/// The bundled breast-cancer CSV.
pub fn bundled() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/data/breast_cancer.csv")
}

/// `vsies agg keygen --trusted-dealer` for a `members`/`threshold` committee of packing 1 into
/// `output` (tests use the dealer; `agg dkg` is tested on its own), with `extra` flags.
pub fn dealer_committee(members: usize, threshold: usize, output: &str, extra: &[&str], cwd: &Path) -> String {
    let (members, threshold) = (members.to_string(), threshold.to_string());
    let mut args = vec!["agg", "keygen", "--trusted-dealer", "--members", &members, "--threshold", &threshold];
    args.extend(["--packing", "1", "-o", output]);
    args.extend(extra);
    ok(&args, cwd)
}
