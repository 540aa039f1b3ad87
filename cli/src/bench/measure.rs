//! Timing helpers of the benchmarks.

use std::time::Instant;

/// Median wall time of `runs` calls, in seconds.
pub fn median_seconds(runs: usize, mut f: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..runs.max(1))
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

/// Runs the fallible `f` `runs` times (at least once): the median wall time and the last result.
pub fn median_seconds_of<T, E>(runs: usize, mut f: impl FnMut() -> Result<T, E>) -> Result<(f64, T), E> {
    let mut times = Vec::with_capacity(runs.max(1));
    let mut last = None;
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        last = Some(f()?);
        times.push(start.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    Ok((times[times.len() / 2], last.expect("at least one run")))
}

pub fn human(seconds: f64) -> String {
    if seconds >= 1.0 {
        format!("{seconds:.3} s")
    } else if seconds >= 1e-3 {
        format!("{:.3} ms", seconds * 1e3)
    } else {
        format!("{:.1} µs", seconds * 1e6)
    }
}

/// A peak memory figure for a table cell.
pub fn gib(value: Option<f64>) -> String {
    value.map_or("n/a".into(), |gib| format!("{gib:.2} GiB"))
}

/// Runs `vsies setup <relation> <args> --insecure-seed 0 --schema <dir>/schema.toml -o
/// <dir>/keys` in a child process (so that key generation's memory is not counted in the
/// prover's, which runs in this one): the key directory, its wall time and the peak memory it
/// reports.
pub fn setup_in_child(
    relation: &str,
    schema: &vsies_core::Schema,
    args: &[String],
    dir: &std::path::Path,
) -> anyhow::Result<(std::path::PathBuf, f64, Option<f64>)> {
    std::fs::create_dir_all(dir)?;
    let keys = dir.join("keys");
    let schema_path = dir.join("schema.toml");
    std::fs::write(&schema_path, schema.to_toml())?;
    let start = Instant::now();
    let output = std::process::Command::new(std::env::current_exe()?)
        .args(["setup", relation])
        .args(args)
        .args(["--insecure-seed", "0", "--force", "--schema"])
        .arg(&schema_path)
        .arg("-o")
        .arg(&keys)
        .stderr(std::process::Stdio::inherit())
        .output()?;
    let seconds = start.elapsed().as_secs_f64();
    if !output.status.success() {
        anyhow::bail!("vsies setup {relation} failed ({})", output.status);
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let peak =
        stdout.lines().find_map(|line| line.split_once("peak memory ")?.1.strip_suffix(" GiB")?.parse::<f64>().ok());
    Ok((keys, seconds, peak))
}
