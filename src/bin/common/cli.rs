//! Command-line plumbing shared by the command-line tools (`presign`,
//! `presign-post`, `presign-verify`, `presign-sign-request`) and the token
//! and gateway examples:
//! flag parsing, the `s3://BUCKET/KEY` target, credentials from the
//! environment and the bucket's endpoint. Bad input is a one-line message
//! and exit status 2.
// Each tool and example uses part of this module.
#![allow(dead_code)]

use std::process::ExitCode;

use presign::s3::{Addressing, Bucket, Endpoint};
use presign::{Credentials, Region, SigningTime};

/// The command line split into flags (in order) and the one target.
pub struct CommandLine {
    /// `(flag, value)`; `value` is `None` for switches.
    pub flags: Vec<(String, Option<String>)>,
    pub target: String,
}

/// What to do after parsing.
pub enum Parsed {
    Run(CommandLine),
    Help,
}

/// Splits `argv` into flags and one positional target (named `what` in
/// messages, such as `s3://BUCKET/KEY`). `with_value` lists the flags that
/// take a value (as `--flag VALUE` or `--flag=VALUE`); `switches` the ones
/// that take none.
pub fn parse(
    argv: impl IntoIterator<Item = String>,
    what: &str,
    with_value: &[&str],
    switches: &[&str],
) -> Result<Parsed, String> {
    let Some(Arguments { flags, positional }) = parse_arguments(argv, what, with_value, switches)?
    else {
        return Ok(Parsed::Help);
    };
    let mut positional = positional.into_iter();
    let target = positional.next().ok_or_else(|| format!("missing {what}"))?;
    if positional.next().is_some() {
        return Err(format!("expected exactly one {what}"));
    }
    Ok(Parsed::Run(CommandLine { flags, target }))
}

/// The command line split into flags (in order) and positional arguments
/// (in order, any number).
pub struct Arguments {
    /// `(flag, value)`; `value` is `None` for switches.
    pub flags: Vec<(String, Option<String>)>,
    pub positional: Vec<String>,
}

/// Like [`parse`], for commands that take another number of positional
/// arguments: checking their count is the caller's. `Ok(None)` is `--help`;
/// `what` names the positional arguments in messages.
pub fn parse_arguments(
    argv: impl IntoIterator<Item = String>,
    what: &str,
    with_value: &[&str],
    switches: &[&str],
) -> Result<Option<Arguments>, String> {
    let mut flags = Vec::new();
    let mut positional = Vec::new();
    let mut argv = argv.into_iter();
    while let Some(arg) = argv.next() {
        if arg == "-h" || arg == "--help" {
            return Ok(None);
        }
        if arg == "--" || !arg.starts_with("--") {
            let value = if arg == "--" {
                argv.next()
                    .ok_or_else(|| format!("expected {what} after --"))?
            } else {
                arg
            };
            positional.push(value);
            continue;
        }
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f.to_owned(), Some(v.to_owned())),
            None => (arg, None),
        };
        if switches.contains(&flag.as_str()) {
            if inline.is_some() {
                return Err(format!("{flag} takes no value"));
            }
            flags.push((flag, None));
        } else if with_value.contains(&flag.as_str()) {
            let value = match inline {
                Some(v) => v,
                None => argv.next().ok_or_else(|| format!("{flag} needs a value"))?,
            };
            flags.push((flag, Some(value)));
        } else {
            return Err(format!("unknown option {flag}"));
        }
    }
    Ok(Some(Arguments { flags, positional }))
}

/// `--header NAME:VALUE`: the name and value, trimmed; the name non-empty.
pub fn header(value: &str) -> Result<(String, String), String> {
    let (name, value) = value.split_once(':').ok_or("--header needs NAME:VALUE")?;
    let (name, value) = (name.trim(), value.trim());
    if name.is_empty() {
        return Err("--header needs NAME:VALUE with a non-empty NAME".into());
    }
    Ok((name.to_owned(), value.to_owned()))
}

/// `--method` of the S3 examples: GET, PUT, HEAD or DELETE, any case.
pub fn s3_method(value: &str) -> Result<presign::Method<'static>, String> {
    use presign::Method;
    match value.to_ascii_uppercase().as_str() {
        "GET" => Ok(Method::GET),
        "PUT" => Ok(Method::PUT),
        "HEAD" => Ok(Method::HEAD),
        "DELETE" => Ok(Method::DELETE),
        _ => Err(format!(
            "--method must be GET, PUT, HEAD or DELETE, not {value:?}"
        )),
    }
}

