//! The Choreo CLI's environment, honoured as scripts and hosted shells set it: `CHOREO_TOKEN`
//! and `WSO2IP_PAT` (personal access tokens) and `CLOUD_STS_TOKEN` (a Choreo STS access token),
//! used in that order before any stored account, in memory only. Each test runs the real binary
//! against the real reference server (which signs the STS tokens), with the real Secret Service
//! under `native/test.sh`, and ends by checking that no environment token was written to the
//! configuration directory or the keyring.

mod common;

use choreo_auth_core::time::format_rfc3339;
use common::{Cli, Run, Server, keyring_available};
use serde_json::{Value, json};

const PAT_VARIABLES: [&str; 2] = ["CHOREO_TOKEN", "WSO2IP_PAT"];

/// A test's world with `CHOREO_API` pointing at `server`.
fn cli_for(server: &Server) -> Cli {
    Cli::new().with_env("CHOREO_API", Some(&server.api))
}

/// Runs `args` with the variables `env` set (and `token`'s stdout allowed to hold a token).
fn run(cli: &Cli, args: &[&str], env: &[(&str, &str)]) -> Run {
    let env: Vec<(&str, Option<&str>)> = env.iter().map(|(k, v)| (*k, Some(*v))).collect();
    let prints_token = args == ["auth", "token"];
    cli.run_with(args, b"", &env, prints_token)
}

/// `auth status --json`'s first entry: the token variable's, when one is used.
fn status(cli: &Cli, env: &[(&str, &str)]) -> (Value, Run) {
    let run = run(cli, &["auth", "status", "--json"], env);
    let first = run.expect(0).json()[0].clone();
    (first, run)
}

/// The failing command's `{code}` from `auth status --json`, with its exit status.
fn failure(cli: &Cli, env: &[(&str, &str)]) -> (i32, String) {
    let run = run(cli, &["auth", "status", "--json"], env);
    let code = run.json()["code"].as_str().unwrap_or_default().to_owned();
    (run.code, code)
}

#[test]
fn wso2ip_pat_alone_is_used_in_memory_and_named_as_the_source() {
    let server = Server::start();
    let cli = cli_for(&server);
    let (token, _) = server.mint(json!({}));
    cli.secret(&token);
    let env = [("WSO2IP_PAT", token.as_str())];

    let (entry, _) = status(&cli, &env);
    assert_eq!(entry["source"], "env");
    assert_eq!(entry["variable"], "WSO2IP_PAT");
    assert_eq!(entry["active"], true);
    assert_eq!(entry["checkedOnline"], true);
    assert_eq!(entry["session"]["organization"]["handle"], "acme");
    assert_eq!(
        server.take_requests(),
        [
            "POST /api-key-service/v1.0/pat/introspect",
            "GET /orgs/1.0.0/orgs",
            "GET /orgs/1.0.0/orgs/acme"
        ]
    );
    let human = run(&cli, &["auth", "status"], &env);
    human.expect(0);
    assert!(
        human
            .stdout
            .contains(&format!("Using WSO2IP_PAT for {} as user ", server.api)),
        "{}",
        human.stdout
    );
    assert!(
        human
            .stdout
            .contains("token from: environment variable WSO2IP_PAT (in memory, nothing stored)"),
        "{}",
        human.stdout
    );
    let printed = run(&cli, &["auth", "token"], &env);
    assert!(
        printed.expect(0).stdout == format!("{token}\n"),
        "another token printed"
    );
    cli.assert_never_stored(&[&token]);
    assert!(cli.snapshot().is_empty(), "something was written");
}

