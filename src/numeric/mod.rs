//! Special functions and exact samplers behind the distributions of `model::dist` and
//! the engine: the standard normal, gamma and beta functions, the Student-t, the cubic Hermite
//! starting-value tables, and Poisson draws.

pub(crate) mod beta;
pub mod binomial;
pub(crate) mod hermite;
pub mod normal;
pub mod poisson;
pub mod poisson_table;
pub(crate) mod student_t;
pub mod ziggurat;

/// The open uniform of one random word: its high 53 bits `m` as `(m + 1/2) 2^-53`, in (0, 1]
/// (the largest `m` rounds to 1.0). The one form every sampler here and the engine's streams
/// use.
#[inline(always)]
pub fn open_unit(word: u64) -> f64 {
    ((word >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
}

/// A number for a message, short: the shortest text that reads back exactly, in exponent form
/// when it is very large or very small (`1e308`, not a 309-digit decimal; `5e-324`), and `inf`,
/// `-inf` or `NaN` as such.
pub fn short(x: f64) -> String {
    let magnitude = x.abs();
    if x == 0.0 || !x.is_finite() || (1e-6..1e15).contains(&magnitude) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

/// `text` with every long number written short ([`short`]): a message that put an extreme value
/// in with `{}` (a 309-digit decimal for 1e308, 324 zeros and a 5 for 5e-324) reads `1e308`.
/// Only a number token of more than 24 characters, standing alone (not part of a name), is
/// rewritten; everything else is left as it is.
pub fn shorten_numbers(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    let is_number_byte = |b: u8| b.is_ascii_digit() || b == b'.';
    let is_word_byte = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    while i < bytes.len() {
        let starts_token = is_number_byte(bytes[i]) && (i == 0 || !is_word_byte(bytes[i - 1]));
        if !starts_token {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_number_byte(bytes[i]) {
            i += 1;
        }
        let standalone = i == bytes.len() || !is_word_byte(bytes[i]);
        if standalone && i - start > 24 {
            if let Ok(x) = text[start..i].parse::<f64>() {
                out.push_str(&text[copied..start]);
                out.push_str(&short(x));
                copied = i;
            }
        }
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod short_tests {
    #[test]
    fn huge_and_tiny_numbers_are_short() {
        assert_eq!(super::short(1e308), "1e308");
        assert_eq!(super::short(f64::MAX), "1.7976931348623157e308");
        assert_eq!(super::short(-5e-324), "-5e-324");
        assert_eq!(super::short(22156.69), "22156.69");
        assert_eq!(super::short(0.0), "0");
    }

    #[test]
    fn long_numbers_in_messages_are_shortened() {
        let message = format!("sd must be at most {} (got -{})", 1e308, 5e-324);
        assert_eq!(
            super::shorten_numbers(&message),
            "sd must be at most 1e308 (got -5e-324)"
        );
        let kept = "id t12345678901234567890123456789 and 18446744073709551615 paths";
        assert_eq!(super::shorten_numbers(kept), kept);
    }
}
