//! `choreo token scan` end to end: the real binary over real files, stdin, git repositories
//! (made with the real `git`), the pre-commit framework and the reference server (`--verify`).
//! Every planted token is a secret that no output may contain.

mod common;
#[path = "../../tests/vector_files.rs"]
mod vector_files;

use choreo_auth_core::checksum;
use common::{CHOREO, Cli, Run, Server, run_command};
use serde_json::{Value, json};
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// New bytes the scanner reads per chunk and the overlap it keeps (native's `CHUNK`, core's
/// `OVERLAP`): the edges the chunk test plants tokens across.
const CHUNK: usize = 256 * 1024;
const OVERLAP: usize = 256;

/// A valid token with a CRC-32 checksum: `prefix` + 30 characters + their checksum.
fn minted(prefix: &str, seed: u8) -> String {
    let mut n = seed;
    checksum::mint(prefix, || {
        n = n.wrapping_mul(73).wrapping_add(41);
        n
    })
}

/// The token with its 10th character changed: the checksum fails.
fn mistyped(token: &str) -> String {
    let mut t = token.to_owned();
    let c = if &t[9..10] == "x" { "y" } else { "x" };
    t.replace_range(9..10, c);
    t
}

/// Where `needle` starts in `text`: 1-based line and column (in characters), counted here
/// without the scanner's code.
fn position(text: &str, needle: &str) -> (u64, u64) {
    let at = text.find(needle).expect("planted");
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap().chars().count() + 1;
    (line as u64, column as u64)
}

/// A directory of files to scan, and the tokens planted in it.
struct Tree {
    dir: tempfile::TempDir,
    cli: Cli,
    secrets: RefCell<Vec<String>>,
}

impl Tree {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
            cli: Cli::new(),
            secrets: RefCell::new(Vec::new()),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A token that no output may contain.
    fn secret(&self, token: &str) -> String {
        self.secrets.borrow_mut().push(token.to_owned());
        token.to_owned()
    }

    fn write(&self, name: &str, content: impl AsRef<[u8]>) {
        let path = self.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }

    /// `git` in the tree, with no user or system configuration.
    fn git(&self, args: &[&str]) -> String {
        let out = git(self.path(), args);
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }

    /// A commit of everything, made at `date` (author and committer): history is ordered by
    /// commit time.
    fn commit(&self, message: &str, date: &str) -> String {
        self.git(&["add", "."]);
        let out = Command::new("git")
            .args(["commit", "-qm", message])
            .current_dir(self.path())
            .envs(GIT_ENV.iter().copied())
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        self.git(&["rev-parse", "HEAD"])
    }

    /// `choreo token scan ARGS` run in the tree with `stdin`.
    fn scan_with(&self, args: &[&str], stdin: &[u8], env: &[(&str, &str)]) -> Run {
        let mut all = vec!["token", "scan"];
        all.extend_from_slice(args);
        let mut command = self.cli.command(&all, &[]);
        command.current_dir(self.path()).envs(env.iter().copied());
        let run = run_command(command, stdin);
        for secret in self.secrets.borrow().iter() {
            assert!(!run.stdout.contains(secret), "token in stdout: {run:#?}");
            assert!(!run.stderr.contains(secret), "token in stderr: {run:#?}");
        }
        run
    }

    fn scan(&self, args: &[&str]) -> Run {
        self.scan_with(args, b"", &[])
    }
}

/// git without the user's or the system's configuration.
const GIT_ENV: [(&str, &str); 6] = [
    ("GIT_CONFIG_GLOBAL", "/dev/null"),
    ("GIT_CONFIG_NOSYSTEM", "1"),
    ("GIT_AUTHOR_NAME", "t"),
    ("GIT_AUTHOR_EMAIL", "t@example.com"),
    ("GIT_COMMITTER_NAME", "t"),
    ("GIT_COMMITTER_EMAIL", "t@example.com"),
];

