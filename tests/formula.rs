//! Integration tests of `plancast::model::formula`: syntax, precedence, functions, references,
//! binding errors, vector evaluation, and property tests against a reference evaluator.

use plancast::model::formula::*;
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const NAMES: [&str; 6] = ["a", "b", "c", "gdp", "rd_spend", "hightech_output"];

/// Binds every (name, lag) of `NAMES` to a fresh slot; returns the program and the slot table.
fn compile(text: &str) -> (Program, Vec<(String, usize)>) {
    let f = Formula::parse(text).unwrap_or_else(|e| panic!("`{text}` did not parse: {e:?}"));
    let mut slots: Vec<(String, usize)> = Vec::new();
    let p = f
        .bind(&NAMES, &mut |name, lag| {
            if !NAMES.contains(&name) {
                return None;
            }
            slots.push((name.to_string(), lag));
            Some(slots.len() - 1)
        })
        .unwrap_or_else(|e| panic!("`{text}` did not bind: {e:?}"));
    (p, slots)
}

/// Value of `text` with `vars` giving each indicator's value; `x[-k]` is `x - 10 k`.
fn eval(text: &str, vars: &[(&str, f64)]) -> f64 {
    let (p, slots) = compile(text);
    let inputs: Vec<f64> = slots
        .iter()
        .map(|(n, lag)| {
            let v = vars
                .iter()
                .find(|(name, _)| name == n)
                .unwrap_or_else(|| panic!("no value for {n}"))
                .1;
            v - 10.0 * *lag as f64
        })
        .collect();
    p.eval_scalar(&inputs)
}

fn num(text: &str) -> f64 {
    eval(text, &[])
}

fn parse_err(text: &str) -> FormulaError {
    match Formula::parse(text) {
        Ok(f) => panic!("`{text}` parsed: {f:?}"),
        Err(e) => e,
    }
}

fn bind_err(text: &str) -> FormulaError {
    let f = Formula::parse(text).unwrap_or_else(|e| panic!("`{text}` did not parse: {e:?}"));
    let mut next = 0;
    match f.bind(&NAMES, &mut |name, _lag| {
        NAMES.contains(&name).then(|| {
            next += 1;
            next - 1
        })
    }) {
        Ok(_) => panic!("`{text}` bound"),
        Err(e) => e,
    }
}

/// NaN matches NaN; anything else must be bit-identical.
fn same(x: f64, y: f64) -> bool {
    if x.is_nan() {
        y.is_nan()
    } else {
        x.to_bits() == y.to_bits()
    }
}

// ---------------------------------------------------------------------------------------------
// Precedence and associativity
// ---------------------------------------------------------------------------------------------

#[test]
fn spec_precedence_cases() {
    let v = [("a", 3.0), ("b", 2.0), ("c", 5.0)];
    assert_eq!(eval("-a^2", &v), -9.0);
    assert_eq!(num("2^-1"), 0.5);
    assert_eq!(num("2^3^2"), 512.0);
    assert_eq!(eval("a-b-c", &v), -4.0);
    assert_eq!(eval("a/b/c", &v), 3.0 / 2.0 / 5.0);
    assert_eq!(num("-(2)^2"), -4.0);
    assert_eq!(num("(-2)^2"), 4.0);
    assert_eq!(num("-2^2"), -4.0);
}

#[test]
fn more_precedence_cases() {
    let v = [("a", 3.0), ("b", 2.0), ("c", 5.0)];
    assert_eq!(eval("a + b * c", &v), 13.0);
    assert_eq!(eval("(a + b) * c", &v), 25.0);
    assert_eq!(eval("a * b ^ 2", &v), 12.0);
    assert_eq!(eval("a - b + c", &v), 6.0);
    assert_eq!(eval("a / b * c", &v), 7.5);
    assert_eq!(eval("-a * b", &v), -6.0);
    assert_eq!(eval("a * -b", &v), -6.0);
    assert_eq!(eval("a - -b", &v), 5.0);
    assert_eq!(eval("--a", &v), 3.0);
    assert_eq!(eval("+a", &v), 3.0);
    assert_eq!(eval("-+-a", &v), 3.0);
    assert_eq!(eval("2^-b^2", &v), 2f64.powf(-4.0));
    assert_eq!(eval("b^-1^2", &v), 2f64.powf(-1.0));
    assert_eq!(eval("2^(a-b)^2", &v), 2.0);
    assert_eq!(eval("-b^-2", &v), -0.25);
    assert_eq!(num("1 - 2 - 3 - 4"), -8.0);
    assert_eq!(num("64 / 4 / 2 / 2"), 4.0);
    assert_eq!(num("2 ^ 2 ^ 3"), 256.0);
}

