//! `cachet-bench`: Cachet side by side with SQLite. See the library's documentation.

use clap::Parser;

#[derive(Parser, Debug)]
#[command(name = "cachet-bench", version)]
struct Cli {
    #[command(flatten)]
    args: cachet_bench::BenchArgs,
}

fn main() -> std::process::ExitCode {
    cachet_bench::main_with(Cli::parse().args, &[])
}