fn git(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .envs(GIT_ENV.iter().copied())
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// `(path, line, column, kind, checksum)` of a finding.
type Place = (String, u64, u64, String, String);

/// The place of each finding in a `--json` document.
fn findings(doc: &Value) -> Vec<Place> {
    doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["kind"].as_str().unwrap().to_owned(),
                f["checksum"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn at(path: &str, (line, column): (u64, u64), kind: &str, checksum: &str) -> Place {
    (
        path.to_owned(),
        line,
        column,
        kind.to_owned(),
        checksum.to_owned(),
    )
}

const FINE_GRAINED: &str =
    "github_pat_11ABCDEFG0123456789abc_ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ";

/// Planted tokens of every kind, near misses and mentions, in nested, hidden and ignored
/// files; returns the tree and the findings a scan must report, in output order.
fn planted() -> (Tree, Vec<Place>) {
    let tree = Tree::new();
    let pat = tree.secret(&minted("chp_", 1));
    let github = tree.secret(&minted("ghp_", 2));
    let npm = tree.secret(&minted("npm_", 3));
    let near = tree.secret(&mistyped(&minted("chp_", 4)));
    let ignored = tree.secret(&minted("chp_", 5));
    let binary = tree.secret(&minted("chp_", 6));
    let config = format!("# settings\nCHOREO_TOKEN={pat}\n");
    tree.write("src/config.env", &config);
    let notes = format!(
        "Notes é ü\n\n  see {github}, and {FINE_GRAINED}\n\tglpat-abcdefghij0123456789 \
         xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx\n\
         \"sk_live_51H8abcdefghijklmnopqrstuvwxyz0123456789\" AKIAIOSFODNN7EXAMPLE.\n"
    );
    tree.write("src/deep/notes.md", &notes);
    let npmrc = format!("//registry.npmjs.org/:_authToken={npm}\n");
    tree.write(".npmrc", &npmrc);
    tree.write(
        "near.txt",
        format!("almost: {near}\nmentions: chp_, ghp_1234, xoxb-your-token-here, x{pat}\n"),
    );
    tree.write(".gitignore", "ignored/\n*.log\n");
    tree.write("ignored/secret.txt", &ignored);
    tree.write("debug.log", &ignored);
    let mut bin = b"\x7fELF\0\0\x01".to_vec();
    bin.extend_from_slice(binary.as_bytes());
    tree.write("tool.bin", bin);
    let expected = vec![
        at(".npmrc", position(&npmrc, &npm), "npm", "valid"),
        at(
            "src/config.env",
            position(&config, &pat),
            "choreo-pat",
            "valid",
        ),
        at(
            "src/deep/notes.md",
            position(&notes, &github),
            "github-classic",
            "valid",
        ),
        at(
            "src/deep/notes.md",
            position(&notes, FINE_GRAINED),
            "github-fine-grained",
            "none",
        ),
        at(
            "src/deep/notes.md",
            position(&notes, "glpat-"),
            "gitlab-pat",
            "none",
        ),
        at(
            "src/deep/notes.md",
            position(&notes, "xoxb-"),
            "slack",
            "none",
        ),
        at(
            "src/deep/notes.md",
            position(&notes, "sk_live_"),
            "stripe-secret",
            "none",
        ),
        at(
            "src/deep/notes.md",
            position(&notes, "AKIA"),
            "aws-access-key-id",
            "none",
        ),
    ];
    (tree, expected)
}

#[test]
fn planted_tokens_are_all_found_at_their_path_line_and_column() {
    let (tree, expected) = planted();
    let run = tree.scan(&["--json"]);
    run.expect(1);
    let doc = run.json();
    assert_eq!(findings(&doc), expected, "{doc:#}");
    // Text output: the same places, masked.
    let text = tree.scan(&[]);
    text.expect(1);
    let lines: Vec<&str> = text.stdout.lines().collect();
    assert_eq!(lines.len(), expected.len(), "{text:#?}");
    let (path, line, column, ..) = &expected[1];
    let pat = &tree.secrets.borrow()[0];
    assert!(
        lines.contains(&format!("{path}:{line}:{column} choreo-pat chp_…{}", &pat[36..]).as_str())
    );
    assert!(text.stderr.contains("8 tokens found in"), "{}", text.stderr);
}

#[test]
fn near_misses_are_never_valid_and_all_marks_them_invalid() {
    let (tree, expected) = planted();
    let near = tree.secrets.borrow()[3].clone();
    let plain = findings(&tree.scan(&["--json"]).json());
    assert!(!plain.iter().any(|f| f.0 == "near.txt"), "{plain:?}");
    let doc = tree.scan(&["--json", "--all"]).json();
    let got = findings(&doc);
    let text = std::fs::read_to_string(tree.path().join("near.txt")).unwrap();
    let miss = at("near.txt", position(&text, &near), "choreo-pat", "invalid");
    assert!(got.contains(&miss), "{got:?}");
    assert_eq!(
        got.len(),
        expected.len() + 1,
        "mentions are not findings: {got:?}"
    );
    let text = tree.scan(&["--all", "near.txt"]);
    assert_eq!(
        text.expect(1).stdout.trim(),
        format!(
            "near.txt:1:9 choreo-pat chp_…{} (checksum invalid)",
            &near[36..]
        )
    );
}

#[test]
fn gitignored_and_binary_files_are_skipped_and_dotfiles_are_not() {
    let (tree, _) = planted();
    let doc = tree.scan(&["--json"]).json();
    let paths: Vec<String> = findings(&doc).into_iter().map(|f| f.0).collect();
    for skipped in ["ignored/secret.txt", "debug.log", "tool.bin"] {
        assert!(!paths.iter().any(|p| p == skipped), "{skipped}: {paths:?}");
    }
    assert!(paths.iter().any(|p| p == ".npmrc"));
    // Only the text files that are not ignored were read.
    let read: u64 = [
        "src/config.env",
        "src/deep/notes.md",
        ".npmrc",
        "near.txt",
        ".gitignore",
    ]
    .iter()
    .map(|p| std::fs::metadata(tree.path().join(p)).unwrap().len())
    .sum();
    assert_eq!(doc["filesScanned"], 5);
    assert_eq!(doc["bytesScanned"], read);
    // A file named on the command line is scanned even if ignored, as ripgrep does.
    let doc = tree.scan(&["--json", "debug.log"]).json();
    assert_eq!(findings(&doc).len(), 1);
}

#[test]
fn the_json_document_has_the_documented_shape() {
    let (tree, _) = planted();
    let doc = tree.scan(&["--json", "src/config.env"]).json();
    let keys = |v: &Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&doc), ["bytesScanned", "filesScanned", "findings"]);
    let finding = &doc["findings"][0];
    assert_eq!(
        keys(finding),
        [
            "checksum", "column", "kind", "label", "line", "masked", "path"
        ]
    );
    assert_eq!(finding["label"], "Choreo personal access token");
    assert_eq!(doc["filesScanned"], 1);
}

#[test]
fn tokens_across_chunk_edges_are_found_once_at_the_right_line() {
    let tree = Tree::new();
    // Edges: where a chunk's consumed part ends (k * CHUNK) and where the buffer ends
    // (k * CHUNK + OVERLAP); a 40-byte token starts 1 to 39 bytes before each.
    let edges = (1..=3).flat_map(|k| [k * CHUNK, k * CHUNK + OVERLAP]);
    let offsets: Vec<usize> = edges
        .zip([1, 20, 39, 39, 20, 1])
        .map(|(e, b)| e - b)
        .collect();
    let mut text = String::new();
    let mut planted = Vec::new();
    for (i, &offset) in offsets.iter().enumerate() {
        let filler = "lorem ipsum dolor\n".repeat(offset / 18 + 1);
        let need = offset - text.len();
        if need > 0 {
            text.push_str(&filler[..need - 1]);
            text.push(' ');
        }
        let token = tree.secret(&minted("chp_", i as u8));
        text.push_str(&token);
        text.push(' ');
        planted.push(token);
    }
    text.push_str("\nend\n");
    assert!(text.len() > 3 * CHUNK);
    tree.write("big.txt", &text);
    let doc = tree.scan(&["--json", "big.txt"]).json();
    let expected: Vec<_> = planted
        .iter()
        .map(|t| at("big.txt", position(&text, t), "choreo-pat", "valid"))
        .collect();
    assert_eq!(findings(&doc), expected);
    // The same bytes through a pipe, which hands them over in small pieces.
    let run = tree.scan_with(&["--json", "-"], text.as_bytes(), &[]);
    let piped: Vec<_> = findings(&run.json())
        .into_iter()
        .map(|f| (f.1, f.2))
        .collect();
    let whole: Vec<_> = expected.iter().map(|f| (f.1, f.2)).collect();
    assert_eq!(piped, whole);
}

/// `text` as UTF-16 with its byte order mark, as Windows PowerShell 5.1's `>` writes it.
fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let mark: u16 = 0xFEFF;
    std::iter::once(mark)
        .chain(text.encode_utf16())
        .flat_map(|u| {
            if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            }
        })
        .collect()
}

