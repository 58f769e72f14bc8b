//! `presign-sign-request`: write a complete, header-signed HTTP/1.1 request that
//! uploads a file to S3, ready to send over a socket as is.
//!
//! ```text
//! AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... \
//!   cargo run --features cli --bin presign-sign-request -- --payload streaming s3://BUCKET/KEY ./file > request.http
//! ```
//!
//! The request goes to stdout: request line, `Host`, the signed headers,
//! `Content-Length`, a blank line and the body (the file, or with a
//! streaming `--payload` the file `aws-chunked`, each chunk signed), lines
//! ending in CRLF. Host and path are the ones the `presign` tool gives
//! for the same options. Nothing is sent anywhere. Bad input prints one
//! line on stderr and exits with status 2.

#[path = "common/cli.rs"]
mod cli;
#[path = "common/raw_http.rs"]
mod raw_http;

use std::io::Write;
use std::process::ExitCode;

use presign::chunked::{
    ChecksumAlgorithm, DEFAULT_CHUNK_SIZE, DEFAULT_MAX_CHUNK_SIZE, MIN_CHUNK_SIZE,
    StreamingPayload, StreamingUpload,
};
use presign::s3::{Addressing, key_warning};
use presign::{Method, Payload, Service, SignableRequest, Signer, SigningTime, encode};

const USAGE: &str = "\
usage: presign-sign-request [OPTIONS] s3://BUCKET/KEY FILE
  --method <GET|PUT|HEAD|DELETE>    default PUT
  --region <REGION>                 default $AWS_REGION, then $AWS_DEFAULT_REGION, then us-east-1
  --endpoint-url <URL>              a custom endpoint: scheme, host, optional port, optional path prefix
  --addressing <auto|virtual|path>  default auto
  --date <YYYYMMDDTHHMMSSZ>         the signing time; default now
  --header <NAME:VALUE>             an extra signed header; repeatable
  --payload <MODE>                  how the body is signed; default signed:
                                      signed                      x-amz-content-sha256 is the body's SHA-256
                                      unsigned                    UNSIGNED-PAYLOAD
                                      streaming                   aws-chunked, each chunk signed
                                      streaming-trailer           aws-chunked, each chunk signed, a signed checksum trailer
                                      streaming-unsigned-trailer  aws-chunked, unsigned chunks, a checksum trailer
  --chunk-size <BYTES>              streaming modes: the chunk size; default 65536, from 8192 to 1048576
  --checksum <crc32|crc32c|sha256>  trailer modes: the trailer's checksum; default crc32c
FILE is the body (- for stdin); the request goes to stdout
credentials: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, and AWS_SESSION_TOKEN if set";

const FLAGS: [&str; 9] = [
    "--method",
    "--region",
    "--endpoint-url",
    "--addressing",
    "--date",
    "--header",
    "--payload",
    "--chunk-size",
    "--checksum",
];

/// `--payload`, before the checksum is known.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Signed,
    Unsigned,
    Streaming,
    StreamingTrailer,
    StreamingUnsignedTrailer,
}

impl Mode {
    fn parse(value: &str) -> Result<Mode, String> {
        Ok(match value {
            "signed" => Mode::Signed,
            "unsigned" => Mode::Unsigned,
            "streaming" => Mode::Streaming,
            "streaming-trailer" => Mode::StreamingTrailer,
            "streaming-unsigned-trailer" => Mode::StreamingUnsignedTrailer,
            _ => {
                return Err(format!(
                    "--payload must be signed, unsigned, streaming, streaming-trailer or \
                     streaming-unsigned-trailer, not {:?}",
                    excerpt(value)
                ));
            }
        })
    }

    /// The streaming mode, with the trailer's checksum where there is one.
    fn streaming(self, checksum: ChecksumAlgorithm) -> Option<StreamingPayload> {
        match self {
            Mode::Signed | Mode::Unsigned => None,
            Mode::Streaming => Some(StreamingPayload::Signed),
            Mode::StreamingTrailer => Some(StreamingPayload::SignedWithTrailer(checksum)),
            Mode::StreamingUnsignedTrailer => Some(StreamingPayload::UnsignedWithTrailer(checksum)),
        }
    }
}

/// `--chunk-size`: a whole number of bytes from 8192 to 1 MiB (the largest
/// signed chunk a verifier accepts by default).
fn chunk_size(value: &str) -> Result<usize, String> {
    value
        .parse::<usize>()
        .ok()
        .filter(|&n| {
            value.bytes().all(|b| b.is_ascii_digit())
                && (MIN_CHUNK_SIZE..=DEFAULT_MAX_CHUNK_SIZE).contains(&n)
        })
        .ok_or_else(|| {
            format!(
                "--chunk-size must be a whole number of bytes from {MIN_CHUNK_SIZE} to \
                 {DEFAULT_MAX_CHUNK_SIZE}, not {:?}",
                excerpt(value)
            )
        })
}

fn checksum(value: &str) -> Result<ChecksumAlgorithm, String> {
    match value {
        "crc32" => Ok(ChecksumAlgorithm::Crc32),
        "crc32c" => Ok(ChecksumAlgorithm::Crc32c),
        "sha256" => Ok(ChecksumAlgorithm::Sha256),
        _ => Err(format!(
            "--checksum must be crc32, crc32c or sha256, not {:?}",
            excerpt(value)
        )),
    }
}

