//! `rds_token`: print an RDS IAM authentication token, like boto3's
//! `generate_db_auth_token` (use it as the database password).
//!
//! ```text
//! AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... \
//!   cargo run --example rds_token -- mydb.abc123.us-east-1.rds.amazonaws.com 5432 app --region us-east-1
//! ```
//!
//! Credentials come from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and, if
//! set, `AWS_SESSION_TOKEN`; the region from `--region`, then `$AWS_REGION`,
//! then `$AWS_DEFAULT_REGION`. Nothing is sent anywhere. Bad input prints one
//! line on stderr and exits with status 2.

#[path = "../src/bin/common/cli.rs"]
mod cli;

use std::process::ExitCode;

use presign::SigningTime;
use presign::provider::{EnvironmentProvider, ProvideCredentials};
use presign::tokens::rds_auth_token;

const USAGE: &str = "\
usage: rds_token HOST PORT USER [--region REGION]
credentials: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, and AWS_SESSION_TOKEN if set";

fn run() -> Result<Option<String>, String> {
    let Some((positional, region)) = cli::positional_and_region(std::env::args().skip(1))? else {
        return Ok(None);
    };
    let [host, port, user] =
        <[String; 3]>::try_from(positional).map_err(|_| "expected HOST PORT USER (see --help)")?;
    let port: u16 = port
        .parse()
        .ok()
        .filter(|&p| p != 0)
        .ok_or_else(|| format!("PORT must be from 1 to 65535, not {port:?}"))?;
    let now = SigningTime::now();
    let creds = EnvironmentProvider
        .credentials(now)
        .map_err(|e| e.to_string())?;
    rds_auth_token(&creds, &region, &host, port, &user, now)
        .map(Some)
        .map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    cli::main("rds_token", USAGE, run)
}
