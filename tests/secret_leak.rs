//! No secret leaks: for random secrets and tokens, nothing the library
//! formats (`Debug`, `Display`, errors) and nothing the example CLIs print
//! contains the secret key; the session token appears only where the
//! protocol puts it (in a presigned URL or a POST form's fields), never in
//! an error or a `Debug` output.

mod cli_support;

use std::time::Duration;

use presign::s3::{Bucket, PostKey};
use presign::verify::{ReceivedRequest, Verifier};
use presign::{Credentials, Method, Region, Service, SignableRequest, Signer, SigningTime};

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A random credential-like string of `len` characters.
    fn text(&mut self, len: usize) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+";
        (0..len)
            .map(|_| ALPHABET[(self.next() % ALPHABET.len() as u64) as usize] as char)
            .collect()
    }
}

fn assert_hidden(what: &str, text: &str, secrets: &[&str]) {
    for s in secrets {
        assert!(!text.contains(s), "{what} shows a secret: {text}");
        let encoded = presign::encode::query_component(s);
        assert!(
            !text.contains(&encoded),
            "{what} shows an encoded secret: {text}"
        );
    }
}

#[test]
fn library_output_never_shows_secrets() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let time = SigningTime::parse_amz_date("20260524T120000Z").unwrap();
    for _ in 0..50 {
        let (secret, token) = (rng.text(40), rng.text(120));
        let creds = Credentials::new("AKIDLEAKTEST", secret.as_str())
            .unwrap()
            .with_session_token(token.as_str())
            .unwrap();
        let both = [secret.as_str(), token.as_str()];
        assert_hidden("Credentials", &format!("{creds:?}"), &both);

        let bucket = Bucket::new("leak-test", Region::new("us-east-1").unwrap()).unwrap();
        let url = bucket
            .get_object("k")
            .presign(&creds, time, Duration::from_secs(60))
            .unwrap();
        assert_hidden("PresignedUrl", &format!("{url:?}"), &both);
        let post = bucket
            .post_policy(PostKey::new("k"), time, Duration::from_secs(60))
            .sign(&creds)
            .unwrap();
        assert_hidden("PresignedPost", &format!("{post:?}"), &both);

        let signer = Signer::new(
            Region::new("us-east-1").unwrap(),
            Service::new("iam").unwrap(),
        );
        let req = SignableRequest::new(Method::GET, "iam.amazonaws.com", "/");
        let signed = signer.sign_headers(&req, &creds, time).unwrap();
        let signature = signed.signature().to_string();
        assert_hidden(
            "AuthorizationHeaders",
            &format!("{signed:?}"),
            &[&secret, &token, &signature],
        );
        assert!(format!("{signed:?}").contains("Signature=<redacted>"));
        let presigned = signer
            .presign(&req, &creds, time, Duration::from_secs(60))
            .unwrap();
        let signature = presigned.signature().to_string();
        assert_hidden(
            "PresignedRequest",
            &format!("{presigned:?}"),
            &[&secret, &token, &signature],
        );
        assert_hidden("Signer", &format!("{signer:?}"), &both);

        // Errors, of every layer.
        let bad_header = format!("{secret}\u{1}{token}");
        let errors = [
            signer
                .sign_headers(&req.clone().header("x-a", &bad_header), &creds, time)
                .unwrap_err(),
            signer
                .presign(&req, &creds, time, Duration::from_secs(604_801))
                .unwrap_err(),
            bucket
                .get_object("")
                .presign(&creds, time, Duration::from_secs(1))
                .unwrap_err(),
            Credentials::new("AKID", secret.as_str())
                .unwrap()
                .with_session_token(format!("{token}\n"))
                .unwrap_err(),
        ];
        for e in &errors {
            assert_hidden("Error", &format!("{e} {e:?}"), &both);
        }
        // Credentials pasted into an endpoint URL, as user info or a query:
        // the error keeps no part of them (it shows at most 64 bytes, so
        // look for their first characters).
        let starts = [&secret[..12], &token[..12]];
        for url in [
            format!("https://AKIDLEAKTEST:{secret}@minio.example:9000"),
            format!("http://{secret}@minio.example/s3"),
            format!("https://minio.example/?X-Amz-Security-Token={token}"),
            format!("https://minio.example?token={token}#{secret}"),
            format!("https://AKIDLEAKTEST:{secret}@minio.example/?t={token}"),
        ] {
            let e = presign::s3::Endpoint::custom(&url).unwrap_err();
            assert_hidden("endpoint Error", &format!("{e} {e:?}"), &starts);
        }
        let verifier = Verifier::new(|_: &str| Some(creds.clone()));
        let target = &url.as_str()["https://leak-test.s3.us-east-1.amazonaws.com".len()..];
        let tampered = target.replace("X-Amz-Expires=60", "X-Amz-Expires=61");
        let e = verifier
            .verify_presigned(
                &ReceivedRequest::new("GET", &tampered)
                    .header("host", "leak-test.s3.us-east-1.amazonaws.com"),
                time,
            )
            .unwrap_err();
        assert_hidden("VerifyError", &format!("{e} {e:?}"), &both);
    }
}

#[test]
fn cli_output_never_shows_the_secret() {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    for _ in 0..4 {
        let (secret, token) = (rng.text(40), rng.text(60));
        let env = [
            ("AWS_SECRET_ACCESS_KEY", secret.as_str()),
            ("AWS_SESSION_TOKEN", token.as_str()),
        ];
        let with_user_info = format!("https://AKIDLEAKTEST:{secret}@minio.example:9000");
        let with_query = format!("https://minio.example/?X-Amz-Security-Token={token}");
        let runs = [
            ("presign", vec!["s3://bucket/k"]),
            (
                "presign",
                vec!["s3://bucket/k", "--endpoint-url", &with_user_info],
            ),
            (
                "presign",
                vec!["s3://bucket/k", "--endpoint-url", &with_query],
            ),
            (
                "presign_post",
                vec!["s3://bucket/k", "--endpoint-url", &with_user_info],
            ),
            ("presign", vec!["s3://bucket/k", "--expires-in", "0"]),
            ("presign", vec!["s3://bucket/k", "--header", "x-a:\u{1}"]),
            ("presign_post", vec!["s3://bucket/k"]),
            ("presign_post", vec!["s3://bucket/k", "--html"]),
            ("presign_post", vec!["s3://bucket/k", "--field", "policy=x"]),
            (
                "verify",
                vec!["https://bucket.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256"],
            ),
            ("verify", vec!["not a url"]),
        ];
        for (example, args) in runs {
            let out = cli_support::run_with_env(example, &args, &env);
            let stdout = String::from_utf8_lossy(&out.stdout);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_hidden(example, &stdout, &[&secret]);
            // The token belongs in a URL or form on stdout, never in a message
            // (nor any part of it: messages show at most 64 bytes of input).
            assert_hidden(example, &stderr, &[&secret[..12], &token[..12]]);
        }
    }
}
