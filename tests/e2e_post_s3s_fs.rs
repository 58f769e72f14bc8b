//! End to end: browser-style POST uploads with policies signed by
//! [`presign::s3::PostPolicy`], posted as `multipart/form-data` by a raw
//! HTTP/1.1 client to a real S3 server that verifies SigV4 POST signatures
//! and policy conditions (s3s + s3s-fs, in-process on 127.0.0.1; see
//! `tests/s3s_fs/mod.rs`).
//!
//! Every form is posted to the URL [`PresignedPost::url`] gives, with the
//! fields of [`PresignedPost::fields`] in their order and the file last, as a
//! browser submits the HTML form. Buckets are created and objects read back
//! with presigned URLs from the same [`Bucket`].
//!
//! Every rejection test also posts the untampered form and expects it to
//! succeed, and checks that the rejected form stored nothing, so a server
//! that rejected everything (or stored everything) would fail them.
//!
//! Where s3s answers differently from AWS S3 (an error code, or a check it
//! does not make), the test asserts what s3s does and says so.

mod s3s_fs;

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use presign::s3::{Bucket, Condition, PostKey, PostPolicy, PresignedPost};
use presign::{Credentials, SigningTime};
use s3s_fs::{
    ACCESS_KEY, FormFile, Response, SECRET_KEY, TestServer, assert_error, assert_no_object,
    assert_object, assert_status, call, create_bucket, creds, file, host_and_target,
    multipart_form_data, path_style, post_form, server_with_bucket, virtual_hosted, xml_values,
};

const MINUTE: Duration = Duration::from_secs(60);
const TEN_MINUTES: Duration = Duration::from_secs(600);

// ---------------------------------------------------------------------------
// Policies (buckets, credentials and the server are in `s3s_fs`)

/// A policy for `key` on `bucket`, signed now, for ten minutes.
fn policy(bucket: &Bucket, key: PostKey) -> PostPolicy<'_> {
    bucket.post_policy(key, SigningTime::now(), TEN_MINUTES)
}

/// Signs with the server's credentials.
fn sign(policy: &PostPolicy<'_>) -> PresignedPost {
    policy.sign(&creds()).unwrap()
}

// ---------------------------------------------------------------------------
// Sending

/// Posts the signed form exactly as [`PresignedPost`] gives it.
fn submit(server: &TestServer, post: &PresignedPost, file: &FormFile<'_>) -> Response {
    post_form(server, post.url(), &owned(post), file)
}

/// The signed fields, owned (to post, or to edit).
fn owned(post: &PresignedPost) -> Vec<(String, String)> {
    post.fields()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect()
}

/// Posts the signed form with field `name` set to `value` (see
/// [`with_field`]).
fn post_with(
    server: &TestServer,
    post: &PresignedPost,
    name: &str,
    value: &str,
    file: &FormFile<'_>,
) -> Response {
    post_form(server, post.url(), &with_field(post, name, value), file)
}

/// Posts the signed form without field `name` (see [`without_field`]).
fn post_without(
    server: &TestServer,
    post: &PresignedPost,
    name: &str,
    file: &FormFile<'_>,
) -> Response {
    post_form(server, post.url(), &without_field(post, name), file)
}

// ---------------------------------------------------------------------------
// Editing a form

/// The signed fields with `name` set to `value`: replaced where it is, or
/// added after `key` (where a page's script adds the fields the client
/// chooses, such as `Content-Type`).
fn with_field(post: &PresignedPost, name: &str, value: &str) -> Vec<(String, String)> {
    let mut fields = owned(post);
    match fields.iter_mut().find(|(n, _)| n == name) {
        Some(field) => field.1 = value.to_owned(),
        None => fields.insert(1, (name.to_owned(), value.to_owned())),
    }
    fields
}

/// The signed fields without `name`.
fn without_field(post: &PresignedPost, name: &str) -> Vec<(String, String)> {
    let fields: Vec<_> = owned(post).into_iter().filter(|(n, _)| n != name).collect();
    assert_eq!(
        fields.len() + 1,
        post.fields().len(),
        "{name} not in the form"
    );
    fields
}

/// The value of a signed field.
fn field<'a>(post: &'a PresignedPost, name: &str) -> &'a str {
    post.field(name)
        .unwrap_or_else(|| panic!("{name} not in the form"))
}

/// The signed fields with the policy document edited (`from` replaced by
/// `to` in the decoded JSON, then base64 again) and the old signature kept.
fn with_edited_policy(post: &PresignedPost, from: &str, to: &str) -> Vec<(String, String)> {
    let json = String::from_utf8(BASE64.decode(field(post, "policy")).unwrap()).unwrap();
    assert_eq!(json, post.policy_json(), "the policy field is the document");
    assert_eq!(json.matches(from).count(), 1, "{from:?} once in {json}");
    let edited = json.replace(from, to);
    serde_json::from_str::<serde_json::Value>(&edited).expect("the edited policy is JSON");
    with_field(post, "policy", &BASE64.encode(edited))
}

// ---------------------------------------------------------------------------
// Assertions

