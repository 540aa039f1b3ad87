//! End-to-end tests of the `vsies` binary: every schema defect class with its row and column,
//! exit codes, train/predict accuracy and determinism, and refusal of bad artifacts.

use serde_json::Value;
mod common;

use common::{bundled, text, vsies};

/// A temporary folder holding `data.csv` (a copy of the bundled data) and its inferred schema.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(bundled(), dir.path().join("data.csv")).unwrap();
    let args = ["schema", "infer", "data.csv", "--label", "malignant", "--name", "breast_cancer", "-o", "schema.toml"];
    let out = vsies(&args, dir.path());
    assert!(out.status.success(), "{}", text(&out));
    dir
}

/// Replaces `data.csv`'s lines by `edit(lines)` and runs `schema check` on it with `--json`.
fn check_edited(edit: impl FnOnce(&mut Vec<String>)) -> (i32, Value, String) {
    let dir = workspace();
    let original = std::fs::read_to_string(dir.path().join("data.csv")).unwrap();
    let mut lines: Vec<String> = original.lines().map(str::to_string).collect();
    edit(&mut lines);
    let mut edited = lines.join("\n");
    if !edited.is_empty() {
        edited.push('\n');
    }
    std::fs::write(dir.path().join("data.csv"), edited).unwrap();
    let json = vsies(&["schema", "check", "data.csv", "--schema", "schema.toml", "--json"], dir.path());
    let human = vsies(&["schema", "check", "data.csv", "--schema", "schema.toml"], dir.path());
    assert_eq!(json.status.code(), human.status.code());
    let report: Value = serde_json::from_slice(&json.stdout).unwrap_or(Value::Null);
    (json.status.code().unwrap(), report, text(&human))
}

fn set_cell(lines: &mut [String], line: usize, column: usize, value: &str) {
    let mut cells: Vec<&str> = lines[line].split(',').collect();
    cells[column] = value;
    lines[line] = cells.join(",");
}

/// Asserts exactly one violation of `kind`, located at `line`/`row`/`column` where given.
fn assert_single(report: &Value, kind: &str, line: Option<u64>, row: Option<u64>, column: Option<&str>) {
    assert_eq!(report["valid"], false, "{report}");
    assert_eq!(report["total_violations"], 1, "{report}");
    let violation = &report["violations"][0];
    assert_eq!(violation["kind"], kind, "{report}");
    assert_eq!(violation["line"].as_u64(), line, "{report}");
    assert_eq!(violation["row"].as_u64(), row, "{report}");
    assert_eq!(violation["column"].as_str(), column, "{report}");
}

