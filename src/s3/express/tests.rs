use super::*;
use crate::error::ErrorKind;

fn region(r: &str) -> Region {
    Region::new(r).unwrap()
}

fn reason(name: &str) -> &'static str {
    match DirectoryBucket::parse(name) {
        Err(Error::InvalidDirectoryBucketName { reason, .. }) => reason,
        other => panic!("{name}: {other:?}"),
    }
}

#[test]
fn parses_zone_ids() {
    for (name, base, zone) in [
        ("mybucket--usw2-az1--x-s3", "mybucket", "usw2-az1"),
        ("b-1--use1-az4--x-s3", "b-1", "use1-az4"),
        ("media--usw2-lax1-az1--x-s3", "media", "usw2-lax1-az1"),
        ("a--b--apne1-az10--x-s3", "a--b", "apne1-az10"),
    ] {
        let b = DirectoryBucket::parse(name).unwrap();
        assert_eq!((b.name(), b.base(), b.zone_id()), (name, base, zone));
        assert_eq!(b.to_string(), name);
        assert!(is_directory_bucket_name(name));
    }
    assert!(!is_directory_bucket_name("examplebucket"));
}

#[test]
fn names_the_problem() {
    assert_eq!(
        reason("mybucket--x-s3").split(':').next(),
        Some("no zone id")
    );
    assert_eq!(reason("--x-s3").split(':').next(), Some("no zone id"));
    assert_eq!(
        reason("mybucket----x-s3").split(':').next(),
        Some("no zone id")
    );
    assert!(reason("mybucket--usw2--x-s3").starts_with("invalid zone id"));
    assert!(reason("mybucket--usw2-az--x-s3").starts_with("invalid zone id"));
    assert!(reason("mybucket--USW2-az1--x-s3").starts_with("invalid zone id"));
    assert!(reason("mybucket--usw2--az1--x-s3").starts_with("invalid zone id"));
    assert!(reason("mybucket--az1-usw2--x-s3").starts_with("invalid zone id"));
    assert!(reason("b--usw2-abcdefghijklmn-az1--x-s3").starts_with("zone id longer"));
    assert!(reason("--usw2-az1--x-s3").starts_with("empty base"));
    assert!(reason("My.Bucket--usw2-az1--x-s3").starts_with("base name has"));
    assert!(reason("my.bucket--usw2-az1--x-s3").starts_with("base name has"));
    assert!(reason("-b--usw2-az1--x-s3").starts_with("base name must begin"));
    assert!(reason("xn--b--usw2-az1--x-s3").contains("reserved prefix"));
    assert_eq!(reason("examplebucket"), "does not end with --x-s3");
    let long = format!("{}--usw2-az1--x-s3", "a".repeat(48));
    assert_eq!(reason(&long), "longer than 63 characters");
    assert!(DirectoryBucket::parse(&long[1..]).is_ok());
    let e = DirectoryBucket::parse("mybucket--x-s3").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::S3);
    assert!(
        e.to_string()
            .starts_with("invalid directory bucket name \"mybucket--x-s3\": no zone id")
    );
    // Any input: an error or a name, never a panic.
    for s in [
        "",
        "-",
        "--",
        "---x-s3",
        "é--usw2-az1--x-s3",
        "a--é-az1--x-s3",
    ] {
        let _ = DirectoryBucket::parse(s);
    }
}