#[test]
fn utf16_files_are_scanned_as_the_text_they_hold() {
    let tree = Tree::new();
    let pat = tree.secret(&minted("chp_", 21));
    tree.write(
        "token.txt",
        utf16(&format!("😀\r\nCHOREO_TOKEN={pat}\r\n"), false),
    );
    // Longer than a chunk, tokens across the decoder's 64 KiB reads and the 256 KiB chunks.
    let mut text = String::new();
    let mut planted = Vec::new();
    for (i, edge) in [32 * 1024, 128 * 1024, 256 * 1024].into_iter().enumerate() {
        while text.len() < edge - 10 {
            text.push_str("é word\n");
        }
        let token = tree.secret(&minted("chp_", 22 + i as u8));
        text.push_str(&token);
        text.push('\n');
        planted.push(token);
    }
    tree.write("big.txt", utf16(&text, true));
    let doc = tree.scan(&["--json"]).json();
    let mut expected: Vec<Place> = planted
        .iter()
        .map(|t| at("big.txt", position(&text, t), "choreo-pat", "valid"))
        .collect();
    expected.push(at("token.txt", (2, 14), "choreo-pat", "valid"));
    assert_eq!(findings(&doc), expected);
}

#[test]
fn stdin_is_scanned_as_a_file_named_stdin() {
    let tree = Tree::new();
    let pat = tree.secret(&minted("chp_", 9));
    let run = tree.scan_with(&["-"], format!("a\n  {pat}\n").as_bytes(), &[]);
    assert_eq!(
        run.expect(1).stdout,
        format!("<stdin>:2:3 choreo-pat chp_…{}\n", &pat[36..])
    );
    let clean = tree.scan_with(&["-"], b"nothing here\n", &[]);
    assert_eq!(clean.expect(0).stdout, "");
}

