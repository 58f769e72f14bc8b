//! `presign-post`: sign an S3 POST policy for a browser upload, like boto3's
//! `generate_presigned_post`.
//!
//! ```text
//! AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... \
//!   cargo run --features cli --bin presign-post -- 's3://BUCKET/uploads/${filename}' \
//!     --condition '["content-length-range", 1, 10485760]' --html > upload.html
//! ```
//!
//! Prints `{"url": "...", "fields": {...}}` (or, with `--html`, a ready
//! upload form). A client posts the fields as a multipart form in that
//! order, then the file as the field `file`. Bad input prints one line on
//! stderr and exits with status 2.

#[path = "common/cli.rs"]
mod cli;

use std::process::ExitCode;
use std::time::Duration;

use presign::SigningTime;
use presign::s3::{Addressing, Condition, PostKey};

const USAGE: &str = "\
usage: presign-post [OPTIONS] s3://BUCKET/KEY
  --expires-in <SECONDS>            default 3600; the policy expires at the signing time + SECONDS
  --region <REGION>                 default $AWS_REGION, then $AWS_DEFAULT_REGION, then us-east-1
  --endpoint-url <URL>              a custom endpoint: scheme, host, optional port, optional path prefix
  --addressing <auto|virtual|path>  default auto
  --date <YYYYMMDDTHHMMSSZ>         the signing time; default now
  --condition <JSON>                one raw policy condition, repeatable, e.g.
                                    '[\"content-length-range\", 1, 10485760]'
                                    '[\"starts-with\", \"$key\", \"uploads/\"]'
                                    '{\"acl\": \"private\"}'
  --field <NAME=VALUE>              an extra form field, repeatable; also an exact-match condition,
                                    or starts-with on the part before ${filename} if VALUE holds it
  --html                            print a ready HTML form instead of JSON
KEY and field values may contain ${filename}, which S3 replaces with the uploaded file's name:
the policy then allows any value starting with the part before it.
credentials: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, and AWS_SESSION_TOKEN if set";

const FLAGS: [&str; 7] = [
    "--expires-in",
    "--region",
    "--endpoint-url",
    "--addressing",
    "--date",
    "--condition",
    "--field",
];

fn run() -> Result<Option<String>, String> {
    let cli::Parsed::Run(line) = cli::parse(
        std::env::args().skip(1),
        "s3://BUCKET/KEY",
        &FLAGS,
        &["--html"],
    )?
    else {
        return Ok(None);
    };
    let mut expires_in = 3600;
    let (mut region, mut endpoint_url, mut date) = (None, None, None);
    let mut addressing = Addressing::Auto;
    let mut conditions = Vec::new();
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut html = false;
    for (flag, value) in &line.flags {
        let value = value.as_deref().unwrap_or_default();
        match flag.as_str() {
            "--expires-in" => expires_in = cli::expires_in(value)?,
            "--region" => region = Some(value),
            "--endpoint-url" => endpoint_url = Some(value),
            "--addressing" => addressing = cli::addressing(value)?,
            "--date" => date = Some(cli::date(value)?),
            "--condition" => {
                conditions
                    .push(Condition::from_json(value).map_err(|e| format!("--condition: {e}"))?);
            }
            "--field" => {
                let (name, value) = value.split_once('=').ok_or("--field needs NAME=VALUE")?;
                if name.is_empty() {
                    return Err("--field needs NAME=VALUE with a non-empty NAME".into());
                }
                fields.push((name.to_owned(), value.to_owned()));
            }
            "--html" => html = true,
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    let (bucket_name, key) = cli::split_target(&line.target)?;
    let bucket = cli::bucket(&bucket_name, region, endpoint_url, addressing)?;
    let creds = cli::credentials_for(&bucket)?;
    let time = date.unwrap_or_else(SigningTime::now);
    let mut policy = bucket.post_policy(PostKey::new(key), time, Duration::from_secs(expires_in));
    for condition in conditions {
        policy = policy.condition(condition);
    }
    for (name, value) in fields {
        policy = policy.field(name, value);
    }
    let post = policy.sign(&creds).map_err(|e| e.to_string())?;
    Ok(Some(if html {
        post.to_html_form().trim_end().to_owned()
    } else {
        post.to_json()
    }))
}

fn main() -> ExitCode {
    cli::main("presign-post", USAGE, run)
}
