//! `presign-verify`: check a presigned URL, or a whole raw HTTP request, the way a
//! server would.
//!
//! ```text
//! AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... \
//!   cargo run --features cli --bin presign-verify -- 'https://BUCKET.s3.REGION.amazonaws.com/KEY?X-Amz-...'
//! AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... \
//!   cargo run --features cli --bin presign-verify -- --request request.http --body-out body.bin
//! ```
//!
//! With `--request`, the input is one HTTP/1.1 request (as the
//! `presign-sign-request` tool writes it): its signature is checked, then its
//! body, in whatever payload mode it was signed (the SHA-256, or each
//! `aws-chunked` chunk and the trailer); `--body-out` receives the decoded
//! body only once all of it verified.
//!
//! The credentials in the environment are the ones the server knows (with
//! `AWS_SESSION_TOKEN`, the request must carry that token). Exit status: 0
//! when the URL or request verifies (details on stdout), 1 when a check
//! fails (the check on stderr), 2 for input that is not a presigned URL or
//! an HTTP request, or bad options.

#[path = "common/cli.rs"]
mod cli;
#[path = "common/raw_http.rs"]
mod raw_http;

use std::process::ExitCode;
use std::time::Duration;

use presign::chunked::StreamingPayload;
use presign::verify::{
    BodyCheck, CredentialsLookup, ReceivedRequest, Verified, Verifier, VerifyError,
};
use presign::{Region, Service, SigningTime};

const USAGE: &str = "\
usage: presign-verify [OPTIONS] URL
       verify [OPTIONS] --request FILE [--body-out FILE]
  --method <METHOD>                 the request's method; default GET
  --date <YYYYMMDDTHHMMSSZ>         the verification time (\"now\"); default the real now
  --region <REGION>                 the region the server accepts; default: any
  --service <SERVICE>               default s3
  --header <NAME:VALUE>             a header the request carried, repeatable (the Host header is
                                    taken from the URL as a client sends it, without a default
                                    port, unless given)
  --max-skew <SECONDS>              allowed clock skew for future-dated requests; default 900,
                                    at most 604800 (7 days)
  --request <FILE>                  verify a raw HTTP/1.1 request (- for stdin) instead of a URL:
                                    its signature (presigned or header-signed, any payload mode)
                                    and its body; --method and --header do not apply
  --body-out <FILE>                 with --request: write the decoded body there, once verified
credentials the server knows: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, and AWS_SESSION_TOKEN if set";

const FLAGS: [&str; 8] = [
    "--method",
    "--date",
    "--region",
    "--service",
    "--header",
    "--max-skew",
    "--request",
    "--body-out",
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
    let Some(args) = cli::parse_arguments(std::env::args().skip(1), "URL", &FLAGS, &[])? else {
        return Ok(None);
    };
    let mut method = None;
    let mut now = None;
    let mut region = None;
    let mut service = Service::s3();
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut max_skew = 900;
    let (mut raw_request, mut body_out) = (None, None);
    for (flag, value) in &args.flags {
        let value = value.as_deref().unwrap_or_default();
        match flag.as_str() {
            "--method" => {
                presign::Method::new(value).map_err(|e| e.to_string())?;
                method = Some(value.to_owned());
            }
            "--date" => now = Some(cli::date(value)?),
            "--region" => region = Some(Region::new(value).map_err(|e| e.to_string())?),
            "--service" => service = Service::new(value).map_err(|e| e.to_string())?,
            "--header" => headers.push(cli::header(value)?),
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
            "--request" => raw_request = Some(value),
            "--body-out" => body_out = Some(value),
            _ => return Err(format!("unknown option {flag}")),
        }
    }

    let known = cli::credentials()?;
    let mut verifier =
        Verifier::new(move |id: &str| (id == known.access_key_id()).then(|| known.clone()))
            .service(service)
            .max_skew(Duration::from_secs(max_skew));
    if let Some(region) = region {
        verifier = verifier.accept_region(region);
    }
    let now = now.unwrap_or_else(SigningTime::now);

    if let Some(input) = raw_request {
        if !args.positional.is_empty() {
            return Err("--request takes no URL".into());
        }
        if method.is_some() || !headers.is_empty() {
            return Err(
                "--method and --header do not go with --request: the request has its own".into(),
            );
        }
        return verify_request(&verifier, input, body_out, now).map(Some);
    }
    if body_out.is_some() {
        return Err("--body-out needs --request".into());
    }
    let mut positional = args.positional.into_iter();
    let url = positional.next().ok_or("missing URL")?;
    if positional.next().is_some() {
        return Err("expected exactly one URL".into());
    }
    let method = method.unwrap_or_else(|| "GET".to_owned());
    let (host, target) = split_url(&url)?;
    if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        headers.push(("host".to_owned(), host.to_owned()));
    }

    let mut request = ReceivedRequest::new(&method, target);
    for (name, value) in &headers {
        request = request.header(name, value);
    }
    match verifier.verify_presigned(&request, now) {
        Ok(v) => Ok(Some(Outcome::Verified(summary(&v)))),
        // Not a presigned URL at all: bad input, not a failed check.
        Err(e @ VerifyError::NotSigned { .. }) => Err(e.to_string()),
        Err(e) => Ok(Some(Outcome::Rejected(e))),
    }
}

