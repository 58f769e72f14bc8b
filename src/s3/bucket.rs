//! [`Bucket`]: one bucket (or access point, or directory bucket), where its
//! requests go and how they are signed.

use std::sync::Arc;
use std::time::Duration;

use crate::credentials::Credentials;
use crate::error::Error;
use crate::request::Method;
use crate::scope::{Region, Service};
use crate::sign::Signer;
use crate::signing_key::SigningKeyCache;

use super::arn::{Arn, ArnKind};
use super::endpoint::{self, Addressing, Endpoint, Resolved};
use super::express::{self, DirectoryBucket};
use super::object::ObjectRequest;
#[cfg(feature = "sigv4a")]
use crate::sigv4a::Signer4a;

/// A presigner for one bucket: name, region, endpoint, addressing and a
/// signing-key cache. Share it (`Send + Sync`, every method takes `&self`).
///
/// Built for AWS's regional endpoint with automatic addressing; change
/// either with [`endpoint`](Self::endpoint) and
/// [`addressing`](Self::addressing).
///
/// ```
/// use presign::s3::{Addressing, Bucket, Endpoint};
/// use presign::Region;
///
/// let aws = Bucket::new("examplebucket", Region::new("eu-west-1")?)?;
/// assert_eq!(aws.base_url(), "https://examplebucket.s3.eu-west-1.amazonaws.com");
///
/// let minio = Bucket::new("uploads", Region::new("us-east-1")?)?
///     .endpoint(Endpoint::custom("http://127.0.0.1:9000")?)?;
/// assert_eq!(minio.base_url(), "http://127.0.0.1:9000/uploads");
///
/// let r2 = Bucket::new("media", Region::new("auto")?)?
///     .endpoint(Endpoint::custom("https://ACCOUNT.r2.cloudflarestorage.com")?)?
///     .addressing(Addressing::VirtualHosted)?;
/// assert_eq!(r2.base_url(), "https://media.account.r2.cloudflarestorage.com");
///
/// // An access point, by ARN: its region wins over the one given.
/// let ap = Bucket::new(
///     "arn:aws:s3:us-west-2:123456789012:accesspoint/reports",
///     Region::new("us-east-1")?,
/// )?;
/// assert_eq!(ap.base_url(), "https://reports-123456789012.s3-accesspoint.us-west-2.amazonaws.com");
/// assert_eq!(ap.region().as_str(), "us-west-2");
/// # Ok::<(), presign::Error>(())
/// ```
#[derive(Debug)]
pub struct Bucket {
    pub(super) name: String,
    region: Region,
    endpoint: Endpoint,
    addressing: Addressing,
    pub(super) resolved: Resolved,
    pub(super) signer: Signer,
    /// Set when the bucket was given as an access point ARN.
    arn: Option<Arn>,
    /// Set for a directory bucket (S3 Express One Zone).
    directory: Option<DirectoryBucket>,
    /// A Multi-Region Access Point's SigV4a signer (region set `*`).
    #[cfg(feature = "sigv4a")]
    pub(super) signer4a: Option<Signer4a>,
}

