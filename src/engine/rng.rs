//! Reproducible random streams.
//!
//! Every stream is a batched Xoshiro256++ generator (Blackman & Vigna 2021): [`LANES`] independent
//! Xoshiro256++ states stepped side by side in vector registers (one 512-bit register per state
//! word with AVX-512, two 256-bit ones with AVX2, chosen at run time; the portable loop elsewhere,
//! all giving the same words), and one step yields [`LANES`] words. The stream's words are the
//! lanes' outputs interleaved step by step (lane 0, lane 1, .., lane 7 of step 0, then of step 1,
//! ..), produced a block at a time into a small buffer ([`Stream::next_word`]) or straight into a
//! caller's slice ([`Stream::fill_words`]); both give the same sequence. The lanes are seeded
//! through SplitMix64 from one word derived from (seed, chunk index, purpose, key). The key is a
//! hash of the indicator or event id, so each indicator's draws do not move when another indicator
//! or event is added: comparisons between scenario variants use common random numbers. Normals come
//! from the engine's ziggurat ([`crate::numeric::ziggurat`]) on the stream's words. Nothing depends
//! on the thread that runs a chunk.

use rand::RngCore;

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

/// Xoshiro256++ states stepped side by side in one [`Stream`].
pub const LANES: usize = 8;

/// Words a [`Stream`] produces into its buffer at a time (16 steps of every lane).
const BLOCK: usize = 16 * LANES;

/// A batched Xoshiro256++ generator: [`LANES`] states, words interleaved by step (see the module
/// documentation). Implements [`RngCore`], so every sampler that takes a generator takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stream {
    /// `state[w][lane]`: word `w` of each lane's state (word-major, so each step is
    /// element-wise over arrays of [`LANES`] words).
    state: [[u64; LANES]; 4],
    buffer: [u64; BLOCK],
    /// Next unread position in `buffer` ([`BLOCK`] when empty).
    next: usize,
}

/// One Xoshiro256++ step of every lane: the lanes' outputs.
#[inline(always)]
fn step(state: &mut [[u64; LANES]; 4]) -> [u64; LANES] {
    let [s0, s1, s2, s3] = state;
    let mut out = [0u64; LANES];
    for l in 0..LANES {
        out[l] = s0[l]
            .wrapping_add(s3[l])
            .rotate_left(23)
            .wrapping_add(s0[l]);
        let t = s1[l] << 17;
        s2[l] ^= s0[l];
        s3[l] ^= s1[l];
        s1[l] ^= s2[l];
        s0[l] ^= s3[l];
        s2[l] ^= t;
        s3[l] = s3[l].rotate_left(45);
    }
    out
}

/// Whole steps of every lane into `out` (a multiple of [`LANES`] long), in stream order: with
/// AVX-512 or AVX2 when the processor has it (one 512-bit register per state word, or two
/// 256-bit ones), otherwise the portable loop; all give the same words.
fn fill_steps(state: &mut [[u64; LANES]; 4], out: &mut [u64]) {
    #[cfg(target_arch = "x86_64")]
    {
        if avx512::fill_steps_if_available(state, out) {
            return;
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the processor has AVX2, the one feature the function is compiled for.
            return unsafe { avx2::fill_steps(state, out) };
        }
    }
    fill_steps_portable(state, out)
}

