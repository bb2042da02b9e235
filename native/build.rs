//! Sets `CHOREO_VERSION`, what `choreo --version` prints: the package version and, in a git
//! checkout of this repository, the commit it was built from (`0.1.0 (1a2b3c4)`). A build from
//! a source archive, or without git, prints the package version alone.

use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    (out.status.success() && !text.trim().is_empty()).then(|| text.trim().to_owned())
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = Path::new(&dir);
    let version = std::env::var("CARGO_PKG_VERSION").expect("cargo sets CARGO_PKG_VERSION");

    // Only a repository that tracks this package is ours: a source archive unpacked inside some
    // other repository must not print that repository's commit.
    let ours = git(dir, &["ls-files", "--error-unmatch", "Cargo.toml"]).is_some();
    let commit = ours
        .then(|| git(dir, &["rev-parse", "--short=7", "HEAD"]))
        .flatten();
    match commit {
        Some(commit) => {
            println!("cargo:rustc-env=CHOREO_VERSION={version} ({commit})");
            // A commit, checkout or reset moves HEAD or the branch it names.
            let mut watched = vec!["HEAD".to_owned(), "packed-refs".to_owned()];
            watched.extend(git(dir, &["symbolic-ref", "-q", "HEAD"]));
            for name in watched {
                let path = git(
                    dir,
                    &["rev-parse", "--path-format=absolute", "--git-path", &name],
                );
                // A path that does not exist would make cargo run this script on every build.
                if let Some(path) = path.filter(|p| Path::new(p).exists()) {
                    println!("cargo:rerun-if-changed={path}");
                }
            }
        }
        None => println!("cargo:rustc-env=CHOREO_VERSION={version}"),
    }
}