impl Bucket {
    /// A bucket on AWS's regional endpoint, with automatic addressing; or
    /// an access point given by its ARN, as the AWS SDKs and `aws s3`
    /// accept one in place of a bucket name (see [the module
    /// docs](super#access-points-and-multi-region-access-points)):
    ///
    /// - `arn:PARTITION:s3:REGION:ACCOUNT:accesspoint/NAME`: an access point;
    /// - `arn:PARTITION:s3-object-lambda:REGION:ACCOUNT:accesspoint/NAME`: an
    ///   S3 Object Lambda access point (signed for `s3-object-lambda`);
    /// - `arn:PARTITION:s3-outposts:REGION:ACCOUNT:outpost/ID/accesspoint/NAME`:
    ///   an S3 on Outposts access point (signed for `s3-outposts`);
    /// - `arn:PARTITION:s3::ACCOUNT:accesspoint/ALIAS`: a Multi-Region
    ///   Access Point, presigned with SigV4a for the region set `*` (feature
    ///   `sigv4a`).
    ///
    /// Each `/` of the resource may be written `:`. An access point's
    /// region is the ARN's, whatever `region` says, but both must be in one
    /// partition.
    ///
    /// Fails with [`Error::InvalidBucketName`] unless the name is 1 to 255
    /// characters of `A-Z a-z 0-9 . _ -`; for an ARN, with
    /// [`Error::InvalidArn`], [`Error::ArnPartitionMismatch`], or
    /// [`Error::FeatureDisabled`] for a Multi-Region Access Point without
    /// the `sigv4a` feature.
    ///
    /// ```
    /// use std::time::Duration;
    /// use presign::s3::Bucket;
    /// use presign::{Credentials, Region, SigningTime};
    ///
    /// let creds = Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")?;
    /// let time = SigningTime::parse_amz_date("20260524T120000Z")?;
    /// let lambda = Bucket::new(
    ///     "arn:aws:s3-object-lambda:eu-west-1:123456789012:accesspoint/thumbnails",
    ///     Region::new("eu-west-1")?,
    /// )?;
    /// let url = lambda.get_object("cat.jpg").presign(&creds, time, Duration::from_secs(600))?;
    /// assert!(url.as_str().starts_with(
    ///     "https://thumbnails-123456789012.s3-object-lambda.eu-west-1.amazonaws.com/cat.jpg?\
    ///      X-Amz-Algorithm=AWS4-HMAC-SHA256&\
    ///      X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20260524%2Feu-west-1%2Fs3-object-lambda%2Faws4_request&"
    /// ));
    /// # Ok::<(), presign::Error>(())
    /// ```
    pub fn new(name: impl Into<String>, region: Region) -> Result<Self, Error> {
        let name = name.into();
        let arn = if name.starts_with("arn:") {
            let arn = Arn::parse(&name)?;
            arn.check_partition(&region)?;
            Some(arn)
        } else {
            endpoint::check_bucket_name(&name)?;
            None
        };
        let directory = match &arn {
            None if express::is_directory_bucket_name(&name) => {
                Some(DirectoryBucket::parse(&name)?)
            }
            _ => None,
        };
        let (region, service) = match (&arn, &directory) {
            (Some(arn), _) => (arn.signing_region(&region)?, Service::new(arn.service())?),
            (None, Some(_)) => (region, Service::new(express::SERVICE)?),
            (None, None) => (region, Service::s3()),
        };
        #[cfg(feature = "sigv4a")]
        let signer4a = match &arn {
            Some(Arn {
                kind: ArnKind::MultiRegion,
                ..
            }) => Some(Signer4a::new("*", service.clone())?),
            _ => None,
        };
        #[cfg(not(feature = "sigv4a"))]
        if let Some(Arn {
            kind: ArnKind::MultiRegion,
            ..
        }) = &arn
        {
            return Err(Error::FeatureDisabled {
                feature: "sigv4a",
                needed_for: "a multi-region access point (signed with sigv4a)",
            });
        }
        let endpoint = Endpoint::aws();
        let addressing = Addressing::Auto;
        let target = Target {
            name: &name,
            arn: arn.as_ref(),
            directory: directory.as_ref(),
        };
        let resolved = resolve(target, &region, &endpoint, addressing)?;
        let signer = Signer::new(region.clone(), service);
        Ok(Bucket {
            name,
            region,
            endpoint,
            addressing,
            resolved,
            signer,
            arn,
            directory,
            #[cfg(feature = "sigv4a")]
            signer4a,
        })
    }

    /// Uses another endpoint: FIPS, dual-stack, transfer acceleration, the
    /// legacy global endpoint, or any S3-compatible server. An access point
    /// given by ARN takes FIPS and dual-stack where its kind offers them
    /// ([`Error::UnsupportedArn`] otherwise), and no custom, legacy global
    /// or accelerated endpoint.
    pub fn endpoint(mut self, endpoint: Endpoint) -> Result<Self, Error> {
        self.resolved = resolve(self.target(), &self.region, &endpoint, self.addressing)?;
        self.endpoint = endpoint;
        Ok(self)
    }

    /// Sets the addressing style. Fails with [`Error::UnsupportedAddressing`]
    /// for virtual-hosted addressing with a name that is not DNS-compatible,
    /// or path-style with transfer acceleration, and with
    /// [`Error::UnsupportedArn`] for path-style with an access point ARN
    /// (access points are addressed virtual-hosted only).
    pub fn addressing(mut self, addressing: Addressing) -> Result<Self, Error> {
        self.resolved = resolve(self.target(), &self.region, &self.endpoint, addressing)?;
        self.addressing = addressing;
        Ok(self)
    }

    /// Changes the longest expiry accepted (default and AWS's limit: 7
    /// days), for S3-compatible providers that allow longer.
    #[must_use]
    pub fn max_expires(mut self, max: Duration) -> Self {
        self.signer = self.signer.max_expires(max);
        #[cfg(feature = "sigv4a")]
        {
            self.signer4a = self.signer4a.map(|s| s.max_expires(max));
        }
        self
    }

