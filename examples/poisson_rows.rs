//! Nanoseconds per Poisson draw of `poisson_fill_words` for rows of 1,024 rates spread
//! log-uniformly over a range (the words of each row drawn as the engine draws them, rates
//! prepared once): one line per range. Usage: `cargo run --release --example poisson_rows [case]`
//! (case 0-5 runs one range only).

use plancast::engine::rng::{stream, Purpose};
use plancast::numeric::poisson::{poisson_fill_words, PreparedRates};
use std::time::Instant;
fn main() {
    let only: Option<usize> = std::env::args().nth(1).and_then(|a| a.parse().ok());
    let n = 1024;
    let cases: [(f64, f64); 6] = [
        (0.1, 1.9),
        (2.0, 10.0),
        (10.0, 63.0),
        (64.0, 500.0),
        (500.0, 6000.0),
        (0.1, 500.0),
    ];
    for (case, (lo, hi)) in cases.into_iter().enumerate() {
        if only.is_some_and(|o| o != case) {
            continue;
        }
        let mut s = stream(1, 2, Purpose::Count, 3);
        let lambdas: Vec<f64> = (0..n)
            .map(|i| lo * (hi / lo).powf(((i * 7919) % n) as f64 / n as f64))
            .collect();
        let mut prepared = PreparedRates::new(n);
        let mut words = vec![0u64; 2 * n];
        let mut out = vec![0.0; n];
        let reps = 20000;
        let t = Instant::now();
        let mut acc = 0.0;
        for _ in 0..reps {
            s.fill_words(&mut words);
            poisson_fill_words(&mut s, &mut prepared, &lambdas, &words, &mut out);
            acc += out[5];
        }
        let ns = t.elapsed().as_secs_f64() * 1e9 / (reps * n) as f64;
        println!("{lo}-{hi}: {ns:.2} ns/draw ({acc})");
    }
}