/// The portable form of [`fill_steps`].
fn fill_steps_portable(state: &mut [[u64; LANES]; 4], out: &mut [u64]) {
    let mut local = *state;
    for block in out.chunks_exact_mut(LANES) {
        block.copy_from_slice(&step(&mut local));
    }
    *state = local;
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::LANES;
    use std::arch::x86_64::*;

    /// Rotation left by `L` of each 64-bit lane (`R = 64 - L`).
    ///
    /// # Safety
    /// The processor must have AVX2. (Unsafe rather than a safe function with the target
    /// feature, which needs Rust 1.86; the crate builds with 1.85.)
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn rotl<const L: i32, const R: i32>(x: __m256i) -> __m256i {
        _mm256_or_si256(_mm256_slli_epi64::<L>(x), _mm256_srli_epi64::<R>(x))
    }

    /// [`super::fill_steps`] with AVX2: the same operations as [`super::step`], four lanes a
    /// register, two registers per state word.
    ///
    /// # Safety
    /// The processor must have AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn fill_steps(state: &mut [[u64; LANES]; 4], out: &mut [u64]) {
        const HALF: usize = LANES / 2;
        debug_assert_eq!(HALF, 4);
        let load = |w: &[u64; LANES], h: usize| {
            _mm256_set_epi64x(
                w[4 * h + 3] as i64,
                w[4 * h + 2] as i64,
                w[4 * h + 1] as i64,
                w[4 * h] as i64,
            )
        };
        let mut s = [[_mm256_setzero_si256(); 2]; 4];
        for (w, word) in state.iter().enumerate() {
            for (h, register) in s[w].iter_mut().enumerate() {
                *register = load(word, h);
            }
        }
        for block in out.chunks_exact_mut(LANES) {
            for h in 0..2 {
                let [s0, s1, s2, s3] = [s[0][h], s[1][h], s[2][h], s[3][h]];
                let result = _mm256_add_epi64(rotl::<23, 41>(_mm256_add_epi64(s0, s3)), s0);
                let t = _mm256_slli_epi64::<17>(s1);
                let s2 = _mm256_xor_si256(s2, s0);
                let s3 = _mm256_xor_si256(s3, s1);
                let s1 = _mm256_xor_si256(s1, s2);
                let s0 = _mm256_xor_si256(s0, s3);
                let s2 = _mm256_xor_si256(s2, t);
                let s3 = rotl::<45, 19>(s3);
                [s[0][h], s[1][h], s[2][h], s[3][h]] = [s0, s1, s2, s3];
                let target = &mut block[4 * h..4 * h + 4];
                // SAFETY: `target` is four u64 (32 bytes) of writable memory; the store is
                // unaligned.
                unsafe { _mm256_storeu_si256(target.as_mut_ptr().cast(), result) };
            }
        }
        for (w, word) in state.iter_mut().enumerate() {
            for h in 0..2 {
                let mut lanes = [0u64; 4];
                // SAFETY: `lanes` is 32 bytes of writable memory; the store is unaligned.
                unsafe { _mm256_storeu_si256(lanes.as_mut_ptr().cast(), s[w][h]) };
                word[4 * h..4 * h + 4].copy_from_slice(&lanes);
            }
        }
    }
}

/// The AVX-512 form of [`fill_steps`], built by compilers from Rust 1.89 (whose AVX-512
/// intrinsics it uses; the crate builds with 1.85, where this form is absent and AVX2 serves).
#[cfg(target_arch = "x86_64")]
mod avx512 {
    use super::LANES;

    /// Fills `out` as [`super::fill_steps`] does, with AVX-512, if the processor has it (and
    /// the compiler could build it); whether it did.
    #[rustversion::since(1.89)]
    pub(super) fn fill_steps_if_available(state: &mut [[u64; LANES]; 4], out: &mut [u64]) -> bool {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the processor has AVX-512F, the one feature the function is compiled for.
            unsafe { fill_steps(state, out) };
            return true;
        }
        false
    }

    /// Without a compiler that builds the AVX-512 form: never filled.
    #[rustversion::before(1.89)]
    pub(super) fn fill_steps_if_available(
        _state: &mut [[u64; LANES]; 4],
        _out: &mut [u64],
    ) -> bool {
        false
    }

    /// [`super::fill_steps`] with AVX-512: the same operations as [`super::step`], the eight
    /// lanes of a state word in one register, each rotation one instruction (with AVX2 it is
    /// three, and the lanes take two registers): the stream's words in about 0.6 of the time.
    ///
    /// # Safety
    /// The processor must have AVX-512F.
    #[rustversion::since(1.89)]
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn fill_steps(state: &mut [[u64; LANES]; 4], out: &mut [u64]) {
        use std::arch::x86_64::*;
        const _: () = assert!(LANES == 8, "one 512-bit register holds the eight lanes");
        let mut s = [_mm512_setzero_si512(); 4];
        for (register, word) in s.iter_mut().zip(state.iter()) {
            // SAFETY: a state word is eight u64, 64 bytes of readable memory; the load is
            // unaligned.
            *register = unsafe { _mm512_loadu_si512(word.as_ptr().cast()) };
        }
        let [mut s0, mut s1, mut s2, mut s3] = s;
        for block in out.chunks_exact_mut(LANES) {
            let result = _mm512_add_epi64(_mm512_rol_epi64::<23>(_mm512_add_epi64(s0, s3)), s0);
            let t = _mm512_slli_epi64::<17>(s1);
            s2 = _mm512_xor_si512(s2, s0);
            s3 = _mm512_xor_si512(s3, s1);
            s1 = _mm512_xor_si512(s1, s2);
            s0 = _mm512_xor_si512(s0, s3);
            s2 = _mm512_xor_si512(s2, t);
            s3 = _mm512_rol_epi64::<45>(s3);
            // SAFETY: `block` is eight u64, 64 bytes of writable memory; the store is
            // unaligned.
            unsafe { _mm512_storeu_si512(block.as_mut_ptr().cast(), result) };
        }
        for (word, register) in state.iter_mut().zip([s0, s1, s2, s3]) {
            // SAFETY: as the loads.
            unsafe { _mm512_storeu_si512(word.as_mut_ptr().cast(), register) };
        }
    }
}

