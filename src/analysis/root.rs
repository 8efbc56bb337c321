//! Root search for "at which value is the target met with probability P?", run for several
//! unknowns at once: each step proposes one value per unknown, one simulation evaluates them all
//! (see [`super::solve`]), and each unknown moves on by its own result.
//!
//! The curve searched is p(θ) on common random numbers: the same paths at every θ, so p is a
//! monotone step function in θ for the keys that matter (a larger trend never lowers an
//! at-least target). The search brackets the crossing by expanding steps from the start value
//! (doubling each time), then bisects the bracket until it is narrower than the tolerance; the
//! answer is the secant point between the two ends. The Monte Carlo uncertainty is by the delta
//! method: SE(θ*) = SE(p̂) / |dp/dθ|, with the slope measured on the same paths by a central
//! difference of half-width h, h about two standard errors of θ* (so a few hundred paths change
//! side, enough to measure the slope, while staying local).

use super::AnalysisError;

/// Expansions tried in each direction before giving up on a bracket.
const MAX_EXPANSIONS: u32 = 24;
/// Bisection steps at most.
const MAX_BISECTIONS: u32 = 60;

/// One unknown: where to start, how far to step, the admissible range and the probability sought.
#[derive(Debug, Clone, Copy)]
pub struct Problem {
    /// First value tried.
    pub start: f64,
    /// First expansion step (> 0); doubles at each expansion.
    pub step: f64,
    /// Smallest admissible value.
    pub lower: f64,
    /// Largest admissible value.
    pub upper: f64,
    /// The probability sought.
    pub goal: f64,
    /// Bisection stops when the bracket is narrower than this.
    pub tolerance: f64,
    /// A given range: only its two ends are tried when bracketing (no expansion).
    pub fixed_range: bool,
}

/// A solved unknown.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Root {
    /// The value at which p crosses the goal.
    pub value: f64,
    /// The final bracket (lower, upper).
    pub bracket: (f64, f64),
    /// Slope of p between the ends of the first bracket found (for the slope step size).
    pub rough_slope: f64,
    /// Simulations this unknown took part in.
    pub evaluations: u32,
}

/// The outcome for one unknown.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Outcome {
    /// Found.
    Found(Root),
    /// No value in reach gives the goal: the probabilities at the extremes tried.
    NotBracketed {
        /// (value, probability) at the lowest value tried.
        low: (f64, f64),
        /// (value, probability) at the highest value tried.
        high: (f64, f64),
    },
}

#[derive(Debug, Clone)]
enum State {
    Exploring {
        f0: f64,
        up: u32,
        down: u32,
        /// +1: p rises with θ; -1: falls; 0: unknown yet.
        direction: i8,
        next_up: bool,
        low: (f64, f64),
        high: (f64, f64),
    },
    Bisecting {
        a: f64,
        fa: f64,
        b: f64,
        fb: f64,
        rough_slope: f64,
        steps: u32,
    },
    Done(Outcome),
}

fn above(f: f64) -> bool {
    f >= 0.0
}

/// Evaluates one proposed value per unknown (None: that unknown is finished) and returns the
/// probabilities.
pub type Evaluate<'a> = dyn FnMut(&[Option<f64>]) -> Result<Vec<f64>, AnalysisError> + 'a;

/// Solves every problem; `evaluate` receives one value per unknown (None: that unknown is
/// finished) and returns the probability at each value given (anything where None was given).
pub fn solve(problems: &[Problem], evaluate: &mut Evaluate) -> Result<Vec<Outcome>, AnalysisError> {
    let n = problems.len();
    let mut evaluations = vec![0u32; n];
    // First evaluation: the start value of every unknown.
    let starts: Vec<Option<f64>> = problems.iter().map(|p| Some(p.start)).collect();
    let p0 = evaluate(&starts)?;
    let mut states: Vec<State> = problems
        .iter()
        .zip(&p0)
        .map(|(problem, &p)| State::Exploring {
            f0: p - problem.goal,
            up: 0,
            down: 0,
            direction: 0,
            next_up: true,
            low: (problem.start, p),
            high: (problem.start, p),
        })
        .collect();
    evaluations.iter_mut().for_each(|e| *e += 1);

    loop {
        let proposals: Vec<Option<f64>> = states
            .iter_mut()
            .zip(problems)
            .map(|(state, problem)| propose(state, problem))
            .collect();
        if proposals.iter().all(Option::is_none) {
            break;
        }
        let values = evaluate(&proposals)?;
        for (j, theta) in proposals.iter().enumerate() {
            if let Some(theta) = *theta {
                evaluations[j] += 1;
                update(&mut states[j], &problems[j], theta, values[j]);
            }
        }
    }
    Ok(states
        .into_iter()
        .zip(evaluations)
        .map(|(s, count)| match s {
            State::Done(Outcome::Found(mut root)) => {
                root.evaluations = count;
                Outcome::Found(root)
            }
            State::Done(outcome) => outcome,
            // The loop ends only when every unknown is done.
            _ => Outcome::NotBracketed {
                low: (f64::NAN, f64::NAN),
                high: (f64::NAN, f64::NAN),
            },
        })
        .collect())
}

