//! Standard normal draws by the ziggurat method of Marsaglia & Tsang (2000, "The ziggurat
//! method for generating random variables", Journal of Statistical Software 5), with 256 layers
//! and the tail method of Marsaglia (1964), as `rand_distr::StandardNormal` does, but taking a
//! row's random words as one block: a word gives a normal at once in about 98.8% of draws
//! (its low 8 bits pick the layer, its high 52 bits the signed position in it), and only the
//! others draw more words, from the generator, after the block.

use super::open_unit;
use std::sync::OnceLock;

/// Start of the tail (the right edge of the base layer's rectangle).
const R: f64 = 3.654_152_885_361_009;
/// Area of every layer (the base layer's includes the tail).
const V: f64 = 0.004_928_673_233_99;

/// `x[0..=256]`: the layers' right edges (`x[0] = V / f(R)`, the base layer's virtual width;
/// `x[1] = R`; `x[256] = 0`), and `f[i] = exp(-x[i]^2 / 2)`.
struct Tables {
    x: [f64; 257],
    f: [f64; 257],
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let density = |x: f64| (-0.5 * x * x).exp();
        let mut x = [0.0; 257];
        x[0] = V / density(R);
        x[1] = R;
        for i in 2..256 {
            x[i] = (-2.0 * (V / x[i - 1] + density(x[i - 1])).ln()).sqrt();
        }
        x[256] = 0.0;
        let f = x.map(density);
        Tables { x, f }
    })
}

/// The uniform in [-1, 1) of a word's high 52 bits, `2 u - 1` for the uniform `u` in [0, 1)
/// of those bits (`2.0 * (f - 1.0) - 1.0` with `f` in [1, 2) holding them), computed as
/// `g - 3.0` with `g = 2 f` in [2, 4) holding them: every step of either form is exact (a
/// difference within a factor of two of its operands, a doubling, a multiple of 2^-51 of
/// magnitude at most 1), so both give the same bits, and this one takes one operation instead
/// of three.
#[inline(always)]
fn signed_unit52(word: u64) -> f64 {
    f64::from_bits(0x4000_0000_0000_0000 | (word >> 12)) - 3.0
}

/// Fills `out` with standard normals: `words` (as long as `out`) are the first word of each
/// draw, in order, and `more` gives the further words the rare rejected draws need, in order of
/// the draws.
pub fn fill_normals(words: &[u64], out: &mut [f64], more: &mut impl FnMut() -> u64) {
    assert_eq!(words.len(), out.len(), "one word per draw");
    let t = tables();
    for (o, &word) in out.iter_mut().zip(words) {
        let i = (word & 0xff) as usize;
        let u = signed_unit52(word);
        let x = u * t.x[i];
        *o = if x.abs() < t.x[i + 1] {
            x
        } else {
            rejected(t, i, u, x, more)
        };
    }
}

/// The rest of a draw whose first word fell outside its layer's rectangle: the wedge test, the
/// tail, or a new word.
#[cold]
#[inline(never)]
fn rejected(
    t: &Tables,
    mut i: usize,
    mut u: f64,
    mut x: f64,
    more: &mut impl FnMut() -> u64,
) -> f64 {
    loop {
        if i == 0 {
            // The tail beyond R (Marsaglia 1964).
            loop {
                let a = open_unit(more()).ln() / R;
                let b = open_unit(more()).ln();
                if -2.0 * b >= a * a {
                    return if u < 0.0 { a - R } else { R - a };
                }
            }
        }
        if t.f[i + 1] + (t.f[i] - t.f[i + 1]) * open_unit(more()) < (-0.5 * x * x).exp() {
            return x;
        }
        let word = more();
        i = (word & 0xff) as usize;
        u = signed_unit52(word);
        x = u * t.x[i];
        if x.abs() < t.x[i + 1] {
            return x;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_have_equal_areas_and_close_at_zero() {
        let t = tables();
        for i in 1..256 {
            // Rectangle i spans [0, x[i]] in x and [f[i], f[i + 1]] in y. The top one closes
            // at the mode only as exactly as R and V are given (to about 1e-11).
            let area = t.x[i] * (t.f[i + 1] - t.f[i]);
            let tolerance = if i < 255 { 1e-12 } else { 1e-11 };
            assert!((area - V).abs() < tolerance, "layer {i}: area {area}");
        }
        // The top layer ends at the mode within the precision of the constants.
        assert!(t.x[255] > 0.0 && t.x[255] < 0.3, "{}", t.x[255]);
        assert!((t.x[0] * t.f[1] - V).abs() < 1e-15);
    }

    #[test]
    fn signed_units_are_twice_the_unit_less_one() {
        // The form the draws were defined with: the uniform of the high 52 bits, doubled, less 1.
        let defined =
            |word: u64| 2.0 * (f64::from_bits(0x3FF0_0000_0000_0000 | (word >> 12)) - 1.0) - 1.0;
        let mut words = vec![
            0,
            u64::MAX,
            1 << 63,
            (1 << 63) - 1,
            0xfff,
            1 << 12,
            0x8000_0000_0000_0fff,
        ];
        let mut x = 0x1234_5678_9abc_def0u64;
        for _ in 0..100_000 {
            x = crate::engine::rng::mix(x);
            words.push(x);
        }
        for word in words {
            assert_eq!(
                signed_unit52(word).to_bits(),
                defined(word).to_bits(),
                "{word:#x}"
            );
        }
    }
}