/// The lines printed for a verified request (without the `body:` line).
fn summary(v: &Verified<'_>) -> String {
    let expires = v
        .expires_at()
        .map_or_else(|| "none (header-signed)".to_owned(), |t| t.to_string());
    format!(
        "ok\naccess key id: {}\nscope: {}\nsigned headers: {}\nexpires: {}",
        v.access_key_id(),
        v.scope(),
        v.signed_headers(),
        expires
    )
}

/// `--request`: reads the raw request in `input`, verifies its signature,
/// then its body as the signature says; writes the decoded body to
/// `body_out` once everything verified.
fn verify_request<L: CredentialsLookup>(
    verifier: &Verifier<L>,
    input: &str,
    body_out: Option<&str>,
    now: SigningTime,
) -> Result<Outcome, String> {
    let raw = raw_http::parse_request(&raw_http::read_input(input)?)?;
    let mut request = ReceivedRequest::new(&raw.method, &raw.target);
    for (name, value) in &raw.headers {
        request.push_header(name, value);
    }
    let verified = match verifier.verify(&request, now) {
        Ok(v) => v,
        // No signature at all: bad input, as for a URL.
        Err(e @ VerifyError::NotSigned { .. }) => return Err(e.to_string()),
        Err(e) => return Ok(Outcome::Rejected(e)),
    };
    let n = raw.body.len();
    let (body, how) = match verified.body() {
        BodyCheck::Sha256(_) => {
            if let Err(e) = verified.check_body(&raw.body) {
                return Ok(Outcome::Rejected(e));
            }
            (
                raw.body,
                format!("{n} bytes, sha256 verified (x-amz-content-sha256)"),
            )
        }
        BodyCheck::Unsigned => (
            raw.body,
            format!("{n} bytes, not covered by the signature (UNSIGNED-PAYLOAD)"),
        ),
        BodyCheck::Streaming(payload) => {
            let mut decoder = match verifier.chunk_decoder(&verified) {
                Ok(d) => d,
                Err(e) => return Ok(Outcome::Rejected(e)),
            };
            let mut decoded = Vec::new();
            let done = decoder
                .feed(&raw.body, &mut decoded)
                .and_then(|_| decoder.finish());
            let done = match done {
                Ok(done) => done,
                Err(e) => return Ok(Outcome::Rejected(VerifyError::Chunked(e))),
            };
            let chunks = if payload.signs_chunks() {
                "each chunk signature verified"
            } else {
                "chunks unsigned"
            };
            let trailer = match (payload, done.checksum()) {
                (StreamingPayload::SignedWithTrailer(_), Some(c)) => format!(
                    ", trailer {} and its signature verified",
                    c.algorithm().header_name()
                ),
                (_, Some(c)) => format!(", trailer {} verified", c.algorithm().header_name()),
                (_, None) => String::new(),
            };
            // chunks() counts the final, empty chunk too.
            let how = format!(
                "{} bytes, aws-chunked {} in {} data chunks and the final one ({n} bytes \
                 encoded), {chunks}{trailer}",
                done.length(),
                payload.content_sha256(),
                done.chunks().saturating_sub(1),
            );
            (decoded, how)
        }
        // BodyCheck::Verified (no body was handed to the verifier) or a
        // mode this tool does not know.
        other => {
            return Ok(Outcome::Rejected(VerifyError::UnsupportedPayload {
                value: format!("{other:?}"),
            }));
        }
    };
    if let Some(path) = body_out {
        write_atomically(path, &body)?;
    }
    Ok(Outcome::Verified(format!(
        "{}\nbody: {how}",
        summary(&verified)
    )))
}

/// Writes `data` to a temporary file beside `path`, then renames it: the
/// file at `path` is either untouched or complete.
fn write_atomically(path: &str, data: &[u8]) -> Result<(), String> {
    let target = std::path::Path::new(path);
    let mut name = target
        .file_name()
        .ok_or_else(|| format!("--body-out {path:?} is not a file name"))?
        .to_os_string();
    name.push(format!(".verify-{}.tmp", std::process::id()));
    let temporary = target.with_file_name(name);
    let result =
        std::fs::write(&temporary, data).and_then(|()| std::fs::rename(&temporary, target));
    result.map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        format!("cannot write --body-out {path}: {e}")
    })
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
