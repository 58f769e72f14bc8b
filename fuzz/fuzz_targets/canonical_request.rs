//! The canonical request from arbitrary parts: signing never panics, is
//! deterministic, the canonical request hashes to the string to sign's last
//! line, and no error or `Debug` output shows the secret or the token.
#![no_main]

use std::time::Duration;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use presign::{
    Credentials, Method, Payload, Region, Service, SignableRequest, SignatureLocation, Signer,
    SigningTime,
};

const SECRET: &str = "FUZZSECRETwJalrXUtnFEMIK7MDENG";
const TOKEN: &str = "FUZZTOKENFwoGZXIvYXdzEXAMPLE";

#[derive(Debug, Arbitrary)]
struct Input {
    method: String,
    host: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    unsigned: bool,
    s3: bool,
    token: bool,
    content_sha256: bool,
    expires: u32,
    unix: u32,
}

fuzz_target!(|input: Input| {
    let mut creds = Credentials::new("AKIDFUZZ", SECRET).unwrap();
    if input.token {
        creds = creds.with_session_token(TOKEN).unwrap();
    }
    let service = if input.s3 {
        Service::s3()
    } else {
        Service::new("service").unwrap()
    };
    let signer = Signer::new(Region::new("us-east-1").unwrap(), service)
        .sign_content_sha256(input.content_sha256);
    let Ok(method) = Method::new(&input.method) else {
        return;
    };
    let time = SigningTime::from_unix_timestamp(i64::from(input.unix)).unwrap();
    let mut req =
        SignableRequest::new(method, &input.host, &input.target).payload(if input.unsigned {
            Payload::Unsigned
        } else {
            Payload::Bytes(&input.body)
        });
    for (n, v) in &input.headers {
        req = req.header(n, v);
    }
    let expires = Duration::from_secs(u64::from(input.expires % 700_000));
    // Errors may echo caller input (a bad host, a header name); only when
    // the input itself holds no secret must the output hold none.
    let input_has_secret = [&input.method, &input.host, &input.target]
        .into_iter()
        .chain(input.headers.iter().flat_map(|(n, v)| [n, v]))
        .any(|s| s.contains("FUZZ"));
    let no_secret = |text: String| {
        if !input_has_secret {
            assert!(!text.contains(SECRET), "secret in {text}");
            assert!(!text.contains(TOKEN), "token in {text}");
        }
    };

    let a = signer.sign_headers(&req, &creds, time);
    let b = signer.sign_headers(&req, &creds, time);
    match (&a, &b) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a.authorization(), b.authorization());
            no_secret(format!("{a:?}"));
            let creq = signer
                .canonical_request(&req, &creds, time, SignatureLocation::Headers)
                .unwrap();
            let sts = signer
                .string_to_sign(&req, &creds, time, SignatureLocation::Headers)
                .unwrap();
            let hash: String = creq.sha256().iter().map(|b| format!("{b:02x}")).collect();
            assert!(sts.as_str().ends_with(&hash));
            no_secret(format!("{creq:?}"));
        }
        (Err(a), Err(b)) => {
            assert_eq!(a, b);
            no_secret(a.to_string());
            no_secret(format!("{a:?}"));
        }
        _ => panic!("signing the same request twice differed"),
    }
    match signer.presign(&req, &creds, time, expires) {
        Ok(p) => {
            assert_eq!(p.uri(), format!("{}?{}", p.path(), p.query()));
            no_secret(format!("{p:?}"));
        }
        Err(e) => no_secret(e.to_string()),
    }
});
