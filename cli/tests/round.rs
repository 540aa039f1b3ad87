//! `vsies round`'s refusals before any work: a malformed committee or adversary, an adversary
//! outside the nodes, a threshold above the members and an output directory that holds files
//! are usage errors (exit 2) that write nothing; data that fails its schema is exit 1. The
//! rounds themselves: `subnet/tests/round.rs` and the README's main job.

mod common;
use common::{bundled, ok, text, vsies};

fn round(extra: &[&str], dir: &std::path::Path) -> std::process::Output {
    let data = bundled();
    let base = ["round", "--data", data.to_str().unwrap(), "--schema", "schema.toml", "--nodes", "4", "--rounds", "1"];
    vsies(&[&base[..], extra].concat(), dir)
}

#[test]
fn bad_flags_and_a_used_output_are_usage_errors_that_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = bundled();
    ok(&["schema", "infer", data.to_str().unwrap(), "--label", "malignant", "-o", "schema.toml"], dir.path());
    for (flags, expected) in [
        (&["--committee", "5", "-o", "a"][..], "is not M/T"),
        (&["--committee", "3/4", "-o", "b"], "threshold 4"),
        (&["--committee", "3/2", "--adversary", "2-replay", "-o", "c"], "is not NODE:KIND"),
        (&["--committee", "3/2", "--adversary", "2:lazy", "-o", "d"], "unknown adversary kind `lazy`"),
        (&["--committee", "3/2", "--adversary", "9:replay", "-o", "e"], "not one of the nodes 1 to 4"),
        (
            &["--committee", "3/2", "--adversary", "2:replay", "--adversary", "2:inactive", "-o", "f"],
            "two adversary kinds",
        ),
    ] {
        let out = round(flags, dir.path());
        assert_eq!(out.status.code(), Some(2), "{flags:?}: {}", text(&out));
        assert!(text(&out).contains(expected), "{flags:?}: {}", text(&out));
        let output = flags.last().unwrap();
        assert!(!dir.path().join(output).exists(), "{flags:?} wrote {output}");
    }
    std::fs::create_dir(dir.path().join("used")).unwrap();
    std::fs::write(dir.path().join("used/keep.txt"), "mine").unwrap();
    let out = round(&["--committee", "3/2", "-o", "used"], dir.path());
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("is not empty"), "{}", text(&out));
    assert_eq!(std::fs::read_to_string(dir.path().join("used/keep.txt")).unwrap(), "mine");
}

#[test]
fn rows_outside_the_schema_are_checked_invalid() {
    let dir = tempfile::tempdir().unwrap();
    let data = bundled();
    ok(&["schema", "infer", data.to_str().unwrap(), "--label", "malignant", "-o", "schema.toml"], dir.path());
    let csv = std::fs::read_to_string(&data).unwrap();
    let mut lines: Vec<String> = csv.lines().map(String::from).collect();
    let mut cells: Vec<String> = lines[1].split(',').map(String::from).collect();
    cells[0] = "1e9".into();
    lines[1] = cells.join(",");
    std::fs::write(dir.path().join("bad.csv"), lines.join("\n") + "\n").unwrap();
    let base = ["round", "--data", "bad.csv", "--schema", "schema.toml", "--nodes", "4", "--rounds", "1"];
    let out = vsies(&[&base[..], &["--committee", "3/2", "-o", "out"]].concat(), dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("bad.csv"), "{}", text(&out));
}