/// The next value to try for one unknown (None when it is done); settles unknowns that cannot
/// move any further.
fn propose(state: &mut State, problem: &Problem) -> Option<f64> {
    loop {
        match state {
            State::Done(_) => return None,
            State::Bisecting {
                a,
                fa,
                b,
                fb,
                rough_slope,
                steps,
            } => {
                if (*b - *a).abs() <= problem.tolerance || *steps >= MAX_BISECTIONS {
                    let value = if fa != fb {
                        *a + (*b - *a) * *fa / (*fa - *fb)
                    } else {
                        0.5 * (*a + *b)
                    };
                    *state = State::Done(Outcome::Found(Root {
                        value,
                        bracket: (a.min(*b), a.max(*b)),
                        rough_slope: *rough_slope,
                        evaluations: 0,
                    }));
                    continue;
                }
                return Some(0.5 * (*a + *b));
            }
            State::Exploring {
                f0,
                up,
                down,
                direction,
                next_up,
                low,
                high,
            } => {
                let can_up = *up < MAX_EXPANSIONS && high.0 < problem.upper;
                let can_down = *down < MAX_EXPANSIONS && low.0 > problem.lower;
                let go_up = if problem.fixed_range {
                    // A given range: its upper end is the only other value tried.
                    if *up == 0 {
                        true
                    } else {
                        *state = not_bracketed(*low, *high);
                        continue;
                    }
                } else if *direction != 0 {
                    // p moves towards the goal in this direction.
                    let toward_up = (*f0 < 0.0) == (*direction > 0);
                    if (toward_up && !can_up) || (!toward_up && !can_down) {
                        *state = not_bracketed(*low, *high);
                        continue;
                    }
                    toward_up
                } else {
                    match (can_up, can_down) {
                        (false, false) => {
                            *state = not_bracketed(*low, *high);
                            continue;
                        }
                        (true, false) => true,
                        (false, true) => false,
                        (true, true) => *next_up,
                    }
                };
                *next_up = !go_up;
                return Some(if go_up {
                    if problem.fixed_range {
                        problem.upper
                    } else {
                        let k = *up;
                        *up += 1;
                        (problem.start + problem.step * 2f64.powi(k as i32)).min(problem.upper)
                    }
                } else {
                    let k = *down;
                    *down += 1;
                    (problem.start - problem.step * 2f64.powi(k as i32)).max(problem.lower)
                });
            }
        }
    }
}

fn not_bracketed(low: (f64, f64), high: (f64, f64)) -> State {
    State::Done(Outcome::NotBracketed { low, high })
}

/// Takes in the probability `p` found at `theta`.
fn update(state: &mut State, problem: &Problem, theta: f64, p: f64) {
    let f = p - problem.goal;
    match state {
        State::Exploring {
            f0,
            up,
            direction,
            low,
            high,
            ..
        } => {
            if problem.fixed_range && *up == 0 {
                *up = 1;
            }
            let (start, fs) = (problem.start, *f0);
            if f != fs && *direction == 0 {
                *direction = if (f > fs) == (theta > start) { 1 } else { -1 };
            }
            if theta < low.0 {
                *low = (theta, p);
            }
            if theta > high.0 {
                *high = (theta, p);
            }
            if above(f) != above(fs) {
                let rough_slope = (f - fs) / (theta - start);
                *state = State::Bisecting {
                    a: start,
                    fa: fs,
                    b: theta,
                    fb: f,
                    rough_slope,
                    steps: 0,
                };
            }
        }
        State::Bisecting {
            a,
            fa,
            b,
            fb,
            steps,
            ..
        } => {
            *steps += 1;
            if above(f) == above(*fa) {
                *a = theta;
                *fa = f;
            } else {
                *b = theta;
                *fb = f;
            }
        }
        State::Done(_) => {}
    }
}

