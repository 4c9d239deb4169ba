fn main() -> std::process::ExitCode {
    tune_allocator();
    linkwork::cli::main()
}

/// glibc returns freed memory at the top of the heap to the system as soon as
/// 128 KiB are free, and SQLite's allocation pattern while writing makes it give
/// back and take again the same pages for every statement: half the time of a
/// large write went on page faults. Keeping a few MiB of padding stops the churn
/// (measured in BENCHMARKS.md: demo generation twice as fast).
fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a tuning parameter of the C allocator; it is
    // called once, before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_TOP_PAD, 4 << 20);
    }
}