#[test]
fn numbers_and_whitespace() {
    assert_eq!(num("12"), 12.0);
    assert_eq!(num("0.5"), 0.5);
    assert_eq!(num("1e-3"), 0.001);
    assert_eq!(num("1.5E+2"), 150.0);
    assert_eq!(num(".25"), 0.25);
    assert_eq!(num(" \t\n 1\t+\n2 "), 3.0);
    let v = [("gdp", 100.0)];
    assert_eq!(eval("gdp [ - 1 ]", &v), 90.0);
    assert_eq!(eval("\u{3000}gdp\u{a0}*\u{3000}2", &v), 200.0);
}

#[test]
fn spec_examples() {
    let v = [
        ("rd_spend", 150.0),
        ("gdp", 10_000.0),
        ("hightech_output", 120.0),
        ("a", 3.0),
        ("b", 4.0),
    ];
    assert_eq!(eval("rd_spend / gdp * 100", &v), 1.5);
    // hightech_output[-1] = 110 by the helper's convention.
    assert_eq!(
        eval(
            "(hightech_output - hightech_output[-1]) / hightech_output[-1] * 100",
            &v
        ),
        (120.0 - 110.0) / 110.0 * 100.0
    );
    assert_eq!(eval("clamp(a / b, 0, 1)", &v), 0.75);
    assert_eq!(eval("clamp(b / a, 0, 1)", &v), 1.0);
}

// ---------------------------------------------------------------------------------------------
// Functions
// ---------------------------------------------------------------------------------------------

#[test]
fn every_function() {
    assert_eq!(num("min(3, 1, 2)"), 1.0);
    assert_eq!(num("min(3, 4)"), 3.0);
    assert_eq!(num("max(3, 1, 2)"), 3.0);
    assert_eq!(num("max(-3, -4)"), -3.0);
    assert_eq!(num("abs(-2.5)"), 2.5);
    assert_eq!(num("abs(2.5)"), 2.5);
    assert_eq!(num("ln(1)"), 0.0);
    assert_eq!(num("ln(exp(2))"), 2f64.exp().ln());
    assert_eq!(num("log10(1000)"), 3.0);
    assert_eq!(num("exp(0)"), 1.0);
    assert_eq!(num("exp(1)"), std::f64::consts::E);
    assert_eq!(num("sqrt(16)"), 4.0);
    assert_eq!(num("clamp(5, 0, 1)"), 1.0);
    assert_eq!(num("clamp(-5, 0, 1)"), 0.0);
    assert_eq!(num("clamp(0.25, 0, 1)"), 0.25);
    // The same with indicator operands (no constant folding).
    let v = [("a", -4.0), ("b", 9.0), ("c", 0.5)];
    assert_eq!(eval("min(a, b, c)", &v), -4.0);
    assert_eq!(eval("max(a, b, c)", &v), 9.0);
    assert_eq!(eval("abs(a)", &v), 4.0);
    assert_eq!(eval("sqrt(b)", &v), 3.0);
    assert_eq!(eval("ln(c)", &v), 0.5f64.ln());
    assert_eq!(eval("log10(b)", &v), 9f64.log10());
    assert_eq!(eval("exp(c)", &v), 0.5f64.exp());
    assert_eq!(eval("clamp(b, a, c)", &v), 0.5);
    assert_eq!(eval("clamp(a, c, b)", &v), 0.5);
    assert_eq!(eval("clamp(c, a, b)", &v), 0.5);
}

#[test]
fn ieee_semantics() {
    let v = [("a", 1.0), ("b", 0.0), ("c", -1.0)];
    assert_eq!(eval("a / b", &v), f64::INFINITY);
    assert_eq!(eval("c / b", &v), f64::NEG_INFINITY);
    assert!(eval("b / b", &v).is_nan());
    assert!(eval("ln(c)", &v).is_nan());
    assert!(eval("sqrt(c)", &v).is_nan());
    assert_eq!(eval("ln(b)", &v), f64::NEG_INFINITY);
    assert!(num("1 / 0").is_infinite());
    // NaN is not hidden by min, max or clamp.
    assert!(eval("max(ln(c), 0)", &v).is_nan());
    assert!(eval("min(0, sqrt(c))", &v).is_nan());
    assert!(eval("clamp(ln(c), 0, 1)", &v).is_nan());
}

