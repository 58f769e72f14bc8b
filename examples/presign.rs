//! `presign`: print a presigned S3 URL, like `aws s3 presign`.
//!
//! ```text
//! AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... \
//!   cargo run --example presign -- s3://BUCKET/KEY --expires-in 600
//! ```
//!
//! Credentials come from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and,
//! if set, `AWS_SESSION_TOKEN`. Nothing is sent anywhere: the URL is printed
//! on stdout. Bad input prints one line on stderr and exits with status 2.

use std::process::ExitCode;
use std::time::Duration;

use presign::s3::{Addressing, Bucket, Endpoint, key_warning};
use presign::{Credentials, Method, Region, SigningTime};

const USAGE: &str = "\
usage: presign [OPTIONS] s3://BUCKET/KEY
  --method <GET|PUT|HEAD|DELETE>    default GET
  --expires-in <SECONDS>            default 3600; an integer from 1 to 604800
  --region <REGION>                 default $AWS_REGION, then $AWS_DEFAULT_REGION, then us-east-1
  --endpoint-url <URL>              a custom endpoint: scheme, host, optional port, optional path prefix
  --addressing <auto|virtual|path>  default auto
  --date <YYYYMMDDTHHMMSSZ>         the signing time; default now
  --query <NAME=VALUE>              an extra signed query parameter; repeatable
  --header <NAME:VALUE>             an extra signed header the client must send; repeatable
credentials: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, and AWS_SESSION_TOKEN if set";

/// The parsed command line.
struct Args {
    method: Method<'static>,
    expires_in: u64,
    region: Option<String>,
    endpoint_url: Option<String>,
    addressing: Addressing,
    date: Option<SigningTime>,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    bucket: String,
    key: String,
}

enum Parsed {
    Run(Box<Args>),
    Help,
}

fn parse_args(argv: impl IntoIterator<Item = String>) -> Result<Parsed, String> {
    let mut method = Method::GET;
    let mut expires_in = 3600;
    let mut region = None;
    let mut endpoint_url = None;
    let mut addressing = Addressing::Auto;
    let mut date = None;
    let mut query = Vec::new();
    let mut headers = Vec::new();
    let mut target: Option<String> = None;

    let mut argv = argv.into_iter();
    while let Some(arg) = argv.next() {
        if arg == "-h" || arg == "--help" {
            return Ok(Parsed::Help);
        }
        if !arg.starts_with("--") || arg == "--" {
            let positional = if arg == "--" {
                argv.next().ok_or("expected s3://BUCKET/KEY after --")?
            } else {
                arg
            };
            if target.replace(positional).is_some() {
                return Err("expected exactly one s3://BUCKET/KEY".into());
            }
            continue;
        }
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f.to_owned(), Some(v.to_owned())),
            None => (arg.clone(), None),
        };
        let known = [
            "--method",
            "--expires-in",
            "--region",
            "--endpoint-url",
            "--addressing",
            "--date",
            "--query",
            "--header",
        ];
        if !known.contains(&flag.as_str()) {
            return Err(format!("unknown option {flag}"));
        }
        let value = match inline {
            Some(v) => v,
            None => argv.next().ok_or_else(|| format!("{flag} needs a value"))?,
        };
        match flag.as_str() {
            "--method" => {
                method = match value.to_ascii_uppercase().as_str() {
                    "GET" => Method::GET,
                    "PUT" => Method::PUT,
                    "HEAD" => Method::HEAD,
                    "DELETE" => Method::DELETE,
                    _ => {
                        return Err(format!(
                            "--method must be GET, PUT, HEAD or DELETE, not {value:?}"
                        ));
                    }
                }
            }
            "--expires-in" => {
                expires_in = value
                    .parse::<u64>()
                    .ok()
                    .filter(|s| {
                        value.bytes().all(|b| b.is_ascii_digit()) && (1..=604_800).contains(s)
                    })
                    .ok_or_else(|| {
                        format!("--expires-in must be an integer from 1 to 604800, not {value:?}")
                    })?;
            }
            "--region" => region = Some(value),
            "--endpoint-url" => endpoint_url = Some(value),
            "--addressing" => {
                addressing = match value.as_str() {
                    "auto" => Addressing::Auto,
                    "virtual" => Addressing::VirtualHosted,
                    "path" => Addressing::Path,
                    _ => {
                        return Err(format!(
                            "--addressing must be auto, virtual or path, not {value:?}"
                        ));
                    }
                }
            }
            "--date" => {
                date =
                    Some(SigningTime::parse_amz_date(&value).map_err(|e| format!("--date: {e}"))?)
            }
            "--query" => {
                let (name, value) = value.split_once('=').unwrap_or((&value, ""));
                if name.is_empty() {
                    return Err("--query needs NAME=VALUE with a non-empty NAME".into());
                }
                query.push((name.to_owned(), value.to_owned()));
            }
            "--header" => {
                let (name, value) = value.split_once(':').ok_or("--header needs NAME:VALUE")?;
                let (name, value) = (name.trim(), value.trim());
                if name.is_empty() {
                    return Err("--header needs NAME:VALUE with a non-empty NAME".into());
                }
                headers.push((name.to_owned(), value.to_owned()));
            }
            _ => unreachable!("flag checked against the known list"),
        }
    }

    let target = target.ok_or("missing s3://BUCKET/KEY")?;
    let rest = target
        .strip_prefix("s3://")
        .ok_or_else(|| format!("expected s3://BUCKET/KEY, got {target:?}"))?;
    let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
    if bucket.is_empty() {
        return Err("missing bucket in s3://BUCKET/KEY".into());
    }
    if key.is_empty() {
        return Err("missing key in s3://BUCKET/KEY".into());
    }
    Ok(Parsed::Run(Box::new(Args {
        method,
        expires_in,
        region,
        endpoint_url,
        addressing,
        date,
        query,
        headers,
        bucket: bucket.to_owned(),
        key: key.to_owned(),
    })))
}