    /// When temporary credentials expire before a URL would, shorten the
    /// URL's expiry to theirs instead of failing with
    /// [`Error::CredentialsExpireFirst`].
    #[must_use]
    pub fn clamp_expiry_to_credentials(mut self, yes: bool) -> Self {
        self.signer = self.signer.clamp_expiry_to_credentials(yes);
        #[cfg(feature = "sigv4a")]
        {
            self.signer4a = self.signer4a.map(|s| s.clamp_expiry_to_credentials(yes));
        }
        self
    }

    /// Whether the bucket is a Multi-Region Access Point, whose URLs are
    /// signed with SigV4a for the region set `*`.
    pub fn is_multi_region_access_point(&self) -> bool {
        matches!(
            self.arn,
            Some(Arn {
                kind: ArnKind::MultiRegion,
                ..
            })
        )
    }

    /// Whether the bucket is a directory bucket (S3 Express One Zone,
    /// `BASE--ZONEID--x-s3`): addressed at its zonal endpoint, signed for
    /// `s3express` with session credentials from `CreateSession` (see
    /// [`express`](super::express)).
    pub fn is_directory_bucket(&self) -> bool {
        self.directory.is_some()
    }

    /// The directory bucket, for a `CreateSession` request
    /// ([`express::CreateSession::new`](super::express::CreateSession::new)).
    pub fn directory_bucket(&self) -> Option<&DirectoryBucket> {
        self.directory.as_ref()
    }