#[test]
fn arity_errors() {
    let e = parse_err("clamp(a, 1)");
    assert_eq!(e.message, "clamp takes 3 arguments (x, lo, hi), got 2");
    assert_eq!(e.offset, 0);
    assert_eq!(
        parse_err("x + ln(a, b)").message,
        "ln takes 1 argument (x), got 2"
    );
    assert_eq!(parse_err("x + ln(a, b)").offset, 4);
    assert_eq!(
        parse_err("sqrt()").message,
        "sqrt takes 1 argument (x), got 0"
    );
    assert_eq!(
        parse_err("min(a)").message,
        "min takes at least 2 arguments, got 1"
    );
    assert_eq!(
        parse_err("max()").message,
        "max takes at least 2 arguments, got 0"
    );
    assert_eq!(
        parse_err("clamp(a, b, c, a)").message,
        "clamp takes 3 arguments (x, lo, hi), got 4"
    );
}

#[test]
fn reversed_constant_clamp_bounds() {
    let e = parse_err("clamp(a, 1, 0)");
    assert!(e.message.contains("reversed"), "{e:?}");
    assert_eq!(e.help.as_deref(), Some("write `clamp(x, 0, 1)`"));
    // Bounds that are only known per path are fine.
    assert!(Formula::parse("clamp(a, b, 0)").is_ok());
}

#[test]
fn unknown_functions() {
    let e = parse_err("lg(gdp)");
    assert_eq!(e.message, "unknown function `lg`");
    assert_eq!(e.offset, 0);
    assert_eq!(e.help.as_deref(), Some("did you mean `log10`?"));
    let e = parse_err("1 + sqr(a)");
    assert_eq!(e.message, "unknown function `sqr`");
    assert_eq!(e.offset, 4);
    assert_eq!(e.help.as_deref(), Some("did you mean `sqrt`?"));
    assert_eq!(
        parse_err("clmap(a, 0, 1)").help.as_deref(),
        Some("did you mean `clamp`?")
    );
    assert_eq!(
        parse_err("maxx(a, b)").help.as_deref(),
        Some("did you mean `max`?")
    );
    assert!(parse_err("log(a)").help.unwrap().contains("`ln`"));
    assert!(parse_err("pow(a, 2)").help.unwrap().contains('^'));
    // Not similar to any function: the help lists them and mentions lags.
    let e = parse_err("gdp(-1)");
    assert_eq!(e.message, "unknown function `gdp`");
    assert!(e.help.unwrap().contains("gdp[-1]"));
    // Case.
    let e = parse_err("LN(a)");
    assert_eq!(e.message, "function names are lowercase: `LN`");
    assert_eq!(e.help.as_deref(), Some("write `ln`"));
    // A function name without a call.
    let e = parse_err("a + exp");
    assert!(e.message.contains("`exp` is a function"), "{e:?}");
    assert_eq!(e.offset, 4);
}

// ---------------------------------------------------------------------------------------------
// Syntax errors
// ---------------------------------------------------------------------------------------------

#[test]
fn syntax_errors() {
    let e = parse_err("");
    assert_eq!((e.message.as_str(), e.offset), ("empty formula", 0));
    assert_eq!(parse_err("   ").message, "empty formula");

    let e = parse_err("a + b)");
    assert_eq!((e.message.as_str(), e.offset), ("unexpected `)`", 5));

    let e = parse_err("a + $b");
    assert_eq!(
        (e.message.as_str(), e.offset),
        ("unexpected character `$`", 4)
    );

    let e = parse_err("gdp * (a + b");
    assert_eq!(e.message, "expected `)` to close `(` at column 7");
    assert_eq!(e.offset, 12);

    let e = parse_err("a +");
    assert_eq!(
        (e.message.as_str(), e.offset),
        ("unexpected end of formula", 3)
    );

    let e = parse_err("a * * b");
    assert_eq!(e.offset, 4);
    assert_eq!(e.help.as_deref(), Some("powers are written with `^`"));

    let e = parse_err("2 a");
    assert_eq!(e.message, "expected an operator before `a`");
    assert_eq!(e.offset, 2);

    let e = parse_err("min(a b)");
    assert!(e.message.contains("expected `,` or `)`"), "{e:?}");
    assert_eq!(e.offset, 6);

    let e = parse_err("min(a, b,)");
    assert_eq!(e.help.as_deref(), Some("remove the trailing `,`"));

    assert_eq!(parse_err("a, b").message, "unexpected `,`");
    assert_eq!(parse_err("()").offset, 1);
    assert!(parse_err("1e400").message.contains("too large"));
    assert!(parse_err("1.5e").message.contains("exponent"));
    assert!(parse_err("(a + b)[-1]").message.contains("unexpected `[`"));
}

