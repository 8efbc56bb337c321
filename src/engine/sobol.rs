//! Scrambled Sobol points for the trend scores (`sampling = "sobol"`).
//!
//! Dimension d of path p is coordinate d of point p of the Sobol sequence in Gray-code order
//! (Antonov & Saleev 1979), with the direction numbers of Joe & Kuo (2008) for up to
//! [`DIMENSIONS`] dimensions. The point index is the global path index, so a path's point does not
//! depend on threads, chunks or shards, and the first 2^k paths always form a full net.
//!
//! Each dimension is Owen-scrambled (nested uniform scrambling) with the hash-based method of
//! Burley, "Practical Hash-based Owen Scrambling", JCGT 9(4) 2020, using the improved
//! Laine–Karras-style hash of Vegdahl, "Building a Better LK Hash" (2021): on bit-reversed
//! integers, each output bit depends only on itself and the bits below it, which is what makes
//! the permutation an Owen scramble. The scramble is keyed by (seed, indicator id), so every seed
//! gives an independent randomisation and the error across seeds is a fair Monte Carlo error.
//! The 32 scrambled bits are completed with 21 pseudo-random bits below them (a random point
//! inside the finest cell), giving a uniform in (0, 1) with full double precision.

use super::rng::{self, open_uniform, Stream};
use std::sync::OnceLock;

/// Number of dimensions with Sobol points; trend scores beyond it are pseudo-random.
pub const DIMENSIONS: usize = crate::model::SOBOL_DIMENSIONS;

/// Bits of each Sobol coordinate (and so at most 2^32 distinct points).
const BITS: usize = 32;

const JOE_KUO: &str = include_str!("sobol_joe_kuo_256.txt");

/// Direction vectors: directions()[d][k] for bit k (0-based) of the Gray code.
fn directions() -> &'static [[u32; BITS]] {
    static TABLE: OnceLock<Vec<[u32; BITS]>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = Vec::with_capacity(DIMENSIONS);
        // First dimension: the van der Corput sequence in base 2.
        let mut first = [0u32; BITS];
        for (k, v) in first.iter_mut().enumerate() {
            *v = 1u32 << (31 - k);
        }
        table.push(first);
        // The others from (s, a, m_1..m_s), as in Joe & Kuo's reference implementation.
        for line in JOE_KUO.lines() {
            let fields: Vec<u64> = line
                .split_whitespace()
                .map_while(|f| f.parse().ok())
                .collect();
            if line.starts_with('#') || fields.len() < 4 {
                continue;
            }
            let (s, a) = (fields[1] as usize, fields[2] as u32);
            let m = &fields[3..3 + s];
            let mut v = [0u32; BITS];
            for k in 0..BITS {
                v[k] = if k < s {
                    (m[k] as u32) << (31 - k)
                } else {
                    let mut x = v[k - s] ^ (v[k - s] >> s);
                    for i in 1..s {
                        if (a >> (s - 1 - i)) & 1 == 1 {
                            x ^= v[k - i];
                        }
                    }
                    x
                };
            }
            table.push(v);
        }
        debug_assert_eq!(table.len(), DIMENSIONS);
        table
    })
}

/// The unscrambled Sobol coordinate `dimension` of point `index` (Gray-code order).
pub fn point(index: u64, dimension: usize) -> u32 {
    let v = &directions()[dimension];
    let gray = (index ^ (index >> 1)) as u32;
    (0..BITS)
        .filter(|&k| (gray >> k) & 1 == 1)
        .fold(0, |x, k| x ^ v[k])
}

/// Owen scramble of a coordinate with a 32-bit key (Burley 2020 with Vegdahl's hash).
#[inline]
pub fn owen_scramble(x: u32, key: u32) -> u32 {
    let mut n = x.reverse_bits();
    n ^= n.wrapping_mul(0x3d20_adea);
    n = n.wrapping_add(key);
    n = n.wrapping_mul((key >> 16) | 1);
    n ^= n.wrapping_mul(0x0552_6c56);
    n ^= n.wrapping_mul(0x53a2_2864);
    n.reverse_bits()
}

/// The scramble key of one dimension for a seed: from the indicator's stream key, so that it
/// does not depend on the order of the indicators.
pub fn scramble_key(seed: u64, indicator_key: u64) -> u32 {
    (rng::mix(rng::mix(seed ^ 0x50B0_150B_0150_B015) ^ indicator_key) >> 32) as u32
}