impl Stream {
    /// A stream seeded from one word: the lanes' states are the successive outputs of
    /// SplitMix64 started at `seed` (lane 0 takes the first four, lane 1 the next four, ...).
    pub fn seed_from_u64(seed: u64) -> Self {
        let mut x = seed;
        let mut state = [[0u64; LANES]; 4];
        for lane in 0..LANES {
            for word in state.iter_mut() {
                word[lane] = mix(x);
                x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            }
        }
        Stream {
            state,
            buffer: [0; BLOCK],
            next: BLOCK,
        }
    }

    #[cold]
    #[inline(never)]
    fn refill(&mut self) {
        fill_steps(&mut self.state, &mut self.buffer);
        self.next = 0;
    }

    /// The next word of the stream.
    #[inline(always)]
    pub fn next_word(&mut self) -> u64 {
        if self.next >= BLOCK {
            self.refill();
        }
        let word = self.buffer[self.next];
        self.next += 1;
        word
    }

    /// The next `out.len()` words of the stream, in order: the same words as as many calls of
    /// [`Stream::next_word`], but whole steps go straight into `out` (a loop the compiler
    /// vectorises).
    pub fn fill_words(&mut self, out: &mut [u64]) {
        let buffered = (BLOCK - self.next).min(out.len());
        let (head, rest) = out.split_at_mut(buffered);
        head.copy_from_slice(&self.buffer[self.next..self.next + buffered]);
        self.next += buffered;
        if rest.is_empty() {
            return;
        }
        // The buffer is empty now: whole steps directly.
        let whole = rest.len() / LANES * LANES;
        let (steps, remainder) = rest.split_at_mut(whole);
        fill_steps(&mut self.state, steps);
        for w in remainder {
            *w = self.next_word();
        }
    }

    /// Fills `out` with open uniforms ([`open_uniform`]), the next `out.len()` words in order.
    pub fn fill_open_uniforms(&mut self, out: &mut [f64]) {
        let mut words = [0u64; 256];
        for part in out.chunks_mut(words.len()) {
            let words = &mut words[..part.len()];
            self.fill_words(words);
            for (u, &w) in part.iter_mut().zip(words.iter()) {
                *u = uniform_of(w);
            }
        }
    }

    /// Fills `out` with standard normals ([`crate::numeric::ziggurat`]): in portions of 256
    /// draws, the first word of each draw of the portion as one block, then the further words
    /// of its rejected draws (about 1.2% of them), in order.
    ///
    /// Never inlined: inside the engine's large loop body the draw loop lost its constants
    /// and table address to register pressure (19 instructions a normal instead of 16).
    #[inline(never)]
    pub fn fill_normals(&mut self, out: &mut [f64]) {
        let mut words = [0u64; 256];
        for part in out.chunks_mut(words.len()) {
            let words = &mut words[..part.len()];
            self.fill_words(words);
            crate::numeric::ziggurat::fill_normals(words, part, &mut || self.next_word());
        }
    }
}

impl RngCore for Stream {
    #[inline(always)]
    fn next_u32(&mut self) -> u32 {
        (self.next_word() >> 32) as u32
    }

    #[inline(always)]
    fn next_u64(&mut self) -> u64 {
        self.next_word()
    }

    fn fill_bytes(&mut self, dst: &mut [u8]) {
        rand::rand_core::impls::fill_bytes_via_next(self, dst)
    }
}

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
    Stream::seed_from_u64(state)
}

/// The open uniform of one word: `(w >> 11) + 1/2` times 2^-53 ([`crate::numeric::open_unit`]).
#[inline(always)]
pub fn uniform_of(word: u64) -> f64 {
    crate::numeric::open_unit(word)
}

/// A uniform in the open interval (0, 1) from 53 random bits.
#[inline]
pub fn open_uniform<R: rand::RngCore>(rng: &mut R) -> f64 {
    uniform_of(rng.next_u64())
}