#[test]
fn error_offsets_count_chars_not_bytes() {
    let e = parse_err("a × b");
    assert_eq!(e.message, "unexpected character `×`");
    assert_eq!(e.offset, 2);
    assert_eq!(e.help.as_deref(), Some("write `*` to multiply"));
    let e = parse_err("a − b");
    assert_eq!(e.offset, 2);
    assert!(e.help.unwrap().contains("ASCII minus"));
    // Ideographic spaces are whitespace (3 bytes each in UTF-8).
    let e = bind_err("\u{3000}\u{3000}gdp + foo");
    assert_eq!(e.offset, 8);
    let e = parse_err("\u{3000}\u{3000}gdp +");
    assert_eq!(e.offset, 7);
}

#[test]
fn lag_errors() {
    let e = parse_err("gdp[1]");
    assert_eq!(e.message, "lags look back: write `gdp[-1]`");
    assert_eq!(e.offset, 4);
    assert!(parse_err("gdp[-0.5]").message.contains("whole number"));
    assert!(parse_err("gdp[-1e0]").message.contains("whole number"));
    assert!(parse_err("gdp[-a]").message.contains("expected a lag"));
    assert_eq!(
        parse_err("gdp[-1").message,
        "expected `]` to close `[` at column 4"
    );
}

// ---------------------------------------------------------------------------------------------
// References and binding
// ---------------------------------------------------------------------------------------------

#[test]
fn references_in_first_appearance_order() {
    let f = Formula::parse(
        "(hightech_output - hightech_output[-1]) / hightech_output[-1] * 100 + gdp[-2] + gdp[0] \
         + hightech_output[-0]",
    )
    .unwrap();
    let refs = f.references();
    let r = |name: &str, lag, offset| Reference {
        name: name.to_string(),
        lag,
        offset,
    };
    assert_eq!(
        refs,
        vec![
            r("hightech_output", 0, 1),
            r("hightech_output", 1, 19),
            r("gdp", 2, 70),
            r("gdp", 0, 80),
        ]
    );
    assert!(Formula::parse("1 + 2").unwrap().references().is_empty());
}

#[test]
fn bind_calls_slot_of_per_distinct_reference() {
    let f = Formula::parse("a + a[-1] * a + b[-2] - a[-1]").unwrap();
    let mut calls = Vec::new();
    let p = f
        .bind(&["a", "b"], &mut |name, lag| {
            calls.push((name.to_string(), lag));
            Some(10 - calls.len())
        })
        .unwrap();
    assert_eq!(
        calls,
        vec![("a".into(), 0), ("a".into(), 1), ("b".into(), 2)]
    );
    // Slots 9 (a), 8 (a[-1]) and 7 (b[-2]).
    let mut inputs = vec![0.0; 10];
    inputs[9] = 2.0;
    inputs[8] = 3.0;
    inputs[7] = 5.0;
    assert_eq!(p.eval_scalar(&inputs), 2.0 + 3.0 * 2.0 + 5.0 - 3.0);
}

#[test]
fn bind_errors() {
    let e = bind_err("rd_spnd / gdp * 100");
    assert_eq!(e.message, "unknown indicator `rd_spnd`");
    assert_eq!(e.offset, 0);
    assert_eq!(e.help.as_deref(), Some("did you mean `rd_spend`?"));

    let e = bind_err("rd_spend / gpd * 100");
    assert_eq!(e.message, "unknown indicator `gpd`");
    assert_eq!(e.offset, 11);
    assert_eq!(e.help.as_deref(), Some("did you mean `gdp`?"));

    let e = bind_err("a + zzzz[-1]");
    assert_eq!(e.message, "unknown indicator `zzzz`");
    assert_eq!(e.offset, 4);
    assert_eq!(e.help, None);

    let e = bind_err("rd_spend / GDP");
    assert_eq!(e.message, "indicator ids are lowercase: `GDP`");
    assert_eq!(e.offset, 11);
    assert_eq!(e.help.as_deref(), Some("did you mean `gdp`?"));

    let e = bind_err("Rd_Spnd");
    assert_eq!(e.help.as_deref(), Some("did you mean `rd_spend`?"));

    // slot_of refuses a known name (e.g. a lag reaching too far back).
    let f = Formula::parse("gdp - gdp[-30]").unwrap();
    let e = f
        .bind(&NAMES, &mut |_, lag| (lag < 5).then_some(0))
        .unwrap_err();
    assert_eq!(e.message, "`gdp[-30]` is not available in this formula");
    assert_eq!(e.offset, 6);
}