    fn target(&self) -> Target<'_> {
        Target {
            name: &self.name,
            arn: self.arn.as_ref(),
            directory: self.directory.as_ref(),
        }
    }

    /// A directory bucket takes S3 Express session credentials, and only it
    /// does: its requests carry `X-Amz-S3session-Token`, which no other
    /// bucket reads.
    pub(crate) fn check_credentials(&self, credentials: &Credentials) -> Result<(), Error> {
        match (
            self.is_directory_bucket(),
            credentials.is_s3_express_session(),
        ) {
            (true, false) => Err(Error::InvalidSessionToken {
                reason: "a directory bucket takes s3 express session credentials (from createsession)",
            }),
            (false, true) => Err(Error::InvalidSessionToken {
                reason: "s3 express session credentials sign only for their directory bucket",
            }),
            _ => Ok(()),
        }
    }

    /// Whether the bucket was given as an access point ARN (of any kind).
    pub fn is_arn(&self) -> bool {
        self.arn.is_some()
    }

    /// The service requests are signed for: `s3`, or `s3-object-lambda` and
    /// `s3-outposts` for those access points.
    pub fn service(&self) -> &Service {
        self.signer.service()
    }

    /// Shares a signing-key cache with other buckets (SigV4 keys; a
    /// Multi-Region Access Point keeps the last SigV4a key it derived).
    #[must_use]
    pub fn with_key_cache(mut self, cache: Arc<SigningKeyCache>) -> Self {
        self.signer = self.signer.with_key_cache(cache);
        self
    }

    /// The bucket name, or the ARN as given.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The region requests are signed for: an access point ARN's own
    /// region. (A Multi-Region Access Point's URLs are signed for the
    /// region set `*` instead; this is then the region given.)
    pub fn region(&self) -> &Region {
        &self.region
    }

    /// The signed `host`: lowercase, with the port only when it is not the
    /// scheme's default.
    pub fn host(&self) -> &str {
        &self.resolved.host
    }

    /// Whether the bucket name goes in the path (path-style addressing).
    pub fn is_path_style(&self) -> bool {
        self.resolved.path_style
    }

    /// The URL every object URL of this bucket starts with (no trailing `/`).
    pub fn base_url(&self) -> String {
        let r = &self.resolved;
        let mut s = format!("{}://{}{}", r.scheme.as_str(), r.host, r.prefix);
        if r.path_style {
            s.push('/');
            s.push_str(&self.name);
        }
        s
    }

    /// The signing-key cache.
    pub fn key_cache(&self) -> &SigningKeyCache {
        self.signer.key_cache()
    }

    pub(crate) fn signer(&self) -> &Signer {
        &self.signer
    }

    /// POST uploads (browser forms) go to buckets, not access points: S3
    /// documents no POST Object through access points or Multi-Region
    /// Access Points, and botocore refuses both.
    pub(crate) fn check_post_allowed(&self) -> Result<(), Error> {
        match &self.arn {
            None => Ok(()),
            Some(arn) => Err(Error::UnsupportedArn {
                arn: crate::error::excerpt(&arn.text),
                reason: if arn.kind == ArnKind::MultiRegion {
                    "multi-region access points take no post object uploads (post policies)"
                } else {
                    "access points take no post object uploads (post policies)"
                },
            }),
        }
    }

    /// A request for an object with any method: the escape hatch for
    /// actions without a helper.
    pub fn object_request<'a>(
        &'a self,
        method: Method<'static>,
        key: &'a str,
    ) -> ObjectRequest<'a> {
        ObjectRequest::new(self, method, Some(key))
    }

    /// A request on the bucket itself (no key) with any method, such as
    /// `PUT` to create it.
    pub fn bucket_request(&self, method: Method<'static>) -> ObjectRequest<'_> {
        ObjectRequest::new(self, method, None)
    }

    /// GetObject: download an object.
    pub fn get_object<'a>(&'a self, key: &'a str) -> ObjectRequest<'a> {
        self.object_request(Method::GET, key)
    }

    /// PutObject: upload an object. Sign the headers the uploader will send
    /// (`content-type`, ...), and the uploader must send exactly those.
    pub fn put_object<'a>(&'a self, key: &'a str) -> ObjectRequest<'a> {
        self.object_request(Method::PUT, key)
    }

    /// HeadObject: an object's metadata.
    pub fn head_object<'a>(&'a self, key: &'a str) -> ObjectRequest<'a> {
        self.object_request(Method::HEAD, key)
    }

    /// DeleteObject.
    pub fn delete_object<'a>(&'a self, key: &'a str) -> ObjectRequest<'a> {
        self.object_request(Method::DELETE, key)
    }

    /// CreateMultipartUpload: `POST /KEY?uploads`.
    pub fn create_multipart_upload<'a>(&'a self, key: &'a str) -> ObjectRequest<'a> {
        self.object_request(Method::POST, key).query("uploads", "")
    }

    /// UploadPart: `PUT /KEY?partNumber=N&uploadId=ID`. Part numbers run from
    /// 1 to 10,000; others fail when presigning.
    pub fn upload_part<'a>(
        &'a self,
        key: &'a str,
        part_number: u16,
        upload_id: &'a str,
    ) -> ObjectRequest<'a> {
        let mut r = self
            .object_request(Method::PUT, key)
            .query_number("partNumber", part_number.into())
            .query("uploadId", upload_id);
        if !(1..=10_000).contains(&part_number) {
            r.invalid = Some("partNumber must be 1 to 10000");
        }
        r
    }

    /// CompleteMultipartUpload: `POST /KEY?uploadId=ID`.
    pub fn complete_multipart_upload<'a>(
        &'a self,
        key: &'a str,
        upload_id: &'a str,
    ) -> ObjectRequest<'a> {
        self.object_request(Method::POST, key)
            .query("uploadId", upload_id)
    }

    /// AbortMultipartUpload: `DELETE /KEY?uploadId=ID`.
    pub fn abort_multipart_upload<'a>(
        &'a self,
        key: &'a str,
        upload_id: &'a str,
    ) -> ObjectRequest<'a> {
        self.object_request(Method::DELETE, key)
            .query("uploadId", upload_id)
    }

    /// ListObjectsV2: `GET /?list-type=2`, narrowed with
    /// [`prefix`](ObjectRequest::prefix), [`delimiter`](ObjectRequest::delimiter),
    /// [`max_keys`](ObjectRequest::max_keys), ...
    pub fn list_objects_v2(&self) -> ObjectRequest<'_> {
        self.bucket_request(Method::GET).query("list-type", "2")
    }
}

/// What the bucket's name says it is: a bucket, an access point ARN or a
/// directory bucket.
#[derive(Clone, Copy)]
struct Target<'a> {
    name: &'a str,
    arn: Option<&'a Arn>,
    directory: Option<&'a DirectoryBucket>,
}

fn resolve(
    target: Target<'_>,
    region: &Region,
    endpoint: &Endpoint,
    addressing: Addressing,
) -> Result<Resolved, Error> {
    match target {
        Target { arn: Some(arn), .. } => arn.resolve(endpoint, addressing),
        Target {
            directory: Some(directory),
            ..
        } => express::resolve(directory, region, endpoint, addressing),
        Target { name, .. } => endpoint::resolve(name, region, endpoint, addressing),
    }
}
