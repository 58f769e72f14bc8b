//! Encoding round trips: decoding what was encoded gives the input back,
//! the output uses only the SigV4 alphabet, and a space is never `+`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use presign::encode;

fuzz_target!(|input: &str| {
    let query = encode::query_component(input);
    let path = encode::path(input);
    assert_eq!(encode::decode(&query).as_deref(), Some(input));
    assert_eq!(encode::decode(&path).as_deref(), Some(input));
    for (out, slash_ok) in [(&query, false), (&path, true)] {
        let b = out.as_bytes();
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'%' => {
                    assert!(i + 2 < b.len(), "truncated escape in {out}");
                    assert!(b[i + 1].is_ascii_hexdigit() && !b[i + 1].is_ascii_lowercase());
                    assert!(b[i + 2].is_ascii_hexdigit() && !b[i + 2].is_ascii_lowercase());
                    i += 3;
                    continue;
                }
                b'/' => assert!(slash_ok, "unencoded / in a query component: {out}"),
                c => assert!(
                    c.is_ascii_alphanumeric() || b"-._~".contains(&c),
                    "byte {c:#x} left unencoded in {out}"
                ),
            }
            i += 1;
        }
    }
    // Encoding the encoded text encodes each `%` once more, and decodes back.
    let twice = encode::query_component(&query);
    assert_eq!(encode::decode(&twice).as_deref(), Some(query.as_str()));
});