#[test]
fn zonal_hosts() {
    let b = DirectoryBucket::parse("mybucket--usw2-az1--x-s3").unwrap();
    let r = region("us-west-2");
    let o = ZonalOptions::default();
    assert_eq!(
        b.zonal_host(&r, o),
        "mybucket--usw2-az1--x-s3.s3express-usw2-az1.us-west-2.amazonaws.com"
    );
    assert_eq!(
        b.zonal_host(&r, o.fips(true)),
        "mybucket--usw2-az1--x-s3.s3express-fips-usw2-az1.us-west-2.amazonaws.com"
    );
    assert_eq!(
        b.zonal_host(&r, o.dualstack(true)),
        "mybucket--usw2-az1--x-s3.s3express-usw2-az1.dualstack.us-west-2.amazonaws.com"
    );
    assert_eq!(
        b.zonal_host(&r, o.fips(true).dualstack(true)),
        "mybucket--usw2-az1--x-s3.s3express-fips-usw2-az1.dualstack.us-west-2.amazonaws.com"
    );
    let lz = DirectoryBucket::parse("media--usw2-lax1-az1--x-s3").unwrap();
    assert_eq!(
        lz.zonal_host(&region("US-WEST-2"), o),
        "media--usw2-lax1-az1--x-s3.s3express-usw2-lax1-az1.us-west-2.amazonaws.com"
    );
    let cn = DirectoryBucket::parse("b--cnn1-az1--x-s3").unwrap();
    assert_eq!(
        cn.zonal_host(&region("cn-north-1"), o),
        "b--cnn1-az1--x-s3.s3express-cnn1-az1.cn-north-1.amazonaws.com.cn"
    );
}

fn at(s: &str) -> SigningTime {
    SigningTime::parse_amz_date(s).unwrap()
}

#[test]
fn create_session_signs_what_botocore_signs() {
    let b = DirectoryBucket::parse("mybucket--usw2-az1--x-s3").unwrap();
    let creds = Credentials::new("AKIDEXAMPLE", "secret")
        .unwrap()
        .with_session_token("stsTOKEN")
        .unwrap();
    let cs = CreateSession::new(&b, region("us-west-2")).session_mode(SessionMode::ReadOnly);
    let req = cs.sign(&creds, at("20260524T120000Z")).unwrap();
    assert_eq!(req.method(), "GET");
    assert_eq!(
        req.url(),
        "https://mybucket--usw2-az1--x-s3.s3express-usw2-az1.us-west-2.amazonaws.com/?session"
    );
    assert_eq!(
        req.host(),
        "mybucket--usw2-az1--x-s3.s3express-usw2-az1.us-west-2.amazonaws.com"
    );
    let names: Vec<&str> = req.headers().iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names,
        [
            "authorization",
            "x-amz-date",
            "x-amz-security-token",
            "x-amz-content-sha256",
            "x-amz-create-session-mode"
        ]
    );
    let auth = &req.headers()[0].1;
    assert!(auth.starts_with(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260524/us-west-2/s3express/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-create-session-mode;x-amz-date;x-amz-security-token, Signature="
    ));
    let shown = format!("{req:?}");
    assert!(!shown.contains("stsTOKEN"));
    assert!(!shown.contains(auth.rsplit('=').next().unwrap()));

    let fips = CreateSession::new(&b, region("us-west-2"))
        .zonal_options(ZonalOptions::default().fips(true))
        .sign(&creds, at("20260524T120000Z"))
        .unwrap();
    assert!(fips.url().contains(".s3express-fips-usw2-az1."));
    assert!(
        !fips
            .headers()
            .iter()
            .any(|(n, _)| *n == CREATE_SESSION_MODE)
    );

    let session = Credentials::new("ASIA", "s")
        .unwrap()
        .with_s3_express_session_token("t")
        .unwrap();
    assert!(matches!(
        cs.sign(&session, at("20260524T120000Z")),
        Err(Error::InvalidSessionToken { .. })
    ));
}

const ANSWER: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<CreateSessionResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Credentials>
    <SessionToken>tok&amp;en/+=</SessionToken>
    <SecretAccessKey> sec&lt;ret&#43;&#x2F; </SecretAccessKey>
    <AccessKeyId>ASIASESSION</AccessKeyId>
    <Expiration>2026-05-24T12:05:00Z</Expiration>
  </Credentials>
</CreateSessionResult>"#;