/// At most 64 characters of input in a message.
fn excerpt(s: &str) -> String {
    s.chars().take(64).collect()
}

/// The request on stdout, or `None` for `--help`.
fn run() -> Result<Option<Vec<u8>>, String> {
    let Some(args) = cli::parse_arguments(
        std::env::args().skip(1),
        "s3://BUCKET/KEY FILE",
        &FLAGS,
        &[],
    )?
    else {
        return Ok(None);
    };
    let mut method = Method::PUT;
    let (mut region, mut endpoint_url, mut date) = (None, None, None);
    let mut addressing = Addressing::Auto;
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut mode = Mode::Signed;
    let (mut size, mut algorithm) = (None, None);
    for (flag, value) in &args.flags {
        let value = value.as_deref().unwrap_or_default();
        match flag.as_str() {
            "--method" => method = cli::s3_method(value)?,
            "--region" => region = Some(value),
            "--endpoint-url" => endpoint_url = Some(value),
            "--addressing" => addressing = cli::addressing(value)?,
            "--date" => date = Some(cli::date(value)?),
            "--header" => {
                let (name, value) = cli::header(value)?;
                if ["host", "content-length", "transfer-encoding"]
                    .iter()
                    .any(|n| n.eq_ignore_ascii_case(&name))
                {
                    return Err(format!(
                        "--header cannot set {name}: sign_request writes Host and Content-Length"
                    ));
                }
                headers.push((name, value));
            }
            "--payload" => mode = Mode::parse(value)?,
            "--chunk-size" => size = Some(chunk_size(value)?),
            "--checksum" => algorithm = Some(checksum(value)?),
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    let [target, file] = <[String; 2]>::try_from(args.positional)
        .map_err(|_| "expected s3://BUCKET/KEY and FILE".to_owned())?;
    if algorithm.is_some()
        && !matches!(
            mode,
            Mode::StreamingTrailer | Mode::StreamingUnsignedTrailer
        )
    {
        return Err(
            "--checksum needs --payload streaming-trailer or streaming-unsigned-trailer".into(),
        );
    }
    let streaming = mode.streaming(algorithm.unwrap_or(ChecksumAlgorithm::Crc32c));
    if size.is_some() && streaming.is_none() {
        return Err("--chunk-size needs a streaming --payload".into());
    }
    let size = size.unwrap_or(DEFAULT_CHUNK_SIZE);

    let (bucket_name, key) = cli::split_target(&target)?;
    let creds = cli::credentials()?;
    let bucket = cli::bucket(&bucket_name, region, endpoint_url, addressing)?;
    let body = raw_http::read_input(&file)?;

    // The bucket's host and path, as the `presign` tool's URL has them:
    // the base URL's path (endpoint prefix, bucket for path-style), then
    // the key, encoded once.
    let host = bucket.host();
    let base = bucket.base_url();
    let base_path = base
        .split_once("://")
        .and_then(|(_, rest)| rest.strip_prefix(host))
        .ok_or("the bucket's base URL does not start with its host")?;
    let path = format!("{base_path}/{}", encode::path(&key));

    let signer = Signer::new(bucket.region().clone(), Service::s3());
    let mut request = SignableRequest::new(method, host, &path);
    for (name, value) in &headers {
        request = request.header(name, value);
    }
    let time = date.unwrap_or_else(SigningTime::now);
    let mut out_headers: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let wire = match streaming {
        None => {
            let payload = match mode {
                Mode::Signed => Payload::Bytes(&body),
                _ => Payload::Unsigned,
            };
            let signed = signer
                .sign_headers(&request.payload(payload), &creds, time)
                .map_err(|e| e.to_string())?;
            out_headers.extend(signed.iter().map(|(n, v)| (n as &str, v)));
            raw_http::write_request(method.as_str(), &path, host, &out_headers, &body)?
        }
        Some(payload) => {
            let mut upload = StreamingUpload::new(payload, body.len() as u64)
                .chunk_size(size)
                .sign(&signer, &request, &creds, time)
                .map_err(|e| e.to_string())?;
            let mut encoded = Vec::new();
            let encoder = upload.encoder();
            for chunk in body.chunks(size) {
                encoder
                    .encode_chunk(chunk, &mut encoded)
                    .map_err(|e| e.to_string())?;
            }
            encoder.finish(&mut encoded).map_err(|e| e.to_string())?;
            if encoded.len() as u64 != upload.content_length() {
                return Err("the encoded body's length is not the signed Content-Length".into());
            }
            out_headers.extend(upload.headers().map(|(n, v)| (n as &str, v)));
            raw_http::write_request(method.as_str(), &path, host, &out_headers, &encoded)?
        }
    };
    if let Some(warning) = key_warning(&key) {
        eprintln!("sign_request: warning: {warning}");
    }
    Ok(Some(wire))
}

fn main() -> ExitCode {
    match run() {
        Ok(Some(request)) => {
            let mut stdout = std::io::stdout().lock();
            match stdout.write_all(&request).and_then(|()| stdout.flush()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("sign_request: cannot write the request: {e}");
                    ExitCode::from(2)
                }
            }
        }
        Ok(None) => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("sign_request: {}", e.replace(['\n', '\r'], " "));
            ExitCode::from(2)
        }
    }
}