/// The `<Message>` of an S3 error body, unescaped.
fn error_message(r: &Response) -> String {
    let text = r.text();
    let message = xml_values(&text, "Message");
    assert_eq!(message.len(), 1, "one <Message>: {text}");
    message[0].clone()
}

/// A 400 InvalidPolicyDocument from s3s for a failed condition on `field`
/// (s3s names the field, lowercased, in the message). AWS answers 403
/// AccessDenied "Invalid according to Policy: Policy Condition failed".
fn assert_condition_failed(r: &Response, field: &str, what: &str) {
    assert_error(r, 400, "InvalidPolicyDocument", what);
    assert!(
        error_message(r).contains(&format!("for field '{field}' failed")),
        "{what}: the failed condition should be on {field}: {}",
        r.text()
    );
}

/// A field the policy pins (`name`, lowercase) may be neither changed (to
/// `other`) nor left out: either form fails the condition on it. `what`
/// names the field in the messages.
fn assert_pinned(server: &TestServer, post: &PresignedPost, name: &str, other: &str, what: &str) {
    let r = post_with(server, post, name, other, &file(b"x"));
    assert_condition_failed(&r, name, &format!("{what} changed"));
    let r = post_without(server, post, name, &file(b"x"));
    assert_condition_failed(&r, name, &format!("{what} missing"));
}

/// The default answer to a successful upload: 204 No Content, no body.
fn assert_uploaded(r: &Response, what: &str) {
    assert_status(r, 204, what);
    assert!(r.body.is_empty(), "{what}: a 204 has no body");
}

/// The signed policy document has this condition, as JSON.
fn assert_policy_has(post: &PresignedPost, condition: &str) {
    assert!(
        post.policy_json().contains(condition),
        "{}",
        post.policy_json()
    );
}

/// Every key in the bucket, listed with a presigned ListObjectsV2.
fn list_keys(server: &TestServer, bucket: &Bucket) -> Vec<String> {
    let r = call(server, &bucket.list_objects_v2(), b"");
    assert_status(&r, 200, "ListObjectsV2");
    xml_values(&r.text(), "Key")
}

// ---------------------------------------------------------------------------
// The form encoder

/// The encoder writes what RFC 7578 and s3s expect: the fields in order,
/// then the file with its name and type, then the closing boundary.
#[test]
fn form_encoder_writes_fields_in_order_and_the_file_last() {
    let fields = vec![
        ("key".to_owned(), "uploads/a.txt".to_owned()),
        ("policy".to_owned(), "e30=".to_owned()),
    ];
    let form = multipart_form_data(
        &fields,
        &FormFile {
            filename: "a.txt",
            content_type: "text/plain",
            content: b"line 1\r\nline 2",
        },
    );
    let boundary = "presign-e2e-form-boundary-0";
    assert_eq!(
        form.content_type,
        format!("multipart/form-data; boundary={boundary}")
    );
    let expected = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nuploads/a.txt\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"policy\"\r\n\r\ne30=\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\
         Content-Type: text/plain\r\n\r\nline 1\r\nline 2\r\n--{boundary}--\r\n"
    );
    assert_eq!(String::from_utf8(form.body).unwrap(), expected);

    // A file that contains the first boundary gets another one.
    let tricky = format!("x\r\n--{boundary}\r\ny");
    let form = multipart_form_data(&fields, &file(tricky.as_bytes()));
    assert!(
        form.content_type.ends_with("boundary-1"),
        "{}",
        form.content_type
    );
}

// ---------------------------------------------------------------------------
// Uploads within the policy

/// A form within its policy uploads the file, with the fields the policy
/// fixed (content type, disposition, cache control, metadata) applied to the
/// object (`acl` is accepted; s3s-fs keeps no ACLs); the bytes come back
/// unchanged through a presigned GET.
#[test]
fn form_upload_within_policy_stores_the_file() {
    let (server, bucket) = server_with_bucket("uploads");

    let post = sign(
        &policy(&bucket, PostKey::new("docs/report.txt"))
            .content_length_range(1, 1024)
            .content_type("text/plain; charset=utf-8")
            .content_disposition("attachment; filename=\"report.txt\"")
            .cache_control("max-age=60")
            .acl("private")
            .metadata("origin", "e2e test"),
    );
    assert_eq!(post.url(), format!("{}/uploads", server.endpoint()));
    assert_eq!(post.fields().next(), Some(("key", "docs/report.txt")));

    // Every byte value, and CR LF sequences that look like part boundaries.
    let mut content: Vec<u8> = (0..=255u8).collect();
    content.extend_from_slice(b"\r\n--\r\n\r\n-- end\r\n");
    // The encoder's first boundary: it must pick another one.
    content.extend_from_slice(b"\r\n--presign-e2e-form-boundary-0\r\n");
    let r = submit(
        &server,
        &post,
        &FormFile {
            filename: "report.txt",
            content_type: "text/plain",
            content: &content,
        },
    );
    assert_uploaded(&r, "POST within the policy");
    let r = assert_object(&server, &bucket, "docs/report.txt", &content);
    assert_eq!(r.header("content-type"), Some("text/plain; charset=utf-8"));
    assert_eq!(
        r.header("content-disposition"),
        Some("attachment; filename=\"report.txt\"")
    );
    assert_eq!(r.header("cache-control"), Some("max-age=60"));
    assert_eq!(r.header("x-amz-meta-origin"), Some("e2e test"));
    assert_eq!(list_keys(&server, &bucket), ["docs/report.txt"]);
}

