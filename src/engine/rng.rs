//! Reproducible random streams.
//!
//! Every stream is a Xoshiro256++ generator (Blackman & Vigna 2021; `rand_xoshiro`, pinned by
//! Cargo.lock) seeded through SplitMix64 from (seed, chunk index, purpose, key). The key is a
//! hash of the indicator or event id, so each indicator's draws do not move when another
//! indicator or event is added: comparisons between scenario variants use common random numbers.
//! Normals come from `rand_distr::StandardNormal` (ziggurat). Nothing depends on the thread
//! that runs a chunk.

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// What a stream is used for; each purpose has its own streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Purpose {
    /// Per-path trend scores.
    Trend = 1,
    /// Yearly shocks.
    Noise = 2,
    /// Event strikes and effect sizes.
    Event = 3,
    /// Poisson additions of count indicators.
    Count = 4,
    /// Shock states at the last observation (posterior trends).
    State = 5,
    /// Exits (binomial thinning) of count indicators with an `exit` share.
    Exit = 6,
}

/// The generator used for every stream.
pub type Stream = Xoshiro256PlusPlus;

/// SplitMix64 finaliser (Steele, Lea & Flood 2014): a bijective 64-bit mixer.
#[inline]
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a hash of an id: a stable key that does not depend on declaration order.
pub fn key_of(id: &str) -> u64 {
    id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The stream for (seed, chunk, purpose, key).
pub fn stream(seed: u64, chunk: u64, purpose: Purpose, key: u64) -> Stream {
    let state = mix(mix(mix(seed) ^ chunk)
        ^ (purpose as u64).wrapping_mul(0x2545_F491_4F6C_DD1D)
        ^ mix(key));
    Xoshiro256PlusPlus::seed_from_u64(state)
}

/// A uniform in the open interval (0, 1) from 53 random bits.
#[inline]
pub fn open_uniform<R: rand::RngCore>(rng: &mut R) -> f64 {
    ((rng.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
}

/// A keyed pseudo-random permutation of `0..n` evaluated at one point, with no memory: a
/// four-round Feistel network on the smallest even number of bits covering `n`, with cycle
/// walking (Black & Rogaway 2002). Used by Latin hypercube sampling to give each path its stratum.
#[derive(Debug, Clone, Copy)]
pub struct Permutation {
    n: u64,
    half_bits: u32,
    key: u64,
}

impl Permutation {
    /// A permutation of `0..n` (n >= 1) selected by `key`.
    pub fn new(n: u64, key: u64) -> Self {
        let bits = 64 - n.saturating_sub(1).leading_zeros();
        Permutation {
            n,
            half_bits: bits.div_ceil(2).max(1),
            key,
        }
    }

    /// The image of `i` (< n).
    pub fn apply(&self, i: u64) -> u64 {
        let mut x = i;
        loop {
            x = self.feistel(x);
            if x < self.n {
                return x;
            }
        }
    }

    fn feistel(&self, x: u64) -> u64 {
        let mask = (1u64 << self.half_bits) - 1;
        let (mut left, mut right) = (x >> self.half_bits, x & mask);
        for round in 0..4u64 {
            let f = mix(self.key ^ mix(right ^ (round << 60))) & mask;
            (left, right) = (right, left ^ f);
        }
        (left << self.half_bits) | right
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permutation_is_a_bijection() {
        for n in [1u64, 2, 3, 7, 100, 1000, 4097] {
            let p = Permutation::new(n, 42);
            let mut seen = vec![false; n as usize];
            for i in 0..n {
                let j = p.apply(i) as usize;
                assert!(!seen[j], "n={n}: {j} hit twice");
                seen[j] = true;
            }
        }
    }

    #[test]
    fn streams_differ_by_every_coordinate() {
        use rand::RngCore;
        let a = stream(1, 0, Purpose::Trend, 5).next_u64();
        assert_ne!(a, stream(2, 0, Purpose::Trend, 5).next_u64());
        assert_ne!(a, stream(1, 1, Purpose::Trend, 5).next_u64());
        assert_ne!(a, stream(1, 0, Purpose::Noise, 5).next_u64());
        assert_ne!(a, stream(1, 0, Purpose::Trend, 6).next_u64());
        assert_eq!(a, stream(1, 0, Purpose::Trend, 5).next_u64());
    }
}
