//! SigV4a (`AWS4-ECDSA-P256-SHA256`, feature `sigv4a`): the region set,
//! and the ECDSA signature over the same canonical request.

use super::claims::{Claims, Credential};
use super::{CredentialsLookup, Verifier, VerifyError};
use crate::canonical::{Auth, ThreadScratch};
use crate::credentials::Credentials;
use crate::error::excerpt;
use crate::request::Parts;
use crate::time::SigningTime;
use crate::wire;

impl<L: CredentialsLookup> Verifier<L> {
    /// SigV4a: the region set is present, and when regions are accepted,
    /// one of them is in it.
    pub(super) fn check_region_set(&self, claims: &Claims<'_>) -> Result<(), VerifyError> {
        let set = claims.region_set.ok_or(VerifyError::MissingParameter {
            name: wire::query::X_AMZ_REGION_SET,
        })?;
        let set = set.decoded();
        if set.is_empty() {
            return Err(VerifyError::MalformedParameter {
                name: wire::query::X_AMZ_REGION_SET,
                reason: "empty",
            });
        }
        let in_set = |region: &str| set.split(',').any(|pattern| glob(pattern, region));
        if !self.regions.is_empty() && !self.regions.iter().any(|r| in_set(r.as_str())) {
            return Err(VerifyError::ScopeMismatch {
                reason: format!(
                    "no accepted region is in the region set {:?}",
                    excerpt(&set)
                ),
            });
        }
        Ok(())
    }

    /// The SigV4a public key of `creds`, derived once per credentials.
    fn v4a_public_key(&self, creds: &Credentials) -> Result<crate::sigv4a::PublicKey, VerifyError> {
        let id = creds.cache_id();
        let mut last = self.v4a_key.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((last_id, key)) = last.as_ref()
            && *last_id == id
        {
            return Ok(*key);
        }
        // The private key is dropped (and zeroized) here.
        let key = crate::sigv4a::SigV4aKey::derive(creds)?.public_key();
        *last = Some((id, key));
        Ok(key)
    }

    /// The signature of a SigV4a request: the same canonical request, its
    /// own string to sign (region-less scope), an ECDSA P-256 signature
    /// checked with the public key of the looked-up credentials.
    pub(super) fn check_v4a_signature(
        &self,
        creds: &Credentials,
        claims: &Claims<'_>,
        credential: &Credential<'_>,
        signed_at: SigningTime,
        parts: &Parts<'_>,
        auth: &Auth<'_>,
    ) -> Result<(), VerifyError> {
        let public = self.v4a_public_key(creds)?;
        let mut scratch = ThreadScratch::take();
        crate::canonical::write(parts, auth, &mut scratch)?;
        let layout = scratch.layout.clone();
        let hash = layout.sha256(&mut scratch.buf, auth.signed_token());
        let scope = format!(
            "{}/{}/{}",
            credential.date(),
            credential.service(),
            credential.terminator()
        );
        let sts = crate::string_to_sign::StringToSign::with_algorithm(
            wire::ALGORITHM_V4A,
            &signed_at.amz_date(),
            &scope,
            &hash,
        );
        if !public.verify_hex(sts.as_bytes(), &claims.signature.decoded()) {
            return Err(VerifyError::SignatureMismatch);
        }
        Ok(())
    }
}

/// Whether `region` matches a region-set entry, where `*` stands for any
/// run of characters (`*`, `us-*`).
pub(super) fn glob(pattern: &str, region: &str) -> bool {
    // Greedy, with one backtrack point (the last `*`): linear in practice,
    // at worst the product of the lengths, whatever the pattern.
    let (p, r) = (pattern.as_bytes(), region.as_bytes());
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while j < r.len() {
        if i < p.len() && p[i] == b'*' {
            star = Some((i, j));
            i += 1;
        } else if i < p.len() && p[i] == r[j] {
            i += 1;
            j += 1;
        } else if let Some((si, sj)) = star {
            i = si + 1;
            j = sj + 1;
            star = Some((si, sj + 1));
        } else {
            return false;
        }
    }
    p[i..].iter().all(|&b| b == b'*')
}