/// Virtual-hosted style: the form posts to `http://BUCKET.localhost:PORT/`
/// (`Host: BUCKET.localhost:PORT`, target `/`). The policy names its bucket,
/// so the same form posted to another bucket's host is refused.
#[test]
fn form_upload_virtual_hosted() {
    let server = TestServer::start();
    let bucket = virtual_hosted(&server, "vposts");
    let other = virtual_hosted(&server, "vother");
    create_bucket(&server, &bucket);
    create_bucket(&server, &other);

    let post = sign(&policy(&bucket, PostKey::starts_with("in/")).content_length_range(1, 1024));
    assert_eq!(
        post.url(),
        format!("http://{}/", server.virtual_host("vposts"))
    );
    assert_eq!(
        host_and_target(post.url()),
        (&*server.virtual_host("vposts"), "/")
    );
    let fields = with_field(&post, "key", "in/v.txt");

    // To the other bucket: the policy's {"bucket": "vposts"} fails. (AWS
    // answers 403 AccessDenied "Invalid according to Policy"; s3s answers
    // 400 InvalidPolicyDocument.)
    let other_url = format!("http://{}/", server.virtual_host("vother"));
    let r = post_form(&server, &other_url, &fields, &file(b"misdirected"));
    assert_condition_failed(&r, "bucket", "posted to another bucket");
    assert_no_object(&server, &other, "in/v.txt");
    assert_no_object(&server, &bucket, "in/v.txt");

    let r = post_form(&server, post.url(), &fields, &file(b"virtual"));
    assert_uploaded(&r, "virtual-hosted POST");
    assert_object(&server, &bucket, "in/v.txt", b"virtual");
    assert_no_object(&server, &other, "in/v.txt");

    // The same object, path style.
    assert_object(
        &server,
        &path_style(&server, "vposts"),
        "in/v.txt",
        b"virtual",
    );
}

// ---------------------------------------------------------------------------
// success_action_status

/// `success_action_status` 201 answers 201 Created with a `PostResponse` XML
/// body naming the bucket and key; 200 answers 200 with no body; without the
/// field the answer is 204 No Content, S3's default. The value is pinned by
/// the policy: a form that asks for another status is refused.
#[test]
fn success_action_status_chooses_the_answer() {
    let server = TestServer::start();
    for bucket in [
        path_style(&server, "status"),
        virtual_hosted(&server, "vstatus"),
    ] {
        create_bucket(&server, &bucket);
        let name = bucket.name();
        let now = SigningTime::now();

        let created = sign(
            &bucket
                .post_policy(PostKey::new("created/a b.txt"), now, TEN_MINUTES)
                .success_action_status(201),
        );
        assert_eq!(field(&created, "success_action_status"), "201");

        // Asking for 200 instead: refused, nothing stored.
        let r = post_with(
            &server,
            &created,
            "success_action_status",
            "200",
            &file(b"201?"),
        );
        assert_condition_failed(
            &r,
            "success_action_status",
            &format!("{name}: status changed"),
        );
        // Dropping the field (for the default 204): refused too.
        let r = post_without(&server, &created, "success_action_status", &file(b"201?"));
        assert_condition_failed(
            &r,
            "success_action_status",
            &format!("{name}: status dropped"),
        );
        assert_no_object(&server, &bucket, "created/a b.txt");

        let r = submit(&server, &created, &file(b"created"));
        assert_status(&r, 201, &format!("{name}: success_action_status 201"));
        let xml = r.text();
        assert!(xml.contains("<PostResponse"), "{xml}");
        assert_eq!(xml_values(&xml, "Bucket"), [name], "{xml}");
        assert_eq!(xml_values(&xml, "Key"), ["created/a b.txt"], "{xml}");
        assert_eq!(
            xml_values(&xml, "Location"),
            [format!("/{name}/created/a b.txt")],
            "{xml}"
        );
        let etag = xml_values(&xml, "ETag");
        assert_eq!(etag.len(), 1, "{xml}");
        let stored = assert_object(&server, &bucket, "created/a b.txt", b"created");
        let stored_etag = stored.header("etag").expect("GET returns an ETag");
        assert_eq!(stored_etag.trim_matches('"'), etag[0].trim_matches('"'));

        let ok = sign(
            &bucket
                .post_policy(PostKey::new("ok.txt"), now, TEN_MINUTES)
                .success_action_status(200),
        );
        let r = submit(&server, &ok, &file(b"ok"));
        assert_status(&r, 200, &format!("{name}: success_action_status 200"));
        assert!(r.body.is_empty(), "{name}: 200 has no body: {}", r.text());
        assert_object(&server, &bucket, "ok.txt", b"ok");

        let default = sign(&bucket.post_policy(PostKey::new("default.txt"), now, TEN_MINUTES));
        assert!(!default.fields().any(|(n, _)| n == "success_action_status"));
        let r = submit(&server, &default, &file(b"default"));
        assert_uploaded(&r, &format!("{name}: no success_action_status"));
        assert_object(&server, &bucket, "default.txt", b"default");
    }
}

