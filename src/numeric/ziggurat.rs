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
/// the draws. With AVX-512 when the processor has it (eight draws a register); the same
/// normals either way.
pub fn fill_normals(words: &[u64], out: &mut [f64], more: &mut impl FnMut() -> u64) {
    assert_eq!(words.len(), out.len(), "one word per draw");
    let t = tables();
    #[cfg(target_arch = "x86_64")]
    if let Some(done) = avx512::fill_normals_if_available(t, words, out, more) {
        return fill_normals_scalar(t, &words[done..], &mut out[done..], more);
    }
    fill_normals_scalar(t, words, out, more)
}

/// [`fill_normals`] a draw at a time.
#[inline(always)]
fn fill_normals_scalar(t: &Tables, words: &[u64], out: &mut [f64], more: &mut impl FnMut() -> u64) {
    for (o, &word) in out.iter_mut().zip(words) {
        let (i, u, x) = first_try(t, word);
        *o = if x.abs() < t.x[i + 1] {
            x
        } else {
            rejected(t, i, u, x, more)
        };
    }
}

/// A draw's layer, signed uniform and candidate from its first word.
#[inline(always)]
fn first_try(t: &Tables, word: u64) -> (usize, f64, f64) {
    let i = (word & 0xff) as usize;
    let u = signed_unit52(word);
    (i, u, u * t.x[i])
}

/// The AVX-512 form of [`fill_normals`], built by compilers from Rust 1.89 (whose AVX-512
/// intrinsics it uses).
#[cfg(target_arch = "x86_64")]
mod avx512 {
    use super::Tables;

    /// Draws the normals of whole groups of eight words with AVX-512 if the processor has it
    /// (and the compiler could build it): the number of draws made (the rest are the caller's).
    #[rustversion::since(1.89)]
    pub(super) fn fill_normals_if_available(
        t: &Tables,
        words: &[u64],
        out: &mut [f64],
        more: &mut impl FnMut() -> u64,
    ) -> Option<usize> {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the processor has AVX-512F, the one feature the function is compiled for.
            return Some(unsafe { fill_normals(t, words, out, more) });
        }
        None
    }

    /// Without a compiler that builds the AVX-512 form: no draw made.
    #[rustversion::before(1.89)]
    pub(super) fn fill_normals_if_available(
        _t: &Tables,
        _words: &[u64],
        _out: &mut [f64],
        _more: &mut impl FnMut() -> u64,
    ) -> Option<usize> {
        None
    }

    /// Eight draws at a time: the same operations as [`super::fill_normals_scalar`] in each
    /// lane (the layer's edges gathered from the table), every candidate stored, then the
    /// rejected ones of the eight, in order, replaced by [`super::rejected`]: the further words
    /// are taken in the order of the draws, as one draw at a time takes them. Returns the
    /// number of draws made (`words.len()` rounded down to a multiple of eight).
    ///
    /// # Safety
    /// The processor must have AVX-512F.
    #[rustversion::since(1.89)]
    #[target_feature(enable = "avx512f")]
    unsafe fn fill_normals(
        t: &Tables,
        words: &[u64],
        out: &mut [f64],
        more: &mut impl FnMut() -> u64,
    ) -> usize {
        use std::arch::x86_64::*;
        let n = words.len().min(out.len()) / 8 * 8;
        let edges = t.x.as_ptr();
        for (group, draws) in words[..n].chunks_exact(8).zip(out[..n].chunks_exact_mut(8)) {
            // SAFETY: `group` is eight u64 (64 bytes) of readable memory; unaligned load.
            let w = unsafe { _mm512_loadu_si512(group.as_ptr().cast()) };
            // Layer i = the low 8 bits (below 256, so x[i] and x[i + 1] are in the table).
            let i = _mm512_and_si512(w, _mm512_set1_epi64(0xff));
            // `signed_unit52`: 2^1 times 1.(high 52 bits), less 3.
            let g = _mm512_or_si512(
                _mm512_srli_epi64::<12>(w),
                _mm512_set1_epi64(0x4000_0000_0000_0000),
            );
            let u = _mm512_sub_pd(_mm512_castsi512_pd(g), _mm512_set1_pd(3.0));
            // SAFETY: every index is below 256 and the table has 257 entries, so both gathers
            // read inside it.
            let (edge, next_edge) = unsafe {
                (
                    _mm512_i64gather_pd::<8>(i, edges.cast()),
                    _mm512_i64gather_pd::<8>(i, edges.add(1).cast()),
                )
            };
            let x = _mm512_mul_pd(u, edge);
            // Rejected unless |x| < x[i + 1] (as the scalar test: not less, or unordered).
            let rejected = _mm512_cmp_pd_mask::<_CMP_NLT_UQ>(_mm512_abs_pd(x), next_edge);
            // SAFETY: `draws` is eight f64 (64 bytes) of writable memory; unaligned store.
            unsafe { _mm512_storeu_pd(draws.as_mut_ptr(), x) };
            let mut rest = rejected;
            while rest != 0 {
                let lane = rest.trailing_zeros() as usize;
                rest &= rest - 1;
                let (i, u, x) = super::first_try(t, group[lane]);
                draws[lane] = super::rejected(t, i, u, x, more);
            }
        }
        n
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

    /// The dispatched draws (eight a register where the processor has AVX-512) against the
    /// scalar loop: the same normals, bit for bit, and the same further words taken in the same
    /// order, for rows of every length modulo eight, with rejected draws of every kind (wedge,
    /// tail, a second word) at varied positions.
    #[test]
    fn every_form_gives_the_scalar_draws() {
        let t = tables();
        let mut x = 0x0bad_5eed_u64;
        let mut next = move || {
            x = crate::engine::rng::mix(x);
            x
        };
        for len in (0..40).chain([255, 256, 1024, 10_003]) {
            let mut words: Vec<u64> = (0..len).map(|_| next()).collect();
            // Tail draws (layer 0, |u| near 1) and wedge draws (|u| near 1 in an upper layer)
            // at a few positions.
            for (k, word) in words.iter_mut().enumerate().filter(|(k, _)| k % 7 == 3) {
                *word = (u64::MAX << 8) ^ (*word & 0x8000_0000_0000_0000) | (k as u64 % 3 * 90);
            }
            // The further words, logged so that their order shows.
            fn further(len: usize, log: &mut Vec<u64>) -> impl FnMut() -> u64 + '_ {
                let mut n = 0u64;
                move || {
                    n += 1;
                    let word = crate::engine::rng::mix(n ^ len as u64);
                    log.push(word);
                    word
                }
            }
            let (mut scalar_log, mut log) = (Vec::new(), Vec::new());
            let mut scalar = vec![0.0; words.len()];
            fill_normals_scalar(t, &words, &mut scalar, &mut further(len, &mut scalar_log));
            let mut dispatched = vec![0.0; words.len()];
            fill_normals(&words, &mut dispatched, &mut further(len, &mut log));
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&dispatched), bits(&scalar), "len {len}");
            assert_eq!(log, scalar_log, "len {len}: further words");
            if len >= 1024 {
                assert!(
                    scalar_log.len() > 100,
                    "rejections exercised: {}",
                    scalar_log.len()
                );
            }
        }
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
