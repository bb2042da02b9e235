//! `choreo-reference-server`: prints where it listens and a fresh demo token, then serves.

use choreo_auth_core::time::format_rfc3339;
use choreo_reference_server::pats::PatSpec;
use choreo_reference_server::{AppState, Config, now_unix, orgs, serve};
use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use tokio::net::TcpListener;
use zeroize::Zeroizing;

const USAGE: &str = "usage: choreo-reference-server [--port N] [--host LOOPBACK-ADDR] \
[--cors-origin ORIGIN]... [--web-root DIR] [--exit-on-stdin-eof]";

/// The default web root: the workspace's `web-demo/`, if it exists when the server starts.
const DEFAULT_WEB_ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../web-demo");

/// In-flight requests get this long to finish after a shutdown signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

#[derive(Debug)]
struct Args {
    host: IpAddr,
    port: u16,
    config: Config,
    exit_on_stdin_eof: bool,
}

/// The parsed command line, or `None` when help was asked for.
fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Option<Args>, String> {
    let mut parsed = Args {
        host: IpAddr::V4(Ipv4Addr::LOCALHOST),
        port: 0,
        config: Config::default(),
        exit_on_stdin_eof: false,
    };
    let mut web_root = None;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg, None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--port" => {
                parsed.port = value()?
                    .parse()
                    .map_err(|_| "--port must be a number from 0 to 65535".to_owned())?;
            }
            "--host" => {
                let host = value()?;
                let ip = match host.as_str() {
                    "localhost" => IpAddr::V4(Ipv4Addr::LOCALHOST),
                    h => h
                        .trim_matches(['[', ']'])
                        .parse()
                        .map_err(|_| format!("--host must be an ip address, not {h:?}"))?,
                };
                if !ip.is_loopback() {
                    return Err(format!(
                        "--host must be a loopback address (127.0.0.1 or ::1), not {ip}"
                    ));
                }
                parsed.host = ip;
            }
            "--cors-origin" => {
                let origin = value()?;
                if !valid_origin(&origin) {
                    return Err(format!(
                        "--cors-origin must be scheme://host[:port] without a path, not {origin:?}"
                    ));
                }
                parsed.config.cors_origins.push(origin);
            }
            "--web-root" => web_root = Some(PathBuf::from(value()?)),
            "--exit-on-stdin-eof" if inline.is_none() => parsed.exit_on_stdin_eof = true,
            "--help" | "-h" => return Ok(None),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    parsed.config.web_root = match web_root {
        Some(dir) if dir.is_dir() => Some(dir),
        Some(dir) => return Err(format!("--web-root {} is not a folder", dir.display())),
        None => Some(PathBuf::from(DEFAULT_WEB_ROOT)).filter(|d| d.is_dir()),
    };
    Ok(Some(parsed))
}

fn valid_origin(origin: &str) -> bool {
    let Some((scheme, rest)) = origin.split_once("://") else {
        return false;
    };
    matches!(scheme, "http" | "https")
        && !rest.is_empty()
        && !rest.contains(['/', '?', '#', '@'])
        && rest.bytes().all(|b| b.is_ascii_graphic())
}

/// Resolves on SIGINT, SIGTERM, or stdin EOF when asked to watch stdin.
async fn shutdown_signal(watch_stdin: bool) {
    let (eof_tx, eof_rx) = tokio::sync::oneshot::channel::<()>();
    if watch_stdin {
        // A plain thread: stdin reads block, and this keeps tokio's io-std feature out.
        std::thread::spawn(move || {
            let mut sink = [0u8; 512];
            let mut stdin = std::io::stdin();
            while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
            let _ = eof_tx.send(());
        });
    }
    let stdin_eof = async {
        // Without the watcher the sender lives until select! ends, so this never resolves.
        if eof_rx.await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
        () = stdin_eof => {}
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("choreo-reference-server: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let listener = match TcpListener::bind(SocketAddr::new(args.host, args.port)).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!(
                "choreo-reference-server: cannot listen on {}: {e}",
                SocketAddr::new(args.host, args.port)
            );
            return ExitCode::FAILURE;
        }
    };
    let (addr, state) = match listener
        .local_addr()
        .and_then(|a| AppState::new(args.config).map(|s| (a, s)))
    {
        Ok((addr, state)) => {
            if let Some(root) = &state.config().web_root {
                eprintln!("serving {} at /", root.display());
            }
            (addr, state)
        }
        Err(e) => {
            eprintln!("choreo-reference-server: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let spec = PatSpec::demo(now_unix());
    let valid_until = spec.valid_until;
    let minted = state.pats().mint(spec);
    let (token, pat) = match minted {
        Ok(minted) => minted,
        Err(e) => {
            eprintln!("choreo-reference-server: cannot mint the demo PAT: {e}");
            return ExitCode::FAILURE;
        }
    };
    let org = orgs::ACME;
    // The start-up contract tests parse; the demo token is the one place a token is printed.
    let banner = Zeroizing::new(format!(
        "api: http://{addr}\ntoken: {}\norg: {} ({}, uuid {})\nscopes: {}\nvalid-until: {}\nready\n",
        token.expose(),
        org.handle,
        org.name,
        org.uuid,
        pat.scopes.join(" "),
        format_rfc3339(valid_until),
    ));
    drop(token);
    let mut stdout = std::io::stdout().lock();
    if stdout
        .write_all(banner.as_bytes())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        eprintln!("choreo-reference-server: cannot write the start-up lines to stdout");
        return ExitCode::FAILURE;
    }
    drop(stdout);
    eprintln!("choreo reference api listening on http://{addr} (admin under /admin/)");

    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, state, async {
        let _ = stop_rx.await;
    }));
    shutdown_signal(args.exit_on_stdin_eof).await;
    let _ = stop_tx.send(());
    match tokio::time::timeout(SHUTDOWN_GRACE, server).await {
        Ok(Ok(Err(e))) => {
            eprintln!("choreo-reference-server: {e}");
            ExitCode::FAILURE
        }
        _ => ExitCode::SUCCESS,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Args, String> {
        parse_args(args.iter().map(|s| (*s).to_owned())).map(|a| a.expect("not --help"))
    }

    #[test]
    fn only_loopback_hosts_are_accepted() {
        assert_eq!(parse(&["--host", "::1"]).unwrap().host.to_string(), "::1");
        assert!(parse(&["--host=127.0.0.2"]).is_ok());
        for bad in ["0.0.0.0", "192.168.1.10", "::", "example.com"] {
            assert!(parse(&["--host", bad]).is_err(), "{bad}");
        }
    }

    #[test]
    fn flags_are_checked() {
        let a = parse(&["--port", "0", "--cors-origin", "http://127.0.0.1:5173"]).unwrap();
        assert_eq!(a.config.cors_origins, ["http://127.0.0.1:5173"]);
        assert!(parse(&["--cors-origin", "http://x/"]).is_err());
        assert!(parse(&["--cors-origin", "*"]).is_err());
        assert!(parse(&["--port", "70000"]).is_err());
        assert!(parse(&["--web-root", "/nonexistent/folder"]).is_err());
        assert!(parse(&["--frobnicate"]).is_err());
    }
}
