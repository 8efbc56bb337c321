//! Formulas of derived indicators (scenario spec, section 2 "Formulas").
//!
//! A formula such as `(hightech_output - hightech_output[-1]) / hightech_output[-1] * 100` goes
//! through three stages:
//!
//! 1. [`Formula::parse`] checks the syntax once and compiles the text to an unbound postfix
//!    program in which indicator ids are still names. Pure-number subexpressions are folded to
//!    constants on the way (`2^-1` becomes `0.5`), and [`Formula::references`] lists every
//!    `(indicator id, lag)` the formula reads, so the caller can build its dependency graph.
//! 2. [`Formula::bind`] maps every reference to the slot in which the engine will provide its
//!    values and turns the postfix code into a flat register program ([`Program`]).
//! 3. [`Program::eval`] evaluates the program for a whole chunk of Monte Carlo paths at a time,
//!    one tight loop over the slices per operation, without allocating once the scratch vectors are
//!    big enough. [`Program::eval_scalar`] evaluates one path and gives bit-identical results.
//!
//! # Grammar
//!
//! ```text
//! formula  := sum
//! sum      := product (("+" | "-") product)*          left-associative
//! product  := unary (("*" | "/") unary)*              left-associative
//! unary    := ("-" | "+") unary | power
//! power    := atom ("^" unary)?                       right-associative, binds tighter than unary minus
//! atom     := number | id lag? | function "(" args ")" | "(" sum ")"
//! lag      := "[" ("-" | "+")? integer "]"            `id[-k]`: the value k years earlier
//! number   := digits ("." digits?)? exponent? | "." digits exponent?
//! exponent := ("e" | "E") ("+" | "-")? digits
//! id       := [a-z][a-z0-9_]*
//! ```
//!
//! So `-a^2` is `-(a^2)`, `2^-1` is `0.5`, `2^3^2` is `2^9`, `a-b-c` is `(a-b)-c` and `a/b/c` is
//! `(a/b)/c`. Whitespace may appear between any two tokens. `id[0]` and `id[-0]` are the same as
//! `id`; a positive lag such as `id[1]` is an error (lags look back).
//!
//! # Functions
//!
//! | function | meaning |
//! |---|---|
//! | `min(a, b, ...)`, `max(a, b, ...)` | two or more arguments; NaN if any argument is NaN; among equal values (such as `-0` and `0`) the first one |
//! | `abs(x)`, `sqrt(x)`, `exp(x)` | as usual |
//! | `ln(x)`, `log10(x)` | natural and base-10 logarithm |
//! | `clamp(x, lo, hi)` | `lo` if `x < lo`, `hi` if `x > hi`, else `x`; NaN if any argument is NaN; constant bounds with `lo > hi` are an error |
//!
//! Function names are reserved: `ln` on its own (without parentheses) is an error, not an
//! indicator id.
//!
//! # Arithmetic
//!
//! Evaluation follows IEEE 754: `x / 0` is infinite, `ln(-1)` and `sqrt(-1)` are NaN, `^` is
//! [`f64::powf`], except that `x^2` is computed as `x * x` (faster and correctly rounded). Such values are written out as they are; detecting and reporting them is the
//! engine's job. Constant folding uses exactly the same operations as evaluation, so folding
//! never changes a result.
//!
//! # Errors
//!
//! Every problem is a [`FormulaError`] with a user-facing message, the 0-based *character* offset
//! of the problem in the formula text, and, where one can be guessed, a hint such as
//! "did you mean `log10`?".

mod lex;
mod ops;
mod parse;
mod program;

pub use program::Program;

use lex::{lex, Tok};
use ops::PInstr;
use parse::{nearest, Parser};
use std::fmt;

// ---------------------------------------------------------------------------------------------
// Errors and references
// ---------------------------------------------------------------------------------------------

/// A parse or check error inside one formula.
#[derive(Debug, Clone, PartialEq)]
pub struct FormulaError {
    /// What is wrong, user-facing, e.g. "unknown function `lg`", "expected `)` to close `(` at
    /// column 4", "unexpected end of formula".
    pub message: String,
    /// 0-based char offset into the formula text where the problem is.
    pub offset: usize,
    /// Optional hint, e.g. "did you mean `log10`?".
    pub help: Option<String>,
}

impl FormulaError {
    fn new(message: impl Into<String>, offset: usize) -> Self {
        FormulaError {
            message: message.into(),
            offset,
            help: None,
        }
    }

    fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    fn with_optional_help(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }
}

impl fmt::Display for FormulaError {
    /// The message alone; the caller adds the location (file, line, column) and the help.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FormulaError {}

/// One indicator value a formula reads: `name[-lag]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    /// The indicator id as written in the formula. It may contain uppercase letters, which
    /// [`Formula::bind`] rejects with a hint.
    pub name: String,
    /// How many years back (0 = the year being computed).
    pub lag: usize,
    /// 0-based char offset of the first appearance of this (name, lag) pair in the formula.
    pub offset: usize,
}

// ---------------------------------------------------------------------------------------------
// Formula
// ---------------------------------------------------------------------------------------------