#[test]
fn inferred_schema_accepts_the_bundled_data() {
    let dir = workspace();
    let out = vsies(&["schema", "check", "data.csv", "--schema", "schema.toml"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("conforms (569 data rows)"));
}

#[test]
fn reports_a_missing_cell_with_row_and_column() {
    // Line 4 of the file is data row 2; column 1 is mean_texture.
    let (code, report, human) = check_edited(|lines| set_cell(lines, 3, 1, ""));
    assert_eq!(code, 1);
    assert_single(&report, "missing_cell", Some(4), Some(2), Some("mean_texture"));
    assert!(human.contains("line 4, row 2, column \"mean_texture\""), "{human}");
}

#[test]
fn reports_a_non_numeric_cell() {
    let (code, report, _) = check_edited(|lines| set_cell(lines, 10, 0, "twelve"));
    assert_eq!(code, 1);
    assert_single(&report, "non_numeric", Some(11), Some(9), Some("mean_radius"));
    assert_eq!(report["violations"][0]["value"], "twelve");
}

#[test]
fn reports_nan_and_infinite_cells() {
    let (code, report, _) = check_edited(|lines| {
        set_cell(lines, 5, 2, "NaN");
        set_cell(lines, 6, 3, "-inf");
    });
    assert_eq!(code, 1);
    assert_eq!(report["total_violations"], 2);
    for (index, (row, column)) in [(4, "mean_perimeter"), (5, "mean_area")].into_iter().enumerate() {
        let violation = &report["violations"][index];
        assert_eq!(violation["kind"], "non_finite");
        assert_eq!(violation["row"], row);
        assert_eq!(violation["column"], column);
    }
}

#[test]
fn reports_a_value_out_of_range() {
    let (code, report, human) = check_edited(|lines| set_cell(lines, 1, 0, "1000"));
    assert_eq!(code, 1);
    assert_single(&report, "out_of_range", Some(2), Some(0), Some("mean_radius"));
    assert_eq!(report["violations"][0]["max"], 30.0);
    assert!(human.contains("outside the schema range [0, 30]"), "{human}");
}

#[test]
fn reports_a_label_outside_its_classes() {
    let (code, report, _) = check_edited(|lines| set_cell(lines, 20, 30, "2"));
    assert_eq!(code, 1);
    assert_single(&report, "unknown_label", Some(21), Some(19), Some("malignant"));
}

#[test]
fn reports_a_wrong_header_column() {
    let (code, report, _) = check_edited(|lines| lines[0] = lines[0].replace("mean_radius", "mean_radios"));
    assert_eq!(code, 1);
    let kinds: Vec<&str> =
        report["violations"].as_array().unwrap().iter().map(|v| v["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["unexpected_column", "missing_column"]);
    assert_eq!(report["violations"][0]["column"], "mean_radios");
    assert_eq!(report["violations"][1]["column"], "mean_radius");
}

#[test]
fn reports_a_duplicated_header_column() {
    let (code, report, _) = check_edited(|lines| lines[0] = lines[0].replace("mean_texture", "mean_radius"));
    assert_eq!(code, 1);
    assert_eq!(report["violations"][0]["kind"], "duplicate_column");
    assert_eq!(report["violations"][0]["column"], "mean_radius");
}

#[test]
fn reports_a_missing_header() {
    let (code, report, _) = check_edited(|lines| {
        lines.remove(0);
    });
    assert_eq!(code, 1);
    assert_single(&report, "missing_header", Some(1), None, None);
}

#[test]
fn reports_a_missing_label_column_unless_unlabeled_is_allowed() {
    let dir = workspace();
    let text_in = std::fs::read_to_string(dir.path().join("data.csv")).unwrap();
    let unlabeled: String = text_in.lines().map(|l| format!("{}\n", l.rsplit_once(',').unwrap().0)).collect();
    std::fs::write(dir.path().join("data.csv"), unlabeled).unwrap();
    let out = vsies(&["schema", "check", "data.csv", "--schema", "schema.toml", "--json"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_single(&report, "missing_column", Some(1), None, Some("malignant"));
    let out = vsies(&["schema", "check", "data.csv", "--schema", "schema.toml", "--unlabeled"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
fn reports_a_ragged_row() {
    let (code, report, _) = check_edited(|lines| lines[7].push_str(",1.5"));
    assert_eq!(code, 1);
    assert_single(&report, "ragged_row", Some(8), Some(6), None);
    assert_eq!(report["violations"][0]["found"], 32);
    assert_eq!(report["violations"][0]["expected"], 31);
}

#[test]
fn reports_an_empty_file_and_a_header_without_rows() {
    let (code, report, _) = check_edited(|lines| lines.clear());
    assert_eq!(code, 1);
    assert_single(&report, "empty_file", None, None, None);
    let (code, report, _) = check_edited(|lines| lines.truncate(1));
    assert_eq!(code, 1);
    assert_single(&report, "no_data_rows", None, None, None);
}

#[test]
fn caps_the_listing_but_counts_every_violation() {
    let (code, report, human) = check_edited(|lines| {
        for line in lines.iter_mut().skip(1) {
            *line = line.replacen(',', ",x", 1); // mean_texture becomes non-numeric on every row
        }
    });
    assert_eq!(code, 1);
    assert_eq!(report["total_violations"], 569);
    assert_eq!(report["violations"].as_array().unwrap().len(), 50);
    assert!(human.contains("... and 519 more"), "{human}");
}

#[test]
fn usage_and_io_errors_exit_2() {
    let dir = workspace();
    let missing = vsies(&["schema", "check", "nope.csv", "--schema", "schema.toml"], dir.path());
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing).contains("nope.csv"), "{}", text(&missing));
    let no_schema = vsies(&["schema", "check", "data.csv", "--schema", "nope.toml"], dir.path());
    assert_eq!(no_schema.status.code(), Some(2));
    assert_eq!(vsies(&["schema", "check", "data.csv"], dir.path()).status.code(), Some(2));
    assert_eq!(vsies(&["frobnicate"], dir.path()).status.code(), Some(2));
}

/// Splits, infers, trains and predicts in a fresh folder; returns it.
fn train_and_predict() -> tempfile::TempDir {
    let dir = workspace();
    let run = |args: &[&str]| {
        let out = vsies(args, dir.path());
        assert!(out.status.success(), "{args:?}: {}", text(&out));
        text(&out)
    };
    run(&["split", "data.csv", "--train", "train.csv", "--test", "test.csv"]);
    run(&["train", "train.csv", "--schema", "schema.toml", "-o", "model.json"]);
    let predicted = run(&["predict", "test.csv", "--model", "model.json", "-o", "preds.csv"]);
    assert!(predicted.contains("accuracy"), "{predicted}");
    dir
}

#[test]
fn train_and_predict_meet_the_accuracy_bar_deterministically() {
    let first = train_and_predict();
    let second = train_and_predict();
    let read = |dir: &tempfile::TempDir, name: &str| std::fs::read(dir.path().join(name)).unwrap();
    assert_eq!(read(&first, "model.json"), read(&second, "model.json"));
    assert_eq!(read(&first, "preds.csv"), read(&second, "preds.csv"));
    let out = vsies(&["inspect", "model.json"], first.path());
    assert!(text(&out).contains("bafkreiexem4ebspdrfd2r3ws6mgf7xuf7lhkghls3lu5thmqqv3lwqfe4i"), "{}", text(&out));
    let out = vsies(&["predict", "test.csv", "--model", "model.json", "-o", "p.csv"], first.path());
    let accuracy: f64 = text(&out).split_whitespace().nth(1).unwrap().parse().unwrap();
    assert!(accuracy >= 0.958 - 0.015, "accuracy {accuracy}");
}

#[test]
fn predictions_csv_has_row_class_score_for_every_row() {
    let dir = train_and_predict();
    let csv = std::fs::read_to_string(dir.path().join("preds.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("row,class,score"));
    let rows: Vec<Vec<String>> = lines.map(|l| l.split(',').map(str::to_string).collect()).collect();
    assert_eq!(rows.len(), 143);
    for (index, row) in rows.iter().enumerate() {
        assert_eq!(row[0], index.to_string());
        let score: i64 = row[2].parse().unwrap();
        assert_eq!(row[1], if score >= 0 { "1" } else { "0" });
    }
    // Without -o the same CSV goes to stdout.
    let out = vsies(&["predict", "test.csv", "--model", "model.json"], dir.path());
    assert_eq!(String::from_utf8_lossy(&out.stdout), csv);
}

#[test]
fn predict_on_invalid_data_exits_1_and_keeps_the_previous_output() {
    let dir = train_and_predict();
    let before = std::fs::read(dir.path().join("preds.csv")).unwrap();
    let text_in = std::fs::read_to_string(dir.path().join("test.csv")).unwrap();
    std::fs::write(dir.path().join("test.csv"), text_in.replacen("\n1", "\nbad", 1)).unwrap();
    let out = vsies(&["predict", "test.csv", "--model", "model.json", "-o", "preds.csv"], dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("not a number"), "{}", text(&out));
    assert_eq!(std::fs::read(dir.path().join("preds.csv")).unwrap(), before);
}

#[test]
fn corrupted_truncated_or_wrong_kind_model_files_are_refused() {
    let dir = train_and_predict();
    let model = std::fs::read_to_string(dir.path().join("model.json")).unwrap();
    let predict = |name: &str| vsies(&["predict", "test.csv", "--model", name], dir.path());

    std::fs::write(dir.path().join("flipped.json"), model.replacen("\"epochs\": 10", "\"epochs\": 11", 1)).unwrap();
    let out = predict("flipped.json");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("flipped.json: checksum mismatch"), "{}", text(&out));

    std::fs::write(dir.path().join("short.json"), &model[..model.len() / 2]).unwrap();
    let out = predict("short.json");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("short.json: truncated"), "{}", text(&out));

    assert!(vsies(&["quantize", "test.csv", "--schema", "schema.toml", "-o", "test.vqd"], dir.path()).status.success());
    let out = predict("test.vqd");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("test.vqd: wrong artifact kind: expected model, found quantized-dataset"),
        "{}",
        text(&out)
    );

    let out = predict("schema.toml");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("schema.toml"), "{}", text(&out));
}

#[test]
fn quantized_dataset_artifact_reports_its_content_id_and_refuses_bit_flips() {
    let dir = workspace();
    let out = vsies(&["quantize", "data.csv", "--schema", "schema.toml", "-o", "data.vqd"], dir.path());
    assert!(out.status.success(), "{}", text(&out));
    let inspect = text(&vsies(&["inspect", "data.vqd"], dir.path()));
    assert!(inspect.contains("rows: 569, features: 30"), "{inspect}");
    let mut bytes = std::fs::read(dir.path().join("data.vqd")).unwrap();
    bytes[100] ^= 0x10;
    std::fs::write(dir.path().join("data.vqd"), &bytes).unwrap();
    let out = vsies(&["inspect", "data.vqd"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("checksum mismatch"), "{}", text(&out));
}

/// A full disk or a closed pipe on stdout: exit 2 with a message, never a panic.
#[cfg(target_os = "linux")]
#[test]
fn a_full_or_closed_stdout_is_an_error_not_a_panic() {
    use std::process::{Command, Stdio};
    let dir = workspace();
    let check = ["schema", "check", "data.csv", "--schema", "schema.toml"];
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let out =
        Command::new(env!("CARGO_BIN_EXE_vsies")).args(check).current_dir(dir.path()).stdout(full).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("error: stdout: No space left on device") && !stderr.contains("panicked"), "{stderr}");

    let mut child = Command::new(env!("CARGO_BIN_EXE_vsies"))
        .args(check)
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("error: stdout: Broken pipe") && !stderr.contains("panicked"), "{stderr}");
}

/// Invalid data is exit 1 for `schema infer` too; a directory where a CSV belongs is I/O, 2.
#[test]
fn schema_infer_exit_codes_separate_invalid_data_from_unreadable_files() {
    let dir = workspace();
    let d = dir.path();
    std::fs::write(d.join("bad.csv"), "a,b\n1,0\nx,1\n").unwrap();
    let out = vsies(&["schema", "infer", "bad.csv", "--label", "b", "-o", "s.toml"], d);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("bad.csv: line 3, row 1, column \"a\""), "{}", text(&out));
    std::fs::write(d.join("one.csv"), "a,b\n1,0\n2,0\n").unwrap();
    assert_eq!(vsies(&["schema", "infer", "one.csv", "--label", "b", "-o", "s.toml"], d).status.code(), Some(1));
    std::fs::create_dir(d.join("folder.csv")).unwrap();
    let out = vsies(&["schema", "infer", "folder.csv", "--label", "b", "-o", "s.toml"], d);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("folder.csv"), "{}", text(&out));
    assert!(!d.join("s.toml").exists());
}

/// A 1 MB header name is not printed back whole.
#[test]
fn echoed_values_are_cut() {
    let dir = workspace();
    let d = dir.path();
    let long = "a".repeat(1_000_000);
    std::fs::write(d.join("long.csv"), format!("{long},b\nx,1\n2,0\n")).unwrap();
    let out = vsies(&["schema", "infer", "long.csv", "--label", "b", "-o", "s.toml"], d);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).len() < 1000 && text(&out).contains("(1000000 bytes)"), "{} bytes", text(&out).len());
    std::fs::write(d.join("long.csv"), format!("{long},b\n1,1\n2,0\n")).unwrap();
    assert!(vsies(&["schema", "infer", "long.csv", "--label", "b", "-o", "s.toml"], d).status.success());
    std::fs::write(d.join("short.csv"), "c,b\n1,1\n2,0\n").unwrap();
    let out = vsies(&["schema", "check", "short.csv", "--schema", "s.toml"], d);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).len() < 1000, "{} bytes", text(&out).len());
}

