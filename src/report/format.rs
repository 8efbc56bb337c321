//! Numbers as every output prints them: the charts, the HTML report, the terminal tables and the
//! analysis texts share these formatters (one `percent` rule everywhere).

/// A probability in percent: one decimal, with `<0.1%` / `>99.9%` for the extremes that are not
/// exactly 0 or 1, so that a tiny chance never reads as impossible.
pub fn percent(p: f64) -> String {
    if !p.is_finite() {
        "–".to_string()
    } else if p <= 0.0 {
        "0%".to_string()
    } else if p >= 1.0 {
        "100%".to_string()
    } else if p < 0.001 {
        "<0.1%".to_string()
    } else if p > 0.999 {
        ">99.9%".to_string()
    } else {
        format!("{:.1}%", p * 100.0)
    }
}

/// Formats a number compactly for the terminal table (thousands without decimals, small numbers
/// with three significant digits).
pub fn compact(x: f64) -> String {
    if !x.is_finite() {
        return "-".to_string();
    }
    let a = x.abs();
    if a >= 1000.0 {
        format!("{x:.0}")
    } else if a >= 100.0 {
        format!("{x:.1}")
    } else if a >= 1.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.3}")
    }
}

/// One end of an interval in percent without the sign, by the rule of [`percent`]: one
/// decimal, `<0.1` / `>99.9` for ends that are not exactly 0 or 1 but would print as such.
pub fn percent_bound(p: f64) -> String {
    if !p.is_finite() {
        "–".to_string()
    } else if p <= 0.0 {
        "0.0".to_string()
    } else if p >= 1.0 {
        "100.0".to_string()
    } else if p < 0.001 {
        "<0.1".to_string()
    } else if p > 0.999 {
        ">99.9".to_string()
    } else {
        format!("{:.1}", p * 100.0)
    }
}

/// An interval in percent, e.g. `[52.9, 53.5]` or `[<0.1, 0.1]` (ends by [`percent_bound`]).
pub fn percent_interval(lo: f64, hi: f64) -> String {
    format!("[{}, {}]", percent_bound(lo), percent_bound(hi))
}

/// A probability with its interval, e.g. `<0.1% [<0.1, <0.1]` or `53.2% [52.9, 53.5]`.
pub fn percent_with_interval(p: f64, lo: f64, hi: f64) -> String {
    format!("{} {}", percent(p), percent_interval(lo, hi))
}

/// Decimals that show differences of size `step`.
pub fn decimals_for(step: f64) -> usize {
    if !step.is_finite() || step <= 0.0 {
        return 2;
    }
    let d = -step.abs().log10().floor();
    d.clamp(0.0, 6.0) as usize
}

/// A value with about four significant digits (thousands separated by nothing: plans print
/// figures such as 22156.69 that way).
pub fn value(x: f64) -> String {
    if !x.is_finite() {
        return "–".to_string();
    }
    let magnitude = x.abs();
    if magnitude >= 1e15 || (magnitude > 0.0 && magnitude < 1e-9) {
        // Far outside a plan's figures: four significant digits in exponent form, never a
        // 300-digit decimal.
        let text = format!("{x:.3e}");
        let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
        let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
        return format!("{mantissa}e{exponent}");
    }
    let decimals = if magnitude == 0.0 || magnitude >= 1000.0 {
        0
    } else if magnitude >= 100.0 {
        1
    } else if magnitude >= 1.0 {
        2
    } else {
        decimals_for(magnitude) + 2
    };
    let text = format!("{x:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// The comparison as a symbol for charts (≥, >, ≤, <).
pub fn symbol(comparison: crate::model::Comparison) -> &'static str {
    use crate::model::Comparison;
    match comparison {
        Comparison::AtLeast => "≥",
        Comparison::Above => ">",
        Comparison::AtMost => "≤",
        Comparison::Below => "<",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_never_rounds_a_chance_to_zero() {
        assert_eq!(percent(0.0), "0%");
        assert_eq!(percent(0.00004), "<0.1%");
        assert_eq!(percent(0.5321), "53.2%");
        assert_eq!(percent(0.99996), ">99.9%");
        assert_eq!(percent(1.0), "100%");
    }

    #[test]
    fn intervals_never_round_a_chance_to_zero_or_one() {
        // 30 of 100,000 paths: the Wilson interval is about [0.021%, 0.043%].
        assert_eq!(percent_interval(0.00021, 0.00043), "[<0.1, <0.1]");
        assert_eq!(percent_interval(0.0, 0.00004), "[0.0, <0.1]");
        assert_eq!(percent_interval(0.99957, 1.0), "[>99.9, 100.0]");
        assert_eq!(percent_interval(0.529, 0.535), "[52.9, 53.5]");
        assert_eq!(
            percent_with_interval(0.0003, 0.00021, 0.00043),
            "<0.1% [<0.1, <0.1]"
        );
    }

    #[test]
    fn values_keep_about_four_digits() {
        assert_eq!(value(22156.69), "22157");
        assert_eq!(value(1.6), "1.6");
        assert_eq!(value(0.0123), "0.0123");
        assert_eq!(value(54.0), "54");
        assert_eq!(value(-3.25), "-3.25");
    }
}
