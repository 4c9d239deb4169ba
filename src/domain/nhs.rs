//! NHS numbers: the Modulus 11 check from the NHS Data Dictionary.

use std::fmt;
use std::str::FromStr;

/// A valid NHS number: ten digits that pass the Modulus 11 check and are not one
/// repeated digit. Construct with [`NhsNumber::parse`] or [`str::parse`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NhsNumber([u8; 10]);

/// Why a string is not a valid NHS number. The messages name the field and what is
/// expected, so they can be shown to a person as they are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NhsNumberError {
    Empty,
    NotDigits,
    WrongLength(usize),
    RepeatedDigit,
    CheckDigitTen,
    CheckDigitMismatch,
}

impl fmt::Display for NhsNumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NHS number: ")?;
        match self {
            Self::Empty => f.write_str("missing; expected 10 digits, e.g. 999 765 4323"),
            Self::NotDigits => f.write_str("expected 10 digits (spaces allowed), found other characters"),
            Self::WrongLength(n) => write!(f, "expected 10 digits, found {n}"),
            Self::RepeatedDigit => f.write_str("one digit repeated is not a real NHS number"),
            Self::CheckDigitTen | Self::CheckDigitMismatch => {
                f.write_str("fails the Modulus 11 check; a digit is probably mistyped")
            }
        }
    }
}

impl std::error::Error for NhsNumberError {}

/// The Modulus 11 check digit for the first nine digits, or `None` when the
/// remainder makes it 10 (such a number can never be valid).
pub fn check_digit(first_nine: &[u8; 9]) -> Option<u8> {
    let sum: u32 = first_nine.iter().zip((2..=10u32).rev()).map(|(&d, w)| u32::from(d) * w).sum();
    match 11 - sum % 11 {
        11 => Some(0),
        10 => None,
        c => Some(c as u8),
    }
}

impl NhsNumber {
    /// Parse an NHS number typed by a person: spaces (and hyphens, as some letters
    /// print them) are ignored.
    pub fn parse(input: &str) -> Result<Self, NhsNumberError> {
        let mut digits = [0u8; 10];
        let mut n = 0usize;
        let mut saw_any = false;
        for c in input.chars() {
            if c == ' ' || c == '-' || c == '\u{a0}' {
                continue;
            }
            saw_any = true;
            let d = c.to_digit(10).ok_or(NhsNumberError::NotDigits)?;
            if n < 10 {
                digits[n] = d as u8;
            }
            n += 1;
        }
        if !saw_any {
            return Err(NhsNumberError::Empty);
        }
        if n != 10 {
            return Err(NhsNumberError::WrongLength(n));
        }
        if digits.iter().all(|&d| d == digits[0]) {
            return Err(NhsNumberError::RepeatedDigit);
        }
        let mut first_nine = [0u8; 9];
        first_nine.copy_from_slice(&digits[..9]);
        match check_digit(&first_nine) {
            None => Err(NhsNumberError::CheckDigitTen),
            Some(c) if c == digits[9] => Ok(Self(digits)),
            Some(_) => Err(NhsNumberError::CheckDigitMismatch),
        }
    }

    /// Build a valid number from nine leading digits, if one exists (used for
    /// synthetic test numbers, which begin 999).
    pub fn complete(first_nine: [u8; 9]) -> Option<Self> {
        let c = check_digit(&first_nine)?;
        let mut digits = [0u8; 10];
        digits[..9].copy_from_slice(&first_nine);
        digits[9] = c;
        if digits.iter().all(|&d| d == digits[0]) {
            return None;
        }
        Some(Self(digits))
    }

    /// The ten digits with no spaces, as stored.
    pub fn digits(&self) -> String {
        self.0.iter().map(|d| char::from(b'0' + d)).collect()
    }

    /// True for the range reserved for testing (synthetic data uses only these).
    pub fn is_synthetic(&self) -> bool {
        self.0[..3] == [9, 9, 9]
    }
}

/// Show as 3-3-4 digits, the way NHS numbers are printed.
impl fmt::Display for NhsNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.digits();
        write!(f, "{} {} {}", &d[..3], &d[3..6], &d[6..])
    }
}

