//! The compiled program of a bound formula: register allocation ([`Program`]'s `compile`), and evaluation over slices of paths ([`Program::eval`]) or one path
//! ([`Program::eval_scalar`]), bit-identical to each other.

use super::ops::{apply, f_clamp, f_max, f_min, f_pow, Op, PInstr};

/// Scratch registers that [`Program::eval_scalar`] keeps on the stack before falling back to a
/// heap buffer.
const SCALAR_REGS: usize = 16;

// ---------------------------------------------------------------------------------------------
// Program: register code over slices
// ---------------------------------------------------------------------------------------------

/// Where an operand comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Src {
    /// Register r: 0 is the output buffer, r >= 1 is `scratch[r - 1]`.
    Reg(usize),
    /// Engine input slot.
    Slot(usize),
    Const(f64),
}

/// `dst = op(a, b, c)`. Register operands are never below `dst` (stack discipline), so `dst`
/// can be split off from the registers the operands live in.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Instr {
    op: Op,
    dst: usize,
    a: Src,
    b: Src,
    c: Src,
}

/// A bound, compiled formula ready for vector evaluation.
#[derive(Debug, Clone)]
pub struct Program {
    instrs: Vec<Instr>,
    /// Number of scratch vectors (registers 1..=scratch).
    scratch: usize,
}

/// A resolved operand of the vector kernels.
#[derive(Clone, Copy)]
enum In<'a> {
    /// The destination itself (in-place update).
    Dst,
    Slice(&'a [f64]),
    Const(f64),
}

impl In<'_> {
    #[inline(always)]
    fn get(&self, i: usize, own: f64) -> f64 {
        match self {
            In::Dst => own,
            In::Slice(s) => s[i],
            In::Const(c) => *c,
        }
    }
}

#[inline(always)]
fn unary(out: &mut [f64], a: In<'_>, f: impl Fn(f64) -> f64) {
    match a {
        In::Dst => out.iter_mut().for_each(|o| *o = f(*o)),
        In::Slice(x) => out.iter_mut().zip(x).for_each(|(o, &x)| *o = f(x)),
        In::Const(c) => out.fill(f(c)),
    }
}

#[inline(always)]
fn binary(out: &mut [f64], a: In<'_>, b: In<'_>, f: impl Fn(f64, f64) -> f64) {
    match (a, b) {
        (In::Dst, In::Slice(y)) => out.iter_mut().zip(y).for_each(|(o, &y)| *o = f(*o, y)),
        (In::Dst, In::Const(c)) => out.iter_mut().for_each(|o| *o = f(*o, c)),
        (In::Slice(x), In::Dst) => out.iter_mut().zip(x).for_each(|(o, &x)| *o = f(x, *o)),
        (In::Const(c), In::Dst) => out.iter_mut().for_each(|o| *o = f(c, *o)),
        (In::Slice(x), In::Slice(y)) => out
            .iter_mut()
            .zip(x.iter().zip(y))
            .for_each(|(o, (&x, &y))| *o = f(x, y)),
        (In::Slice(x), In::Const(c)) => out.iter_mut().zip(x).for_each(|(o, &x)| *o = f(x, c)),
        (In::Const(c), In::Slice(y)) => out.iter_mut().zip(y).for_each(|(o, &y)| *o = f(c, y)),
        (In::Const(x), In::Const(y)) => out.fill(f(x, y)),
        (In::Dst, In::Dst) => out.iter_mut().for_each(|o| *o = f(*o, *o)),
    }
}

#[inline(always)]
fn ternary(out: &mut [f64], a: In<'_>, b: In<'_>, c: In<'_>, f: impl Fn(f64, f64, f64) -> f64) {
    for (i, o) in out.iter_mut().enumerate() {
        let own = *o;
        *o = f(a.get(i, own), b.get(i, own), c.get(i, own));
    }
}

