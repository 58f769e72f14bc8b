//! The straight-line writer for a received request that arrived in
//! canonical form: an S3 path, a query the verifier found canonical (or
//! none), and a few signed headers with lowercase names, each value its
//! own canonical form (a presigned GET's lone `host`, a header-signed
//! PUT's four). Each piece is copied as it came, the header lines in the
//! order of their names; anything else goes to the general writer.

use core::cmp::Ordering;

use super::header_value::is_canonical_value;
use super::path::check_path;
use super::{Auth, Layout, size_hint, write_payload_hash};
use crate::bytes::cmp_bytes;
use crate::encode::{self, PathMode, Sink};
use crate::error::Error;
use crate::request::{Parts, PathSource, QuerySource, ReceivedQuery};
use crate::syntax;

/// The most signed headers this writer sorts (more go to the general one).
const MAX_HEADERS: usize = 16;

/// Writes a received request whose parts are canonical as they came, in
/// one pass; `Ok(false)` for anything else, which [`super::write`] then
/// handles in general. Writes the same bytes as the general path (the
/// tests compare them).
#[inline(always)]
pub(crate) fn write_received_plain(
    req: &Parts<'_>,
    auth: &Auth<'_>,
    buf: &mut Vec<u8>,
    layout: &mut Layout,
) -> Result<bool, Error> {
    let (
        Auth::Received { .. },
        PathSource::Wire {
            path,
            mode: PathMode::S3,
        },
        QuerySource::Received(query @ (ReceivedQuery::Canonical { .. } | ReceivedQuery::Raw(""))),
    ) = (auth, &req.path, &req.query)
    else {
        return Ok(false);
    };
    // Lowercase names, each once, and canonical values: each line is the
    // header as received, in the order of its name (sorted here, on the
    // stack).
    if req.headers.len() > MAX_HEADERS {
        return Ok(false);
    }
    let mut order = [0u8; MAX_HEADERS];
    for (n, &(name, value)) in req.headers.iter().enumerate() {
        let name = name.as_bytes();
        let plain = syntax::header_name(name).is_some_and(|form| form.plain);
        if !plain || !is_canonical_value(value.as_bytes()) {
            return Ok(false);
        }
        let mut i = n;
        while i > 0 {
            match cmp_bytes(req.headers[usize::from(order[i - 1])].0.as_bytes(), name) {
                Ordering::Greater => order[i] = order[i - 1],
                Ordering::Equal => return Ok(false),
                Ordering::Less => break,
            }
            i -= 1;
        }
        order[i] = n as u8;
    }
    let sorted = order[..req.headers.len()]
        .iter()
        .map(|&i| req.headers[usize::from(i)]);
    check_path(path)?;
    buf.reserve(size_hint(req, auth));
    buf.put(req.method.as_bytes());
    buf.put_byte(b'\n');
    let path_start = buf.len();
    encode::write_requoted_path(path.as_bytes(), buf);
    let path = path_start..buf.len();
    buf.put_byte(b'\n');
    let query_start = buf.len();
    query.write_canonical(buf);
    let query = query_start..buf.len();
    buf.put_byte(b'\n');
    for (name, value) in sorted.clone() {
        buf.put(name.as_bytes());
        buf.put_byte(b':');
        buf.put(value.as_bytes());
        buf.put_byte(b'\n');
    }
    buf.put_byte(b'\n');
    let names_start = buf.len();
    for (i, (name, _)) in sorted.enumerate() {
        if i > 0 {
            buf.put_byte(b';');
        }
        buf.put(name.as_bytes());
    }
    let signed_headers = names_start..buf.len();
    buf.put_byte(b'\n');
    let hash_start = buf.len();
    write_payload_hash(&req.payload, buf);
    *layout = Layout {
        path,
        query,
        signed_headers,
        payload_hash: hash_start..buf.len(),
        token_at: None,
    };
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::super::{Scratch, write_with};
    use super::*;
    use crate::request::Payload;

    proptest::proptest! {
        // Whatever it is given, the straight-line writer writes what the
        // general writer does, or leaves the request to it.
        #[test]
        fn the_received_writer_matches_the_general_writer(
            path in proptest::sample::select(vec![
                "/", "/a/b.txt", "/a%20b", "/a%2fb", "/a%2Fb", "/a b", "/a+b", "/%7E", "//x/./y", "x",
                "/a#b",
            ]),
            query in proptest::sample::select(vec![
                "", "a=b", "X-Amz-Date=1&X-Amz-Signature=s&a=b", "X-Amz-Signature=s", "b=1&a=2",
            ]),
            headers in proptest::collection::vec(
                (
                    proptest::sample::select(vec![
                        "host", "Host", "content-type", "x-amz-date", "x-amz-meta-a", "x-amz-meta-b",
                        "a", "x_y", "x!y", "",
                    ]),
                    proptest::sample::select(vec![
                        "example.com", "text/plain", " padded ", "a  b", "a b", "", "tab\there", "é",
                    ]),
                ),
                0..5,
            ),
            sorted in proptest::bool::ANY,
            payload in proptest::sample::select(vec![
                Payload::Unsigned, Payload::Bytes(b""), Payload::Bytes(b"body"), Payload::Sha256([7; 32]),
            ]),
        ) {
            let mut headers = headers;
            if sorted {
                headers.sort();
                headers.dedup_by(|a, b| a.0 == b.0);
            }
            let scan = crate::verify::scan_query(query);
            let parts = Parts {
                method: "GET",
                host: "",
                host_checked: true,
                path: PathSource::Wire { path, mode: PathMode::S3 },
                query: QuerySource::Received(scan),
                headers: &headers,
                payload,
            };
            let auth = Auth::Received { token_unsigned: false };
            let (mut fast, mut general) = (Scratch::default(), Scratch::default());
            let took = write_received_plain(&parts, &auth, &mut Vec::new(), &mut Layout::default());
            let fast_result = write_with(&parts, &auth, &mut fast, true);
            let general_result = write_with(&parts, &auth, &mut general, false);
            proptest::prop_assert_eq!(fast_result.is_ok(), general_result.is_ok());
            if matches!(took, Ok(true)) {
                proptest::prop_assert!(general_result.is_ok());
            }
            if general_result.is_ok() {
                proptest::prop_assert_eq!(
                    String::from_utf8_lossy(&fast.buf),
                    String::from_utf8_lossy(&general.buf)
                );
                let spans = |l: &Layout| {
                    (l.path.clone(), l.query.clone(), l.signed_headers.clone(), l.payload_hash.clone(), l.token_at)
                };
                proptest::prop_assert_eq!(spans(&fast.layout), spans(&general.layout));
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]
        // The same, with arbitrary text: names and values of any printable
        // bytes (and tabs, spaces at the ends, non-ASCII), any query, up to
        // 20 headers (past the writer's 16).
        #[test]
        fn any_received_request_is_written_as_the_general_writer_does(
            path in "/[a-zA-Z0-9%/ .~+#-]{0,12}",
            query in proptest::prop_oneof![
                3 => proptest::strategy::Just(String::new()),
                3 => "([a-c]=[a-z0-9%]{0,3}&){0,3}[d-f]=[a-z0-9]{0,3}",
                1 => "[a-zA-Z0-9%=&+~._-]{0,24}",
            ],
            headers in proptest::collection::vec(
                (
                    proptest::prop_oneof![4 => "[a-z][a-z0-9-]{0,5}", 1 => "[a-zA-Z0-9!_.-]{0,6}"],
                    proptest::prop_oneof![4 => "[!-~]([ -~]{0,6}[!-~])?", 1 => "[ \\t]?[ -~é]{0,8}[ \\t]?"],
                ),
                0..20,
            ),
        ) {
            let headers: Vec<(&str, &str)> =
                headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
            let parts = Parts {
                method: "PUT",
                host: "",
                host_checked: true,
                path: PathSource::Wire { path: &path, mode: PathMode::S3 },
                query: QuerySource::Received(crate::verify::scan_query(&query)),
                headers: &headers,
                payload: Payload::Sha256([9; 32]),
            };
            let auth = Auth::Received { token_unsigned: false };
            let (mut fast, mut general) = (Scratch::default(), Scratch::default());
            let fast_result = write_with(&parts, &auth, &mut fast, true);
            let general_result = write_with(&parts, &auth, &mut general, false);
            proptest::prop_assert_eq!(fast_result.is_ok(), general_result.is_ok());
            if general_result.is_ok() {
                proptest::prop_assert_eq!(
                    String::from_utf8_lossy(&fast.buf),
                    String::from_utf8_lossy(&general.buf)
                );
            }
        }
    }

    #[test]
    fn repeated_names_are_left_to_the_general_writer() {
        let headers = [("x-amz-meta-a", "1"), ("host", "h"), ("x-amz-meta-a", "2")];
        let parts = Parts {
            method: "PUT",
            host: "",
            host_checked: true,
            path: PathSource::Wire {
                path: "/a",
                mode: PathMode::S3,
            },
            query: QuerySource::Received(ReceivedQuery::Raw("")),
            headers: &headers,
            payload: Payload::Unsigned,
        };
        let auth = Auth::Received {
            token_unsigned: false,
        };
        let mut buf = Vec::new();
        assert!(!write_received_plain(&parts, &auth, &mut buf, &mut Layout::default()).unwrap());
        let mut scratch = Scratch::default();
        write_with(&parts, &auth, &mut scratch, true).unwrap();
        assert!(String::from_utf8_lossy(&scratch.buf).contains("x-amz-meta-a:1,2\n"));
    }

    #[test]
    fn a_presigned_get_as_received_is_written_straight() {
        let query = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=s&a=b";
        let parts = Parts {
            method: "GET",
            host: "",
            host_checked: true,
            path: PathSource::Wire {
                path: "/a%20b",
                mode: PathMode::S3,
            },
            query: QuerySource::Received(crate::verify::scan_query(query)),
            headers: &[("host", "example.com")],
            payload: Payload::Unsigned,
        };
        let mut buf = Vec::new();
        let mut layout = Layout::default();
        let auth = Auth::Received {
            token_unsigned: false,
        };
        assert!(write_received_plain(&parts, &auth, &mut buf, &mut layout).unwrap());
        assert_eq!(
            String::from_utf8(buf).unwrap(),
            "GET\n/a%20b\nX-Amz-Algorithm=AWS4-HMAC-SHA256&a=b\nhost:example.com\n\nhost\nUNSIGNED-PAYLOAD"
        );
    }
}