/// `-o /dev/stdout` into a pipe delivers the artifact alone: every message goes to stderr.
#[cfg(target_os = "linux")]
#[test]
fn an_artifact_written_to_stdout_is_not_mixed_with_messages() {
    use std::process::{Command, Stdio};
    let dir = workspace();
    let d = dir.path();
    let piped = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_vsies"))
            .args(args)
            .current_dir(d)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", text(&out));
        out
    };
    let out = piped(&["quantize", "data.csv", "--schema", "schema.toml", "-o", "/dev/stdout"]);
    std::fs::write(d.join("piped.vqd"), &out.stdout).unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("/dev/stdout"), "{}", text(&out));
    let out = piped(&["train", "piped.vqd", "--schema", "schema.toml", "--output=/dev/stdout"]);
    std::fs::write(d.join("piped.json"), &out.stdout).unwrap();
    vsies(&["quantize", "data.csv", "--schema", "schema.toml", "-o", "file.vqd"], d);
    vsies(&["train", "file.vqd", "--schema", "schema.toml", "-o", "file.json"], d);
    assert_eq!(std::fs::read(d.join("piped.vqd")).unwrap(), std::fs::read(d.join("file.vqd")).unwrap());
    assert_eq!(std::fs::read(d.join("piped.json")).unwrap(), std::fs::read(d.join("file.json")).unwrap());
    // Without an output on stdout, messages stay on stdout.
    let out = piped(&["inspect", "file.json"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("model"), "{}", text(&out));
}

