//! `choreo --version`: the package version and, in a git checkout, the commit the binary was
//! built from (native/build.rs), so a bug report names the exact code.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    Some(String::from_utf8(out.stdout).ok()?.trim().to_owned())
}

#[test]
fn version_is_the_package_version_and_the_commit_of_the_checkout() {
    let out = Command::new(env!("CARGO_BIN_EXE_choreo"))
        .arg("--version")
        .output()
        .expect("run choreo --version");
    assert!(out.status.success());
    let version = env!("CARGO_PKG_VERSION");
    let expected = match git(&["ls-files", "--error-unmatch", "Cargo.toml"])
        .and_then(|_| git(&["rev-parse", "--short=7", "HEAD"]))
    {
        Some(commit) => format!("choreo {version} ({commit})\n"),
        // A source archive: no commit to name.
        None => format!("choreo {version}\n"),
    };
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected);
}
