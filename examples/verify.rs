//! `verify`: check a presigned URL the way a server would.
//!
//! ```text
//! AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... \
//!   cargo run --example verify -- 'https://BUCKET.s3.REGION.amazonaws.com/KEY?X-Amz-...'
//! ```
//!
//! The credentials in the environment are the ones the server knows (with
//! `AWS_SESSION_TOKEN`, the request must carry that token). Exit status: 0
//! when the URL verifies (details on stdout), 1 when a check fails (the
//! check on stderr), 2 for input that is not a presigned URL or bad options.

#[path = "common/cli.rs"]
mod cli;

use std::process::ExitCode;
use std::time::Duration;

use presign::verify::{ReceivedRequest, Verifier, VerifyError};
use presign::{Region, Service, SigningTime};

const USAGE: &str = "\
usage: verify [OPTIONS] URL
  --method <METHOD>                 the request's method; default GET
  --date <YYYYMMDDTHHMMSSZ>         the verification time (\"now\"); default the real now
  --region <REGION>                 the region the server accepts; default: any
  --service <SERVICE>               default s3
  --header <NAME:VALUE>             a header the request carried, repeatable (the Host header is
                                    taken from the URL as a client sends it, without a default
                                    port, unless given)
  --max-skew <SECONDS>              allowed clock skew for future-dated requests; default 900,
                                    at most 604800 (7 days)
credentials the server knows: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, and AWS_SESSION_TOKEN if set";

const FLAGS: [&str; 6] = [
    "--method",
    "--date",
    "--region",
    "--service",
    "--header",
    "--max-skew",
];

/// The largest `--max-skew`: AWS's longest presigned expiry, 7 days.
const MAX_SKEW: u64 = 604_800;

/// How the run ended.
enum Outcome {
    Verified(String),
    /// A check failed: exit 1.
    Rejected(VerifyError),
}

fn run() -> Result<Option<Outcome>, String> {
    let cli::Parsed::Run(line) = cli::parse(std::env::args().skip(1), "URL", &FLAGS, &[])? else {
        return Ok(None);
    };
    let mut method = "GET".to_owned();
    let mut now = None;
    let mut region = None;
    let mut service = Service::s3();
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut max_skew = 900;
    for (flag, value) in &line.flags {
        let value = value.as_deref().unwrap_or_default();
        match flag.as_str() {
            "--method" => {
                presign::Method::new(value).map_err(|e| e.to_string())?;
                method = value.to_owned();
            }
            "--date" => now = Some(cli::date(value)?),
            "--region" => region = Some(Region::new(value).map_err(|e| e.to_string())?),
            "--service" => service = Service::new(value).map_err(|e| e.to_string())?,
            "--header" => {
                let (name, value) = value.split_once(':').ok_or("--header needs NAME:VALUE")?;
                let (name, value) = (name.trim(), value.trim());
                if name.is_empty() {
                    return Err("--header needs NAME:VALUE with a non-empty NAME".into());
                }
                headers.push((name.to_owned(), value.to_owned()));
            }
            "--max-skew" => {
                let digits = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
                max_skew = value
                    .parse::<u64>()
                    .ok()
                    .filter(|&s| digits && s <= MAX_SKEW)
                    .ok_or_else(|| {
                        format!(
                            "--max-skew must be a whole number of seconds from 0 to {MAX_SKEW} \
                             (7 days), not {:?}",
                            cli_excerpt(value)
                        )
                    })?;
            }
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    let (host, target) = split_url(&line.target)?;
    if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        headers.push(("host".to_owned(), host.to_owned()));
    }

    let known = cli::credentials()?;
    let mut verifier =
        Verifier::new(move |id: &str| (id == known.access_key_id()).then(|| known.clone()))
            .service(service)
            .max_skew(Duration::from_secs(max_skew));
    if let Some(region) = region {
        verifier = verifier.accept_region(region);
    }
    let mut request = ReceivedRequest::new(&method, target);
    for (name, value) in &headers {
        request = request.header(name, value);
    }
    let now = now.unwrap_or_else(SigningTime::now);
    match verifier.verify_presigned(&request, now) {
        Ok(v) => {
            let expires = v.expires_at().map(|t| t.to_string()).unwrap_or_default();
            Ok(Some(Outcome::Verified(format!(
                "ok\naccess key id: {}\nscope: {}\nsigned headers: {}\nexpires: {}",
                v.access_key_id(),
                v.scope(),
                v.signed_headers(),
                expires
            ))))
        }
        // Not a presigned URL at all: bad input, not a failed check.
        Err(e @ VerifyError::NotSigned { .. }) => Err(e.to_string()),
        Err(e) => Ok(Some(Outcome::Rejected(e))),
    }
}

/// `scheme://authority/target` into the Host header an HTTP client sends
/// for it and the target, exactly as given.
fn split_url(url: &str) -> Result<(&str, &str), String> {
    let (rest, default_port) = if let Some(rest) = url.strip_prefix("https://") {
        (rest, 443)
    } else if let Some(rest) = url.strip_prefix("http://") {
        (rest, 80)
    } else {
        return Err(format!(
            "expected an http:// or https:// URL, got {:?}",
            cli_excerpt(url)
        ));
    };
    let slash = rest.find('/').ok_or("the URL has no path")?;
    let (authority, target) = rest.split_at(slash);
    let host = host_header(authority, default_port);
    if host.is_empty() {
        return Err("the URL has no host".into());
    }
    Ok((host, target))
}

/// The Host header a client sends for a URL's authority: without user info,
/// and without the port when it is the scheme's default (`h:443` for https
/// is sent as `h`, as are `[::1]:443` as `[::1]` and `h:80` for http); any
/// other port is kept.
fn host_header(authority: &str, default_port: u16) -> &str {
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    // The port follows the last `:`, unless that is inside an IPv6 literal.
    let Some((host, port)) = host_port
        .rsplit_once(':')
        .filter(|(_, port)| !port.contains(']'))
    else {
        return host_port;
    };
    let is_default = !port.is_empty()
        && port.bytes().all(|b| b.is_ascii_digit())
        && port.parse::<u16>() == Ok(default_port);
    if is_default { host } else { host_port }
}

/// At most 64 characters of input in a message.
fn cli_excerpt(s: &str) -> String {
    s.chars().take(64).collect()
}

fn main() -> ExitCode {
    match run() {
        Ok(Some(Outcome::Verified(out))) => {
            println!("{out}");
            ExitCode::SUCCESS
        }
        Ok(Some(Outcome::Rejected(e))) => {
            eprintln!("verify: {e}");
            ExitCode::from(1)
        }
        Ok(None) => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("verify: {}", e.replace(['\n', '\r'], " "));
            ExitCode::from(2)
        }
    }
}
