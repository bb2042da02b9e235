//! The table of codes in README.md is `Code::ALL`, row for row: a code added, renamed or given
//! another severity or exit status in core changes the docs or fails here. `BLESS=1` rewrites
//! the table after a deliberate change; review the diff like code.
#![allow(
    clippy::disallowed_methods,
    reason = "a test reads and rewrites README.md; core/clippy.toml keeps I/O out of the library"
)]

use choreo_auth_core::Code;
use std::path::PathBuf;

const BEGIN: &str = "<!-- codes: generated from Code::ALL by core/tests/codes.rs -->\n";
const END: &str = "<!-- end of codes -->\n";

fn table() -> String {
    let mut out = String::from(
        "| code | severity | exit status | meaning |\n|------|----------|-------------|---------|\n",
    );
    for &code in Code::ALL {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            code.as_str(),
            code.severity().as_str(),
            code.exit_status(),
            code.meaning()
        ));
    }
    out
}

#[test]
fn the_readme_lists_every_code_with_its_severity_exit_status_and_meaning() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let start = readme.find(BEGIN).expect("README.md has the codes marker") + BEGIN.len();
    let end = start
        + readme[start..]
            .find(END)
            .expect("README.md ends the codes table");
    let want = table();
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(
            &path,
            format!("{}{want}{}", &readme[..start], &readme[end..]),
        )
        .unwrap();
    } else {
        assert!(
            readme[start..end] == want,
            "README.md's table of codes differs from Code::ALL; run with BLESS=1 and review:\n{want}"
        );
    }
}