#[test]
fn cloud_sts_token_alone_shows_user_organization_expiry_and_source() {
    let server = Server::start();
    let cli = cli_for(&server);
    let (token, claims) = server.mint_sts(json!({"sub": "sts-user-7"}));
    cli.secret(&token);
    let env = [("CLOUD_STS_TOKEN", token.as_str())];
    let expiry = format_rfc3339(claims["exp"].as_i64().unwrap());

    let (entry, _) = status(&cli, &env);
    assert_eq!(
        (&entry["source"], &entry["variable"]),
        (&json!("env"), &json!("CLOUD_STS_TOKEN"))
    );
    let session = &entry["session"];
    assert_eq!(session["kind"], "choreo-sts");
    assert_eq!(session["userId"], "sts-user-7");
    assert_eq!(session["organization"]["handle"], "acme");
    assert_eq!(session["organization"]["name"], "Acme Corp");
    assert_eq!(session["validUntil"], expiry.as_str());
    // The STS flow: one request, the organization by handle with the JWT as bearer.
    assert_eq!(server.take_requests(), ["GET /orgs/1.0.0/orgs/acme"]);

    let human = run(&cli, &["auth", "status"], &env);
    human.expect(0);
    for line in [
        format!(
            "Using CLOUD_STS_TOKEN for {} as user sts-user-7 (active)",
            server.api
        ),
        "  organization: Acme Corp (acme)".to_owned(),
        format!("  expires: {expiry} (in less than a day)"),
        "  token from: environment variable CLOUD_STS_TOKEN (in memory, nothing stored)".to_owned(),
    ] {
        assert!(
            human.stdout.lines().any(|l| l == line),
            "{line:?} in {}",
            human.stdout
        );
    }
    let inspected = cli.run(&["token", "inspect"], format!("{token}\n").as_bytes());
    for line in [
        "kind: choreo-sts (Choreo STS access token)".to_owned(),
        format!("jwt expires: {expiry}"),
        format!(
            "jwt organization: acme (uuid {})",
            claims["organization"]["uuid"].as_str().unwrap()
        ),
        "jwt subject: sts-user-7".to_owned(),
    ] {
        assert!(
            inspected.expect(0).stdout.lines().any(|l| l == line),
            "{line:?} in {}",
            inspected.stdout
        );
    }
    let offline = run(&cli, &["auth", "status", "--json", "--offline"], &env);
    assert!(
        offline.expect(0).json()[0]["masked"]
            .as_str()
            .unwrap()
            .ends_with("(choreo-sts)")
    );
    server.take_requests();
    let printed = run(&cli, &["auth", "token"], &env);
    assert!(
        printed.expect(0).stdout == format!("{token}\n"),
        "another token printed"
    );
    assert_eq!(server.take_requests(), Vec::<String>::new(), "offline");
    cli.assert_never_stored(&[&token]);
    assert!(cli.snapshot().is_empty(), "something was written");
}