/// Fills `out` with uniforms in (0, 1) for paths `first_path ..`, dimension `dimension`
/// (< [`DIMENSIONS`]); the bits below the Sobol resolution come from `jitter`.
pub fn fill_uniforms(
    out: &mut [f64],
    first_path: u64,
    dimension: usize,
    key: u32,
    jitter: &mut Stream,
) {
    let v = &directions()[dimension];
    let mut x = point(first_path, dimension);
    const SCALE: f64 = 1.0 / 4_294_967_296.0;
    for (p, u) in out.iter_mut().enumerate() {
        let index = first_path + p as u64;
        if p > 0 {
            // Gray code: the next point differs by the direction of the lowest set bit.
            x ^= v[index.trailing_zeros() as usize];
        }
        let scrambled = owen_scramble(x, key) as f64;
        *u = (scrambled + open_uniform(jitter)) * SCALE;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_has_every_dimension() {
        assert_eq!(directions().len(), DIMENSIONS);
    }

    /// The first points of dimensions 1 to 3 of the Joe–Kuo sequence (natural order
    /// 0, 1/2, 3/4, 1/4, 3/8, ... in dimension 2; here in Gray-code order, so index i gives the
    /// natural point gray(i)): for every dimension, 2^m consecutive aligned points put exactly one
    /// point into each interval of width 2^-m (a (0, m, 1)-net).
    #[test]
    fn every_dimension_is_stratified() {
        for d in 0..DIMENSIONS {
            for m in [1u32, 4, 8, 10] {
                let n = 1u64 << m;
                for start in [0u64, n, 5 * n] {
                    let mut seen = vec![false; n as usize];
                    for i in start..start + n {
                        let cell = (point(i, d) >> (32 - m)) as usize;
                        assert!(!seen[cell], "dimension {d}, m {m}: cell {cell} twice");
                        seen[cell] = true;
                    }
                }
            }
        }
    }

    /// Dimension 2 in natural order starts 0, 1/2, 3/4, 1/4 (Joe & Kuo, s = 1, m = 1).
    #[test]
    fn second_dimension_matches_the_published_sequence() {
        let natural = |i: u64| {
            // Gray-code index whose gray code is i.
            let mut g = i;
            let mut shift = 1;
            while shift < 64 {
                g ^= g >> shift;
                shift <<= 1;
            }
            point(g, 1) as f64 / 4_294_967_296.0
        };
        assert_eq!(
            [natural(0), natural(1), natural(2), natural(3)],
            [0.0, 0.5, 0.75, 0.25]
        );
    }

    /// Owen scrambling keeps the stratification (it permutes the elementary intervals).
    #[test]
    fn scrambling_keeps_the_net() {
        for key in [0u32, 1, 0xdead_beef] {
            let n = 1u64 << 10;
            let mut seen = vec![false; n as usize];
            for i in 0..n {
                let cell = (owen_scramble(point(i, 3), key) >> 22) as usize;
                assert!(!seen[cell]);
                seen[cell] = true;
            }
        }
    }

    /// The first two dimensions form a (0, m, 2)-net, scrambled or not: 2^10 points put exactly
    /// one point in each cell of a 32 x 32 grid (and of a 2 x 512 and 512 x 2 one).
    #[test]
    fn first_two_dimensions_are_a_two_dimensional_net() {
        for key in [None, Some((7u32, 99u32))] {
            for (bits_x, bits_y) in [(5u32, 5u32), (1, 9), (9, 1)] {
                let mut seen = vec![false; 1 << 10];
                for i in 0..1u64 << 10 {
                    let (mut x, mut y) = (point(i, 0), point(i, 1));
                    if let Some((kx, ky)) = key {
                        x = owen_scramble(x, kx);
                        y = owen_scramble(y, ky);
                    }
                    let cell = (((x >> (32 - bits_x)) << bits_y) | (y >> (32 - bits_y))) as usize;
                    assert!(
                        !seen[cell],
                        "cell {cell} twice ({bits_x}, {bits_y}, {key:?})"
                    );
                    seen[cell] = true;
                }
            }
        }
    }

    #[test]
    fn incremental_points_equal_direct_points() {
        let mut jitter = rng::stream(1, 0, rng::Purpose::Trend, 9);
        let mut out = vec![0.0; 300];
        let key = 12345;
        fill_uniforms(&mut out, 1000, 7, key, &mut jitter);
        for (p, &u) in out.iter().enumerate() {
            let direct = owen_scramble(point(1000 + p as u64, 7), key);
            assert_eq!((u * 4_294_967_296.0) as u32, direct);
            assert!(u > 0.0 && u < 1.0);
        }
    }
}