#[test]
fn exit_status_says_found_clean_or_usage_error() {
    let tree = Tree::new();
    tree.write("clean.txt", "nothing to see\n");
    let clean = tree.scan(&[]);
    clean.expect(0);
    assert!(
        clean.stderr.contains("no tokens found in 1 files"),
        "{}",
        clean.stderr
    );
    tree.write("leak.txt", tree.secret(&minted("chp_", 10)));
    tree.scan(&[]).expect(1);
    let both = tree.scan(&["--json", "--sarif"]);
    both.expect(2);
    assert!(
        both.stderr.contains("cannot be used with"),
        "{}",
        both.stderr
    );
    let missing = tree.scan(&["clean.txt", "nope.txt"]);
    missing.expect(2);
    assert!(
        missing
            .stderr
            .contains("nope.txt: no such file or directory")
    );
    // A file that cannot be read is a warning; the scan goes on (/proc/self/mem cannot be
    // read at offset 0, even by root).
    if cfg!(target_os = "linux") {
        let run = tree.scan(&["/proc/self/mem", "leak.txt"]);
        run.expect(1);
        assert!(
            run.stderr.contains("warning: /proc/self/mem:"),
            "{}",
            run.stderr
        );
        assert!(run.stdout.starts_with("leak.txt:1:1 "), "{}", run.stdout);
    }
    let outside = tree.scan(&["--git", "--json"]);
    outside.expect(2);
    assert_eq!(outside.json()["code"], "not-a-git-repository");
}

