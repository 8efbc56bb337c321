//! The operations of a formula and their scalar semantics, shared by the parser (constant
//! folding), the compiled program and its scalar and vector evaluation; and the parser's postfix
//! instruction, which the program compiles.

/// An operation of the compiled program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Op {
    /// Identity: moves a slot or constant into the output.
    Copy,
    Neg,
    Abs,
    Ln,
    Log10,
    Exp,
    Sqrt,
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Min,
    Max,
    Clamp,
}

impl Op {
    /// Number of operands the operation pops.
    pub(super) fn arity(self) -> usize {
        match self {
            Op::Copy | Op::Neg | Op::Abs | Op::Ln | Op::Log10 | Op::Exp | Op::Sqrt => 1,
            Op::Add | Op::Sub | Op::Mul | Op::Div | Op::Pow | Op::Min | Op::Max => 2,
            Op::Clamp => 3,
        }
    }
}

#[inline(always)]
pub(super) fn f_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if a <= b {
        a
    } else {
        b
    }
}

#[inline(always)]
pub(super) fn f_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if a >= b {
        a
    } else {
        b
    }
}

/// `a ^ b`: [`f64::powf`], except that a square is computed as `a * a` (faster, and correctly
/// rounded).
#[inline(always)]
pub(super) fn f_pow(a: f64, b: f64) -> f64 {
    if b == 2.0 {
        a * a
    } else {
        a.powf(b)
    }
}

#[inline(always)]
pub(super) fn f_clamp(x: f64, lo: f64, hi: f64) -> f64 {
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

/// Scalar semantics of every operation; unused operands are ignored.
#[inline]
pub(super) fn apply(op: Op, a: f64, b: f64, c: f64) -> f64 {
    match op {
        Op::Copy => a,
        Op::Neg => -a,
        Op::Abs => a.abs(),
        Op::Ln => a.ln(),
        Op::Log10 => a.log10(),
        Op::Exp => a.exp(),
        Op::Sqrt => a.sqrt(),
        Op::Add => a + b,
        Op::Sub => a - b,
        Op::Mul => a * b,
        Op::Div => a / b,
        Op::Pow => f_pow(a, b),
        Op::Min => f_min(a, b),
        Op::Max => f_max(a, b),
        Op::Clamp => f_clamp(a, b, c),
    }
}

/// One instruction of the unbound postfix code.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum PInstr {
    Const(f64),
    /// Index into the formula's reference table.
    Load(usize),
    Op(Op),
}