/// A keyed pseudo-random permutation of `0..n` evaluated at one point, with no memory: a
/// four-round Feistel network on the smallest even number of bits covering `n`, with cycle
/// walking (Black & Rogaway 2002). Used by Latin hypercube sampling to give each path its stratum.
///
/// Each round's function is a multiply-xorshift-multiply hash of the right half and the round's
/// key, of which the top bits are kept (two multiplications a round, where two SplitMix64
/// finalisers took four): the strata need a permutation that looks random, not a
/// cryptographic one.
#[derive(Debug, Clone, Copy)]
pub struct Permutation {
    n: u64,
    half_bits: u32,
    keys: [u64; 4],
}

impl Permutation {
    /// A permutation of `0..n` (n >= 1) selected by `key`.
    pub fn new(n: u64, key: u64) -> Self {
        let bits = 64 - n.saturating_sub(1).leading_zeros();
        let mut keys = [0u64; 4];
        for (round, k) in keys.iter_mut().enumerate() {
            *k = mix(key ^ mix(round as u64));
        }
        Permutation {
            n,
            half_bits: bits.div_ceil(2).max(1),
            keys,
        }
    }

    /// The image of `i` (< n).
    #[inline]
    pub fn apply(&self, i: u64) -> u64 {
        let mut x = i;
        loop {
            x = self.feistel(x);
            if x < self.n {
                return x;
            }
        }
    }

    /// `out[k] = self.apply(first + k)` for every `k` (`out` at most 2^32 long): the same
    /// values, computed a run at a time. Each pass has no data-dependent branch, so the four
    /// dependent rounds of many indices are in flight at once (one index at a time waits on
    /// each multiplication's latency): the first pass maps every index, and each further pass
    /// walks on those whose image is still outside `0..n` (up to 3/4 of them when `n` is just
    /// above a power of four), listed as it goes.
    pub fn apply_run(&self, first: u64, out: &mut [u64]) {
        self.first_rounds(first, out);
        let mut outside: Vec<u32> = Vec::new();
        for (k, &o) in out.iter().enumerate() {
            if o >= self.n {
                outside.push(k as u32);
            }
        }
        while !outside.is_empty() {
            for &k in &outside {
                let o = &mut out[k as usize];
                *o = self.feistel(*o);
            }
            outside.retain(|&k| out[k as usize] >= self.n);
        }
    }

    /// `out[k] = self.feistel(first + k)`: eight indices a register with AVX-512 (and its
    /// 64-bit multiplication) where the processor has it, the same values either way.
    fn first_rounds(&self, first: u64, out: &mut [u64]) {
        #[cfg(target_arch = "x86_64")]
        if wide::first_rounds_if_available(self, first, out) {
            return;
        }
        self.first_rounds_portable(first, out)
    }

    /// The loop of [`Permutation::first_rounds`].
    #[inline(always)]
    fn first_rounds_portable(&self, first: u64, out: &mut [u64]) {
        for (k, o) in out.iter_mut().enumerate() {
            *o = self.feistel(first + k as u64);
        }
    }

    #[inline(always)]
    fn feistel(&self, x: u64) -> u64 {
        let mask = (1u64 << self.half_bits) - 1;
        let shift = 64 - self.half_bits;
        let (mut left, mut right) = (x >> self.half_bits, x & mask);
        for &k in &self.keys {
            let h = (right ^ k).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            let f = (h ^ (h >> 29)).wrapping_mul(0xBF58_476D_1CE4_E5B9) >> shift;
            (left, right) = (right, left ^ f);
        }
        (left << self.half_bits) | right
    }
}

/// The AVX-512 form of [`Permutation::first_rounds`], built by compilers from Rust 1.89 (whose
/// AVX-512 target features it uses): the same loop, compiled for eight lanes.
#[cfg(target_arch = "x86_64")]
mod wide {
    use super::Permutation;

    /// Fills `out` as [`Permutation::first_rounds`] does, with AVX-512 (F and DQ), if the
    /// processor has it (and the compiler could build it); whether it did.
    #[rustversion::since(1.89)]
    pub(super) fn first_rounds_if_available(
        permutation: &Permutation,
        first: u64,
        out: &mut [u64],
    ) -> bool {
        if std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512dq")
        {
            // SAFETY: the processor has AVX-512F and DQ, the features the function is
            // compiled for.
            unsafe { first_rounds(permutation, first, out) };
            return true;
        }
        false
    }

    /// Without a compiler that builds the AVX-512 form: never filled.
    #[rustversion::before(1.89)]
    pub(super) fn first_rounds_if_available(
        _permutation: &Permutation,
        _first: u64,
        _out: &mut [u64],
    ) -> bool {
        false
    }

