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

#[cfg(feature = "cli")]
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

/// The SigV4a private key, derived here the way AWS specifies it (NIST SP
/// 800-108 HMAC-SHA256 counter mode over `"AWS4A" + secret`), independently
/// of the library, so the test can look for it in what the library prints.
#[cfg(feature = "sigv4a")]
fn v4a_private_key(access_key_id: &str, secret: &str) -> [u8; 32] {
    use hmac::{KeyInit, Mac};
    // The order of P-256 minus one, minus one more: candidates at or above
    // n - 1 are skipped.
    const N_MINUS_2: [u8; 32] = [
        0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63,
        0x25, 0x4f,
    ];
    let key = format!("AWS4A{secret}");
    for counter in 1..=254u8 {
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).unwrap();
        mac.update(&1u32.to_be_bytes());
        mac.update(b"AWS4-ECDSA-P256-SHA256\0");
        mac.update(access_key_id.as_bytes());
        mac.update(&[counter]);
        mac.update(&256u32.to_be_bytes());
        let mut c: [u8; 32] = mac.finalize().into_bytes().into();
        if c > N_MINUS_2 {
            continue;
        }
        // d = c + 1, big-endian.
        for byte in c.iter_mut().rev() {
            let (sum, carry) = byte.overflowing_add(1);
            *byte = sum;
            if !carry {
                break;
            }
        }
        return c;
    }
    unreachable!("no candidate in 254 tries")
}

#[cfg(feature = "sigv4a")]
#[test]
fn sigv4a_output_never_shows_the_derived_key() {
    use presign::sigv4a::{SigV4aKey, Signer4a};
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let time = SigningTime::parse_amz_date("20260524T120000Z").unwrap();
    for _ in 0..10 {
        let secret = rng.text(40);
        let creds = Credentials::new("AKIDLEAKTEST", secret.as_str()).unwrap();
        let d = v4a_private_key("AKIDLEAKTEST", &secret);
        let hidden = [
            secret.clone(),
            hex::encode(d),
            hex::encode_upper(d),
            format!("{d:?}"),
        ];
        let hidden: Vec<&str> = hidden.iter().map(String::as_str).collect();

        let key = SigV4aKey::derive(&creds).unwrap();
        assert_hidden("SigV4aKey", &format!("{key:?}"), &hidden);
        assert_hidden("PublicKey", &format!("{:?}", key.public_key()), &hidden);
        let signer = Signer4a::new("*", Service::s3()).unwrap();
        let host = "mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com";
        let req = SignableRequest::new(Method::GET, host, "/k");
        let presigned = signer
            .presign(&req, &creds, time, Duration::from_secs(60))
            .unwrap();
        assert_hidden("PresignedRequest4a", &format!("{presigned:?}"), &hidden);
        let signed = signer.sign_headers(&req, &creds, time).unwrap();
        assert_hidden("AuthorizationHeaders4a", &format!("{signed:?}"), &hidden);
        assert_hidden("Signer4a", &format!("{signer:?}"), &hidden);
        let e = signer
            .presign(&req, &creds, time, Duration::from_secs(604_801))
            .unwrap_err();
        assert_hidden("Error", &format!("{e} {e:?}"), &hidden);
        let verifier = Verifier::new(|_: &str| Some(creds.clone()));
        let received = ReceivedRequest::new("GET", presigned.uri()).header("host", host);
        verifier.verify(&received, time).unwrap();
        assert_hidden("Verifier", &format!("{verifier:?}"), &hidden);
        let tampered = presigned
            .uri()
            .replace("X-Amz-Expires=60", "X-Amz-Expires=61");
        let e = verifier
            .verify(
                &ReceivedRequest::new("GET", &tampered).header("host", host),
                time,
            )
            .unwrap_err();
        assert_hidden("VerifyError", &format!("{e} {e:?}"), &hidden);
    }
}

/// The reference derivation above is the library's: the public key of its
/// scalar is the library's public key, for the CRT suite's credentials (whose
/// public key is published) and for random ones.
#[cfg(feature = "sigv4a")]
#[test]
fn the_reference_derivation_is_the_librarys() {
    use presign::sigv4a::SigV4aKey;
    let mut rng = Rng(0x1234_5678_9abc_def1);
    let mut cases = vec![(
        "AKIDEXAMPLE".to_owned(),
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".to_owned(),
    )];
    for _ in 0..5 {
        cases.push((format!("AKID{}", rng.next() % 1_000_000), rng.text(40)));
    }
    for (id, secret) in &cases {
        let creds = Credentials::new(id.as_str(), secret.as_str()).unwrap();
        let d = v4a_private_key(id, secret);
        let public = p256::SecretKey::from_slice(&d).unwrap().public_key();
        let sec1 = public.to_sec1_bytes();
        let key = SigV4aKey::derive(&creds).unwrap().public_key();
        // SEC1: a tag byte, then x (then y, uncompressed).
        assert_eq!(&sec1[1..33], key.x().as_slice(), "{id}");
        if sec1.len() == 65 {
            assert_eq!(&sec1[..], key.to_uncompressed().as_slice(), "{id}");
        }
    }
    // CRT suite, v4a/get-vanilla/public-key.json.
    assert_eq!(
        hex::encode(
            SigV4aKey::derive(&Credentials::new(&cases[0].0, &cases[0].1).unwrap())
                .unwrap()
                .public_key()
                .x()
        ),
        "b6618f6a65740a99e650b33b6b4b5bd0d43b176d721a3edfea7e7d2d56d936b1"
    );
}

#[test]
fn s3_express_session_tokens_are_redacted_too() {
    let mut rng = Rng(0x51ed_2701_6a0b_3c4d);
    let time = SigningTime::parse_amz_date("20260524T120000Z").unwrap();
    let (secret, token) = (rng.text(40), rng.text(120));
    let creds = Credentials::new("AKIDLEAKTEST", secret.as_str())
        .unwrap()
        .with_s3_express_session_token(token.as_str())
        .unwrap();
    let both = [secret.as_str(), token.as_str()];
    assert_hidden("Credentials", &format!("{creds:?}"), &both);
    let signer = Signer::new(
        Region::new("us-west-2").unwrap(),
        Service::new("s3express").unwrap(),
    );
    let host = "bucket--usw2-az1--x-s3.s3express-usw2-az1.us-west-2.amazonaws.com";
    let req = SignableRequest::new(Method::GET, host, "/k");
    let presigned = signer
        .presign(&req, &creds, time, Duration::from_secs(60))
        .unwrap();
    // The token travels in the URL, under S3 Express's name...
    assert!(presigned.uri().contains("X-Amz-S3session-Token="));
    assert!(!presigned.uri().contains("X-Amz-Security-Token"));
    // ...and Debug shows neither it nor the secret.
    assert_hidden("PresignedRequest", &format!("{presigned:?}"), &both);
    let signed = signer.sign_headers(&req, &creds, time).unwrap();
    assert_eq!(signed.x_amz_s3session_token(), Some(token.as_str()));
    assert_eq!(signed.x_amz_security_token(), None);
    assert_hidden("AuthorizationHeaders", &format!("{signed:?}"), &both);
}
