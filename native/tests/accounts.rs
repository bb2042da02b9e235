//! Several accounts side by side: an account is an organization on an api base. Logging in adds
//! one (or replaces the credential of the same organization) and makes it active; `auth status`
//! lists them all; `auth switch` changes the active one; `auth token`, `auth status` and
//! `logout` take `--org`. Stores written before accounts existed are adopted, nothing lost.

mod common;

use common::{Cli, Server, keyring_available};
use serde_json::{Value, json};
use std::path::Path;

/// A PAT of `org` (`acme` or `globex`), registered as a secret of `cli`.
fn pat(server: &Server, cli: &Cli, org: &str) -> String {
    let (token, _) = server.mint(json!({ "org": org }));
    cli.secret(&token);
    token
}

fn login(cli: &Cli, server: &Server, token: &str, extra: &[&str]) {
    let mut args = vec!["login", "--with-token", "--api", &server.api];
    args.extend_from_slice(extra);
    cli.run(&args, format!("{token}\n").as_bytes()).expect(0);
}

/// What `auth token` prints for `args`, compared without ever printing a token.
#[track_caller]
fn assert_token(cli: &Cli, args: &[&str], expected: &str, what: &str) {
    let mut all = vec!["auth", "token"];
    all.extend_from_slice(args);
    let printed = cli.run_with(&all, b"", &[], true);
    assert!(
        printed.expect(0).stdout == format!("{expected}\n"),
        "auth token {args:?} did not print {what}"
    );
}

/// `(handle, active)` of each account `auth status --json` lists.
fn listed(cli: &Cli, extra: &[&str]) -> Vec<(String, bool)> {
    let mut args = vec!["auth", "status", "--json"];
    args.extend_from_slice(extra);
    let json = cli.run(&args, b"").expect(0).json();
    json.as_array()
        .unwrap_or_else(|| panic!("a list: {json}"))
        .iter()
        .map(|a| {
            (
                a["session"]["organization"]["handle"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
                a["active"].as_bool().unwrap(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, bool)]) -> Vec<(String, bool)> {
    list.iter().map(|(h, a)| ((*h).to_owned(), *a)).collect()
}

#[test]
fn two_organizations_on_one_api_base_live_side_by_side() {
    let server = Server::start();
    let cli = Cli::new();
    let api = server.api.as_str();
    let acme = pat(&server, &cli, "acme");
    let globex = pat(&server, &cli, "globex");
    login(&cli, &server, &acme, &["--insecure-storage"]);
    login(&cli, &server, &globex, &["--insecure-storage"]);

    // The last login is active; the first is still there.
    assert_eq!(
        listed(&cli, &["--offline"]),
        pairs(&[("acme", false), ("globex", true)])
    );
    assert_eq!(
        listed(&cli, &[]),
        pairs(&[("acme", false), ("globex", true)]),
        "online too"
    );
    let human = cli.run(&["auth", "status"], b"").expect(0).stdout.clone();
    assert!(
        human.contains(&format!("Logged in to {api} as user ")) && human.contains(" (active)"),
        "{human}"
    );
    assert_eq!(human.matches(" (active)").count(), 1, "{human}");
    assert_token(&cli, &["--api", api], &globex, "the active account's token");
    assert_token(
        &cli,
        &["--api", api, "--org", "acme"],
        &acme,
        "acme's token",
    );
    let one = cli
        .run(
            &["auth", "status", "--json", "--org", "acme", "--api", api],
            b"",
        )
        .expect(0)
        .json();
    assert_eq!(one["session"]["organization"]["handle"], "acme");

    // Two accounts: switch toggles.
    let switched = cli.run(&["auth", "switch", "--api", api], b"");
    assert!(
        switched.expect(0).stderr.contains("to organization acme"),
        "{}",
        switched.stderr
    );
    assert_token(
        &cli,
        &["--api", api],
        &acme,
        "acme's token after the toggle",
    );
    cli.run(&["auth", "switch", "--api", api], b"").expect(0);
    assert_token(
        &cli,
        &["--api", api],
        &globex,
        "globex's token, toggled back",
    );
    cli.run(&["auth", "switch", "--api", api, "--org", "acme"], b"")
        .expect(0);
    assert_token(
        &cli,
        &["--api", api],
        &acme,
        "acme's token after the switch",
    );
    cli.run(&["auth", "switch", "--api", api, "--org", "globex"], b"")
        .expect(0);
    assert_token(
        &cli,
        &["--api", api],
        &globex,
        "globex's token after the switch",
    );
    let unknown = cli.run(&["auth", "switch", "--api", api, "--org", "initech"], b"");
    unknown.expect(4);
    assert!(
        unknown.stderr.contains("its accounts are acme, globex"),
        "{}",
        unknown.stderr
    );

    // Logging out of one account leaves the other, which becomes active.
    let out = cli.run(&["logout", "--api", api], b"");
    out.expect(0);
    assert!(
        out.stderr.contains("The active account of ")
            && out.stderr.contains("is now organization acme"),
        "{}",
        out.stderr
    );
    assert_eq!(listed(&cli, &["--offline"]), pairs(&[("acme", true)]));
    cli.run(&["auth", "token", "--api", api, "--org", "globex"], b"")
        .expect(4);
    login(&cli, &server, &globex, &["--insecure-storage"]);
    cli.run(&["logout", "--api", api, "--org", "acme"], b"")
        .expect(0);
    assert_eq!(listed(&cli, &["--offline"]), pairs(&[("globex", true)]));

    // --all removes every account of the base, and the plaintext file with the last one.
    login(&cli, &server, &acme, &["--insecure-storage"]);
    let all = cli.run(&["logout", "--all", "--api", api], b"");
    all.expect(0);
    assert_eq!(
        all.stderr.matches("Logged out of ").count(),
        2,
        "{}",
        all.stderr
    );
    assert!(!cli.dir().join("credentials.json").exists());
    cli.run(&["auth", "status"], b"").expect(4);
    cli.run(&["logout", "--all", "--api", api], b"").expect(4);
}

#[test]
fn every_api_base_is_listed_and_a_failing_account_fails_the_listing_only_after_it_is_shown() {
    let first = Server::start();
    let second = Server::start();
    let cli = Cli::new();
    let acme = pat(&first, &cli, "acme");
    let globex = pat(&second, &cli, "globex");
    login(&cli, &first, &acme, &["--insecure-storage"]);
    let (revoked, id) = second.mint(json!({ "org": "globex" }));
    cli.secret(&revoked);
    login(&cli, &second, &globex, &["--insecure-storage"]);
    login(&cli, &second, &revoked, &["--insecure-storage"]);
    // globex's account now holds `revoked`, which the api is told to refuse.
    second.admin("POST", &format!("/admin/pats/{id}/revoke"), None);

    let run = cli.run(&["auth", "status", "--json"], b"");
    run.expect(1);
    let json = run.json();
    let rows: Vec<(&str, &str, Option<&str>)> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["apiBase"].as_str().unwrap(),
                a["session"]["organization"]["handle"].as_str().unwrap(),
                a["error"]["code"].as_str(),
            )
        })
        .collect();
    let mut want = vec![
        (first.api.as_str(), "acme", None),
        (second.api.as_str(), "globex", Some("pat-inactive")),
    ];
    want.sort();
    assert_eq!(rows, want);
    let human = cli.run(&["auth", "status"], b"");
    human.expect(1);
    assert!(
        human
            .stdout
            .contains("checked: failed: the token is not active"),
        "{}",
        human.stdout
    );
}