    /// [`Permutation::first_rounds_portable`] compiled for AVX-512 (integer operations: the
    /// same values in any width).
    ///
    /// # Safety
    /// The processor must have AVX-512F and AVX-512DQ.
    #[rustversion::since(1.89)]
    #[target_feature(enable = "avx512f,avx512dq")]
    unsafe fn first_rounds(permutation: &Permutation, first: u64, out: &mut [u64]) {
        permutation.first_rounds_portable(first, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_is_the_permutation_point_by_point() {
        for n in [1u64, 2, 5, 1000, 4097, 100_000, 1 << 20, 1_000_000] {
            let p = Permutation::new(n, 0xfeed ^ n);
            for first in [0, n / 3, n.saturating_sub(700)] {
                let len = (n - first).min(700) as usize;
                let mut out = vec![0u64; len];
                p.apply_run(first, &mut out);
                for (k, &x) in out.iter().enumerate() {
                    assert_eq!(x, p.apply(first + k as u64), "n={n} first={first} k={k}");
                }
            }
        }
    }

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
    fn every_lane_is_xoshiro256_plus_plus() {
        use rand::SeedableRng;
        let mut stream = stream(3, 1, Purpose::Noise, 11);
        let mut reference: Vec<rand_xoshiro::Xoshiro256PlusPlus> = (0..LANES)
            .map(|lane| {
                let mut bytes = [0u8; 32];
                for (w, chunk) in bytes.chunks_exact_mut(8).enumerate() {
                    chunk.copy_from_slice(&stream.state[w][lane].to_le_bytes());
                }
                rand_xoshiro::Xoshiro256PlusPlus::from_seed(bytes)
            })
            .collect();
        for i in 0..1000 {
            assert_eq!(
                stream.next_word(),
                reference[i % LANES].next_u64(),
                "word {i}"
            );
        }
    }

    /// The words and final state of each form of `fill_steps` the processor runs, against the
    /// portable loop's (on a processor without AVX-512 or AVX2 those forms are not run: say so).
    #[test]
    fn every_form_of_the_generator_gives_the_same_words() {
        let start = stream(7, 3, Purpose::Trend, 19).state;
        let steps = 4 * BLOCK;
        let (mut portable_state, mut portable) = (start, vec![0u64; steps]);
        fill_steps_portable(&mut portable_state, &mut portable);
        let mut forms = 0;
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") {
                let (mut state, mut words) = (start, vec![0u64; steps]);
                // SAFETY: the processor has AVX2.
                unsafe { avx2::fill_steps(&mut state, &mut words) };
                assert_eq!((state, &words), (portable_state, &portable), "AVX2");
                forms += 1;
            }
            let (mut state, mut words) = (start, vec![0u64; steps]);
            if avx512::fill_steps_if_available(&mut state, &mut words) {
                assert_eq!((state, &words), (portable_state, &portable), "AVX-512");
                forms += 1;
            }
        }
        let mut dispatched = Stream::seed_from_u64(0);
        dispatched.state = start;
        let mut words = vec![0u64; steps];
        dispatched.fill_words(&mut words);
        assert_eq!(words, portable, "as dispatched");
        eprintln!("forms checked against the portable loop: {forms} vector form(s)");
    }

    #[test]
    fn filling_gives_the_words_one_by_one() {
        let mut one = stream(5, 2, Purpose::Count, 1);
        let expected: Vec<u64> = (0..3000).map(|_| one.next_word()).collect();
        for cuts in [[0usize, 1, 2], [3, 64, 1000], [63, 65, 7], [130, 1, 0]] {
            let mut s = stream(5, 2, Purpose::Count, 1);
            let mut got = Vec::new();
            let mut k = 0;
            while got.len() < expected.len() {
                let n = cuts[k % 3].min(expected.len() - got.len());
                k += 1;
                if n == 0 {
                    got.push(s.next_word());
                    continue;
                }
                let mut words = vec![0u64; n];
                s.fill_words(&mut words);
                got.extend(words);
            }
            assert_eq!(got, expected, "cuts {cuts:?}");
        }
        let mut a = stream(5, 2, Purpose::Count, 1);
        let mut uniforms = vec![0.0; 700];
        a.next_word();
        a.fill_open_uniforms(&mut uniforms);
        for (k, u) in uniforms.iter().enumerate() {
            assert_eq!(*u, uniform_of(expected[k + 1]));
            assert!(*u > 0.0 && *u < 1.0);
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
