fn main() -> std::process::ExitCode {
    linkwork::cli::main()
}