impl FromStr for NhsNumber {
    type Err = NhsNumberError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// Format ten stored digits as 3-3-4 for display; anything else is shown unchanged.
pub fn format_digits(stored: &str) -> String {
    if stored.len() == 10 && stored.bytes().all(|b| b.is_ascii_digit()) {
        format!("{} {} {}", &stored[..3], &stored[3..6], &stored[6..])
    } else {
        stored.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_numbers_from_domain_reference() {
        for s in ["999 765 4323", "9997654323", "999 246 8130", "9992468130"] {
            let n = NhsNumber::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
            assert_eq!(n.digits().len(), 10);
        }
        assert_eq!(NhsNumber::parse("9997654323").unwrap().to_string(), "999 765 4323");
    }

    #[test]
    fn invalid_check_digit_is_refused() {
        assert_eq!(NhsNumber::parse("999 765 4320"), Err(NhsNumberError::CheckDigitMismatch));
    }

    #[test]
    fn wrong_shapes_are_refused_with_reasons() {
        assert_eq!(NhsNumber::parse(""), Err(NhsNumberError::Empty));
        assert_eq!(NhsNumber::parse("   "), Err(NhsNumberError::Empty));
        assert_eq!(NhsNumber::parse("99976543"), Err(NhsNumberError::WrongLength(8)));
        assert_eq!(NhsNumber::parse("99976543230"), Err(NhsNumberError::WrongLength(11)));
        assert_eq!(NhsNumber::parse("999765432x"), Err(NhsNumberError::NotDigits));
        assert_eq!(NhsNumber::parse("４３４７６５９１９"), Err(NhsNumberError::NotDigits));
    }

    #[test]
    fn repeated_digit_is_refused_even_when_the_check_passes() {
        // 0000000000 and 1111111111..9999999999: several pass the arithmetic.
        for d in 0..=9 {
            let s: String = std::iter::repeat_n(char::from(b'0' + d), 10).collect();
            assert_eq!(NhsNumber::parse(&s), Err(NhsNumberError::RepeatedDigit), "{s}");
        }
    }

    #[test]
    fn remainder_giving_ten_is_never_valid() {
        // 999 000 001 -> weights sum: 9*10+9*9+9*8+1*2 = 245; 245 % 11 = 3; 11-3 = 8.
        assert_eq!(check_digit(&[9, 9, 9, 0, 0, 0, 0, 0, 1]), Some(8));
        // find a prefix whose check would be 10 and prove it is refused for every last digit
        let prefix = (0..1000u32)
            .map(|i| {
                let s = format!("999000{i:03}");
                let mut a = [0u8; 9];
                for (k, b) in s.bytes().enumerate() {
                    a[k] = b - b'0';
                }
                a
            })
            .find(|a| check_digit(a).is_none())
            .expect("some prefix has remainder 1");
        for last in 0..=9u8 {
            let s: String = prefix.iter().chain(std::iter::once(&last)).map(|d| char::from(b'0' + d)).collect();
            assert!(NhsNumber::parse(&s).is_err(), "{s}");
        }
    }

    #[test]
    fn complete_makes_valid_synthetic_numbers() {
        let mut made = 0;
        for i in 0..1000u32 {
            let mut nine = [9, 9, 9, 0, 0, 0, 0, 0, 0];
            nine[6] = (i / 100) as u8;
            nine[7] = (i / 10 % 10) as u8;
            nine[8] = (i % 10) as u8;
            match NhsNumber::complete(nine) {
                Some(n) => {
                    assert!(n.is_synthetic());
                    assert_eq!(NhsNumber::parse(&n.digits()), Ok(n));
                    made += 1;
                }
                None => assert_eq!(check_digit(&nine), None, "{nine:?}"),
            }
        }
        // About one prefix in eleven has no valid check digit.
        assert!((880..=940).contains(&made), "{made}");
    }

    #[test]
    fn display_format_of_stored_digits() {
        assert_eq!(format_digits("9997654323"), "999 765 4323");
        assert_eq!(format_digits("abc"), "abc");
    }
}