/// `/dev/zero` where a CSV, a schema or an artifact belongs is refused after a bounded read.
#[cfg(target_os = "linux")]
#[test]
fn endless_inputs_are_refused_after_a_bounded_read() {
    let dir = workspace();
    let d = dir.path();
    let out = vsies(&["schema", "check", "/dev/zero", "--schema", "schema.toml"], d);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("line 1 is longer than 16 MiB"), "{}", text(&out));
    let out = vsies(&["schema", "infer", "/dev/zero", "--label", "malignant", "-o", "s.toml"], d);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("line 1 is longer than 16 MiB"), "{}", text(&out));
    let out = vsies(&["split", "/dev/zero", "--train", "a.csv", "--test", "b.csv"], d);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("/dev/zero: line 1 is longer than 16 MiB"), "{}", text(&out));
    assert!(!d.join("a.csv").exists() && !d.join("b.csv").exists());
    let out = vsies(&["schema", "check", "data.csv", "--schema", "/dev/zero"], d);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("/dev/zero") && text(&out).contains("MiB a schema may take"), "{}", text(&out));
    // Not an artifact: `inspect` reads it as a schema (unreadable), `train` as a CSV (an
    // invalid one), each bounded.
    let out = vsies(&["inspect", "/dev/zero"], d);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("/dev/zero") && text(&out).contains("MiB a schema may take"), "{}", text(&out));
    let out = vsies(&["train", "/dev/zero", "--schema", "schema.toml", "-o", "m.json"], d);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("line 1 is longer than 16 MiB") && !d.join("m.json").exists(), "{}", text(&out));
}

/// A schema's content errors name the schema file.
#[test]
fn schema_content_errors_name_the_file() {
    let dir = workspace();
    let d = dir.path();
    let schema = std::fs::read_to_string(d.join("schema.toml")).unwrap();
    std::fs::write(d.join("bad.toml"), schema.replacen("scale = ", "scale = -", 1)).unwrap();
    let out = vsies(&["schema", "check", "data.csv", "--schema", "bad.toml"], d);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("schema bad.toml field `features[0].scale"), "{}", text(&out));
    let bits: Vec<String> =
        schema.lines().map(|line| if line.starts_with("bits = ") { "bits = 99".into() } else { line.into() }).collect();
    assert_ne!(bits.join("\n"), schema.trim_end(), "the inferred schema states its bits");
    std::fs::write(d.join("bits.toml"), bits.join("\n")).unwrap();
    let out = vsies(&["schema", "check", "data.csv", "--schema", "bits.toml"], d);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("schema bits.toml quantization"), "{}", text(&out));
}
