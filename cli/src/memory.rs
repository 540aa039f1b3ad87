//! Peak memory of this process, as setup, proving and the benchmarks report it.

/// Peak resident memory of this process so far, in GiB (Linux's VmHWM), if the OS reports it.
pub fn peak_memory_gib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / (1024.0 * 1024.0))
}

/// Resets the peak to the current resident size (Linux: `5` into `/proc/self/clear_refs`), so
/// that one phase's peak is measured apart from what ran before it; false when it cannot be.
pub fn reset_peak_memory() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// The line `vsies setup` and `vsies prove` end with (parsed by `vsies bench zk`).
pub fn print_peak_memory(start: std::time::Instant) {
    let peak = peak_memory_gib().map_or("n/a".into(), |gib| format!("{gib:.2} GiB"));
    say!("time {:.1} s, peak memory {peak}", start.elapsed().as_secs_f64());
}