#[test]
fn set_together_the_first_in_order_is_used_and_named_before_any_stored_account() {
    let server = Server::start();
    let cli = cli_for(&server);
    let (choreo, _) = server.mint(json!({}));
    let (wso2, _) = server.mint(json!({"org": "globex"}));
    let (sts, _) = server.mint_sts(json!({"sub": "sts-user"}));
    for t in [&choreo, &wso2, &sts] {
        cli.secret(t);
    }
    let all = [
        ("CLOUD_STS_TOKEN", sts.as_str()),
        ("WSO2IP_PAT", wso2.as_str()),
        ("CHOREO_TOKEN", choreo.as_str()),
    ];
    let (entry, shown) = status(&cli, &all);
    assert_eq!(entry["variable"], "CHOREO_TOKEN");
    assert_eq!(entry["session"]["organization"]["handle"], "acme");
    let notice = "notice: CHOREO_TOKEN is used: WSO2IP_PAT and CLOUD_STS_TOKEN are set too, and \
                  the order is CHOREO_TOKEN, WSO2IP_PAT, CLOUD_STS_TOKEN (env-token-precedence)";
    assert!(
        shown.stderr.lines().any(|l| l == notice),
        "{}",
        shown.stderr
    );
    let printed = run(&cli, &["auth", "token"], &all);
    assert!(
        printed.expect(0).stdout == format!("{choreo}\n"),
        "not CHOREO_TOKEN's"
    );
    assert!(printed.stderr.contains(notice), "{}", printed.stderr);

    let two = [
        ("CLOUD_STS_TOKEN", sts.as_str()),
        ("WSO2IP_PAT", wso2.as_str()),
    ];
    let (entry, shown) = status(&cli, &two);
    assert_eq!(entry["variable"], "WSO2IP_PAT");
    assert_eq!(entry["session"]["organization"]["handle"], "globex");
    assert!(
        shown.stderr.contains(
            "notice: WSO2IP_PAT is used: CLOUD_STS_TOKEN is set too, and the order is \
             CHOREO_TOKEN, WSO2IP_PAT, CLOUD_STS_TOKEN (env-token-precedence)"
        ),
        "{}",
        shown.stderr
    );
    let printed = run(&cli, &["auth", "token"], &two);
    assert!(
        printed.expect(0).stdout == format!("{wso2}\n"),
        "not WSO2IP_PAT's"
    );

    // An empty variable counts as unset: no notice.
    let (entry, shown) = status(&cli, &[("CHOREO_TOKEN", ""), ("CLOUD_STS_TOKEN", &sts)]);
    assert_eq!(entry["variable"], "CLOUD_STS_TOKEN");
    assert!(
        !shown.stderr.contains("env-token-precedence"),
        "{}",
        shown.stderr
    );

    // The environment comes before a stored account: a globex account in the keyring (or the
    // file, without one) is listed after it, and not active.
    let stored = if keyring_available() {
        vec!["login", "--with-token"]
    } else {
        vec!["login", "--with-token", "--insecure-storage"]
    };
    cli.run(&stored, format!("{wso2}\n").as_bytes()).expect(0);
    let listed = run(
        &cli,
        &["auth", "status", "--json"],
        &[("CLOUD_STS_TOKEN", &sts)],
    );
    let listed = listed.expect(0).json();
    assert_eq!(listed[0]["variable"], "CLOUD_STS_TOKEN");
    assert_eq!(listed[0]["active"], true);
    assert_eq!(listed[1]["session"]["organization"]["handle"], "globex");
    assert_eq!(listed[1]["active"], false);
    let printed = run(&cli, &["auth", "token"], &[("CLOUD_STS_TOKEN", &sts)]);
    assert!(
        printed.expect(0).stdout == format!("{sts}\n"),
        "not the variable's"
    );
    cli.assert_never_stored(&[&choreo, &sts]);
    // The reader of the keyring sees what a login did put there: the check above can fail.
    #[cfg(target_os = "linux")]
    if keyring_available() {
        let secrets = common::keyring_secrets();
        assert!(
            secrets
                .iter()
                .any(|s| String::from_utf8_lossy(s).contains(&wso2)),
            "the stored login is in the keyring"
        );
    }
    cli.run(&["logout"], b"").expect(0);
}

#[test]
fn an_expired_token_in_each_variable_is_refused_with_its_code() {
    let server = Server::start();
    let cli = cli_for(&server);
    let (pat, _) = server.mint(json!({"ttlSeconds": -60}));
    cli.secret(&pat);
    for name in PAT_VARIABLES {
        assert_eq!(
            failure(&cli, &[(name, &pat)]),
            (1, "pat-expired".to_owned()),
            "{name}"
        );
    }
    server.take_requests();
    let (sts, _) = server.mint_sts(json!({"ttlSeconds": -120}));
    cli.secret(&sts);
    let env = [("CLOUD_STS_TOKEN", sts.as_str())];
    assert_eq!(failure(&cli, &env), (2, "sts-expired".to_owned()));
    let human = run(&cli, &["auth", "status"], &env);
    assert!(
        human
            .stderr
            .contains("choreo: the choreo sts access token expired at ")
            && human
                .stderr
                .contains("help: get a new choreo sts access token and set it as CLOUD_STS_TOKEN"),
        "{}",
        human.stderr
    );
    run(&cli, &["auth", "token"], &env).expect(2);
    assert_eq!(
        server.take_requests(),
        Vec::<String>::new(),
        "refused offline"
    );
    cli.assert_never_stored(&[&pat, &sts]);
    assert!(cli.snapshot().is_empty(), "something was written");
}