#[test]
fn file_names_cannot_drive_the_terminal() {
    let tree = Tree::new();
    tree.write("red\u{1b}[31m.txt", tree.secret(&minted("chp_", 11)));
    let run = tree.scan(&[]);
    assert!(!run.expect(1).stdout.contains('\u{1b}'));
    assert!(
        run.stdout.starts_with("red\\u{1b}[31m.txt:1:1 choreo-pat"),
        "{}",
        run.stdout
    );
}

#[test]
fn sarif_output_validates_against_the_sarif_2_1_0_schema() {
    let (tree, expected) = planted();
    let near = tree.secrets.borrow()[3].clone();
    tree.write("with space/ü.txt", format!("{near}\n"));
    let run = tree.scan(&["--sarif", "--all"]);
    run.expect(1);
    let sarif = run.json();
    let schema_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_slice(&std::fs::read(schema_path).unwrap()).unwrap();
    let id = schema["id"].as_str().unwrap().to_owned();
    let mut compiler = boon::Compiler::new();
    compiler.enable_format_assertions();
    compiler.add_resource(&id, schema).unwrap();
    let mut schemas = boon::Schemas::new();
    let index = compiler.compile(&id, &mut schemas).unwrap();
    if let Err(e) = schemas.validate(&sarif, index) {
        panic!("{e:#}\n{sarif:#}");
    }
    // An invalid log is refused, so the check above means something.
    let mut broken = sarif.clone();
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        json!(0);
    assert!(schemas.validate(&broken, index).is_err());
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), expected.len() + 2);
    let uris: Vec<&str> = results
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(uris.contains(&"with%20space/%C3%BC.txt"), "{uris:?}");
    // Each result at the place the JSON document gives, spanning the token.
    let places = findings(&tree.scan(&["--json", "--all"]).json());
    for (result, (_, line, column, kind, _)) in results.iter().zip(&places) {
        let region = &result["locations"][0]["physicalLocation"]["region"];
        assert_eq!(result["ruleId"], kind.as_str());
        assert_eq!(
            (&region["startLine"], &region["startColumn"]),
            (&json!(line), &json!(column))
        );
        let length = region["endColumn"].as_u64().unwrap() - column;
        assert!(length >= 20, "{result}");
    }
    let last = &results[results.len() - 1]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (&last["startColumn"], &last["endColumn"]),
        (&json!(1), &json!(41))
    );
}

#[test]
fn git_history_scans_each_blob_once_from_every_ref() {
    let tree = Tree::new();
    let old = tree.secret(&minted("chp_", 12));
    let branch = tree.secret(&minted("ghp_", 13));
    let uncommitted = tree.secret(&minted("chp_", 14));
    tree.git(&["init", "-q", "-b", "main"]);
    tree.write("a.txt", format!("first\n{old}\n"));
    let first = tree.commit("add a", "2020-01-01T00:00:00Z");
    // Removed from a.txt, then the same content again under another name: one blob.
    tree.write("a.txt", "clean\n");
    tree.write("b/copy.txt", format!("first\n{old}\n"));
    tree.commit("move", "2020-01-02T00:00:00Z");
    tree.git(&["checkout", "-qb", "other"]);
    tree.write("c.txt", format!("x = \"{branch}\"\n"));
    let other = tree.commit("other", "2020-01-03T00:00:00Z");
    tree.git(&["checkout", "-q", "main"]);
    tree.write("d.txt", &uncommitted);
    let doc = tree.scan(&["--git", "--json"]).json();
    let got: Vec<(String, String, u64)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["commit"].as_str().unwrap().to_owned(),
                f["path"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (first.clone(), "a.txt".to_owned(), 2),
            (other.clone(), "c.txt".to_owned(), 1)
        ]
    );
    let text = tree.scan(&["--git"]);
    assert!(
        text.expect(1)
            .stdout
            .starts_with(&format!("{}:a.txt:2:1 choreo-pat", &first[..12]))
    );
}