#[test]
fn parses_the_answer() {
    let c = parse_create_session_response(ANSWER).unwrap();
    assert_eq!(c.access_key_id(), "ASIASESSION");
    assert_eq!(c.secret_access_key(), "sec<ret+/");
    assert_eq!(c.session_token(), Some("tok&en/+="));
    assert!(c.is_s3_express_session());
    assert_eq!(
        c.expires_at().unwrap().unix_timestamp(),
        at("20260524T120500Z").unix_timestamp()
    );
    // Prefixed namespace, other order, CDATA, comments, fractions, offsets.
    let other = "<s3:CreateSessionResult xmlns:s3='x'><!-- c --><s3:Credentials>\
        <s3:Expiration>2026-05-24T14:05:00.123+02:00</s3:Expiration>\
        <s3:AccessKeyId>A</s3:AccessKeyId><s3:SessionToken><![CDATA[t<&>]]></s3:SessionToken>\
        <s3:SecretAccessKey>s</s3:SecretAccessKey></s3:Credentials></s3:CreateSessionResult>";
    let c = parse_create_session_response(other).unwrap();
    assert_eq!(c.access_key_id(), "A");
    assert_eq!(c.session_token(), Some("t<&>"));
    assert_eq!(
        c.expires_at().unwrap().unix_timestamp(),
        at("20260524T120500Z").unix_timestamp()
    );
}

fn fails(body: &str) -> String {
    match parse_create_session_response(body) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("accepted {body}"),
    }
}

#[test]
fn refuses_bad_answers_without_showing_values() {
    let secretless = |body: &str| {
        let m = fails(body);
        assert!(!m.contains("sec") && !m.contains("tok"), "{m}");
        m
    };
    assert!(
        secretless(&ANSWER.replace("<AccessKeyId>ASIASESSION</AccessKeyId>", ""))
            .contains("no AccessKeyId")
    );
    assert!(secretless(&ANSWER.replace("&amp;", "&bogus;")).contains("unknown entity"));
    assert!(secretless(&ANSWER.replace("&amp;", "&")).contains("malformed entity"));
    assert!(secretless(&ANSWER.replace("</Credentials>", "")).contains("mismatched"));
    assert!(secretless(&ANSWER.replace("2026-05-24T12:05:00Z", "soon")).contains("expiration"));
    assert!(secretless(&ANSWER.replace("12:05:00Z", "25:05:00Z")).contains("expiration"));
    assert!(
        secretless(&ANSWER.replace("<AccessKeyId>", "<AccessKeyId>A</AccessKeyId><AccessKeyId>"))
            .contains("given twice")
    );
    assert!(secretless(&format!("<!DOCTYPE x>{ANSWER}")).contains("document type"));
    assert!(secretless(&ANSWER.replace("CreateSessionResult", "Other")).contains("root element"));
    assert!(secretless(&ANSWER[..ANSWER.len() - 5]).contains("unterminated"));
    assert!(fails("").contains("no createsessionresult"));
    let e = fails("<Error><Code>AccessDenied</Code><Message>no sec</Message></Error>");
    assert_eq!(
        e,
        "invalid createsession response: s3 answered with error AccessDenied"
    );
    let e = parse_create_session_response("<a>").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Credentials);
    // Any prefix of a valid answer is an error, never a panic.
    for (i, _) in ANSWER.char_indices() {
        assert!(parse_create_session_response(&ANSWER[..i]).is_err());
    }
}

mod sessions {
    use super::*;
    use crate::provider::{ProvideCredentials, ProviderError, StaticProvider};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn answer(id: &str, expiration: &str) -> String {
        format!(
            "<CreateSessionResult><Credentials><AccessKeyId>{id}</AccessKeyId>\
             <SecretAccessKey>sessionSECRET</SecretAccessKey><SessionToken>sessionTOKEN</SessionToken>\
             <Expiration>{expiration}</Expiration></Credentials></CreateSessionResult>"
        )
    }