/// `success_action_redirect`: the answer is 303 See Other to that URL, with
/// the bucket, key and ETag added to its query, as on AWS. The URL is
/// pinned: a form that redirects elsewhere is refused.
#[test]
fn success_action_redirect_answers_303() {
    let (server, bucket) = server_with_bucket("redirects");
    let done = "https://app.example/uploaded?from=form";
    let post = sign(&policy(&bucket, PostKey::new("r/a b.txt")).success_action_redirect(done));

    let r = post_with(
        &server,
        &post,
        "success_action_redirect",
        "https://evil.example/",
        &file(b"x"),
    );
    assert_condition_failed(&r, "success_action_redirect", "another redirect");
    assert_no_object(&server, &bucket, "r/a b.txt");

    let r = submit(&server, &post, &file(b"redirected"));
    assert_status(&r, 303, "success_action_redirect");
    let stored = assert_object(&server, &bucket, "r/a b.txt", b"redirected");
    let etag = stored.header("etag").expect("an ETag").trim_matches('"');
    let location = r.header("location").expect("a Location");
    // s3s appends the parameters form-urlencoded (`/` as %2F, space as +).
    assert_eq!(
        location,
        format!("{done}&bucket=redirects&key=r%2Fa+b.txt&etag={etag}")
    );
}

// ---------------------------------------------------------------------------
// Conditions enforced: rejected, and nothing stored

