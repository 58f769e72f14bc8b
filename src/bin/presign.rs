//! `presign`: print a presigned S3 URL, like `aws s3 presign`.
//!
//! ```text
//! AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... \
//!   cargo run --features cli --bin presign -- s3://BUCKET/KEY --expires-in 600
//! ```
//!
//! In place of the bucket, as `aws s3 presign` takes them, an access point
//! ARN (`s3://arn:aws:s3:us-west-2:123456789012:accesspoint/myap/key.txt`),
//! an S3 Object Lambda or S3 on Outposts access point ARN, or a
//! Multi-Region Access Point ARN
//! (`s3://arn:aws:s3::123456789012:accesspoint/mfzwi23gnjvgw.mrap/key.txt`,
//! signed with SigV4a: build with `--features sigv4a`).
//!
//! Credentials come from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and,
//! if set, `AWS_SESSION_TOKEN`. Nothing is sent anywhere: the URL is printed
//! on stdout. Bad input prints one line on stderr and exits with status 2.

#[path = "common/cli.rs"]
mod cli;

use std::process::ExitCode;
use std::time::Duration;

use presign::s3::{Addressing, key_warning};
use presign::{Method, SigningTime};

const USAGE: &str = "\
usage: presign [OPTIONS] s3://BUCKET/KEY
       presign [OPTIONS] s3://ACCESS_POINT_ARN/KEY
  --method <GET|PUT|HEAD|DELETE>    default GET
  --expires-in <SECONDS>            default 3600; an integer from 1 to 604800
  --region <REGION>                 default $AWS_REGION, then $AWS_DEFAULT_REGION, then us-east-1
  --endpoint-url <URL>              a custom endpoint: scheme, host, optional port, optional path prefix
  --addressing <auto|virtual|path>  default auto (access points: virtual-hosted only)
  --fips                            the FIPS endpoint (s3-fips, s3-accesspoint-fips, ...)
  --dualstack                       the dual-stack (IPv4 and IPv6) endpoint
  --date <YYYYMMDDTHHMMSSZ>         the signing time; default now
  --query <NAME=VALUE>              an extra signed query parameter; repeatable
  --header <NAME:VALUE>             an extra signed header the client must send; repeatable
credentials: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, and AWS_SESSION_TOKEN if set
  (for a directory bucket, BASE--ZONEID--x-s3: the three values of a CreateSession session)";

const SWITCHES: [&str; 2] = ["--fips", "--dualstack"];

const FLAGS: [&str; 8] = [
    "--method",
    "--expires-in",
    "--region",
    "--endpoint-url",
    "--addressing",
    "--date",
    "--query",
    "--header",
];

fn run() -> Result<Option<String>, String> {
    let cli::Parsed::Run(line) = cli::parse(
        std::env::args().skip(1),
        "s3://BUCKET/KEY",
        &FLAGS,
        &SWITCHES,
    )?
    else {
        return Ok(None);
    };
    let mut method = Method::GET;
    let mut expires_in = 3600;
    let (mut region, mut endpoint_url, mut date) = (None, None, None);
    let mut addressing = Addressing::Auto;
    let (mut fips, mut dual_stack) = (false, false);
    let mut query: Vec<(String, String)> = Vec::new();
    let mut headers: Vec<(String, String)> = Vec::new();
    for (flag, value) in &line.flags {
        let value = value.as_deref().unwrap_or_default();
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
            "--expires-in" => expires_in = cli::expires_in(value)?,
            "--region" => region = Some(value),
            "--endpoint-url" => endpoint_url = Some(value),
            "--addressing" => addressing = cli::addressing(value)?,
            "--date" => date = Some(cli::date(value)?),
            "--fips" => fips = true,
            "--dualstack" => dual_stack = true,
            "--query" => {
                let (name, value) = value.split_once('=').unwrap_or((value, ""));
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
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    let (bucket_name, key) = cli::split_target(&line.target)?;
    let bucket = cli::bucket_on(
        &bucket_name,
        region,
        endpoint_url,
        cli::aws_endpoint(fips, dual_stack),
        addressing,
    )?;
    let creds = cli::credentials_for(&bucket)?;
    let mut request = bucket.object_request(method, &key);
    for (name, value) in &query {
        request = request.query(name, value.as_str());
    }
    for (name, value) in &headers {
        request = request.header(name, value);
    }
    let time = date.unwrap_or_else(SigningTime::now);
    let url = request
        .presign(&creds, time, Duration::from_secs(expires_in))
        .map_err(|e| e.to_string())?;
    if let Some(warning) = key_warning(&key) {
        eprintln!("presign: warning: {warning}");
    }
    Ok(Some(url.into_string()))
}

fn main() -> ExitCode {
    cli::main("presign", USAGE, run)
}
