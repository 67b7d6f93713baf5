//! `cachet recover DIR`: salvage a damaged on-disk database.
//!
//! When a database refuses to open because its log or checkpoint is damaged before the
//! tail, this keeps everything readable up to the damage, sets the damaged files aside
//! (nothing is deleted) and leaves a directory that opens cleanly. It reports exactly
//! what was saved and what could not be read.

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `cachet recover`.
#[derive(Args, Debug)]
pub struct RecoverArgs {
    /// The database directory.
    pub dir: PathBuf,
}

pub fn run(args: RecoverArgs) -> ExitCode {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("reading log {bar:40} {bytes}/{total_bytes} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let now =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_micros() as i64).unwrap_or(0);
    let result = cachet::durability::salvage(&args.dir, now, &mut |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    });
    bar.finish_and_clear();
    match result {
        Ok(r) => {
            match &r.from_checkpoint {
                Some(c) => println!("started from checkpoint {}", c.display()),
                None => println!("no readable checkpoint: started from an empty database"),
            }
            println!("replayed {} log records", r.frames);
            match &r.damage {
                Some((file, offset)) => println!(
                    "LOST: the log is damaged at {} offset {offset}; {} bytes after it could not be read",
                    file.display(),
                    r.bytes_lost
                ),
                None => println!("the log had no damage: nothing was lost"),
            }
            println!("wrote checkpoint {}", r.new_checkpoint.display());
            println!("the previous log and checkpoints were moved to {}", r.moved_to.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("ERROR:  {e}");
            ExitCode::FAILURE
        }
    }
}