// ---------------------------------------------------------------------------------------------
// Vector evaluation
// ---------------------------------------------------------------------------------------------

fn columns(nslots: usize, n: usize) -> Vec<Vec<f64>> {
    (0..nslots)
        .map(|s| {
            (0..n)
                .map(|i| {
                    let k = (i * 31 + s * 17) % 23;
                    k as f64 * 0.75 - 6.0
                })
                .collect()
        })
        .collect()
}

fn check_vector_matches_scalar(text: &str, n: usize) {
    let (p, slots) = compile(text);
    // Inputs longer than `out` are allowed.
    let cols = columns(slots.len(), n + 5);
    let inputs: Vec<&[f64]> = cols.iter().map(|c| c.as_slice()).collect();
    let mut out = vec![f64::NAN; n];
    let mut scratch: Vec<Vec<f64>> = vec![vec![1.0; 2]; p.stack_depth()];
    p.eval(&inputs, &mut out, &mut scratch);
    for (i, o) in out.iter().enumerate() {
        let row: Vec<f64> = cols.iter().map(|c| c[i]).collect();
        let s = p.eval_scalar(&row);
        assert!(same(*o, s), "{text} row {i}: vector {o} scalar {s}");
    }
    // Reusing the scratch vectors for a shorter chunk gives the same prefix.
    let mut short = vec![0.0; n / 2];
    p.eval(&inputs, &mut short, &mut scratch);
    for (a, b) in short.iter().zip(&out) {
        assert!(same(*a, *b));
    }
}

#[test]
fn vector_eval_equals_scalar_eval() {
    let formulas = [
        "a",
        "3.5",
        "-a",
        "a + b",
        "2 - a",
        "a / 3",
        "a * (b + c)",
        "(a + b) * (b - c) / (c + a * b)",
        "(hightech_output - hightech_output[-1]) / hightech_output[-1] * 100",
        "rd_spend / gdp * 100",
        "-a^2 + 2^-b + a^b^c",
        "min(a, b, c) + max(c, b, a, 1) - min(1, a)",
        "clamp(a, b, c) + clamp(a, -1, 1) + clamp(1, a, b) + clamp(a * b, a + c, b - c)",
        "abs(a - b) + sqrt(abs(c)) + ln(abs(a) + 1) + log10(b * b + 1) + exp(c / 10)",
        "ln(a) + sqrt(b) + a / (b - b)",
        "a - (b - (c - (a - (b - (c - (a - b))))))",
        "min(a, max(b, min(c, max(a, min(b, c)))))",
        "a[-1] * a[-2] / (a[-3] + 1)",
    ];
    for text in formulas {
        check_vector_matches_scalar(text, 1024);
        check_vector_matches_scalar(text, 7);
    }
}

#[test]
fn eval_adds_missing_scratch_vectors_and_handles_empty_chunks() {
    let (p, slots) = compile("(a + b) * (b + c) * (c + a)");
    assert!(p.stack_depth() >= 1);
    let cols = columns(slots.len(), 16);
    let inputs: Vec<&[f64]> = cols.iter().map(|c| c.as_slice()).collect();
    let mut scratch = Vec::new();
    let mut out = vec![0.0; 16];
    p.eval(&inputs, &mut out, &mut scratch);
    assert!(scratch.len() >= p.stack_depth());
    for (i, o) in out.iter().enumerate() {
        let row: Vec<f64> = cols.iter().map(|c| c[i]).collect();
        assert!(same(*o, p.eval_scalar(&row)));
    }
    let mut empty: [f64; 0] = [];
    p.eval(&inputs, &mut empty, &mut scratch);
}

#[test]
fn constant_formula_fills_the_output() {
    let (p, _) = compile("2^-1 * 4");
    let mut out = vec![0.0; 5];
    p.eval(&[], &mut out, &mut Vec::new());
    assert_eq!(out, vec![2.0; 5]);
    assert_eq!(p.eval_scalar(&[]), 2.0);
}

// ---------------------------------------------------------------------------------------------
// Property tests
// ---------------------------------------------------------------------------------------------

/// Variables of the generated expressions: (name, lag); the slot is the index.
const VARS: [(&str, usize); 5] = [("a", 0), ("b", 0), ("c_1", 0), ("a", 1), ("b", 3)];

#[derive(Debug, Clone, Copy)]
enum Bin {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
}

#[derive(Debug, Clone, Copy)]
enum F1 {
    Abs,
    Ln,
    Log10,
    Exp,
    Sqrt,
}