/// The token examples' command line: positional arguments and an optional
/// `--region`, which falls back to `$AWS_REGION`, then `$AWS_DEFAULT_REGION`
/// (no default: a token for the wrong region is useless). `Ok(None)` is
/// `--help`.
pub fn positional_and_region(
    argv: impl IntoIterator<Item = String>,
) -> Result<Option<(Vec<String>, Region)>, String> {
    let mut region = None;
    let mut positional = Vec::new();
    let mut args = argv.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "--region" => region = Some(args.next().ok_or("--region needs a value")?),
            _ if arg.starts_with("--region=") => region = Some(arg["--region=".len()..].into()),
            _ if arg.starts_with('-') => return Err(format!("unknown option {arg}")),
            _ => positional.push(arg),
        }
    }
    let region = region
        .or_else(|| env("AWS_REGION"))
        .or_else(|| env("AWS_DEFAULT_REGION"))
        .ok_or("no region: pass --region or set AWS_REGION")?;
    let region = Region::new(region).map_err(|e| e.to_string())?;
    Ok(Some((positional, region)))
}

/// Splits `s3://BUCKET/KEY`: the bucket is everything up to the first `/`,
/// the key everything after it, literally. As in `aws s3`, an access point
/// ARN may stand for the bucket (`s3://arn:aws:s3:REGION:ACCOUNT:accesspoint/NAME/KEY`,
/// the Outposts form `...:outpost/ID/accesspoint/NAME/KEY`): the bucket is
/// then the ARN up to the `/` after the access point's name.
pub fn split_target(target: &str) -> Result<(String, String), String> {
    let rest = target
        .strip_prefix("s3://")
        .ok_or_else(|| format!("expected s3://BUCKET/KEY, got {target:?}"))?;
    let bucket_end = arn_end(rest).or_else(|| rest.find('/'));
    let (bucket, key) = match bucket_end {
        Some(end) => (&rest[..end], rest[end..].strip_prefix('/').unwrap_or("")),
        None => (rest, ""),
    };
    if bucket.is_empty() {
        return Err("missing bucket in s3://BUCKET/KEY".into());
    }
    if key.is_empty() {
        return Err("missing key in s3://BUCKET/KEY".into());
    }
    Ok((bucket.to_owned(), key.to_owned()))
}

/// Where an access point ARN at the start of `s` ends: after its resource's
/// last part (`accesspoint/NAME`, two parts; `outpost/ID/accesspoint/NAME`
/// for `s3-outposts`, four), each `/` of which may be `:`. `None` when `s`
/// does not start with `arn:` and five `:` (then it is split as a bucket
/// name, which the library refuses with its own message).
fn arn_end(s: &str) -> Option<usize> {
    if !s.starts_with("arn:") {
        return None;
    }
    // The resource starts after the fifth `:`.
    let (resource_start, _) = s.match_indices(':').nth(4)?;
    let service = s.split(':').nth(2)?;
    let parts = if service == "s3-outposts" { 4 } else { 2 };
    let resource = &s[resource_start + 1..];
    let mut separators = 0;
    for (i, b) in resource.bytes().enumerate() {
        if b == b'/' || b == b':' {
            separators += 1;
            if separators == parts && b == b'/' {
                return Some(resource_start + 1 + i);
            }
        }
    }
    // No `/` after the name: all of it is the ARN, and the key is missing.
    Some(s.len())
}

/// The AWS endpoint `--fips` and `--dualstack` choose.
pub fn aws_endpoint(fips: bool, dual_stack: bool) -> Endpoint {
    match (fips, dual_stack) {
        (true, dual_stack) => Endpoint::aws_fips(dual_stack),
        (false, true) => Endpoint::aws_dual_stack(),
        (false, false) => Endpoint::aws(),
    }
}

/// `--expires-in`: an integer from 1 to 604800.
pub fn expires_in(value: &str) -> Result<u64, String> {
    value
        .parse::<u64>()
        .ok()
        .filter(|s| value.bytes().all(|b| b.is_ascii_digit()) && (1..=604_800).contains(s))
        .ok_or_else(|| format!("--expires-in must be an integer from 1 to 604800, not {value:?}"))
}

/// `--addressing`: auto, virtual or path.
pub fn addressing(value: &str) -> Result<Addressing, String> {
    match value {
        "auto" => Ok(Addressing::Auto),
        "virtual" => Ok(Addressing::VirtualHosted),
        "path" => Ok(Addressing::Path),
        _ => Err(format!(
            "--addressing must be auto, virtual or path, not {value:?}"
        )),
    }
}