/// A non-empty environment variable.
fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn run(args: &Args) -> Result<String, String> {
    let access_key = env("AWS_ACCESS_KEY_ID").ok_or("AWS_ACCESS_KEY_ID is not set")?;
    let secret = env("AWS_SECRET_ACCESS_KEY").ok_or("AWS_SECRET_ACCESS_KEY is not set")?;
    let mut creds = Credentials::new(access_key, secret).map_err(|e| e.to_string())?;
    if let Some(token) = env("AWS_SESSION_TOKEN") {
        creds = creds.with_session_token(token).map_err(|e| e.to_string())?;
    }

    let region = args
        .region
        .clone()
        .or_else(|| env("AWS_REGION"))
        .or_else(|| env("AWS_DEFAULT_REGION"))
        .unwrap_or_else(|| "us-east-1".to_owned());
    let region = Region::new(region).map_err(|e| e.to_string())?;
    let mut bucket = Bucket::new(args.bucket.as_str(), region).map_err(|e| e.to_string())?;
    if let Some(url) = &args.endpoint_url {
        let endpoint = Endpoint::custom(url).map_err(|e| e.to_string())?;
        bucket = bucket.endpoint(endpoint).map_err(|e| e.to_string())?;
    }
    let bucket = bucket
        .addressing(args.addressing)
        .map_err(|e| e.to_string())?;

    let time = match args.date {
        Some(t) => t,
        None => SigningTime::now(),
    };
    let mut request = bucket.object_request(args.method, &args.key);
    for (name, value) in &args.query {
        request = request.query(name, value.as_str());
    }
    for (name, value) in &args.headers {
        request = request.header(name, value);
    }
    let url = request
        .presign(&creds, time, Duration::from_secs(args.expires_in))
        .map_err(|e| e.to_string())?;
    Ok(url.into_string())
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(Parsed::Run(args)) => args,
        Ok(Parsed::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("presign: {e}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(url) => {
            if let Some(warning) = key_warning(&args.key) {
                eprintln!("presign: warning: {warning}");
            }
            println!("{url}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("presign: {e}");
            ExitCode::from(2)
        }
    }
}