#[derive(Debug, Clone)]
enum Ast {
    /// A non-negative literal, printed in exponent notation when the flag is set.
    Num(f64, bool),
    Var(usize),
    Neg(Box<Ast>),
    Pos(Box<Ast>),
    Bin(Bin, Box<Ast>, Box<Ast>),
    F1(F1, Box<Ast>),
    /// `min` (false) or `max` (true) of two or more arguments.
    MinMax(bool, Vec<Ast>),
    Clamp(Box<Ast>, Box<Ast>, Box<Ast>),
}

fn ref_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if a <= b {
        a
    } else {
        b
    }
}

fn ref_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if a >= b {
        a
    } else {
        b
    }
}

/// Direct recursive evaluation: the semantics documented in the module.
fn reference_eval(e: &Ast, vars: &[f64]) -> f64 {
    match e {
        Ast::Num(v, _) => *v,
        Ast::Var(i) => vars[*i],
        Ast::Neg(x) => -reference_eval(x, vars),
        Ast::Pos(x) => reference_eval(x, vars),
        Ast::Bin(op, l, r) => {
            let l = reference_eval(l, vars);
            let r = reference_eval(r, vars);
            match op {
                Bin::Add => l + r,
                Bin::Sub => l - r,
                Bin::Mul => l * r,
                Bin::Div => l / r,
                Bin::Pow if r == 2.0 => l * l,
                Bin::Pow => l.powf(r),
            }
        }
        Ast::F1(f, x) => {
            let x = reference_eval(x, vars);
            match f {
                F1::Abs => x.abs(),
                F1::Ln => x.ln(),
                F1::Log10 => x.log10(),
                F1::Exp => x.exp(),
                F1::Sqrt => x.sqrt(),
            }
        }
        Ast::MinMax(is_max, args) => {
            let mut acc = reference_eval(&args[0], vars);
            for a in &args[1..] {
                let v = reference_eval(a, vars);
                acc = if *is_max {
                    ref_max(acc, v)
                } else {
                    ref_min(acc, v)
                };
            }
            acc
        }
        Ast::Clamp(x, lo, hi) => {
            let (x, lo, hi) = (
                reference_eval(x, vars),
                reference_eval(lo, vars),
                reference_eval(hi, vars),
            );
            if x.is_nan() || lo.is_nan() || hi.is_nan() {
                f64::NAN
            } else if x < lo {
                lo
            } else if x > hi {
                hi
            } else {
                x
            }
        }
    }
}

fn bin_sym(op: Bin) -> &'static str {
    match op {
        Bin::Add => "+",
        Bin::Sub => "-",
        Bin::Mul => "*",
        Bin::Div => "/",
        Bin::Pow => "^",
    }
}

fn f1_name(f: F1) -> &'static str {
    match f {
        F1::Abs => "abs",
        F1::Ln => "ln",
        F1::Log10 => "log10",
        F1::Exp => "exp",
        F1::Sqrt => "sqrt",
    }
}

fn print_atom_or_call(e: &Ast, sub: &dyn Fn(&Ast) -> String) -> Option<String> {
    Some(match e {
        Ast::Num(v, true) => format!("{v:e}"),
        Ast::Num(v, false) => format!("{v}"),
        Ast::Var(i) => {
            let (name, lag) = VARS[*i];
            if lag == 0 {
                name.to_string()
            } else {
                format!("{name}[-{lag}]")
            }
        }
        Ast::F1(f, x) => format!("{}({})", f1_name(*f), sub(x)),
        Ast::MinMax(is_max, args) => format!(
            "{}({})",
            if *is_max { "max" } else { "min" },
            args.iter().map(sub).collect::<Vec<_>>().join(", ")
        ),
        Ast::Clamp(x, lo, hi) => format!("clamp({}, {}, {})", sub(x), sub(lo), sub(hi)),
        _ => return None,
    })
}

/// Fully parenthesized text.
fn print_full(e: &Ast) -> String {
    if let Some(s) = print_atom_or_call(e, &print_full) {
        return s;
    }
    match e {
        Ast::Neg(x) => format!("(-{})", print_full(x)),
        Ast::Pos(x) => format!("(+{})", print_full(x)),
        Ast::Bin(op, l, r) => format!("({} {} {})", print_full(l), bin_sym(*op), print_full(r)),
        _ => unreachable!(),
    }
}