/// Runs one operation over `out` (the destination register).
fn run(op: Op, out: &mut [f64], a: In<'_>, b: In<'_>, c: In<'_>) {
    match op {
        Op::Copy => unary(out, a, |x| x),
        Op::Neg => unary(out, a, |x| -x),
        Op::Abs => unary(out, a, f64::abs),
        Op::Ln => unary(out, a, f64::ln),
        Op::Log10 => unary(out, a, f64::log10),
        Op::Exp => unary(out, a, f64::exp),
        Op::Sqrt => unary(out, a, f64::sqrt),
        Op::Add => binary(out, a, b, |x, y| x + y),
        Op::Sub => binary(out, a, b, |x, y| x - y),
        Op::Mul => binary(out, a, b, |x, y| x * y),
        Op::Div => binary(out, a, b, |x, y| x / y),
        Op::Pow => match b {
            In::Const(2.0) => unary(out, a, |x| x * x),
            _ => binary(out, a, b, f_pow),
        },
        Op::Min => binary(out, a, b, f_min),
        Op::Max => binary(out, a, b, f_max),
        Op::Clamp => ternary(out, a, b, c, f_clamp),
    }
}

/// Resolves an operand of an instruction writing register `dst`. `above` holds the scratch
/// vectors of the registers above `dst` (register r is `above[r - 1 - dst]`).
#[inline]
fn resolve<'a>(
    src: Src,
    dst: usize,
    inputs: &[&'a [f64]],
    above: &'a [Vec<f64>],
    n: usize,
) -> In<'a> {
    match src {
        Src::Const(c) => In::Const(c),
        Src::Slot(s) => In::Slice(&inputs[s][..n]),
        Src::Reg(r) if r == dst => In::Dst,
        Src::Reg(r) => {
            debug_assert!(r > dst, "operands never live below their destination");
            In::Slice(&above[r - 1 - dst][..n])
        }
    }
}

impl Program {
    /// Register allocation by stack position: the value at stack position p lives in register p.
    pub(super) fn compile(code: &[PInstr], slots: &[usize]) -> Program {
        let mut stack: Vec<Src> = Vec::new();
        let mut instrs = Vec::new();
        let mut top_reg = 0;
        for ins in code {
            match *ins {
                PInstr::Const(v) => stack.push(Src::Const(v)),
                PInstr::Load(i) => stack.push(Src::Slot(slots[i])),
                PInstr::Op(op) => {
                    let k = op.arity();
                    debug_assert!(stack.len() >= k);
                    let base = stack.len() - k;
                    let arg = |j: usize| {
                        if j < k {
                            stack[base + j]
                        } else {
                            Src::Const(0.0)
                        }
                    };
                    instrs.push(Instr {
                        op,
                        dst: base,
                        a: arg(0),
                        b: arg(1),
                        c: arg(2),
                    });
                    stack.truncate(base);
                    stack.push(Src::Reg(base));
                    top_reg = top_reg.max(base);
                }
            }
        }
        debug_assert_eq!(stack.len(), 1);
        match stack.first() {
            Some(Src::Reg(0)) => {}
            Some(&result) => instrs.push(Instr {
                op: Op::Copy,
                dst: 0,
                a: result,
                b: Src::Const(0.0),
                c: Src::Const(0.0),
            }),
            None => {}
        }
        Program {
            instrs,
            scratch: top_reg,
        }
    }

    /// Maximum stack depth; the engine allocates that many scratch vectors once.
    ///
    /// The output buffer doubles as the bottom of the evaluation stack, so this is the number of
    /// scratch vectors needed besides `out` (0 for formulas such as `a / b * 100`).
    pub fn stack_depth(&self) -> usize {
        self.scratch
    }

