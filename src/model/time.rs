//! Timestamps: RFC 3339 text to and from nanoseconds since the Unix epoch, and epoch numbers of
//! unknown unit (pandas writes milliseconds, Zipkin microseconds, OTLP nanoseconds).

/// Reads `2026-11-28T05:07:08.960629+00:00` (or `Z`, `+0100`, a space for `T`, no offset = UTC,
/// up to 9 fraction digits; more are cut) into ns since the epoch. `None` for anything else or
/// for times before 1970.
pub fn parse_rfc3339_nanos(text: &str) -> Option<u64> {
    let b = text.trim().as_bytes();
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let digits = b.get(range)?;
        digits.iter().try_fold(0i64, |acc, &d| {
            d.is_ascii_digit().then(|| acc * 10 + i64::from(d - b'0'))
        })
    };
    let year = num(0..4)?;
    let month = num(5..7)?;
    let day = num(8..10)?;
    if b.get(4) != Some(&b'-')
        || b.get(7) != Some(&b'-')
        || !matches!(b.get(10), Some(b'T' | b't' | b' '))
    {
        return None;
    }
    let hour = num(11..13)?;
    let minute = num(14..16)?;
    let second = num(17..19)?;
    if b.get(13) != Some(&b':') || b.get(16) != Some(&b':') {
        return None;
    }
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut pos = 19;
    let mut fraction_nanos = 0i64;
    if b.get(pos) == Some(&b'.') {
        pos += 1;
        let mut scale = 100_000_000i64;
        let start = pos;
        while let Some(d) = b.get(pos).filter(|d| d.is_ascii_digit()) {
            fraction_nanos += i64::from(d - b'0') * scale;
            scale /= 10;
            pos += 1;
        }
        if pos == start {
            return None;
        }
    }
    let offset_secs = match b.get(pos) {
        None => 0,
        Some(b'Z' | b'z') if pos + 1 == b.len() => 0,
        Some(&sign @ (b'+' | b'-')) => {
            let hours = num(pos + 1..pos + 3)?;
            let minutes = match (b.get(pos + 3), b.len() - pos) {
                (Some(b':'), 6) => num(pos + 4..pos + 6)?,
                (Some(_), 5) => num(pos + 3..pos + 5)?,
                (None, 3) => 0,
                _ => return None,
            };
            let secs = hours * 3600 + minutes * 60;
            if sign == b'+' { secs } else { -secs }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset_secs;
    let nanos = i128::from(secs) * 1_000_000_000 + i128::from(fraction_nanos);
    u64::try_from(nanos).ok()
}

/// Writes ns since the epoch as `2026-11-28T05:07:08.960629123Z` (always 9 fraction digits, so
/// nothing is lost on the way back).
pub fn format_rfc3339_nanos(unix_nanos: u64) -> String {
    let secs = (unix_nanos / 1_000_000_000) as i64;
    let nanos = unix_nanos % 1_000_000_000;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{nanos:09}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// An epoch number whose unit is unknown, read by magnitude: below 1e11 seconds, below 1e14
/// milliseconds, below 1e17 microseconds, else nanoseconds. Between them these cover 1973–5138
/// in every unit. `None` for negative or non-finite numbers.
pub fn unix_nanos_from_epoch_number(value: f64) -> Option<u64> {
    if !value.is_finite() || value < 0.0 {
        return None;
    }
    let nanos = if value < 1e11 {
        value * 1e9
    } else if value < 1e14 {
        value * 1e6
    } else if value < 1e17 {
        value * 1e3
    } else {
        value
    };
    (nanos < u64::MAX as f64).then_some(nanos.round() as u64)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_forms_tools_write() {
        let phoenix = parse_rfc3339_nanos("2026-11-28T05:07:08.960629+00:00");
        assert_eq!(phoenix, Some(1_795_842_428_960_629_000));
        assert_eq!(parse_rfc3339_nanos("2026-11-28T05:07:08.960629Z"), phoenix);
        assert_eq!(
            parse_rfc3339_nanos("2026-11-28T06:07:08.960629+01:00"),
            phoenix
        );
        assert_eq!(
            parse_rfc3339_nanos("2026-11-28T06:07:08.960629+0100"),
            phoenix
        );
        assert_eq!(parse_rfc3339_nanos("2026-11-28 05:07:08.960629"), phoenix);
        assert_eq!(
            parse_rfc3339_nanos("1970-01-01T00:00:00.123456789123Z"),
            Some(123_456_789)
        );
        assert_eq!(
            parse_rfc3339_nanos("2000-02-29T00:00:00Z"),
            Some(951_782_400_000_000_000)
        );
    }

    #[test]
    fn rejects_what_is_not_a_time() {
        for bad in [
            "",
            "2026-11-28",
            "2026-13-01T00:00:00Z",
            "2026-11-28T05:07:08.Z",
            "yesterday",
            "1969-12-31T23:59:59Z",
            "2026-11-28T05:07:08+1",
        ] {
            assert_eq!(parse_rfc3339_nanos(bad), None, "{bad}");
        }
    }

    #[test]
    fn formats_and_reads_back() {
        for nanos in [
            0,
            1,
            951_782_400_000_000_000,
            1_795_842_428_960_629_123,
            4_102_444_800_999_999_999,
            // Past a century's end, where the calendar's hundred-year rule counts.
            4_107_542_400_000_000_000,
            7_263_216_000_000_000_000,
            13_601_001_600_000_000_000,
        ] {
            let text = format_rfc3339_nanos(nanos);
            assert_eq!(parse_rfc3339_nanos(&text), Some(nanos), "{text}");
        }
        assert_eq!(
            format_rfc3339_nanos(1_795_842_428_960_629_123),
            "2026-11-28T05:07:08.960629123Z"
        );
        assert_eq!(
            format_rfc3339_nanos(4_107_542_400_000_000_000),
            "2100-03-01T00:00:00.000000000Z"
        );
        assert_eq!(
            format_rfc3339_nanos(13_601_001_600_000_000_000),
            "2400-12-31T00:00:00.000000000Z"
        );
    }

    #[test]
    fn epoch_numbers_by_magnitude() {
        let expected = Some(1_795_842_428_960_000_000);
        assert_eq!(unix_nanos_from_epoch_number(1_795_842_428.96), expected);
        assert_eq!(unix_nanos_from_epoch_number(1_795_842_428_960.0), expected);
        assert_eq!(
            unix_nanos_from_epoch_number(1_795_842_428_960_000.0),
            expected
        );
        assert_eq!(unix_nanos_from_epoch_number(1.795_842_428_96e18), expected);
        assert_eq!(unix_nanos_from_epoch_number(-1.0), None);
        assert_eq!(unix_nanos_from_epoch_number(f64::NAN), None);
    }

    #[test]
    fn every_field_is_checked_at_its_edges() {
        let base = parse_rfc3339_nanos("2026-01-31T23:59:59Z").unwrap_or_default();
        assert_eq!(base, 1_769_903_999_000_000_000);
        // A leap second reads as the next second; day 31 of any month is taken (as dates are).
        assert_eq!(
            parse_rfc3339_nanos("2026-01-31T23:59:60Z"),
            Some(base + 1_000_000_000)
        );
        assert_eq!(
            parse_rfc3339_nanos("2026-12-31T00:00:00Z"),
            Some(1_798_675_200_000_000_000)
        );
        for bad in [
            "2026-01-32T00:00:00Z",
            "2026-01-00T00:00:00Z",
            "2026-00-10T00:00:00Z",
            "2026-01-01T24:00:00Z",
            "2026-01-01T00:60:00Z",
            "2026-01-01T00:00:61Z",
            "2026-01-01T00:00:00ZZ",
            "2026-01-01T00:00:00+01:000",
            "2026-01-01X00:00:00Z",
            "2026/01/01T00:00:00Z",
            "2026/01-01T00:00:00Z",
            "2026-01/01T00:00:00Z",
            "2026-01-01T00/00:00Z",
            "2026-01-01T00:00/00Z",
            "2026-01-01T00-00:00Z",
            "2026-01-01T00:00:00 Z",
        ] {
            assert_eq!(parse_rfc3339_nanos(bad), None, "{bad}");
        }
        // Offsets: a negative one is later in UTC; hours alone are taken.
        let utc = parse_rfc3339_nanos("2026-06-01T12:00:00Z");
        assert_eq!(parse_rfc3339_nanos("2026-06-01T07:30:00-04:30"), utc);
        assert_eq!(parse_rfc3339_nanos("2026-06-01T14:00:00+02"), utc);
        assert_eq!(parse_rfc3339_nanos("2026-06-01t12:00:00z"), utc);
        assert_eq!(
            parse_rfc3339_nanos(" 2026-06-01T12:00:00.5Z "),
            utc.map(|t| t + 500_000_000)
        );
    }

    #[test]
    fn epoch_numbers_at_the_unit_boundaries() {
        assert_eq!(unix_nanos_from_epoch_number(0.0), Some(0));
        assert_eq!(
            unix_nanos_from_epoch_number(4_102_444_800.0),
            Some(4_102_444_800_000_000_000)
        );
        assert_eq!(
            unix_nanos_from_epoch_number(1e11),
            Some(100_000_000_000_000_000)
        );
        assert_eq!(
            unix_nanos_from_epoch_number(1e14),
            Some(100_000_000_000_000_000)
        );
        assert_eq!(
            unix_nanos_from_epoch_number(1e17),
            Some(100_000_000_000_000_000)
        );
        assert_eq!(unix_nanos_from_epoch_number(f64::INFINITY), None);
        assert_eq!(unix_nanos_from_epoch_number(1e20), None);
    }
}
