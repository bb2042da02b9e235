//! Manners users expect from gh and cargo: a token pasted into any command is never echoed
//! back; each error is printed once and names the next step; colour on a terminal only, as
//! NO_COLOR and CLICOLOR_FORCE say; "did you mean"; an example in every command's help.

mod common;

use common::{CHOREO, Cli, Server, closed_port_api};
use serde_json::json;

const ESC: &str = "\u{1b}[";

/// Every command path, from the binary's own help: `[]`, `["login"]`, `["auth", "status"]`, ...
fn command_paths() -> Vec<Vec<String>> {
    let cli = Cli::new();
    let mut paths = vec![Vec::new()];
    let mut at = 0;
    while at < paths.len() {
        let path = paths[at].clone();
        at += 1;
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let help = cli.run(&args, b"").expect(0).stdout.clone();
        let Some((_, commands)) = help.split_once("Commands:\n") else {
            continue;
        };
        for line in commands.lines().take_while(|l| l.starts_with("  ")) {
            let name = line.split_whitespace().next().unwrap();
            if name != "help" {
                let mut sub = path.clone();
                sub.push(name.to_owned());
                paths.push(sub);
            }
        }
    }
    paths
}

#[test]
fn every_command_is_found() {
    let names: Vec<String> = command_paths().iter().map(|p| p.join(" ")).collect();
    for expected in [
        "login",
        "auth status",
        "auth switch",
        "auth token",
        "logout",
        "token inspect",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
}

#[test]
fn a_token_given_to_any_command_is_never_echoed_back() {
    let server = Server::start();
    let cli = Cli::new();
    let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJlc2lnbmF0dXJl";
    let tokens = [
        server.token.as_str(),
        "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",
        "Zq8xVb2nLm4Kp7Rt9Wy3Hd6Fg1Js5Ac0",
        jwt,
    ];
    for token in tokens {
        cli.secret(token);
    }
    let api = ["--api", server.api.as_str()];
    for path in command_paths() {
        let path: Vec<&str> = path.iter().map(String::as_str).collect();
        for token in tokens {
            let flag = format!("--bogus={token}");
            let cases: [&[&str]; 4] = [&[token], &[&flag], &["--org", token], &["--api", token]];
            for case in cases {
                let args: Vec<&str> = path.iter().chain(case).chain(&api).copied().collect();
                // The harness fails the test if any output holds a token.
                let run = cli.run(&args, b"");
                assert_ne!(run.code, 0, "{path:?} accepted a token argument");
            }
        }
    }
    let run = cli.run(&["auth", "token", &server.token], b"");
    run.expect(2);
    let masked = format!("chp_…{}", &server.token[server.token.len() - 4..]);
    assert!(
        run.stderr
            .contains(&format!("unexpected argument '{masked}'")),
        "clap's message stays, masked: {}",
        run.stderr
    );
    assert!(run.stderr.contains("looks like a token"), "{}", run.stderr);
}

#[test]
fn each_error_is_printed_once_and_names_the_next_step() {
    let server = Server::start();
    let cli = Cli::new();
    let login = |input: &str| {
        cli.run(
            &[
                "login",
                "--with-token",
                "--api",
                &server.api,
                "--insecure-storage",
            ],
            input.as_bytes(),
        )
    };
    let short = login("abc\n");
    short.expect(2);
    assert_eq!(
        short.stderr.matches("the token has 3 characters").count(),
        1
    );
    assert!(
        short.stderr.contains("help: pipe exactly one token"),
        "{}",
        short.stderr
    );

    let (token, id) = server.mint(json!({}));
    cli.secret(&token);
    server.admin("POST", &format!("/admin/pats/{id}/revoke"), None);
    let revoked = login(&format!("{token}\n"));
    revoked.expect(1);
    let pat_home = "Choreo Console > Account Settings > Personal Access Tokens";
    assert!(
        revoked.stderr.contains(&format!(
            "help: create a personal access token in {pat_home}"
        )),
        "{}",
        revoked.stderr
    );
    let foreign = login("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\n");
    foreign.expect(2);
    assert_eq!(
        foreign.stderr.matches(pat_home).count(),
        1,
        "{}",
        foreign.stderr
    );

    let none = cli.run(&["auth", "token", "--api", &server.api], b"");
    none.expect(4);
    assert!(
        none.stderr
            .contains("help: to log in, pipe a token to `choreo login --with-token`"),
        "{}",
        none.stderr
    );
    cli.secret(&server.token);
    let network = cli.run(
        &["login", "--with-token", "--api", &closed_port_api()],
        format!("{}\n", server.token).as_bytes(),
    );
    network.expect(1);
    assert!(
        network.stderr.contains("help: check the network"),
        "{}",
        network.stderr
    );
}

/// `choreo args` on a pseudo-terminal (util-linux `script`), with `env`; what it showed.
fn on_a_terminal(cli: &Cli, args: &str, env: &[(&str, &str)]) -> String {
    let mut cmd = std::process::Command::new("script");
    cmd.args(["-qec", &format!("{CHOREO} {args}"), "/dev/null"])
        .env_remove("CHOREO_TOKEN")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env("TERM", "xterm-256color")
        .env("CHOREO_CONFIG_DIR", cli.dir())
        .stdin(std::process::Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("script (util-linux) is installed");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn colour_on_a_terminal_none_when_piped_and_no_color_and_clicolor_force_decide() {
    let cli = Cli::new()
        .with_env("NO_COLOR", None)
        .with_env("CLICOLOR_FORCE", None);
    let api = closed_port_api();
    let args = ["-v", "auth", "token", "--api", api.as_str()];
    let piped = |env: &[(&str, Option<&str>)]| cli.run_with(&args, b"", env, false);

    let plain = piped(&[]);
    plain.expect(4);
    assert!(!plain.stderr.contains(ESC), "{:?}", plain.stderr);
    let forced = piped(&[("CLICOLOR_FORCE", Some("1"))]);
    assert!(
        forced.stderr.contains(&format!("{ESC}1m{ESC}31mchoreo:")),
        "{:?}",
        forced.stderr
    );
    let debug_line = forced
        .stderr
        .lines()
        .find(|l| l.contains("DEBUG"))
        .unwrap_or_else(|| panic!("-v logs: {:?}", forced.stderr));
    assert!(
        debug_line.contains(ESC),
        "the -v log is coloured too: {debug_line:?}"
    );
    let vetoed = piped(&[("CLICOLOR_FORCE", Some("1")), ("NO_COLOR", Some("1"))]);
    assert!(!vetoed.stderr.contains(ESC), "{:?}", vetoed.stderr);

    let line = format!("-v auth token --api {api}");
    let screen = on_a_terminal(&cli, &line, &[]);
    assert!(
        screen.contains("choreo:") && screen.contains(ESC),
        "{screen:?}"
    );
    let no_color = on_a_terminal(&cli, &line, &[("NO_COLOR", "1")]);
    assert!(no_color.contains("DEBUG"), "{no_color:?}");
    assert!(!no_color.contains(ESC), "{no_color:?}");
}

#[test]
fn a_mistyped_command_gets_suggestions() {
    let cli = Cli::new();
    let run = cli.run(&["logut"], b"");
    run.expect(2);
    assert!(
        run.stderr
            .contains("similar subcommands exist: 'login', 'logout'"),
        "{}",
        run.stderr
    );
    let run = cli.run(&["auth", "stauts"], b"");
    assert!(run.stderr.contains("'status'"), "{}", run.stderr);
    let run = cli.run(&["auth", "status", "--ofline"], b"");
    assert!(run.stderr.contains("'--offline'"), "{}", run.stderr);
}

#[test]
fn every_command_has_an_example_in_its_help() {
    let cli = Cli::new();
    for path in command_paths() {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let help = cli.run(&args, b"").expect(0).stdout.clone();
        let examples = help
            .split_once("Examples:\n")
            .unwrap_or_else(|| panic!("no examples in `{}`", args.join(" ")))
            .1;
        assert!(examples.contains("choreo"), "{path:?}: {examples}");
    }
}
