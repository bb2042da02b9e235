//! The CLI against what a hostile network or API can do: each test is one finding of issue 16,
//! run through the real binary. Nothing from the API reaches the terminal raw, the token never
//! leaves loopback in cleartext, and failures exit as documented.

mod common;

use common::{Cli, Server};

#[test]
fn an_http_base_whose_parsed_host_is_not_loopback_is_refused_before_any_request() {
    let server = Server::start();
    let cli = Cli::new();
    // `\` is `/` to URL parsers: the host is 192.0.2.2, not a name under .localhost.
    for api in [r"http://192.0.2.2\.localhost", "http://anything.localhost"] {
        let run = cli.run(
            &["login", "--with-token", "--api", api, "--insecure-storage"],
            format!("{}\n", server.token).as_bytes(),
        );
        run.expect(2);
        assert!(
            run.stderr.contains("must use https"),
            "{api}: {}",
            run.stderr
        );
    }
    assert!(cli.snapshot().is_empty());
}