/// `--date`: `YYYYMMDDTHHMMSSZ`.
pub fn date(value: &str) -> Result<SigningTime, String> {
    SigningTime::parse_amz_date(value).map_err(|e| format!("--date: {e}"))
}

/// A non-empty environment variable.
pub fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// Credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and, if
/// set, `AWS_SESSION_TOKEN`.
pub fn credentials() -> Result<Credentials, String> {
    let access_key = env("AWS_ACCESS_KEY_ID").ok_or("AWS_ACCESS_KEY_ID is not set")?;
    let secret = env("AWS_SECRET_ACCESS_KEY").ok_or("AWS_SECRET_ACCESS_KEY is not set")?;
    let creds = Credentials::new(access_key, secret).map_err(|e| e.to_string())?;
    match env("AWS_SESSION_TOKEN") {
        Some(token) => creds.with_session_token(token).map_err(|e| e.to_string()),
        None => Ok(creds),
    }
}

/// Credentials for `bucket`: for a directory bucket (S3 Express One Zone)
/// the environment holds a `CreateSession` session, whose
/// `AWS_SESSION_TOKEN` is an S3 Express session token.
pub fn credentials_for(bucket: &presign::s3::Bucket) -> Result<Credentials, String> {
    if !bucket.is_directory_bucket() {
        return credentials();
    }
    let access_key = env("AWS_ACCESS_KEY_ID").ok_or("AWS_ACCESS_KEY_ID is not set")?;
    let secret = env("AWS_SECRET_ACCESS_KEY").ok_or("AWS_SECRET_ACCESS_KEY is not set")?;
    let token = env("AWS_SESSION_TOKEN").ok_or(
        "a directory bucket is signed with an s3 express session: set AWS_ACCESS_KEY_ID, \
         AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN to what CreateSession returned",
    )?;
    Credentials::new(access_key, secret)
        .and_then(|c| c.with_s3_express_session_token(token))
        .map_err(|e| e.to_string())
}

/// The bucket: the region from the flag, then `$AWS_REGION`, then
/// `$AWS_DEFAULT_REGION`, then `us-east-1`; a custom endpoint if given; the
/// addressing style.
pub fn bucket(
    name: &str,
    region: Option<&str>,
    endpoint_url: Option<&str>,
    addressing: Addressing,
) -> Result<Bucket, String> {
    bucket_on(name, region, endpoint_url, Endpoint::aws(), addressing)
}

/// Like [`bucket`], with the AWS endpoint to use when no `endpoint_url` is
/// given (FIPS, dual-stack). `name` may be an access point ARN.
pub fn bucket_on(
    name: &str,
    region: Option<&str>,
    endpoint_url: Option<&str>,
    aws: Endpoint,
    addressing: Addressing,
) -> Result<Bucket, String> {
    let region = region
        .map(str::to_owned)
        .or_else(|| env("AWS_REGION"))
        .or_else(|| env("AWS_DEFAULT_REGION"))
        .unwrap_or_else(|| "us-east-1".to_owned());
    let region = Region::new(region).map_err(|e| e.to_string())?;
    let mut bucket = Bucket::new(name, region).map_err(|e| e.to_string())?;
    if let Some(url) = endpoint_url {
        if aws != Endpoint::aws() {
            return Err(
                "--fips and --dualstack choose an aws endpoint: not with --endpoint-url".into(),
            );
        }
        let endpoint = Endpoint::custom(url).map_err(|e| e.to_string())?;
        bucket = bucket.endpoint(endpoint).map_err(|e| e.to_string())?;
    } else if aws != Endpoint::aws() {
        bucket = bucket.endpoint(aws).map_err(|e| e.to_string())?;
    }
    bucket.addressing(addressing).map_err(|e| e.to_string())
}

/// Runs a command: `Ok(None)` was `--help` (print `usage`), `Ok(Some(out))`
/// prints `out` on stdout, `Err` prints one line on stderr and exits 2.
pub fn main(
    name: &str,
    usage: &str,
    run: impl FnOnce() -> Result<Option<String>, String>,
) -> ExitCode {
    match run() {
        Ok(Some(out)) => {
            println!("{out}");
            ExitCode::SUCCESS
        }
        Ok(None) => {
            println!("{usage}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            // One line, whatever the message holds.
            eprintln!("{name}: {}", e.replace(['\n', '\r'], " "));
            ExitCode::from(2)
        }
    }
}
