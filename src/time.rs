//! Step 0 of the pipeline: the signing time, formatted as `X-Amz-Date`
//! (`20130524T000000Z`) and as the scope date (`20130524`).
//!
//! Both formats are written into fixed-size stack buffers: formatting never
//! allocates.

use core::fmt;
use std::time::SystemTime;

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use crate::error::{Error, excerpt};
use crate::wire;

/// The instant a request is signed at, in UTC, with whole-second precision.
///
/// The crate never reads the clock by itself: callers pass the time in, which
/// makes signing deterministic and testable. [`SigningTime::now`] is the one
/// convenience that reads the system clock, and only when called.
///
/// ```
/// use presign::SigningTime;
///
/// let t = SigningTime::parse_amz_date("20130524T000000Z")?;
/// assert_eq!(t.amz_date().as_str(), "20130524T000000Z");
/// assert_eq!(t.scope_date().to_string(), "20130524");
/// assert_eq!(t.unix_timestamp(), 1_369_353_600);
/// # Ok::<(), presign::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SigningTime {
    // Field order makes the derived `Ord` chronological.
    date: ScopeDate,
    hour: u8,
    minute: u8,
    second: u8,
}

/// The date part of a credential scope (`YYYYMMDD`), in UTC.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ScopeDate {
    year: u16,
    month: u8,
    day: u8,
}

/// `X-Amz-Date` text (`YYYYMMDDTHHMMSSZ`) held on the stack.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct AmzDate([u8; 16]);

/// Scope-date text (`YYYYMMDD`) held on the stack.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ScopeDateText([u8; 8]);

const AMZ_DATE_FORMAT: &str = "YYYYMMDDTHHMMSSZ (e.g. 20130524T000000Z)";
const SCOPE_DATE_FORMAT: &str = "YYYYMMDD (e.g. 20130524)";

impl SigningTime {
    /// The time from an [`OffsetDateTime`] in any offset; it is converted to
    /// UTC and truncated to the second.
    ///
    /// Fails with [`Error::TimeOutOfRange`] outside the years 0000 to 9999.
    pub fn from_offset_date_time(t: OffsetDateTime) -> Result<Self, Error> {
        let t = t.to_offset(UtcOffset::UTC);
        let year = t.year();
        if !(0..=9999).contains(&year) {
            return Err(Error::TimeOutOfRange {
                reason: "the year must be between 0000 and 9999",
            });
        }
        Ok(SigningTime {
            date: ScopeDate {
                year: year as u16,
                month: t.month() as u8,
                day: t.day(),
            },
            hour: t.hour(),
            minute: t.minute(),
            second: t.second(),
        })
    }

    /// The time `secs` seconds after the Unix epoch.
    ///
    /// Fails with [`Error::TimeOutOfRange`] outside the years 0000 to 9999.
    pub fn from_unix_timestamp(secs: i64) -> Result<Self, Error> {
        let t = OffsetDateTime::from_unix_timestamp(secs).map_err(|_| Error::TimeOutOfRange {
            reason: "the timestamp is outside the supported range",
        })?;
        Self::from_offset_date_time(t)
    }

    /// The time from a [`SystemTime`], truncated to the second.
    pub fn from_system_time(t: SystemTime) -> Result<Self, Error> {
        Self::from_offset_date_time(OffsetDateTime::from(t))
    }

    /// Reads the system clock. This is the only place the crate does so, and
    /// only when called: every signing function takes the time as an argument.
    pub fn now() -> Self {
        // The system clock is always within 0000..=9999 in practice; fall back
        // to the epoch rather than panic if it is not.
        Self::from_system_time(SystemTime::now()).unwrap_or(UNIX_EPOCH)
    }

    /// Parses an `X-Amz-Date` value such as `20130524T000000Z`.
    pub fn parse_amz_date(s: &str) -> Result<Self, Error> {
        Self::parse_amz_date_bytes(s.as_bytes()).ok_or_else(|| Error::InvalidDate {
            what: wire::header::X_AMZ_DATE,
            input: excerpt(s),
            expected: AMZ_DATE_FORMAT,
        })
    }