#[test]
fn accounts_in_the_keyring_and_in_the_file_sit_side_by_side() {
    if !keyring_available() {
        return;
    }
    let server = Server::start();
    let cli = Cli::new();
    let api = server.api.as_str();
    let acme = pat(&server, &cli, "acme");
    let globex = pat(&server, &cli, "globex");
    login(&cli, &server, &acme, &[]);
    login(&cli, &server, &globex, &["--insecure-storage"]);
    let json = cli
        .run(&["auth", "status", "--json", "--offline"], b"")
        .expect(0)
        .json();
    let sources: Vec<(&str, &str)> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["session"]["organization"]["handle"].as_str().unwrap(),
                a["source"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(sources, [("acme", "keyring"), ("globex", "file")]);
    assert_token(
        &cli,
        &["--api", api, "--org", "acme"],
        &acme,
        "acme's token",
    );
    // Moving globex to the keyring leaves no plaintext copy.
    login(&cli, &server, &globex, &[]);
    assert!(
        cli.files_holding_a_secret().is_empty(),
        "{:?}",
        cli.files_holding_a_secret()
    );
    cli.run(&["logout", "--all", "--api", api], b"").expect(0);
    cli.run(&["auth", "token", "--api", api, "--org", "acme"], b"")
        .expect(4);
}

/// The store written before accounts existed, for `server` and `token`.
fn write_store_before_accounts(cli: &Cli, server: &Server, token: &str, files: &[(&str, &str)]) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/before-accounts");
    for (from, to) in files {
        let text = fill(
            &std::fs::read_to_string(dir.join(from)).unwrap(),
            server,
            token,
        );
        std::fs::create_dir_all(cli.dir()).unwrap();
        std::fs::write(cli.dir().join(to), text).unwrap();
        // As the binary that wrote them left them: the directory 0700, each file 0600.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let private = |path: &Path, mode| {
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap()
            };
            private(cli.dir(), 0o700);
            private(&cli.dir().join(to), 0o600);
        }
    }
}

fn keyring_secret(server: &Server, token: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/before-accounts/keyring-secret.json");
    fill(&std::fs::read_to_string(path).unwrap(), server, token)
}

fn fill(text: &str, server: &Server, token: &str) -> String {
    text.replace("{{API}}", &server.api)
        .replace("{{TOKEN}}", token)
        .replace("{{MASKED}}", &format!("chp_…{}", &token[token.len() - 4..]))
        .replace("{{VALID_UNTIL}}", "2099-01-01T00:00:00Z")
}

