//! The `cachet` command.

fn main() {
    println!("cachet {}", env!("CARGO_PKG_VERSION"));
}
