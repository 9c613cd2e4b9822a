//! The `tagger` binary: parses arguments, calls the library, reports. Exit codes: 0 success,
//! 1 data or runtime error, 2 usage error, 130 interrupted (SIGINT, SIGTERM or SIGHUP).

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = match cli::Cli::try_parse() {
        Ok(args) => args,
        Err(err) => {
            use clap::error::ErrorKind;
            // Help and version go to stdout with 0; usage errors to stderr with 2, as one
            // `tagger:` line. Only a bare `tagger` (no subcommand) prints the help on stderr.
            let code = err.exit_code();
            if !matches!(
                err.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                eprintln!("tagger: {}", cli::usage_line(&err));
                return ExitCode::from(code as u8);
            }
            // Help or version text that could not be written (`--help >/dev/full`) is a failure, not a success.
            if let Err(io) = err.print() {
                if io.kind() != std::io::ErrorKind::BrokenPipe {
                    eprintln!("tagger: cannot write to standard output: {}", one_line(&io.to_string()));
                    return ExitCode::from(1);
                }
            }
            return ExitCode::from(code as u8);
        }
    };
    match cli::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if err.is_broken_pipe() => ExitCode::SUCCESS,
        Err(tagger::Error::Interrupted) => {
            eprintln!("tagger: interrupted; no output was written");
            ExitCode::from(130)
        }
        Err(err) => {
            eprintln!("tagger: {}", one_line(&err.to_string()));
            ExitCode::from(1)
        }
    }
}

/// Error messages are one line, whatever a lower layer put in them.
fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}