/// A parsed, syntactically valid formula (unbound: ids are still names).
#[derive(Debug, Clone)]
pub struct Formula {
    /// Postfix code, constant-folded.
    code: Vec<PInstr>,
    /// Distinct (name, lag) pairs in first-appearance order; `PInstr::Load` indexes this.
    refs: Vec<Reference>,
}

impl Formula {
    /// Parse the formula text.
    ///
    /// Checks the whole syntax (including function arities and constant `clamp` bounds) and
    /// folds pure-number subexpressions. Never panics, whatever the input.
    pub fn parse(text: &str) -> Result<Formula, FormulaError> {
        let chars: Vec<char> = text.chars().collect();
        let toks = lex(&chars)?;
        if toks.len() == 1 {
            return Err(FormulaError::new("empty formula", 0)
                .with_help("write an expression such as `rd_spend / gdp * 100`"));
        }
        let mut p = Parser {
            toks: &toks,
            pos: 0,
            depth: 0,
            code: Vec::new(),
            refs: Vec::new(),
        };
        p.sum()?;
        if p.peek().tok != Tok::End {
            return Err(p.trailing());
        }
        Ok(Formula {
            code: p.code,
            refs: p.refs,
        })
    }

    /// Every distinct (indicator id, lag) the formula reads, in first-appearance order, with the
    /// char offset of its first appearance. Lag is a non-negative integer (years back).
    ///
    /// `x`, `x[0]` and `x[-0]` are the same reference (lag 0). References inside constant
    /// subexpressions do not exist (a reference is never constant), so every reference listed is
    /// read by the compiled program.
    pub fn references(&self) -> Vec<Reference> {
        self.refs.clone()
    }

    /// Bind names to slots: `slot_of(name, lag)` returns the slot index the engine will provide
    /// data in, or None if the name is unknown -> FormulaError at the name's offset with a
    /// "did you mean" computed from `known_names`.
    ///
    /// `slot_of` is called once per distinct reference, in the order of [`Formula::references`],
    /// until the first failure. A name with uppercase letters is rejected before `slot_of` is
    /// asked ("indicator ids are lowercase: `GDP`", with help suggesting `gdp` when it is known).
    /// When `slot_of` returns None for a name that is in `known_names`, the error says the value
    /// is not available rather than unknown.
    pub fn bind(
        &self,
        known_names: &[&str],
        slot_of: &mut dyn FnMut(&str, usize) -> Option<usize>,
    ) -> Result<Program, FormulaError> {
        let mut slots = Vec::with_capacity(self.refs.len());
        for r in &self.refs {
            if r.name.bytes().any(|b| b.is_ascii_uppercase()) {
                let lower = r.name.to_ascii_lowercase();
                let help = if known_names.contains(&lower.as_str()) {
                    Some(format!("did you mean `{lower}`?"))
                } else {
                    nearest(&lower, known_names.iter().copied())
                        .map(|n| format!("did you mean `{n}`?"))
                };
                return Err(FormulaError::new(
                    format!("indicator ids are lowercase: `{}`", r.name),
                    r.offset,
                )
                .with_optional_help(help));
            }
            match slot_of(&r.name, r.lag) {
                Some(s) => slots.push(s),
                None if known_names.contains(&r.name.as_str()) => {
                    let shown = if r.lag == 0 {
                        r.name.clone()
                    } else {
                        format!("{}[-{}]", r.name, r.lag)
                    };
                    return Err(FormulaError::new(
                        format!("`{shown}` is not available in this formula"),
                        r.offset,
                    ));
                }
                None => {
                    let help = nearest(&r.name, known_names.iter().copied())
                        .map(|n| format!("did you mean `{n}`?"));
                    return Err(FormulaError::new(
                        format!("unknown indicator `{}`", r.name),
                        r.offset,
                    )
                    .with_optional_help(help));
                }
            }
        }
        Ok(Program::compile(&self.code, &slots))
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers shared by the unit tests of `lex`, `parse` and `program`
// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses and binds with variables a, b, c, x (slots 0..4) and lags as extra slots.
    pub(super) fn compile(text: &str) -> (Program, Vec<(String, usize)>) {
        let f = Formula::parse(text).unwrap_or_else(|e| panic!("{text}: {e:?}"));
        let mut slots: Vec<(String, usize)> = Vec::new();
        let p = f
            .bind(&["a", "b", "c", "x"], &mut |name, lag| {
                if !["a", "b", "c", "x"].contains(&name) {
                    return None;
                }
                slots.push((name.to_string(), lag));
                Some(slots.len() - 1)
            })
            .unwrap();
        (p, slots)
    }

    pub(super) fn value(text: &str, vars: &[(&str, f64)]) -> f64 {
        let (p, slots) = compile(text);
        let inputs: Vec<f64> = slots
            .iter()
            .map(|(n, lag)| {
                let base = vars.iter().find(|(v, _)| v == n).unwrap().1;
                base - *lag as f64
            })
            .collect();
        p.eval_scalar(&inputs)
    }

    pub(super) fn err(text: &str) -> FormulaError {
        Formula::parse(text).expect_err(text)
    }
}
