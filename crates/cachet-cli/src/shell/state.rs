//! The shell's state and the execution of its input.
//!
//! A [`Shell`] owns one database connection and the settings that dot commands change
//! (output format, timer, bail, echo, where output goes). Every source of input, the
//! terminal, a piped script, a `.read` file or a command-line argument, goes through
//! [`Shell::handle_line`]: a line that starts with `.` or `\` while no statement is
//! pending is a dot command; any other line feeds the [`StatementBuffer`], and each
//! statement it completes is executed on its own with [`Shell::run_sql`].
//!
//! Executing statements one at a time (rather than handing the engine the whole
//! script) is what lets the shell print each result, report each error with its own
//! `LINE n:` caret, go on after an error or stop (`--bail`), and time statements.
//!
//! Results and tags go to the output sink (stdout, or a file after `.output`/`.once`);
//! errors and notices go to stderr, after the sink is flushed, so that both streams
//! interleave in order when they share a terminal or a file.
//!
//! Ctrl-C while a statement runs sets a flag (see [`Interrupt`]). The engine cannot
//! cancel a statement yet, so the statement runs to completion, its output is dropped
//! and the rest of the input is skipped; a second Ctrl-C quits.

use super::input::StatementBuffer;
use super::output::{write_rows, Format};
use super::report::{format_error, format_notice};
use cachet::{Connection, Database};
use std::fs::File;
use std::io::{self, BufRead, BufWriter, Write};
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// What the caller should do after a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// `.quit`: stop reading input and exit.
    Quit,
    /// An error with bail on, or an interrupt: stop this input.
    Stop,
}

/// Ctrl-C handling shared with the signal handler.
#[derive(Clone, Default)]
pub struct Interrupt {
    requested: Arc<AtomicBool>,
    busy: Arc<AtomicBool>,
}

impl Interrupt {
    /// Installs the SIGINT handler (interactive mode only: a script should die on
    /// Ctrl-C as any Unix filter does). Line editing reads Ctrl-C as a key, so the
    /// handler only sees it while a statement runs or output is printed.
    pub fn install(&self) -> Result<(), String> {
        let me = self.clone();
        ctrlc::set_handler(move || {
            let again = me.requested.swap(true, Ordering::SeqCst);
            if me.busy.load(Ordering::SeqCst) {
                if again {
                    eprintln!("\nQuitting.");
                    std::process::exit(130);
                }
                eprintln!("\nCancel requested, but statements cannot be cancelled yet: waiting for it to finish. Press Ctrl-C again to quit.");
            }
        })
        .map_err(|e| e.to_string())
    }

    /// Whether Ctrl-C was pressed since the last [`Interrupt::clear`].
    pub fn requested(&self) -> bool {
        self.requested.load(Ordering::SeqCst)
    }

    pub fn clear(&self) {
        self.requested.store(false, Ordering::SeqCst);
    }

    fn set_busy(&self, busy: bool) {
        self.busy.store(busy, Ordering::SeqCst);
    }
}

/// Where results go.
enum Sink {
    Stdout(BufWriter<io::Stdout>),
    File(BufWriter<File>),
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Sink::Stdout(w) => w.write(buf),
            Sink::File(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::Stdout(w) => w.flush(),
            Sink::File(w) => w.flush(),
        }
    }
}

/// Where a line of input came from, for error messages and `.read` nesting.
#[derive(Clone, Debug)]
pub struct Origin {
    /// The script's name (`<stdin>`, a file name) for psql-style `name:line:` prefixes;
    /// `None` for the terminal and command-line arguments.
    pub name: Option<String>,
}

/// How deeply `.read` may nest (a file that reads itself stops here).
const MAX_READ_DEPTH: usize = 16;