#[test]
fn a_cloud_sts_token_without_an_organization_handle_is_refused_before_any_request() {
    let server = Server::start();
    let cli = cli_for(&server);
    let (empty, _) = server.mint_sts(json!({"handle": ""}));
    let (none, claims) = server.mint_sts(json!({"omitOrganization": true}));
    assert!(claims.get("organization").is_none());
    for token in [&empty, &none] {
        cli.secret(token);
        let env = [("CLOUD_STS_TOKEN", token.as_str())];
        assert_eq!(
            failure(&cli, &env),
            (2, "sts-missing-organization".to_owned())
        );
        run(&cli, &["auth", "token"], &env).expect(2);
    }
    // Each variable takes its own kind of token.
    let (pat, _) = server.mint(json!({}));
    let (sts, _) = server.mint_sts(json!({}));
    cli.secret(&pat);
    cli.secret(&sts);
    assert_eq!(
        failure(&cli, &[("CLOUD_STS_TOKEN", &pat)]),
        (2, "sts-expected".to_owned())
    );
    assert_eq!(
        failure(&cli, &[("WSO2IP_PAT", &sts)]),
        (2, "sts-not-pat".to_owned())
    );
    assert_eq!(
        server.take_requests(),
        Vec::<String>::new(),
        "refused offline"
    );
    cli.assert_never_stored(&[&empty, &none, &pat, &sts]);
    assert!(cli.snapshot().is_empty(), "something was written");
}

#[test]
fn a_401_from_the_api_fails_each_variable_with_unauthorized() {
    let server = Server::start();
    let elsewhere = Server::start();
    let cli = cli_for(&server);
    // Tokens of another server: a PAT it never minted, an STS token signed with another key.
    let pat = elsewhere.token.clone();
    let (sts, _) = elsewhere.mint_sts(json!({}));
    cli.secret(&pat);
    cli.secret(&sts);
    for name in PAT_VARIABLES {
        assert_eq!(
            failure(&cli, &[(name, &pat)]),
            (1, "unauthorized".to_owned()),
            "{name}"
        );
    }
    let env = [("CLOUD_STS_TOKEN", sts.as_str())];
    assert_eq!(failure(&cli, &env), (1, "unauthorized".to_owned()));
    let human = run(&cli, &["auth", "status"], &env);
    assert!(
        human.expect(1).stderr.contains("signature does not verify"),
        "the server's reason: {}",
        human.stderr
    );
    assert!(
        server
            .take_requests()
            .ends_with(&["GET /orgs/1.0.0/orgs/acme".to_owned()]),
        "asked the api"
    );
    cli.assert_never_stored(&[&pat, &sts]);
    assert!(cli.snapshot().is_empty(), "something was written");
}

#[test]
fn login_beside_wso2ip_pat_without_a_keyring_writes_nothing_and_an_sts_token_is_not_logged_in() {
    let server = Server::start();
    let cli = cli_for(&server)
        .with_env("DBUS_SESSION_BUS_ADDRESS", None)
        .with_env("XDG_RUNTIME_DIR", Some("/nonexistent"));
    let (token, _) = server.mint(json!({}));
    cli.secret(&token);
    let script =
        format!("export WSO2IP_PAT={token}\necho \"$WSO2IP_PAT\" | choreo login --with-token\n");
    let run = cli.bash(&script, &[]);
    run.expect(0);
    assert!(
        run.stderr.contains("Checked WSO2IP_PAT with "),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "commands in this environment use WSO2IP_PAT; log in with --insecure-storage"
        ),
        "{}",
        run.stderr
    );
    let (sts, _) = server.mint_sts(json!({}));
    cli.secret(&sts);
    server.take_requests();
    let refused = cli.run(
        &["login", "--with-token", "--insecure-storage", "--json"],
        format!("{sts}\n").as_bytes(),
    );
    assert_eq!(refused.expect(2).json()["code"], "sts-not-pat");
    assert!(
        refused.stderr.contains("set it as CLOUD_STS_TOKEN"),
        "{}",
        refused.stderr
    );
    assert_eq!(
        server.take_requests(),
        Vec::<String>::new(),
        "refused offline"
    );
    cli.assert_never_stored(&[&token, &sts]);
    assert!(cli.snapshot().is_empty(), "something was written");
}
