//! `upload_gateway`: accepts presigned S3 uploads on 127.0.0.1 and stores
//! them in a folder, verifying each one with [`presign::verify`]. The route
//! is in `upload_gateway/gateway.rs`.
//!
//! ```text
//! export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
//! cargo run --features http --example upload_gateway -- --dir /tmp/uploads &
//! url=$(cargo run --features cli --bin presign -- s3://uploads/notes/today.txt --method PUT \
//!   --endpoint-url http://127.0.0.1:8700 --addressing path --expires-in 300)
//! curl -fsS -T today.txt "$url"      # 200: stored as /tmp/uploads/uploads/notes/today.txt
//! curl -sS -T today.txt -H 'x-amz-acl: public-read' "$url"   # 403: not signed
//! ```
//!
//! ```text
//! usage: upload_gateway --dir DIR [OPTIONS]
//!   --dir <DIR>              where objects are stored, as DIR/BUCKET/KEY (created if missing)
//!   --listen <IP:PORT>       a loopback address; default 127.0.0.1:8700 (port 0: any free port)
//!   --bucket <NAME>          the bucket served; default uploads
//!   --region <REGION>        default $AWS_REGION, then $AWS_DEFAULT_REGION, then us-east-1
//!   --max-size <BYTES>       the largest upload; default 10485760
//! ```
//!
//! Credentials come from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and,
//! if set, `AWS_SESSION_TOKEN` (which requests must then carry): the same
//! variables the `presign` tool signs with. Links must be signed for
//! `http://IP:PORT` (or `http://localhost:PORT`), path-style, in the
//! region: `/BUCKET/KEY?X-Amz-...`. Header-signed (`Authorization`) PUTs
//! are accepted too, and their signed `x-amz-content-sha256` is checked
//! against the body before anything is stored.
//!
//! The gateway listens on loopback addresses only: it is a demonstration,
//! with no TLS. Bad options print one line on stderr and exit with status
//! 2; once listening, it prints `listening on http://IP:PORT` on stderr and
//! one line per request.

#[path = "../src/bin/common/cli.rs"]
mod cli;
#[path = "upload_gateway/gateway.rs"]
mod gateway;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use presign::Region;

const USAGE: &str = "\
usage: upload_gateway --dir DIR [OPTIONS]
  --dir <DIR>              where objects are stored, as DIR/BUCKET/KEY (created if missing)
  --listen <IP:PORT>       a loopback address; default 127.0.0.1:8700 (port 0: any free port)
  --bucket <NAME>          the bucket served; default uploads
  --region <REGION>        default $AWS_REGION, then $AWS_DEFAULT_REGION, then us-east-1
  --max-size <BYTES>       the largest upload; default 10485760
credentials: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, and AWS_SESSION_TOKEN if set";

const DEFAULT_LISTEN: &str = "127.0.0.1:8700";

/// The options, or `None` for `--help`.
struct Options {
    dir: PathBuf,
    listen: SocketAddr,
    bucket: String,
    region: Region,
    max_size: usize,
}

fn options() -> Result<Option<Options>, String> {
    let (mut dir, mut listen, mut bucket, mut region, mut max_size) =
        (None, None, None, None, None);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "-h" || arg == "--help" {
            return Ok(None);
        }
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f.to_owned(), Some(v.to_owned())),
            None => (arg, None),
        };
        let slot = match flag.as_str() {
            "--dir" => &mut dir,
            "--listen" => &mut listen,
            "--bucket" => &mut bucket,
            "--region" => &mut region,
            "--max-size" => &mut max_size,
            _ => return Err(format!("unknown argument {flag}")),
        };
        let value = match inline {
            Some(v) => v,
            None => args.next().ok_or_else(|| format!("{flag} needs a value"))?,
        };
        if slot.replace(value).is_some() {
            return Err(format!("{flag} given twice"));
        }
    }

    let dir = PathBuf::from(dir.filter(|d| !d.is_empty()).ok_or("--dir is required")?);
    let listen = listen.unwrap_or_else(|| DEFAULT_LISTEN.to_owned());
    let listen: SocketAddr = listen
        .parse()
        .map_err(|_| format!("--listen must be IP:PORT, not {listen:?}"))?;
    if !listen.ip().is_loopback() {
        return Err(format!(
            "--listen {listen}: not a loopback address (this demonstration has no TLS)"
        ));
    }
    let region = region
        .or_else(|| cli::env("AWS_REGION"))
        .or_else(|| cli::env("AWS_DEFAULT_REGION"))
        .unwrap_or_else(|| "us-east-1".to_owned());
    let region = Region::new(region).map_err(|e| format!("region: {e}"))?;
    let bucket = bucket.unwrap_or_else(|| "uploads".to_owned());
    if !valid_bucket_name(&bucket) {
        return Err(format!(
            "bucket {bucket:?}: 3 to 63 of a-z 0-9 . -, starting and ending with a letter or digit"
        ));
    }
    let max_size = match max_size {
        None => gateway::DEFAULT_MAX_SIZE,
        Some(v) => v
            .parse()
            .ok()
            .filter(|&n: &usize| n > 0)
            .ok_or_else(|| format!("--max-size must be a positive integer, not {v:?}"))?,
    };
    Ok(Some(Options {
        dir,
        listen,
        bucket,
        region,
        max_size,
    }))
}

/// S3's rules for new buckets. They also keep the bucket's folder a plain
/// name under `--dir`: never `.`, `..`, `.incoming` or a path.
/// ([`presign::s3::Bucket::new`] takes more: legacy names and `..`.)
fn valid_bucket_name(name: &str) -> bool {
    let edge = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    (3..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        && edge(name.as_bytes().first())
        && edge(name.as_bytes().last())
        && !name.contains("..")
}

fn run() -> Result<(), String> {
    let Some(options) = options()? else {
        println!("{USAGE}");
        return Ok(());
    };
    let credentials = cli::credentials()?;
    std::fs::create_dir_all(&options.dir)
        .map_err(|e| format!("--dir {}: {e}", options.dir.display()))?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start tokio: {e}"))?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(options.listen)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", options.listen))?;
        // With port 0, the port chosen.
        let addr = listener
            .local_addr()
            .map_err(|e| format!("cannot listen on {}: {e}", options.listen))?;
        let mut config = gateway::Config::new(
            options.bucket,
            options.region,
            credentials,
            options.dir,
            addr,
        );
        config.max_size = options.max_size;
        eprintln!(
            "upload_gateway: bucket {} in {}, stored under {}; listening on http://{addr}",
            config.bucket,
            config.region.as_str(),
            config.dir.display()
        );
        axum::serve(listener, gateway::app(config))
            .await
            .map_err(|e| format!("server: {e}"))
    })
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("upload_gateway: {}", message.replace(['\n', '\r'], " "));
            ExitCode::from(2)
        }
    }
}