#[test]
fn staged_scans_only_what_the_next_commit_adds() {
    let tree = Tree::new();
    let committed = tree.secret(&minted("chp_", 15));
    let staged = tree.secret(&minted("chp_", 16));
    let unstaged = tree.secret(&minted("chp_", 17));
    tree.git(&["init", "-q", "-b", "main"]);
    // Staged before the first commit: everything in the index is new.
    tree.write("old.txt", format!("{committed}\n"));
    tree.git(&["add", "."]);
    let before_first = tree.scan(&["--staged", "--json"]);
    assert_eq!(findings(&before_first.expect(1).json())[0].0, "old.txt");
    tree.git(&["commit", "-qm", "old"]);
    tree.scan(&["--staged"]).expect(0);
    tree.write("new.txt", format!("line\nkey: {staged}\n"));
    tree.git(&["add", "new.txt"]);
    tree.write("new.txt", format!("changed after staging {unstaged}\n"));
    let run = tree.scan(&["--staged", "--json"]);
    assert_eq!(
        findings(&run.expect(1).json()),
        [at("new.txt", (2, 6), "choreo-pat", "valid")]
    );
}

#[test]
fn the_pre_commit_hook_blocks_a_commit_that_adds_a_pat() {
    let hooks = Tree::new();
    let repo_root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    hooks.git(&["init", "-q", "-b", "main"]);
    std::fs::copy(
        repo_root.join(".pre-commit-hooks.yaml"),
        hooks.path().join(".pre-commit-hooks.yaml"),
    )
    .unwrap();
    hooks.git(&["add", "."]);
    hooks.git(&["commit", "-qm", "hooks"]);
    let rev = hooks.git(&["rev-parse", "HEAD"]);

    let work = Tree::new();
    let pat = work.secret(&minted("chp_", 18));
    work.git(&["init", "-q", "-b", "main"]);
    work.write(
        ".pre-commit-config.yaml",
        format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: choreo-token-scan\n",
            hooks.path().display()
        ),
    );
    let cache = tempfile::tempdir().unwrap();
    let bin_dir: PathBuf = Path::new(CHOREO).parent().unwrap().to_owned();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // git with the hook installed, `choreo` on PATH and pre-commit's cache in a temp dir.
    let hooked_git = |args: &[&str]| {
        let mut command = Command::new("git");
        command
            .args(args)
            .current_dir(work.path())
            .envs(GIT_ENV.iter().copied())
            .env("PATH", &path)
            .env("PRE_COMMIT_HOME", cache.path());
        let run = run_command(command, b"");
        assert!(
            !run.stdout.contains(&pat) && !run.stderr.contains(&pat),
            "{run:#?}"
        );
        run
    };
    let install = Command::new("pre-commit")
        .args(["install"])
        .current_dir(work.path())
        .env("PRE_COMMIT_HOME", cache.path())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("pre-commit is on PATH (tests/setup.sh installs Debian's package)");
    assert!(install.status.success(), "{install:?}");

    work.write("clean.txt", "nothing secret\n");
    hooked_git(&["add", "."]).expect(0);
    let clean = hooked_git(&["commit", "-qm", "clean"]);
    clean.expect(0);
    let head = work.git(&["rev-parse", "HEAD"]);

    work.write("config.env", format!("CHOREO_TOKEN={pat}\n"));
    hooked_git(&["add", "config.env"]).expect(0);
    let blocked = hooked_git(&["commit", "-qm", "leak"]);
    blocked.expect(1);
    let said = format!("{}{}", blocked.stdout, blocked.stderr);
    assert!(
        said.contains(&format!("config.env:1:14 choreo-pat chp_…{}", &pat[36..])),
        "{said}"
    );
    assert_eq!(
        work.git(&["rev-parse", "HEAD"]),
        head,
        "the commit was blocked"
    );
}

