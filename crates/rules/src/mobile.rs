//! Mobile numbers: read with the phone-number metadata (the number must exist in its
//! country's numbering plan, not only look like digits) and kept in E.164 (`+8613812345678`).

use crate::Refusal;

/// A mobile number in E.164 ("+8613812345678"). Numbers without "+" are read in a default
/// region (the desktop's Settings); without one, only numbers with "+" and the country code
/// are read.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Mobile(String);

impl Mobile {
    /// Loads the phone-number metadata (about 0.2 s on first use, once per process), so that
    /// the first number someone types does not wait for it.
    pub fn warm_up() {
        let _ = phonenumber::parse(None, "+14155552671");
    }

    /// Reads `raw` (spaces, dashes and brackets allowed) as a valid number, in
    /// `default_region` (a region code such as "US" or "CN") when it has no "+". An unknown
    /// or empty region reads only numbers with "+". The refusal's code is `invalid_mobile`.
    pub fn parse(raw: &str, default_region: &str) -> Result<Self, Refusal> {
        let s = raw.trim();
        let bad = |why: &str| {
            Refusal::new(
                "invalid_mobile",
                format!("\"{s}\" is not a valid mobile number{why}."),
            )
        };
        let region = default_region.parse::<phonenumber::country::Id>().ok();
        let region = if s.starts_with('+') { None } else { region };
        let n = phonenumber::parse(region, s).map_err(|_| bad(""))?;
        if !phonenumber::is_valid(&n) {
            return Err(bad(if s.starts_with('+') {
                ""
            } else {
                " (numbers without \"+\" are read in the default region from Settings)"
            }));
        }
        Ok(Self(n.format().mode(phonenumber::Mode::E164).to_string()))
    }

    /// Reads a number given in international format ("+", the country code, the number), as
    /// anyone who is not in the desktop's default region must give it.
    pub fn parse_international(raw: &str) -> Result<Self, Refusal> {
        Self::parse(raw, "")
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl std::fmt::Display for Mobile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// True when `code` is a region code the phone-number metadata knows ("US", "CN", "GB" …).
pub fn is_region(code: &str) -> bool {
    code.parse::<phonenumber::country::Id>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e164(raw: &str, region: &str) -> Result<String, &'static str> {
        Mobile::parse(raw, region)
            .map(Mobile::into_string)
            .map_err(|r| r.code)
    }

    #[test]
    fn numbers_are_normalized_to_e164_with_the_default_region() {
        assert_eq!(e164("+86 138 1234 5678", "US"), Ok("+8613812345678".into()));
        assert_eq!(e164("13812345678", "CN"), Ok("+8613812345678".into()));
        assert_eq!(e164("(415) 555-2671", "US"), Ok("+14155552671".into()));
        assert_eq!(e164("+44 7911 123456", "CN"), Ok("+447911123456".into()));
        assert_eq!(e164("  +8613800138000  ", ""), Ok("+8613800138000".into()));
        // The E.164 form reads as itself.
        assert_eq!(e164("+8613812345678", ""), Ok("+8613812345678".into()));
    }

    #[test]
    fn numbers_outside_the_numbering_plan_are_refused_however_many_digits() {
        // "+" and 11 digits, but no such area code.
        assert_eq!(e164("+1 555 010 0000", "US"), Err("invalid_mobile"));
        assert_eq!(e164("+15550100000", ""), Err("invalid_mobile"));
        assert_eq!(e164("+0123456789", ""), Err("invalid_mobile"));
        assert_eq!(e164("+1234567", ""), Err("invalid_mobile"));
        assert_eq!(e164("12345", "US"), Err("invalid_mobile"));
        assert_eq!(e164("abc", "US"), Err("invalid_mobile"));
        assert_eq!(e164("", "US"), Err("invalid_mobile"));
    }

    #[test]
    fn without_a_region_only_international_numbers_are_read() {
        assert_eq!(e164("13812345678", ""), Err("invalid_mobile"));
        assert_eq!(e164("13812345678", "not a region"), Err("invalid_mobile"));
        assert_eq!(
            Mobile::parse_international("+86 138-1234-5678").map(Mobile::into_string),
            Ok("+8613812345678".into())
        );
        assert!(Mobile::parse_international("13812345678").is_err());
    }

    #[test]
    fn reasons_say_what_was_typed_and_where_it_was_read() {
        let with_plus = Mobile::parse(" +1 555 010 0000 ", "US").unwrap_err();
        assert_eq!(
            with_plus.reason,
            "\"+1 555 010 0000\" is not a valid mobile number."
        );
        let local = Mobile::parse("5550100000", "US").unwrap_err();
        assert_eq!(
            local.reason,
            "\"5550100000\" is not a valid mobile number (numbers without \"+\" are read in the default region from Settings)."
        );
    }

    #[test]
    fn region_codes() {
        assert!(is_region("US"));
        assert!(is_region("CN"));
        assert!(!is_region("XX"));
        assert!(!is_region(""));
    }
}