/// The shell.
pub struct Shell {
    pub db: Database,
    pub conn: Rc<Connection>,
    pub format: Format,
    pub timer: bool,
    pub bail: bool,
    pub echo: bool,
    /// No banner, no command tags.
    pub quiet: bool,
    /// Whether input comes from a person at a terminal.
    pub interactive: bool,
    /// A human description of where the database lives, for the banner and `.show`.
    pub location: String,
    out: Sink,
    /// The file of `.output`, or of `.once` (with `once` set).
    pub out_path: Option<PathBuf>,
    /// Set by `.once`: the redirection ends after the next command.
    once: bool,
    /// Whether the `.once` command itself has ended, so the next end is the command's.
    once_armed: bool,
    /// Errors reported so far (the exit status of a script depends on it).
    pub errors: usize,
    pub interrupt: Interrupt,
    pub(super) depth: usize,
}

impl Shell {
    pub fn new(db: Database, location: String) -> Shell {
        let conn = Rc::new(db.connect());
        Shell {
            db,
            conn,
            format: Format::default(),
            timer: false,
            bail: false,
            echo: false,
            quiet: false,
            interactive: false,
            location,
            out: Sink::Stdout(BufWriter::new(io::stdout())),
            out_path: None,
            once: false,
            once_armed: false,
            errors: 0,
            interrupt: Interrupt::default(),
            depth: 0,
        }
    }

    /// The output sink.
    pub fn out(&mut self) -> &mut dyn Write {
        &mut self.out
    }

    /// Sends output to a file (`once`: for the next command only), or back to stdout.
    pub fn redirect(&mut self, path: Option<PathBuf>, once: bool) -> Result<(), String> {
        let _ = self.out.flush();
        match &path {
            Some(p) => {
                let f = File::create(p).map_err(|e| format!("cannot open \"{}\": {e}", p.display()))?;
                self.out = Sink::File(BufWriter::new(f));
            }
            None => self.out = Sink::Stdout(BufWriter::new(io::stdout())),
        }
        self.out_path = path;
        self.once = once;
        self.once_armed = false;
        Ok(())
    }

    /// Ends the output of one command: flushes, and ends a `.once` redirection.
    pub fn end_command(&mut self) {
        if let Err(e) = self.out.flush() {
            self.report(&format!("Error: cannot write output: {e}\n"));
        }
        if self.once {
            if self.once_armed {
                let _ = self.redirect(None, false);
            } else {
                self.once_armed = true;
            }
        }
    }

    /// Writes to stderr, after flushing output so the two streams stay in order.
    pub fn report(&mut self, text: &str) {
        let _ = self.out.flush();
        let mut err = io::stderr().lock();
        let _ = err.write_all(text.as_bytes());
        let _ = err.flush();
    }

    /// Reports a failed command (not an engine error): `Error: ...`.
    pub fn fail(&mut self, origin: &Origin, line: usize, message: &str) {
        self.errors += 1;
        let prefix = prefix(origin, line);
        self.report(&format!("{prefix}Error: {message}\n"));
    }

    /// The flow after an error: with bail on, stop the script (a `.read` file counts
    /// as one even in the interactive shell, which itself goes on).
    pub fn after_error(&self) -> Flow {
        if self.bail && (!self.interactive || self.depth > 0) {
            Flow::Stop
        } else {
            Flow::Continue
        }
    }

    /// Handles one line of input. `buf` holds the pending statement of this input.
    pub fn handle_line(&mut self, buf: &mut StatementBuffer, line: &str, line_no: usize, origin: &Origin) -> Flow {
        let trimmed = line.trim_start();
        if buf.is_empty() && (trimmed.starts_with('.') || trimmed.starts_with('\\')) {
            buf.clear();
            if self.echo {
                let _ = writeln!(self.out, "{}", trimmed.trim_end());
            }
            let flow = self.dot_command(trimmed.trim_end(), line_no, origin);
            self.end_command();
            return flow;
        }
        for stmt in buf.push_line(line, line_no) {
            let flow = self.run_sql(&stmt.sql, stmt.line, origin);
            if flow != Flow::Continue {
                buf.clear();
                return flow;
            }
        }
        Flow::Continue
    }

    /// Runs what is pending at the end of an input (a statement without `;`).
    pub fn finish_input(&mut self, buf: &mut StatementBuffer, origin: &Origin) -> Flow {
        match buf.finish() {
            Some(stmt) => self.run_sql(&stmt.sql, stmt.line, origin),
            None => Flow::Continue,
        }
    }