#[test]
fn verify_asks_the_server_about_choreo_pats_only_each_once() {
    let server = Server::start();
    let tree = Tree::new();
    let (active, _) = server.mint(json!({}));
    let (revoked, id) = server.mint(json!({}));
    let (status, _) = server.admin("POST", &format!("/admin/pats/{id}/revoke"), None);
    assert!((200..300).contains(&status));
    let unknown = minted("chp_", 19);
    let github = minted("ghp_", 20);
    let near = mistyped(&active);
    for t in [&active, &revoked, &unknown, &github, &near] {
        tree.secret(t);
    }
    tree.write(
        "leaks.txt",
        format!("{active}\n{revoked}\n{unknown}\n{github}\n{near}\n{active}\n"),
    );
    server.admin("DELETE", "/admin/requests", None);
    let run = tree.scan(&["--json", "--all", "--verify", "--api", &server.api]);
    let doc = run.expect(1).json();
    let verdicts: Vec<(u64, Option<&str>)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["line"].as_u64().unwrap(), f["verified"].as_str()))
        .collect();
    assert_eq!(
        verdicts,
        [
            (1, Some("active")),
            (2, Some("inactive")),
            (3, Some("inactive")),
            (4, None),
            (5, None),
            (6, Some("active")),
        ]
    );
    let (_, requests) = server.admin("GET", "/admin/requests", None);
    let requests = requests.as_array().unwrap();
    assert_eq!(requests.len(), 3, "{requests:?}");
    for r in requests {
        assert_eq!(r["method"], "POST");
        assert_eq!(r["path"], "/api-key-service/v1.0/pat/introspect");
    }
    // Text output carries the verdict too.
    let text = tree.scan(&["--verify", "--api", &server.api, "leaks.txt"]);
    assert!(
        text.expect(1)
            .stdout
            .lines()
            .next()
            .unwrap()
            .ends_with(" (active)"),
        "{}",
        text.stdout
    );
}

/// `tests/scan-vectors` (texts and findings computed without the scanner) through
/// `choreo token scan --json -`. The findings go to target/parity/scan-native.json, the column
/// `tests/parity.mjs` holds the npm package's `scanText` in Node and Chromium to.
#[test]
fn every_scan_vector_read_from_stdin_gives_its_findings() {
    let tree = Tree::new();
    let mut outputs = serde_json::Map::new();
    for path in vector_files::scan() {
        let vector: Value = serde_json::from_str(&vector_files::read(&path)).unwrap();
        let name = vector["name"].as_str().unwrap();
        let args: &[&str] = match vector["nearMisses"].as_bool().unwrap() {
            true => &["--json", "--all", "-"],
            false => &["--json", "-"],
        };
        let stdin = vector["input"].as_str().unwrap().as_bytes();
        let run = tree.scan_with(args, stdin, &[]);
        let want: Vec<Value> = vector["expect"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                json!({
                    "path": "<stdin>", "line": f["line"], "column": f["column"],
                    "kind": f["kind"], "label": f["label"], "masked": f["masked"],
                    "checksum": f["checksum"],
                })
            })
            .collect();
        run.expect(if want.is_empty() { 0 } else { 1 });
        let found = run.json()["findings"].clone();
        assert_eq!(found, Value::Array(want), "{name}");
        outputs.insert(name.to_owned(), found);
    }
    common::write_parity("scan-native.json", &Value::Object(outputs));
}