    /// [`parse_amz_date`](Self::parse_amz_date) without the error (the
    /// verifier names its own).
    pub(crate) fn parse_amz_date_bytes(b: &[u8]) -> Option<Self> {
        if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
            return None;
        }
        let date = ScopeDate::parse_digits(&b[..8])?;
        let (hour, minute, second) = (
            two_digits(&b[9..11])?,
            two_digits(&b[11..13])?,
            two_digits(&b[13..15])?,
        );
        // No leap second (60): `time` cannot represent one.
        if hour > 23 || minute > 59 || second > 59 {
            return None;
        }
        Some(SigningTime {
            date,
            hour,
            minute,
            second,
        })
    }

    /// The scope date (the UTC day) of this time.
    pub fn scope_date(&self) -> ScopeDate {
        self.date
    }

    /// This time as `X-Amz-Date` text, formatted on the stack.
    pub fn amz_date(&self) -> AmzDate {
        let mut out = [0u8; 16];
        out[..8].copy_from_slice(&self.date.text().0);
        out[8] = b'T';
        put2(&mut out[9..11], self.hour);
        put2(&mut out[11..13], self.minute);
        put2(&mut out[13..15], self.second);
        out[15] = b'Z';
        AmzDate(out)
    }

    /// This time as an [`OffsetDateTime`] in UTC.
    #[must_use]
    pub fn to_offset_date_time(&self) -> OffsetDateTime {
        let date = self.date.to_date();
        let time = Time::from_hms(self.hour, self.minute, self.second).unwrap_or(Time::MIDNIGHT);
        PrimitiveDateTime::new(date, time).assume_utc()
    }

    /// Seconds since the Unix epoch.
    #[inline]
    pub fn unix_timestamp(&self) -> i64 {
        let seconds = i64::from(self.hour) * 3600 + i64::from(self.minute) * 60;
        self.date.days_since_epoch() * 86_400 + seconds + i64::from(self.second)
    }
}

const UNIX_EPOCH: SigningTime = SigningTime {
    date: ScopeDate {
        year: 1970,
        month: 1,
        day: 1,
    },
    hour: 0,
    minute: 0,
    second: 0,
};

impl TryFrom<OffsetDateTime> for SigningTime {
    type Error = Error;
    fn try_from(t: OffsetDateTime) -> Result<Self, Error> {
        Self::from_offset_date_time(t)
    }
}

impl TryFrom<SystemTime> for SigningTime {
    type Error = Error;
    fn try_from(t: SystemTime) -> Result<Self, Error> {
        Self::from_system_time(t)
    }
}

impl fmt::Debug for SigningTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SigningTime({})", self.amz_date().as_str())
    }
}

impl fmt::Display for SigningTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.amz_date().as_str())
    }
}

impl ScopeDate {
    /// Parses a scope date such as `20130524`.
    pub fn parse(s: &str) -> Result<Self, Error> {
        Self::parse_digits(s.as_bytes()).ok_or_else(|| Error::InvalidDate {
            what: "scope date",
            input: excerpt(s),
            expected: SCOPE_DATE_FORMAT,
        })
    }

    fn parse_digits(b: &[u8]) -> Option<Self> {
        if b.len() != 8 {
            return None;
        }
        let year = u16::from(two_digits(&b[0..2])?) * 100 + u16::from(two_digits(&b[2..4])?);
        let month = two_digits(&b[4..6])?;
        let day = two_digits(&b[6..8])?;
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(ScopeDate { year, month, day })
    }

    /// Days from 1970-01-01 to this date, in the proleptic Gregorian
    /// calendar (negative before 1970): counted from March, so that the
    /// leap day ends a year (Howard Hinnant's `days_from_civil`).
    #[inline]
    fn days_since_epoch(&self) -> i64 {
        let (month, day) = (i64::from(self.month), i64::from(self.day));
        let year = i64::from(self.year) - i64::from(month <= 2);
        let era = year.div_euclid(400);
        let year_of_era = year - era * 400;
        let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }

    /// The date as `YYYYMMDD` text, formatted on the stack.
    pub fn text(&self) -> ScopeDateText {
        let mut out = [0u8; 8];
        put2(&mut out[0..2], (self.year / 100) as u8);
        put2(&mut out[2..4], (self.year % 100) as u8);
        put2(&mut out[4..6], self.month);
        put2(&mut out[6..8], self.day);
        ScopeDateText(out)
    }

    /// This date as a [`time::Date`].
    #[must_use]
    pub fn to_date(&self) -> Date {
        // Every ScopeDate is built from a valid calendar date.
        Month::try_from(self.month)
            .ok()
            .and_then(|m| Date::from_calendar_date(i32::from(self.year), m, self.day).ok())
            .unwrap_or(Date::MIN)
    }
}

impl fmt::Debug for ScopeDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ScopeDate({})", self.text().as_str())
    }
}

impl fmt::Display for ScopeDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text().as_str())
    }
}

impl AmzDate {
    /// The text, `YYYYMMDDTHHMMSSZ`.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits, 'T' and 'Z' are ever written.
        core::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The text as bytes.
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }
}

impl fmt::Debug for AmzDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for AmzDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl ScopeDateText {
    /// The text, `YYYYMMDD`.
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The text as bytes.
    pub fn as_bytes(&self) -> &[u8; 8] {
        &self.0
    }
}

impl fmt::Debug for ScopeDateText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

/// The days in `month` (1 to 12) of `year`, proleptic Gregorian.
fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn two_digits(b: &[u8]) -> Option<u8> {
    match b {
        [a @ b'0'..=b'9', c @ b'0'..=b'9'] => Some((a - b'0') * 10 + (c - b'0')),
        _ => None,
    }
}

fn put2(out: &mut [u8], v: u8) {
    out[0] = b'0' + v / 10;
    out[1] = b'0' + v % 10;
}

#[cfg(test)]
mod tests {
    use super::*;

