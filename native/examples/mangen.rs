//! Writes the man pages of `choreo` and of each subcommand (`choreo.1`, `choreo-login.1`, ...)
//! into DIR: `cargo run -p choreo-cli --example mangen -- DIR YYYY-MM-DD`, the date being the
//! pages' last change (release/build.sh passes the commit's date and checks the pages with
//! `mandoc -T lint`).

// The binary's own command line definition, so the pages always describe the binary.
#[path = "../src/cli.rs"]
mod cli;

use clap::CommandFactory;
use clap_mangen::Man;
use std::path::Path;

fn write_pages(cmd: clap::Command, dir: &Path, date: &str) -> std::io::Result<()> {
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_pages(sub.clone(), dir, date)?;
    }
    Man::new(cmd)
        .date(date)
        .source(concat!("choreo ", env!("CHOREO_VERSION")))
        .manual("User Commands")
        .generate_to(dir)?;
    Ok(())
}

fn main() -> std::io::Result<()> {
    let args: Vec<_> = std::env::args_os().skip(1).collect();
    let [dir, date] = args.as_slice() else {
        eprintln!("usage: mangen DIR YYYY-MM-DD");
        std::process::exit(2);
    };
    let date = date.to_str().expect("the date is YYYY-MM-DD");
    std::fs::create_dir_all(dir)?;
    let mut cmd = cli::Cli::command().disable_help_subcommand(true);
    // Subcommands get their full names (`choreo-auth-status`) once built.
    cmd.build();
    write_pages(cmd, Path::new(dir), date)
}