/// The Monte Carlo uncertainty of a solved value by the delta method.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Uncertainty {
    /// dp/dθ at the solution, measured on common random numbers.
    pub slope: f64,
    /// Half-width h of the central difference.
    pub step: f64,
    /// Standard error of the solved value: sqrt(P (1 - P) / n) / |slope|.
    pub std_error: f64,
    /// 95% interval, lower end (value - 1.96 SE).
    pub lower: f64,
    /// 95% interval, upper end (value + 1.96 SE).
    pub upper: f64,
}

/// The half-width of the slope difference: about two standard errors of the solution, from the
/// first bracket's slope; never zero.
pub fn slope_step(root: &Root, goal: f64, paths: u64, problem: &Problem) -> f64 {
    let se_p = (goal * (1.0 - goal) / paths as f64).sqrt();
    let width = root.bracket.1 - root.bracket.0;
    let h = if root.rough_slope.is_finite() && root.rough_slope != 0.0 {
        2.0 * se_p / root.rough_slope.abs()
    } else {
        problem.step
    };
    h.max(width).max(problem.tolerance).max(f64::MIN_POSITIVE)
}

/// The delta-method uncertainty from the probabilities at `value - h` and `value + h`.
pub fn uncertainty(
    value: f64,
    h: f64,
    p_minus: f64,
    p_plus: f64,
    goal: f64,
    paths: u64,
) -> Uncertainty {
    let slope = (p_plus - p_minus) / (2.0 * h);
    let se_p = (goal * (1.0 - goal) / paths as f64).sqrt();
    let std_error = if slope != 0.0 {
        se_p / slope.abs()
    } else {
        f64::INFINITY
    };
    Uncertainty {
        slope,
        step: h,
        std_error,
        lower: value - crate::stats::interval::Z95 * std_error,
        upper: value + crate::stats::interval::Z95 * std_error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(goal: f64) -> Problem {
        Problem {
            start: 0.0,
            step: 1.0,
            lower: -1e9,
            upper: 1e9,
            goal,
            tolerance: 1e-9,
            fixed_range: false,
        }
    }

    #[test]
    fn finds_roots_of_rising_and_falling_curves_together() {
        // p = Phi-like logistic curves: one rising with θ (root at 3.7), one falling (root -12).
        let rising = |x: f64| 1.0 / (1.0 + (-(x - 3.7)).exp());
        let falling = |x: f64| 1.0 / (1.0 + (x + 12.0).exp());
        let outcomes = solve(&[problem(0.5), problem(0.5)], &mut |values| {
            Ok(vec![
                values[0].map(rising).unwrap_or(f64::NAN),
                values[1].map(falling).unwrap_or(f64::NAN),
            ])
        })
        .unwrap();
        let roots: Vec<f64> = outcomes
            .iter()
            .map(|o| match o {
                Outcome::Found(r) => r.value,
                other => panic!("{other:?}"),
            })
            .collect();
        assert!((roots[0] - 3.7).abs() < 1e-6, "{roots:?}");
        assert!((roots[1] + 12.0).abs() < 1e-6, "{roots:?}");
    }

    #[test]
    fn reports_an_unreachable_goal() {
        let outcomes = solve(&[problem(0.5)], &mut |_| Ok(vec![0.2])).unwrap();
        assert!(matches!(outcomes[0], Outcome::NotBracketed { .. }));
    }

    #[test]
    fn a_given_range_is_searched_within() {
        let mut p = problem(0.5);
        p.start = 0.0;
        p.upper = 10.0;
        p.fixed_range = true;
        let outcomes = solve(&[p], &mut |v| Ok(vec![v[0].unwrap() / 10.0])).unwrap();
        match outcomes[0] {
            Outcome::Found(r) => assert!((r.value - 5.0).abs() < 1e-6),
            other => panic!("{other:?}"),
        }
        let mut q = p;
        q.upper = 4.0;
        let outcomes = solve(&[q], &mut |v| Ok(vec![v[0].unwrap() / 10.0])).unwrap();
        assert!(matches!(outcomes[0], Outcome::NotBracketed { .. }));
    }
}