fn config(cli: &Cli) -> Value {
    serde_json::from_slice(&std::fs::read(cli.dir().join("config.json")).unwrap()).unwrap()
}

#[test]
fn a_file_store_written_before_accounts_is_adopted_with_nothing_lost() {
    let server = Server::start();
    let cli = Cli::new();
    let api = server.api.as_str();
    let old = pat(&server, &cli, "acme");
    write_store_before_accounts(
        &cli,
        &server,
        &old,
        &[
            ("config.json", "config.json"),
            ("credentials.json", "credentials.json"),
        ],
    );
    let credentials = std::fs::read(cli.dir().join("credentials.json")).unwrap();

    let status = cli
        .run(&["auth", "status", "--json", "--offline"], b"")
        .expect(0)
        .json();
    assert_eq!(status[0]["session"]["organization"]["handle"], "acme");
    assert_eq!(status[0]["session"]["validUntil"], "2099-01-01T00:00:00Z");
    assert_eq!(
        (status[0]["source"].as_str(), status[0]["active"].as_bool()),
        (Some("file"), Some(true))
    );
    let migrated = config(&cli);
    assert!(migrated.get("credentialStores").is_none(), "{migrated}");
    assert_eq!(migrated["accounts"][api]["accounts"][0]["key"], api);
    assert_eq!(
        std::fs::read(cli.dir().join("credentials.json")).unwrap(),
        credentials,
        "the credential stays where it was"
    );
    assert_token(
        &cli,
        &["--api", api],
        &old,
        "the token stored before accounts",
    );
    cli.run(&["auth", "status", "--api", api], b"").expect(0);

    // A second organization joins it; a new acme login replaces the old credential in place.
    let globex = pat(&server, &cli, "globex");
    login(&cli, &server, &globex, &["--insecure-storage"]);
    assert_token(
        &cli,
        &["--api", api, "--org", "acme"],
        &old,
        "the old token",
    );
    let new = pat(&server, &cli, "acme");
    login(&cli, &server, &new, &["--insecure-storage"]);
    assert_token(
        &cli,
        &["--api", api, "--org", "acme"],
        &new,
        "the new token",
    );
    let stored: Value =
        serde_json::from_slice(&std::fs::read(cli.dir().join("credentials.json")).unwrap())
            .unwrap();
    assert_eq!(
        stored.as_object().unwrap().len(),
        2,
        "acme's entry was replaced"
    );
}

#[test]
fn a_keyring_store_written_before_accounts_is_adopted_with_nothing_lost() {
    if !keyring_available() {
        return;
    }
    let server = Server::start();
    let cli = Cli::new();
    let api = server.api.as_str();
    let old = pat(&server, &cli, "acme");
    write_store_before_accounts(
        &cli,
        &server,
        &old,
        &[("config-keyring.json", "config.json")],
    );
    // The keyring entry exactly as that build wrote it: service choreo-cli, user = api base.
    let entry = keyring::Entry::new("choreo-cli", api).unwrap();
    entry.set_password(&keyring_secret(&server, &old)).unwrap();

    assert_token(
        &cli,
        &["--api", api],
        &old,
        "the token stored before accounts",
    );
    let migrated = config(&cli);
    assert!(migrated.get("credentialStores").is_none(), "{migrated}");
    assert_eq!(migrated["accounts"][api]["accounts"][0]["store"], "keyring");
    let globex = pat(&server, &cli, "globex");
    login(&cli, &server, &globex, &[]);
    assert_eq!(
        listed(&cli, &["--offline"]),
        pairs(&[("acme", false), ("globex", true)])
    );
    cli.run(&["logout", "--all", "--api", api], b"").expect(0);
    assert!(
        matches!(entry.get_password(), Err(keyring::Error::NoEntry)),
        "logout left the old entry in the keyring"
    );
    assert!(cli.files_holding_a_secret().is_empty());
}

#[test]
fn an_unreadable_keyring_store_from_before_accounts_is_kept_for_later_and_named() {
    let server = Server::start();
    let cli = Cli::new()
        .with_env("DBUS_SESSION_BUS_ADDRESS", None)
        .with_env("XDG_RUNTIME_DIR", Some("/nonexistent"));
    let api = server.api.as_str();
    let old = pat(&server, &cli, "acme");
    write_store_before_accounts(
        &cli,
        &server,
        &old,
        &[("config-keyring.json", "config.json")],
    );
    let before = config(&cli);

    let status = cli.run(&["auth", "status", "--api", api], b"");
    status.expect(1);
    assert!(
        status.stderr.contains("no os keyring is reachable"),
        "{}",
        status.stderr
    );
    // A plaintext login elsewhere works, and the old record waits for a keyring.
    let globex = pat(&server, &cli, "globex");
    login(&cli, &server, &globex, &["--insecure-storage"]);
    assert_eq!(config(&cli)["credentialStores"], before["credentialStores"]);
    let listing = cli.run(&["auth", "status", "--offline"], b"");
    listing.expect(1);
    assert!(
        listing
            .stderr
            .contains(&format!("the account stored for {api} is unreadable")),
        "{}",
        listing.stderr
    );
}