    fn provider(calls: Arc<AtomicUsize>, fail: Arc<AtomicUsize>) -> SessionProvider {
        let bucket = DirectoryBucket::parse("mybucket--usw2-az1--x-s3").unwrap();
        let base = StaticProvider::new(Credentials::new("AKIDBASE", "baseSECRET").unwrap());
        let create = CreateSession::new(&bucket, region("us-west-2"));
        SessionProvider::new(create, base, move |req: &CreateSessionRequest| {
            let n = calls.fetch_add(1, Ordering::SeqCst);
            assert!(req.url().ends_with("/?session"));
            let auth = &req.headers()[0].1;
            assert!(auth.contains("Credential=AKIDBASE/"), "{auth}");
            assert!(auth.contains("/s3express/aws4_request"));
            let date = &req.headers()[1].1;
            if fail.load(Ordering::SeqCst) == 1 {
                return Err("connection refused".into());
            }
            if fail.load(Ordering::SeqCst) == 2 {
                return Ok("<Error><Code>NoSuchBucket</Code></Error>".into());
            }
            // Sessions last five minutes from the signing time.
            let t = SigningTime::parse_amz_date(date)
                .unwrap()
                .to_offset_date_time()
                + time::Duration::minutes(5);
            let exp = format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
                t.year(),
                t.month() as u8,
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            );
            Ok(answer(&format!("ASIASESSION{n}"), &exp))
        })
    }

    #[test]
    fn refreshes_a_minute_ahead_and_keeps_working_sessions() {
        let calls = Arc::new(AtomicUsize::new(0));
        let fail = Arc::new(AtomicUsize::new(0));
        let p = provider(Arc::clone(&calls), Arc::clone(&fail));
        assert_eq!(p.bucket(), "mybucket--usw2-az1--x-s3");
        let a = p.credentials(at("20260524T120000Z")).unwrap();
        assert!(a.is_s3_express_session());
        assert_eq!(a.access_key_id(), "ASIASESSION0");
        // Cached until a minute before the 12:05 expiry.
        let b = p.credentials(at("20260524T120359Z")).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        let c = p.credentials(at("20260524T120400Z")).unwrap();
        assert_eq!(c.access_key_id(), "ASIASESSION1");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        // A failed refresh keeps the session while it works, then says why.
        fail.store(1, Ordering::SeqCst);
        let d = p.credentials(at("20260524T120830Z")).unwrap();
        assert!(Arc::ptr_eq(&c, &d));
        let e = p.credentials(at("20260524T121000Z")).unwrap_err();
        assert_eq!(
            e,
            ProviderError::Refresh {
                reason: "createsession failed: connection refused".into()
            }
        );
        fail.store(2, Ordering::SeqCst);
        let e = p.credentials(at("20260524T121000Z")).unwrap_err();
        assert!(e.to_string().contains("NoSuchBucket"), "{e}");
        let shown = format!("{p:?}");
        assert!(
            !shown.contains("SECRET") && !shown.contains("TOKEN"),
            "{shown}"
        );
    }

    #[test]
    fn urls_never_outlive_the_session() {
        let p = provider(Arc::default(), Arc::default());
        let now = at("20260524T120000Z");
        let session = p.credentials(now).unwrap();
        let signer = Signer::new(region("us-west-2"), express_service());
        let host = "mybucket--usw2-az1--x-s3.s3express-usw2-az1.us-west-2.amazonaws.com";
        let req = SignableRequest::new(Method::GET, host, "/k");
        let long = std::time::Duration::from_secs(600);
        assert!(matches!(
            signer.presign(&req, &session, now, long),
            Err(Error::CredentialsExpireFirst { .. })
        ));
        let clamped = Signer::new(region("us-west-2"), express_service())
            .clamp_expiry_to_credentials(true)
            .presign(&req, &session, now, long)
            .unwrap();
        assert_eq!(clamped.expires_in().as_secs(), 300);
    }
}

#[test]
fn character_references_are_digits_only() {
    for bad in [
        "&#x+26;", "&#+38;", "&#-38;", "&#x;", "&#;", "&#0;", "&#xD800;",
    ] {
        let body = ANSWER.replace("&amp;", bad);
        assert!(
            fails(&body).contains("unknown entity or invalid character reference"),
            "{bad}"
        );
    }
    let body = ANSWER.replace("&amp;", "&#x26;");
    assert_eq!(
        parse_create_session_response(&body)
            .unwrap()
            .session_token(),
        Some("tok&en/+=")
    );
}