/// Binding strength: atoms and calls 5, `^` 4, unary signs 3, `* /` 2, `+ -` 1.
fn prec(e: &Ast) -> u8 {
    match e {
        Ast::Bin(Bin::Add | Bin::Sub, ..) => 1,
        Ast::Bin(Bin::Mul | Bin::Div, ..) => 2,
        Ast::Neg(_) | Ast::Pos(_) => 3,
        Ast::Bin(Bin::Pow, ..) => 4,
        _ => 5,
    }
}

/// Text with only the parentheses the grammar needs, tokens separated by `sep`.
fn print_min(e: &Ast, sep: &str) -> String {
    let sub = |x: &Ast| print_min(x, sep);
    if let Some(s) = print_atom_or_call(e, &sub) {
        return s;
    }
    let wrap = |x: &Ast, paren: bool| {
        if paren {
            format!("({})", print_min(x, sep))
        } else {
            print_min(x, sep)
        }
    };
    match e {
        Ast::Neg(x) => format!("-{sep}{}", wrap(x, prec(x) < 3)),
        Ast::Pos(x) => format!("+{sep}{}", wrap(x, prec(x) < 3)),
        Ast::Bin(Bin::Pow, l, r) => format!(
            "{}{sep}^{sep}{}",
            wrap(l, prec(l) <= 4),
            wrap(r, prec(r) < 3)
        ),
        Ast::Bin(op, l, r) => {
            let p = prec(e);
            format!(
                "{}{sep}{}{sep}{}",
                wrap(l, prec(l) < p),
                bin_sym(*op),
                wrap(r, prec(r) <= p)
            )
        }
        _ => unreachable!(),
    }
}

fn literal() -> impl Strategy<Value = f64> {
    prop_oneof![
        (0u32..10).prop_map(f64::from),
        (0u32..1000).prop_map(|k| f64::from(k) / 8.0),
        0.0f64..1e3,
        1e-12f64..1e12,
        Just(0.0),
        Just(2.0),
    ]
}

fn ast() -> impl Strategy<Value = Ast> {
    let leaf = prop_oneof![
        (literal(), any::<bool>()).prop_map(|(v, e)| Ast::Num(v, e)),
        (0..VARS.len()).prop_map(Ast::Var),
    ];
    leaf.prop_recursive(6, 48, 4, |inner| {
        let bin = prop_oneof![
            Just(Bin::Add),
            Just(Bin::Sub),
            Just(Bin::Mul),
            Just(Bin::Div),
            Just(Bin::Pow)
        ];
        let f1 = prop_oneof![
            Just(F1::Abs),
            Just(F1::Ln),
            Just(F1::Log10),
            Just(F1::Exp),
            Just(F1::Sqrt)
        ];
        prop_oneof![
            4 => (bin, inner.clone(), inner.clone())
                .prop_map(|(op, l, r)| Ast::Bin(op, Box::new(l), Box::new(r))),
            2 => inner.clone().prop_map(|x| Ast::Neg(Box::new(x))),
            1 => inner.clone().prop_map(|x| Ast::Pos(Box::new(x))),
            1 => (f1, inner.clone()).prop_map(|(f, x)| Ast::F1(f, Box::new(x))),
            1 => (any::<bool>(), prop::collection::vec(inner.clone(), 2..5))
                .prop_map(|(m, args)| Ast::MinMax(m, args)),
            1 => (inner.clone(), inner.clone(), inner)
                .prop_map(|(x, lo, hi)| Ast::Clamp(Box::new(x), Box::new(lo), Box::new(hi))),
        ]
    })
}

fn var_value() -> impl Strategy<Value = f64> {
    prop_oneof![
        (-4i32..5).prop_map(f64::from),
        (-400i32..400).prop_map(|k| f64::from(k) / 16.0),
        -1e3f64..1e3,
        Just(-0.0),
    ]
}

/// Binds the generated variables: slot i is `VARS[i]`.
fn bind_vars(f: &Formula) -> Result<Program, FormulaError> {
    let names: Vec<&str> = VARS.iter().map(|(n, _)| *n).collect();
    f.bind(&names, &mut |name, lag| {
        VARS.iter().position(|&(n, l)| n == name && l == lag)
    })
}