    /// Runs every line of `input` (a script, a `.read` file, stdin).
    pub fn run_script(&mut self, input: &mut dyn BufRead, origin: &Origin) -> Flow {
        let mut buf = StatementBuffer::new();
        let mut line = String::new();
        let mut line_no = 0;
        loop {
            line.clear();
            match input.read_line(&mut line) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) => {
                    self.fail(origin, line_no + 1, &format!("cannot read input: {e}"));
                    return Flow::Stop;
                }
            }
            line_no += 1;
            let text = line.strip_suffix('\n').unwrap_or(&line);
            let text = text.strip_suffix('\r').unwrap_or(text);
            let flow = self.handle_line(&mut buf, text, line_no, origin);
            if flow != Flow::Continue {
                return flow;
            }
        }
        self.finish_input(&mut buf, origin)
    }

    /// Runs one statement and prints its results, notices, errors and time.
    pub fn run_sql(&mut self, sql: &str, line: usize, origin: &Origin) -> Flow {
        if self.echo {
            let _ = writeln!(self.out, "{sql}");
        }
        self.interrupt.set_busy(true);
        let start = Instant::now();
        let result = self.conn.with_session(|s| s.execute(sql, &[]));
        let elapsed = start.elapsed();
        let (notices, tz) = self.conn.with_session(|s| (s.take_notices(), s.settings.time_zone.clone()));
        for n in notices {
            self.report(&format_notice(&n));
        }
        let flow = match result {
            Ok(results) => {
                if self.interrupt.requested() {
                    self.interrupt.set_busy(false);
                    self.report("Interrupted: the statement finished; its output was discarded and the rest of the input skipped.\n");
                    self.interrupt.clear();
                    return Flow::Stop;
                }
                for r in results {
                    let tag_after_rows =
                        matches!(r.tag.split(' ').next(), Some("INSERT" | "UPDATE" | "DELETE" | "MERGE"));
                    let written = match &r.columns {
                        Some(cols) => {
                            let w = write_rows(&mut self.out, &self.format, cols, &r.rows, &tz);
                            w.and_then(|()| {
                                if tag_after_rows && !self.quiet {
                                    writeln!(self.out, "{}", r.tag)
                                } else {
                                    Ok(())
                                }
                            })
                        }
                        None if !self.quiet && !r.tag.is_empty() => writeln!(self.out, "{}", r.tag),
                        None => Ok(()),
                    };
                    if let Err(e) = written {
                        self.interrupt.set_busy(false);
                        self.fail(origin, line, &format!("cannot write output: {e}"));
                        return self.after_error();
                    }
                }
                Flow::Continue
            }
            Err(e) => {
                self.errors += 1;
                let report = format_error(&e, Some(sql), &prefix(origin, line));
                self.report(&report);
                self.after_error()
            }
        };
        self.interrupt.set_busy(false);
        if self.timer {
            let _ = writeln!(self.out, "Time: {:.3} ms", elapsed.as_secs_f64() * 1000.0);
        }
        self.end_command();
        flow
    }

    /// Runs a `.read` file.
    pub fn read_file(&mut self, path: &str, origin: &Origin, line: usize) -> Flow {
        if self.depth >= MAX_READ_DEPTH {
            self.fail(origin, line, &format!(".read nested more than {MAX_READ_DEPTH} deep"));
            return Flow::Stop;
        }
        let file = match File::open(path) {
            Ok(f) => f,
            Err(e) => {
                self.fail(origin, line, &format!("cannot open \"{path}\": {e}"));
                return self.after_error();
            }
        };
        self.depth += 1;
        let flow = self.run_script(&mut io::BufReader::new(file), &Origin { name: Some(path.to_string()) });
        self.depth -= 1;
        flow
    }
}

/// psql's `name:line: ` prefix for messages about scripts.
pub fn prefix(origin: &Origin, line: usize) -> String {
    match &origin.name {
        Some(name) => format!("{name}:{line}: "),
        None => String::new(),
    }
}