    // The S3 documentation example time (sigv4-query-string-auth.html).
    #[test]
    fn formats_the_s3_documentation_time() {
        let t = SigningTime::from_unix_timestamp(1_369_353_600).unwrap();
        assert_eq!(t.amz_date().as_str(), "20130524T000000Z");
        assert_eq!(t.scope_date().text().as_str(), "20130524");
    }

    // The CRT suite's time, `2015-08-30T12:36:00Z`.
    #[test]
    fn formats_the_crt_suite_time() {
        let t = SigningTime::from_offset_date_time(
            PrimitiveDateTime::new(
                Date::from_calendar_date(2015, Month::August, 30).unwrap(),
                Time::from_hms(12, 36, 0).unwrap(),
            )
            .assume_utc(),
        )
        .unwrap();
        assert_eq!(t.to_string(), "20150830T123600Z");
        assert_eq!(SigningTime::parse_amz_date("20150830T123600Z").unwrap(), t);
    }

    #[test]
    fn converts_offsets_to_utc() {
        let t = OffsetDateTime::from_unix_timestamp(0)
            .unwrap()
            .to_offset(UtcOffset::from_hms(5, 30, 0).unwrap());
        assert_eq!(
            SigningTime::from_offset_date_time(t).unwrap().to_string(),
            "19700101T000000Z"
        );
    }

    #[test]
    fn rejects_malformed_dates_with_the_expected_format() {
        for bad in [
            "",
            "20130524",
            "20130524T000000",
            "20130524t000000Z",
            "20131324T000000Z",
            "20130230T000000Z",
            "20130524T240000Z",
            "20130524T000060Z",
            "2013052AT000000Z",
            "+0130524T000000Z",
            "２０13052T000000Z",
        ] {
            let e = SigningTime::parse_amz_date(bad).unwrap_err();
            assert!(
                e.to_string().contains("expected YYYYMMDDTHHMMSSZ"),
                "{bad:?}: {e}"
            );
        }
        assert!(ScopeDate::parse("2013052").is_err());
        assert!(ScopeDate::parse("20130229").is_err());
        assert_eq!(
            ScopeDate::parse("20120229").unwrap().to_string(),
            "20120229"
        );
    }

    #[test]
    fn rejects_years_sigv4_cannot_write() {
        assert!(matches!(
            SigningTime::from_unix_timestamp(253_402_300_800),
            Err(Error::TimeOutOfRange { .. })
        ));
        assert!(SigningTime::from_unix_timestamp(253_402_300_799).is_ok());
        assert!(SigningTime::from_unix_timestamp(i64::MAX).is_err());
        assert!(SigningTime::from_unix_timestamp(-62_167_219_200).is_ok());
        assert!(SigningTime::from_unix_timestamp(-62_167_219_201).is_err());
    }

    #[test]
    fn round_trips_unix_time() {
        for s in [0, 1_369_353_600, 1_440_938_160, 253_402_300_799, -1] {
            let t = SigningTime::from_unix_timestamp(s).unwrap();
            assert_eq!(t.unix_timestamp(), s);
            assert_eq!(
                SigningTime::parse_amz_date(t.amz_date().as_str()).unwrap(),
                t
            );
        }
    }

    #[test]
    fn dates_are_checked_and_counted_as_the_time_crate_does() {
        // Every year SigV4 can write, at the edges of every month.
        for year in 0..=9999u16 {
            for month in 0..=13u8 {
                for day in [0, 1, 2, 27, 28, 29, 30, 31, 32] {
                    let text = format!("{year:04}{month:02}{day:02}");
                    let reference = Month::try_from(month)
                        .ok()
                        .and_then(|m| Date::from_calendar_date(i32::from(year), m, day).ok());
                    let parsed = ScopeDate::parse_digits(text.as_bytes());
                    assert_eq!(parsed.is_some(), reference.is_some(), "{text}");
                    if let (Some(parsed), Some(reference)) = (parsed, reference) {
                        let t = SigningTime::parse_amz_date(&format!("{text}T235958Z")).unwrap();
                        let expected = reference
                            .with_hms(23, 59, 58)
                            .unwrap()
                            .assume_utc()
                            .unix_timestamp();
                        assert_eq!(t.unix_timestamp(), expected, "{text}");
                        assert_eq!(parsed.to_date(), reference);
                    }
                }
            }
        }
    }

    #[test]
    fn times_of_day_are_checked_as_the_time_crate_does() {
        for (h, m, sec) in (0..=25u8)
            .flat_map(|h| (0..=61u8).flat_map(move |m| (0..=61u8).map(move |s| (h, m, s))))
        {
            let text = format!("20260524T{h:02}{m:02}{sec:02}Z");
            let parsed = SigningTime::parse_amz_date(&text);
            assert_eq!(parsed.is_ok(), Time::from_hms(h, m, sec).is_ok(), "{text}");
            if let Ok(t) = parsed {
                assert_eq!(t.amz_date().as_str(), text);
            }
        }
    }
}