/// Parses `text`, checks it against the reference value, and checks vector evaluation.
fn check_text(text: &str, ast: &Ast, vars: &[f64]) -> Result<(), TestCaseError> {
    let f = Formula::parse(text).map_err(|e| TestCaseError::fail(format!("{text}: {e:?}")))?;
    // A constant `clamp` with reversed bounds is rejected by design.
    let p = bind_vars(&f).map_err(|e| TestCaseError::fail(format!("{text}: {e:?}")))?;
    let expected = reference_eval(ast, vars);
    let got = p.eval_scalar(vars);
    prop_assert!(
        same(got, expected),
        "{text}: eval_scalar {got} ({:#x}) != reference {expected} ({:#x})",
        got.to_bits(),
        expected.to_bits()
    );
    // Vector evaluation: row 0 is `vars`, the others perturb them.
    let n = 4;
    let cols: Vec<Vec<f64>> = vars
        .iter()
        .map(|&v| vec![v, v * 0.5, -v, v + 1.0])
        .collect();
    let inputs: Vec<&[f64]> = cols.iter().map(|c| c.as_slice()).collect();
    let mut out = vec![0.0; n];
    let mut scratch = Vec::new();
    p.eval(&inputs, &mut out, &mut scratch);
    for (i, o) in out.iter().enumerate() {
        let row: Vec<f64> = cols.iter().map(|c| c[i]).collect();
        let s = p.eval_scalar(&row);
        prop_assert!(same(*o, s), "{text} row {i}: vector {o} != scalar {s}");
    }
    Ok(())
}

/// Whether the AST has a `clamp` whose bounds are both constant and reversed (a parse error).
fn has_reversed_constant_clamp(e: &Ast) -> bool {
    fn constant(e: &Ast) -> bool {
        match e {
            Ast::Num(..) => true,
            Ast::Var(_) => false,
            Ast::Neg(x) | Ast::Pos(x) | Ast::F1(_, x) => constant(x),
            Ast::Bin(_, l, r) => constant(l) && constant(r),
            Ast::MinMax(_, args) => args.iter().all(constant),
            Ast::Clamp(x, lo, hi) => constant(x) && constant(lo) && constant(hi),
        }
    }
    match e {
        Ast::Num(..) | Ast::Var(_) => false,
        Ast::Neg(x) | Ast::Pos(x) | Ast::F1(_, x) => has_reversed_constant_clamp(x),
        Ast::Bin(_, l, r) => has_reversed_constant_clamp(l) || has_reversed_constant_clamp(r),
        Ast::MinMax(_, args) => args.iter().any(has_reversed_constant_clamp),
        Ast::Clamp(x, lo, hi) => {
            (constant(lo) && constant(hi) && reference_eval(lo, &[]) > reference_eval(hi, &[]))
                || has_reversed_constant_clamp(x)
                || has_reversed_constant_clamp(lo)
                || has_reversed_constant_clamp(hi)
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parsed_text_evaluates_like_the_ast(
        e in ast(),
        vars in prop::collection::vec(var_value(), VARS.len()),
    ) {
        if has_reversed_constant_clamp(&e) {
            let text = print_full(&e);
            let err = Formula::parse(&text);
            prop_assert!(err.is_err(), "{text} should be rejected");
            return Ok(());
        }
        check_text(&print_full(&e), &e, &vars)?;
        check_text(&print_min(&e, " "), &e, &vars)?;
        check_text(&print_min(&e, ""), &e, &vars)?;
    }

    #[test]
    fn parse_never_panics_on_arbitrary_strings(s in any::<String>()) {
        let _ = Formula::parse(&s);
    }

    #[test]
    fn parse_never_panics_on_formula_like_strings(
        s in "[a-dA-Z0-9_.eE+*/^()\\[\\], \u{d7}\u{2212}\u{3000}-]{0,40}|(min|max|clamp|ln|sqrt|lg|\\(|\\)|\\[|\\]|-|\\^|,|1|a|b|\\.|e)*",
    ) {
        if let Ok(f) = Formula::parse(&s) {
            // Whatever parses also binds and evaluates without panicking.
            let refs = f.references();
            let names: Vec<&str> = refs.iter().map(|r| r.name.as_str()).collect();
            let mut next = 0;
            if let Ok(p) = f.bind(&names, &mut |_, _| { next += 1; Some(next - 1) }) {
                let inputs = vec![1.5; refs.len()];
                let _ = p.eval_scalar(&inputs);
                let cols: Vec<Vec<f64>> = vec![vec![1.5, -2.0, 0.0]; refs.len()];
                let slices: Vec<&[f64]> = cols.iter().map(|c| c.as_slice()).collect();
                let mut out = [0.0; 3];
                p.eval(&slices, &mut out, &mut Vec::new());
                for (i, o) in out.iter().enumerate() {
                    let row: Vec<f64> = cols.iter().map(|c| c[i]).collect();
                    prop_assert!(same(*o, p.eval_scalar(&row)));
                }
            }
        }
    }
}