/// `content-length-range` 4..=16: 17 bytes are too large, 3 and 0 too small;
/// both ends are inclusive. A rejected upload neither creates the object nor
/// replaces it.
#[test]
fn file_outside_content_length_range_is_rejected() {
    let (server, bucket) = server_with_bucket("sizes");
    let post = sign(&policy(&bucket, PostKey::new("sized")).content_length_range(4, 16));
    assert_policy_has(&post, r#"["content-length-range",4,16]"#);

    let too_large = [b'L'; 17];
    let r = submit(&server, &post, &file(&too_large));
    assert_error(&r, 400, "EntityTooLarge", "17 bytes, max 16");
    let big = vec![b'B'; 64 * 1024];
    let r = submit(&server, &post, &file(&big));
    assert_error(&r, 400, "EntityTooLarge", "64 KiB, max 16");
    let r = submit(&server, &post, &file(b"abc"));
    assert_error(&r, 400, "EntityTooSmall", "3 bytes, min 4");
    let r = submit(&server, &post, &file(b""));
    assert_error(&r, 400, "EntityTooSmall", "0 bytes, min 4");
    assert_no_object(&server, &bucket, "sized");

    // The untampered form, at both limits.
    let r = submit(&server, &post, &file(b"four"));
    assert_uploaded(&r, "4 bytes, min 4");
    assert_object(&server, &bucket, "sized", b"four");
    let sixteen = [b'S'; 16];
    let r = submit(&server, &post, &file(&sixteen));
    assert_uploaded(&r, "16 bytes, max 16");
    assert_object(&server, &bucket, "sized", &sixteen);

    // Rejected uploads leave the stored object as it was.
    let r = submit(&server, &post, &file(&too_large));
    assert_error(&r, 400, "EntityTooLarge", "17 bytes over an object");
    let r = submit(&server, &post, &file(b"abc"));
    assert_error(&r, 400, "EntityTooSmall", "3 bytes over an object");
    assert_object(&server, &bucket, "sized", &sixteen);
    assert_eq!(list_keys(&server, &bucket), ["sized"]);
}

/// A `starts-with $key` policy: keys under the prefix are accepted, keys
/// outside it (another folder, the prefix without its slash, another case,
/// the prefix in the middle) refused.
///
/// AWS answers 403 AccessDenied "Invalid according to Policy: Policy
/// Condition failed"; s3s answers 400 InvalidPolicyDocument. Either way
/// nothing is stored.
#[test]
fn key_outside_starts_with_prefix_is_rejected() {
    let (server, bucket) = server_with_bucket("prefixed");
    let post =
        sign(&policy(&bucket, PostKey::starts_with("users/42/")).content_length_range(1, 1024));
    assert_eq!(field(&post, "key"), "users/42/${filename}");
    assert_policy_has(&post, r#"["starts-with","$key","users/42/"]"#);

    let outside = [
        "users/43/x.txt",
        "users/42",
        "users/420/x.txt",
        "Users/42/x.txt",
        "x/users/42/x.txt",
        "x.txt",
    ];
    for key in outside {
        let r = post_with(&server, &post, "key", key, &file(b"evil"));
        assert_condition_failed(&r, "key", &format!("key {key:?}"));
    }
    for key in outside {
        assert_no_object(&server, &bucket, key);
    }
    assert_eq!(list_keys(&server, &bucket), [] as [&str; 0]);

    for key in ["users/42/x.txt", "users/42/deeper/y z.txt"] {
        let r = post_with(&server, &post, "key", key, &file(key.as_bytes()));
        assert_uploaded(&r, &format!("key {key:?}"));
        assert_object(&server, &bucket, key, key.as_bytes());
    }
    assert_eq!(
        list_keys(&server, &bucket),
        ["users/42/deeper/y z.txt", "users/42/x.txt"]
    );
}

/// A policy for `uploads/${filename}`: the policy allows any key under
/// `uploads/`, and the form's key field is `uploads/${filename}`.
///
/// AWS S3 replaces `${filename}` with the file's name; s3s-fs 0.14.1 does
/// not, so here the client fills the name in, as browser upload scripts do.
/// The policy admits the filled-in key, the object lands there, and a key
/// outside the prefix is refused. The last part pins the s3s-fs limitation:
/// the untouched `${filename}` key is stored literally.
#[test]
fn filename_key_under_the_policy_prefix() {
    let (server, bucket) = server_with_bucket("photos");
    let post =
        sign(&policy(&bucket, PostKey::new("uploads/${filename}")).content_length_range(1, 1024));
    assert_eq!(field(&post, "key"), "uploads/${filename}");
    assert_policy_has(&post, r#"["starts-with","$key","uploads/"]"#);
    let photo = FormFile {
        filename: "photo.png",
        content_type: "image/png",
        content: b"\x89PNG\r\n\x1a\n not really",
    };

    let r = post_with(&server, &post, "key", "photo.png", &photo);
    assert_condition_failed(&r, "key", "key outside uploads/");
    let r = post_with(&server, &post, "key", "elsewhere/photo.png", &photo);
    assert_condition_failed(&r, "key", "key outside uploads/");
    assert_eq!(list_keys(&server, &bucket), [] as [&str; 0]);

    let filled = field(&post, "key").replace("${filename}", photo.filename);
    assert_eq!(filled, "uploads/photo.png");
    let r = post_with(&server, &post, "key", &filled, &photo);
    assert_uploaded(&r, "key with the file name filled in");
    assert_object(&server, &bucket, "uploads/photo.png", photo.content);
    assert_eq!(list_keys(&server, &bucket), ["uploads/photo.png"]);

    // s3s-fs limitation (AWS would store `uploads/photo.png`): the
    // placeholder is not substituted but kept in the key.
    let r = submit(&server, &post, &photo);
    assert_uploaded(&r, "key with the placeholder");
    assert_object(&server, &bucket, "uploads/${filename}", photo.content);
}

/// `${filename}` in a field other than `key` (aws-sdk-js-v3 #7191): the
/// policy gets `["starts-with", "$x-amz-meta-original-name", ""]`, not an
/// exact match on `${filename}`.
///
/// AWS S3 replaces `${filename}` in every field before checking the policy;
/// s3s-fs 0.14.1 replaces it nowhere, so the client fills the name in as S3
/// would. The prefix condition admits the filled-in value; an exact-match
/// condition on the placeholder (what the builder signed before) refuses
/// it, as S3 refuses every real upload against such a policy.
#[test]
fn filename_in_another_field_gets_a_prefix_condition() {
    let (server, bucket) = server_with_bucket("names");
    let photo = FormFile {
        filename: "photo.png",
        content_type: "image/png",
        content: b"\x89PNG\r\n\x1a\n not really",
    };
    let post = sign(
        &policy(&bucket, PostKey::new("uploads/photo.png"))
            .metadata("original-name", "${filename}")
            .content_length_range(1, 1024),
    );
    assert_policy_has(&post, r#"["starts-with","$x-amz-meta-original-name",""]"#);
    let r = post_with(
        &server,
        &post,
        "x-amz-meta-original-name",
        photo.filename,
        &photo,
    );
    assert_uploaded(&r, "metadata with the file name filled in");
    let r = assert_object(&server, &bucket, "uploads/photo.png", photo.content);
    assert_eq!(r.header("x-amz-meta-original-name"), Some("photo.png"));

    // The old, exact-match policy, with the same form as S3 sees it.
    let exact = sign(
        &policy(&bucket, PostKey::new("uploads/exact.png"))
            .condition(Condition::eq("x-amz-meta-original-name", "${filename}"))
            .content_length_range(1, 1024),
    );
    let mut fields = owned(&exact);
    fields.insert(
        1,
        (
            "x-amz-meta-original-name".to_owned(),
            photo.filename.to_owned(),
        ),
    );
    let r = post_form(&server, exact.url(), &fields, &photo);
    assert_condition_failed(&r, "x-amz-meta-original-name", "exact match on ${filename}");
    assert_no_object(&server, &bucket, "uploads/exact.png");
}

/// A policy with `["starts-with", "$Content-Type", "image/"]`: the page's
/// script sets the `Content-Type` field; `image/png` is accepted and becomes
/// the object's type, `text/plain` (and no type at all) refused.
#[test]
fn content_type_starts_with_image() {
    let server = TestServer::start();
    let bucket = virtual_hosted(&server, "images");
    create_bucket(&server, &bucket);
    let post = sign(
        &policy(&bucket, PostKey::new("avatar"))
            .starts_with("$Content-Type", "image/")
            .content_length_range(1, 1024),
    );
    assert_policy_has(&post, r#"["starts-with","$Content-Type","image/"]"#);
    // The client chooses the type: it is not a signed field.
    assert!(
        !post
            .fields()
            .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
    );

    for bad in [
        "text/plain",
        "text/html; image/png",
        "application/image/png",
    ] {
        let r = post_with(&server, &post, "Content-Type", bad, &file(b"<script>"));
        assert_condition_failed(&r, "content-type", &format!("Content-Type {bad}"));
    }
    let r = submit(&server, &post, &file(b"no type"));
    assert_condition_failed(&r, "content-type", "no Content-Type field");
    assert_no_object(&server, &bucket, "avatar");

    let r = post_with(
        &server,
        &post,
        "Content-Type",
        "image/png",
        &file(b"\x89PNG"),
    );
    assert_uploaded(&r, "Content-Type image/png");
    let r = assert_object(&server, &bucket, "avatar", b"\x89PNG");
    assert_eq!(r.header("content-type"), Some("image/png"));
}

/// The policy document edited after signing (one condition changed in the
/// decoded JSON, base64 again, the old signature kept): the signature no
/// longer matches. So does a signature with one digit changed.
#[test]
fn edited_policy_is_rejected() {
    let (server, bucket) = server_with_bucket("edited");
    let post = sign(
        &policy(&bucket, PostKey::starts_with("in/"))
            .content_length_range(1, 16)
            .starts_with("$Content-Type", "image/"),
    );
    let doc: serde_json::Value = serde_json::from_str(post.policy_json()).unwrap();
    let expiration = doc["expiration"].as_str().unwrap().to_owned();
    assert!(expiration.ends_with(".000Z"), "{}", post.policy_json());

    /// One edit of the policy, and the upload it would let through: a larger
    /// file, a key outside the prefix, an HTML page, a later upload.
    struct Edit<'a> {
        what: &'a str,
        from: &'a str,
        to: &'a str,
        key: &'a str,
        content_type: &'a str,
        content: &'a [u8],
    }
    let big = [b'x'; 100];
    let edits = [
        Edit {
            what: "a larger maximum size",
            from: r#"["content-length-range",1,16]"#,
            to: r#"["content-length-range",1,1048576]"#,
            key: "in/big",
            content_type: "image/png",
            content: &big,
        },
        Edit {
            what: "a wider key prefix",
            from: r#"["starts-with","$key","in/"]"#,
            to: r#"["starts-with","$key",""]"#,
            key: "outside",
            content_type: "image/png",
            content: b"img",
        },
        Edit {
            what: "any content type",
            from: r#"["starts-with","$Content-Type","image/"]"#,
            to: r#"["starts-with","$Content-Type",""]"#,
            key: "in/page.html",
            content_type: "text/html",
            content: b"<script>",
        },
        Edit {
            what: "a later expiration",
            from: &expiration,
            to: "2099-12-31T23:59:59.000Z",
            key: "in/later",
            content_type: "image/png",
            content: b"img",
        },
    ];
    for edit in edits {
        let mut fields = with_edited_policy(&post, edit.from, edit.to);
        fields[0].1 = edit.key.to_owned();
        fields.insert(1, ("Content-Type".to_owned(), edit.content_type.to_owned()));
        let r = post_form(&server, post.url(), &fields, &file(edit.content));
        assert_error(&r, 403, "SignatureDoesNotMatch", edit.what);
        assert_no_object(&server, &bucket, edit.key);
    }

    let mut signature = field(&post, "x-amz-signature").to_owned();
    let flipped = if signature.as_bytes()[10] == b'0' {
        "1"
    } else {
        "0"
    };
    signature.replace_range(10..11, flipped);
    let mut fields = with_field(&post, "x-amz-signature", &signature);
    fields.insert(1, ("Content-Type".to_owned(), "image/png".to_owned()));
    fields[0].1 = "in/flipped".to_owned();
    let r = post_form(&server, post.url(), &fields, &file(b"img"));
    assert_error(
        &r,
        403,
        "SignatureDoesNotMatch",
        "one signature digit changed",
    );
    assert_no_object(&server, &bucket, "in/flipped");
    assert_eq!(list_keys(&server, &bucket), [] as [&str; 0]);

    // Untampered.
    let mut fields = with_field(&post, "Content-Type", "image/png");
    fields[0].1 = "in/genuine".to_owned();
    let r = post_form(&server, post.url(), &fields, &file(b"img"));
    assert_uploaded(&r, "untampered policy");
    assert_object(&server, &bucket, "in/genuine", b"img");
}

/// A policy signed two minutes ago that expired after one minute is refused
/// as expired; the same signing time with ten minutes is accepted. (s3s
/// also refuses an `x-amz-date` more than 15 minutes from its clock: see
/// [`policy_dated_long_ago_is_refused_by_s3s`].)
#[test]
fn expired_policy_is_rejected() {
    let (server, bucket) = server_with_bucket("expiry");
    let signed =
        SigningTime::from_unix_timestamp(SigningTime::now().unix_timestamp() - 120).unwrap();

    let expired = sign(&bucket.post_policy(PostKey::new("k"), signed, MINUTE));
    assert_eq!(
        expired.expiration().unix_timestamp(),
        signed.unix_timestamp() + 60
    );
    let r = submit(&server, &expired, &file(b"late"));
    assert_error(&r, 403, "AccessDenied", "policy expired a minute ago");
    assert!(r.text().contains("expired"), "{}", r.text());
    assert_no_object(&server, &bucket, "k");

    let valid = sign(&bucket.post_policy(PostKey::new("k"), signed, TEN_MINUTES));
    assert_eq!(field(&valid, "x-amz-date"), field(&expired, "x-amz-date"));
    let r = submit(&server, &valid, &file(b"in time"));
    assert_uploaded(&r, "same signing time, not expired");
    assert_object(&server, &bucket, "k", b"in time");
}

/// s3s limitation: it applies its 15-minute clock-skew limit to a POST
/// form's `x-amz-date`, so a form signed an hour ago for two hours (valid on
/// AWS S3, where the policy's expiration alone bounds a form's life) is
/// refused with RequestTimeTooSkewed, though its signature is right.
#[test]
fn policy_dated_long_ago_is_refused_by_s3s() {
    let (server, bucket) = server_with_bucket("skew");
    let now = SigningTime::now().unix_timestamp();

    let hour_ago = SigningTime::from_unix_timestamp(now - 3600).unwrap();
    let old = sign(&bucket.post_policy(PostKey::new("k"), hour_ago, 2 * 60 * MINUTE));
    let r = submit(&server, &old, &file(b"old form"));
    assert_error(&r, 403, "RequestTimeTooSkewed", "signed an hour ago");
    assert_no_object(&server, &bucket, "k");

    let recent = SigningTime::from_unix_timestamp(now - 10 * 60).unwrap();
    let r = submit(
        &server,
        &sign(&bucket.post_policy(PostKey::new("k"), recent, 2 * 60 * MINUTE)),
        &file(b"recent form"),
    );
    assert_uploaded(&r, "signed ten minutes ago");
    assert_object(&server, &bucket, "k", b"recent form");
}

/// A policy signed with the wrong secret fails the signature check; one
/// signed for an access key the server does not know is refused before it.
#[test]
fn wrong_secret_is_rejected() {
    let (server, bucket) = server_with_bucket("secrets");
    let policy = |creds: &Credentials| {
        bucket
            .post_policy(PostKey::new("k"), SigningTime::now(), TEN_MINUTES)
            .content_length_range(1, 64)
            .sign(creds)
            .unwrap()
    };

    let wrong = Credentials::new(ACCESS_KEY, "not-the-secret/0123456789abcdefghijklmn").unwrap();
    let r = submit(&server, &policy(&wrong), &file(b"forged"));
    assert_error(&r, 403, "SignatureDoesNotMatch", "wrong secret");
    let stranger = Credentials::new("AKIASTRANGER", SECRET_KEY).unwrap();
    let r = submit(&server, &policy(&stranger), &file(b"forged"));
    assert_error(&r, 403, "NotSignedUp", "unknown access key");
    assert_no_object(&server, &bucket, "k");

    let r = submit(&server, &policy(&creds()), &file(b"genuine"));
    assert_uploaded(&r, "the right secret");
    assert_object(&server, &bucket, "k", b"genuine");
}

/// Every form field must be covered by a policy condition (AWS: "Extra input
/// fields"): an `x-amz-meta-evil`, a `Content-Type`, an `acl` or a
/// `success_action_status` the policy does not mention is refused with 403
/// AccessDenied, as on AWS, and the fields it does cover still apply. Fields
/// named `x-ignore-*` are exempt, as on AWS.
#[test]
fn form_field_not_in_the_policy_is_rejected() {
    let (server, bucket) = server_with_bucket("extra");
    let post = sign(&policy(&bucket, PostKey::new("k")).metadata("uuid", "14365123651274"));

    for (name, value) in [
        ("x-amz-meta-evil", "1"),
        ("Content-Type", "text/html"),
        ("acl", "public-read"),
        ("success_action_status", "201"),
    ] {
        let r = post_with(&server, &post, name, value, &file(b"evil"));
        assert_error(&r, 403, "AccessDenied", &format!("extra field {name}"));
        let expected = format!(
            "\"{}\" not specified in the policy",
            name.to_ascii_lowercase()
        );
        assert!(
            error_message(&r).contains(&expected),
            "{name}: {}",
            r.text()
        );
    }
    assert_no_object(&server, &bucket, "k");

    let r = post_with(&server, &post, "x-ignore-note", "hi", &file(b"ok"));
    assert_uploaded(&r, "an x-ignore- field");
    let r = assert_object(&server, &bucket, "k", b"ok");
    assert_eq!(r.header("x-amz-meta-uuid"), Some("14365123651274"));
    assert_eq!(r.header("x-amz-meta-evil"), None);

    let r = submit(&server, &post, &file(b"untampered"));
    assert_uploaded(&r, "untampered form");
    let r = assert_object(&server, &bucket, "k", b"untampered");
    assert_eq!(r.header("x-amz-meta-evil"), None);
}

/// A field the policy pins (`{"x-amz-meta-uuid": "..."}`) may be neither
/// changed nor left out.
#[test]
fn pinned_field_changed_or_missing_is_rejected() {
    let (server, bucket) = server_with_bucket("pinned");
    let post = sign(&policy(&bucket, PostKey::new("k")).metadata("uuid", "14365123651274"));

    assert_pinned(&server, &post, "x-amz-meta-uuid", "666", "pinned field");
    let r = post_with(&server, &post, "key", "other", &file(b"x"));
    assert_condition_failed(&r, "key", "exact key changed");
    assert_no_object(&server, &bucket, "k");
    assert_no_object(&server, &bucket, "other");

    let r = submit(&server, &post, &file(b"genuine"));
    assert_uploaded(&r, "untampered form");
    let r = assert_object(&server, &bucket, "k", b"genuine");
    assert_eq!(r.header("x-amz-meta-uuid"), Some("14365123651274"));
}

/// Temporary credentials: the form carries `x-amz-security-token`, which the
/// policy pins, and the upload succeeds. A changed or missing token fails
/// the policy.
///
/// s3s limitation: its `SimpleAuth` knows no session tokens and never
/// validates one (AWS would check the token belongs to the access key); the
/// server only checks the token field against the signed policy, which is
/// what this test can show.
#[test]
fn temporary_credentials_sign_the_session_token() {
    let (server, bucket) = server_with_bucket("temporary");
    let token = "FwoGZXIvYXdzEXAMPLE/session+token=";
    let temp = creds().with_session_token(token).unwrap();
    let post = bucket
        .post_policy(PostKey::new("k"), SigningTime::now(), TEN_MINUTES)
        .sign(&temp)
        .unwrap();
    assert_eq!(field(&post, "x-amz-security-token"), token);
    assert_policy_has(&post, &format!(r#"{{"x-amz-security-token":"{token}"}}"#));

    assert_pinned(
        &server,
        &post,
        "x-amz-security-token",
        "FwoGZXIvYXdzOTHER",
        "token",
    );
    assert_no_object(&server, &bucket, "k");

    let r = submit(&server, &post, &file(b"temporary"));
    assert_uploaded(&r, "temporary credentials");
    assert_object(&server, &bucket, "k", b"temporary");
}

/// A condition added with the escape hatch ([`Condition::starts_with`] on a
/// metadata field the client sends) is enforced like the helpers' ones.
#[test]
fn custom_condition_is_enforced() {
    let (server, bucket) = server_with_bucket("custom");
    let post = sign(
        &policy(&bucket, PostKey::new("k"))
            .condition(Condition::starts_with("$x-amz-meta-tag", "team-")),
    );
    assert!(!post.fields().any(|(n, _)| n == "x-amz-meta-tag"));

    let r = post_with(&server, &post, "x-amz-meta-tag", "other", &file(b"x"));
    assert_condition_failed(&r, "x-amz-meta-tag", "tag outside team-");
    assert_no_object(&server, &bucket, "k");

    let r = post_with(&server, &post, "x-amz-meta-tag", "team-a", &file(b"x"));
    assert_uploaded(&r, "tag team-a");
    let r = assert_object(&server, &bucket, "k", b"x");
    assert_eq!(r.header("x-amz-meta-tag"), Some("team-a"));
}

/// Keys the policy JSON must escape (presign writes non-ASCII as `\uXXXX`,
/// and escapes quotes and backslashes): the server decodes the policy to the
/// same key the form sends as UTF-8, so the exact-key condition holds and
/// the object lands under that key. A key one character longer is refused.
#[test]
fn keys_needing_json_escapes_are_admitted() {
    let (server, bucket) = server_with_bucket("escapes");
    let keys = [
        "ünïcødé/ሴ/😀.bin",
        "quote\"and\\backslash.txt",
        "<tag> & 'apos' {braces} $dollar",
    ];
    for key in keys {
        let post = sign(&policy(&bucket, PostKey::new(key)));
        assert!(post.policy_json().is_ascii(), "{}", post.policy_json());
        assert_eq!(field(&post, "key"), key);

        let near = format!("{key}x");
        let r = post_with(&server, &post, "key", &near, &file(b"x"));
        assert_condition_failed(&r, "key", &format!("key {near:?}"));
        assert_no_object(&server, &bucket, &near);

        let r = submit(&server, &post, &file(key.as_bytes()));
        assert_uploaded(&r, &format!("key {key:?}"));
        assert_object(&server, &bucket, key, key.as_bytes());
    }
    let mut expected = keys.map(str::to_owned).to_vec();
    expected.sort();
    let mut listed = list_keys(&server, &bucket);
    listed.sort();
    assert_eq!(listed, expected);
}