    /// Evaluate for `out.len()` paths. `inputs[slot]` is the slice of values for that slot
    /// (each of length >= out.len()). `scratch` must hold at least `stack_depth()` vectors; they
    /// are resized as needed (no allocation once they are big enough). Non-finite results are
    /// written as they are (IEEE semantics: x/0 = inf, ln(-1) = NaN); the engine detects them.
    ///
    /// If `scratch` holds fewer than `stack_depth()` vectors, the missing ones are added.
    /// Results are bit-identical to [`Program::eval_scalar`] path by path.
    ///
    /// # Panics
    /// If a slot the program reads is missing from `inputs` or shorter than `out`.
    pub fn eval(&self, inputs: &[&[f64]], out: &mut [f64], scratch: &mut Vec<Vec<f64>>) {
        let n = out.len();
        if n == 0 {
            return;
        }
        if scratch.len() < self.scratch {
            scratch.resize_with(self.scratch, Vec::new);
        }
        for v in &mut scratch[..self.scratch] {
            if v.len() < n {
                v.resize(n, 0.0);
            }
        }
        for ins in &self.instrs {
            if ins.dst == 0 {
                let above: &[Vec<f64>] = scratch;
                let a = resolve(ins.a, 0, inputs, above, n);
                let b = resolve(ins.b, 0, inputs, above, n);
                let c = resolve(ins.c, 0, inputs, above, n);
                run(ins.op, out, a, b, c);
            } else {
                let (below, above) = scratch.split_at_mut(ins.dst);
                let dst = &mut below[ins.dst - 1][..n];
                let above: &[Vec<f64>] = above;
                let a = resolve(ins.a, ins.dst, inputs, above, n);
                let b = resolve(ins.b, ins.dst, inputs, above, n);
                let c = resolve(ins.c, ins.dst, inputs, above, n);
                run(ins.op, dst, a, b, c);
            }
        }
    }

    /// Evaluate for a single path (scalar inputs per slot) — used for history values and tests.
    ///
    /// # Panics
    /// If a slot the program reads is missing from `inputs`.
    pub fn eval_scalar(&self, inputs: &[f64]) -> f64 {
        let mut small = [0.0; SCALAR_REGS];
        let mut big = Vec::new();
        let regs: &mut [f64] = if self.scratch < SCALAR_REGS {
            &mut small
        } else {
            big.resize(self.scratch + 1, 0.0);
            &mut big
        };
        for ins in &self.instrs {
            let val = |s: Src, regs: &[f64]| match s {
                Src::Reg(r) => regs[r],
                Src::Slot(s) => inputs[s],
                Src::Const(c) => c,
            };
            let a = val(ins.a, regs);
            let b = val(ins.b, regs);
            let c = val(ins.c, regs);
            regs[ins.dst] = apply(ins.op, a, b, c);
        }
        regs[0]
    }
}

#[cfg(test)]
mod tests {
    use crate::model::formula::tests::compile;

    #[test]
    fn few_registers() {
        let (p, _) = compile("(a - a[-1]) / a[-1] * 100");
        assert_eq!(p.stack_depth(), 0);
        let (p, _) = compile("(b + c) * a");
        assert_eq!(p.stack_depth(), 0);
        let (p, _) = compile("a * (b + c)");
        assert_eq!(p.stack_depth(), 1);
        let (p, _) = compile("(a + b) * (b + c)");
        assert_eq!(p.stack_depth(), 1);
        let (p, _) = compile("x");
        assert_eq!(p.stack_depth(), 0);
        assert_eq!(p.eval_scalar(&[4.0]), 4.0);
    }

    #[test]
    fn vector_matches_scalar_with_registers_in_every_position() {
        let text = "clamp(min(a, b, c) - max(a * x, b), -(a + b)^2, abs(c - x) + sqrt(a)) \
                    + ln(a + 10) * log10(b + 10) / exp(x) - (a - (b - (c - (x - 1))))";
        let (p, slots) = compile(text);
        assert!(p.stack_depth() >= 3);
        let n = 37;
        let cols: Vec<Vec<f64>> = (0..slots.len())
            .map(|s| {
                (0..n)
                    .map(|i| ((i * 7 + s * 3) % 11) as f64 - 5.0)
                    .collect()
            })
            .collect();
        let inputs: Vec<&[f64]> = cols.iter().map(|c| c.as_slice()).collect();
        let mut out = vec![0.0; n];
        let mut scratch = Vec::new();
        p.eval(&inputs, &mut out, &mut scratch);
        for (i, o) in out.iter().enumerate() {
            let row: Vec<f64> = cols.iter().map(|c| c[i]).collect();
            let s = p.eval_scalar(&row);
            assert!(
                s.to_bits() == o.to_bits() || (s.is_nan() && o.is_nan()),
                "row {i}"
            );
        }
    }
}
