//! S3 Express properties: any session credentials written into a
//! CreateSession answer (escaped any way XML allows, in any order, with or
//! without a namespace prefix) read back exactly; no input makes the reader
//! or the name parser panic; no error or `Debug` shows a secret or token.

use presign::provider::{ProvideCredentials, StaticProvider};
use presign::s3::express::{
    CreateSession, CreateSessionRequest, DirectoryBucket, SessionProvider, ZonalOptions,
    parse_create_session_response,
};
use presign::{Credentials, Region, SigningTime};
use proptest::prelude::*;

/// Characters of real secrets and tokens, and the five XML specials.
fn value() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[A-Za-z0-9/+=&<>\"']{1,40}").expect("regex")
}

/// Writes `v` as XML character data, each character escaped as `how` says.
fn escape(v: &str, how: &[u8]) -> String {
    if how.first() == Some(&9) && !v.contains("]]>") {
        return format!("<![CDATA[{v}]]>");
    }
    let mut out = String::new();
    for (i, c) in v.chars().enumerate() {
        let pick = how.get(i).copied().unwrap_or(0) % 3;
        match (c, pick) {
            ('&', _) => out.push_str(["&amp;", "&#38;", "&#x26;"][pick as usize]),
            ('<', _) => out.push_str(["&lt;", "&#60;", "&#x3C;"][pick as usize]),
            (c, 1) => out.push_str(&format!("&#{};", c as u32)),
            (c, 2) => out.push_str(&format!("&#x{:x};", c as u32)),
            ('>', _) => out.push_str("&gt;"),
            ('"', _) => out.push_str("&quot;"),
            ('\'', _) => out.push_str("&apos;"),
            (c, _) => out.push(c),
        }
    }
    out
}

fn answer(
    id: &str,
    secret: &str,
    token: &str,
    order: &[usize],
    how: &[u8],
    prefix: bool,
    space: &str,
) -> String {
    let p = if prefix { "s3:" } else { "" };
    let fields = [
        ("AccessKeyId", escape(id, how)),
        ("SecretAccessKey", escape(secret, how)),
        ("SessionToken", escape(token, how)),
        ("Expiration", "2026-05-24T12:05:00Z".to_owned()),
    ];
    let mut body = format!(
        "<?xml version=\"1.0\"?>{space}<{p}CreateSessionResult xmlns{}=\"http://s3.amazonaws.com/doc/2006-03-01/\">{space}<{p}Credentials>",
        if prefix { ":s3" } else { "" }
    );
    for &i in order {
        let (name, text) = &fields[i % 4];
        body.push_str(&format!(
            "{space}<{p}{name}>{space}{text}{space}</{p}{name}>"
        ));
    }
    body.push_str(&format!(
        "{space}</{p}Credentials></{p}CreateSessionResult>{space}"
    ));
    body
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn answers_read_back_exactly(
        id in "[A-Z0-9]{4,20}",
        secret in value(),
        token in value(),
        how in proptest::collection::vec(0u8..10, 0..40),
        order in Just(vec![0usize, 1, 2, 3]).prop_shuffle(),
        prefix in any::<bool>(),
        space in "[ \t\r\n]{0,3}",
    ) {
        let body = answer(&id, &secret, &token, &order, &how, prefix, &space);
        let c = parse_create_session_response(&body).expect("parses");
        prop_assert_eq!(c.access_key_id(), id.as_str());
        prop_assert_eq!(c.secret_access_key(), secret.as_str());
        prop_assert_eq!(c.session_token(), Some(token.as_str()));
        prop_assert!(c.is_s3_express_session());
    }

    #[test]
    fn broken_answers_fail_without_showing_values(
        secret in "[A-Za-z0-9]{24,40}",
        token in "[A-Za-z0-9]{24,40}",
        cut in any::<prop::sample::Index>(),
        junk in "[<>&;/!?\\[\\]a-z]{0,4}",
    ) {
        let body = answer("ASIAEXAMPLE", &secret, &token, &[0, 1, 2, 3], &[], false, "");
        let at = cut.index(body.len());
        let broken = format!("{}{junk}{}", &body[..at], &body[at..]);
        match parse_create_session_response(&broken) {
            // Junk that lands in a value, or is still well-formed XML.
            Ok(c) => prop_assert!(c.is_s3_express_session()),
            Err(e) => {
                for shown in [e.to_string(), format!("{e:?}")] {
                    prop_assert!(!shown.contains(&secret[..12]) && !shown.contains(&token[..12]), "{}", shown);
                }
            }
        }
        // A prefix of the answer is never accepted.
        prop_assert!(parse_create_session_response(&body[..at]).is_err());
    }

    #[test]
    fn any_text_parses_or_fails_without_panic(s in "\\PC{0,80}") {
        let _ = parse_create_session_response(&s);
        let _ = parse_create_session_response(&format!("<CreateSessionResult><Credentials>{s}</Credentials></CreateSessionResult>"));
    }

    #[test]
    fn bucket_names_parse_or_name_the_problem(
        base in "[a-z0-9.-]{0,12}",
        zone in "[a-z0-9-]{0,14}",
        other in "\\PC{0,30}",
    ) {
        let name = format!("{base}--{zone}--x-s3");
        match DirectoryBucket::parse(&name) {
            Ok(b) => {
                prop_assert_eq!(b.base(), base.as_str());
                prop_assert_eq!(b.zone_id(), zone.as_str());
                prop_assert!(zone.ends_with(|c: char| c.is_ascii_digit()) && zone.contains("-az"));
                let host = b.zonal_host(&Region::new("us-west-2").expect("region"), ZonalOptions::default());
                prop_assert_eq!(host, format!("{name}.s3express-{zone}.us-west-2.amazonaws.com"));
            }
            Err(e) => prop_assert!(e.to_string().starts_with("invalid directory bucket name")),
        }
        let _ = DirectoryBucket::parse(&other);
    }

    #[test]
    fn signed_requests_and_providers_hide_secrets(
        secret in "[A-Za-z0-9/+]{24,40}",
        token in "[A-Za-z0-9/+]{24,40}",
    ) {
        let bucket = DirectoryBucket::parse("mybucket--usw2-az1--x-s3").expect("bucket");
        let base = Credentials::new("AKIDEXAMPLE", secret.clone())
            .and_then(|c| c.with_session_token(token.clone()))
            .expect("creds");
        let create = CreateSession::new(&bucket, Region::new("us-west-2").expect("region"));
        let time = SigningTime::parse_amz_date("20260524T120000Z").expect("time");
        let signed = create.sign(&base, time).expect("sign");
        prop_assert!(signed.headers().iter().any(|(_, v)| *v == token));
        let shown = format!("{signed:?}{create:?}");
        prop_assert!(!shown.contains(&secret) && !shown.contains(&token), "{}", shown);

        let session_secret = secret.clone();
        let session_token = token.clone();
        let provider = SessionProvider::new(
            create,
            StaticProvider::new(base),
            move |_: &CreateSessionRequest| {
                Ok(answer("ASIASESSION", &session_secret, &session_token, &[0, 1, 2, 3], &[], false, ""))
            },
        );
        let session = provider.credentials(time).expect("session");
        prop_assert_eq!(session.secret_access_key(), secret.as_str());
        let shown = format!("{provider:?}{session:?}");
        prop_assert!(!shown.contains(&secret) && !shown.contains(&token), "{}", shown);
    }
}
