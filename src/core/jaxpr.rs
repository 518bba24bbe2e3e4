//! `Jaxpr`: a staged program of primitive applications, with a typechecker,
//! an evaluator and a pretty-printer in the style of `jax.make_jaxpr`.
//!
//! Autodiff's linearize stages the linear part of a function into a jaxpr,
//! and the transpose interpreter walks it backwards; jit will stage whole
//! functions the same way.

use super::array::Array;
use super::aval::ShapedArray;
use super::trace::bind;
use crate::lax::Primitive;
use std::fmt;

/// A variable in a jaxpr, identified by a dense index, with its abstract value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Var {
    /// Unique index within its jaxpr (dense: `0..num_vars`).
    pub id: usize,
    /// Shape, dtype and weak type.
    pub aval: ShapedArray,
}

/// An operand of an equation: a variable or a literal rank-0 constant.
#[derive(Clone, Debug)]
pub enum Atom {
    /// A variable.
    Var(Var),
    /// A concrete rank-0 constant, inlined (printed as `2.0:f32[]`).
    Literal(Array),
}

impl Atom {
    /// The abstract value of the operand.
    pub fn aval(&self) -> &ShapedArray {
        match self {
            Atom::Var(v) => &v.aval,
            Atom::Literal(x) => x.aval(),
        }
    }
}

/// One primitive application: `outvars = primitive[params] inputs`.
#[derive(Clone, Debug)]
pub struct JaxprEqn {
    /// The primitive with its params.
    pub primitive: Primitive,
    /// Operands.
    pub inputs: Vec<Atom>,
    /// Results.
    pub outvars: Vec<Var>,
}

/// A program: constant inputs, inputs, equations in order, and outputs.
#[derive(Clone, Debug, Default)]
pub struct Jaxpr {
    /// Variables bound to the closed-over constants.
    pub constvars: Vec<Var>,
    /// Input variables.
    pub invars: Vec<Var>,
    /// Equations, in evaluation order.
    pub eqns: Vec<JaxprEqn>,
    /// Outputs.
    pub outvars: Vec<Atom>,
}

/// A jaxpr together with the values of its constants.
#[derive(Clone, Debug, Default)]
pub struct ClosedJaxpr {
    /// The program.
    pub jaxpr: Jaxpr,
    /// One value per `jaxpr.constvars` entry.
    pub consts: Vec<Array>,
}

impl Jaxpr {
    /// One more than the largest variable id (the size of a dense environment).
    pub fn num_vars(&self) -> usize {
        let eqn_vars = self.eqns.iter().flat_map(|e| e.outvars.iter());
        self.constvars
            .iter()
            .chain(&self.invars)
            .chain(eqn_vars)
            .map(|v| v.id + 1)
            .max()
            .unwrap_or(0)
    }

    /// Checks that every variable is defined once before use and that every
    /// equation's output types follow from its inputs by abstract evaluation.
    pub fn typecheck(&self) -> Result<(), String> {
        let mut defined = vec![false; self.num_vars()];
        let define = |defined: &mut [bool], v: &Var, what: &str| -> Result<(), String> {
            let slot = defined
                .get_mut(v.id)
                .ok_or_else(|| format!("variable {} out of range ({what})", v.id))?;
            if std::mem::replace(slot, true) {
                return Err(format!("variable {} defined twice ({what})", v.id));
            }
            Ok(())
        };
        for v in &self.constvars {
            define(&mut defined, v, "constvar")?;
        }
        for v in &self.invars {
            define(&mut defined, v, "invar")?;
        }
        let check_atom = |a: &Atom, defined: &[bool], ctx: &str| -> Result<(), String> {
            match a {
                Atom::Var(v) if !defined.get(v.id).copied().unwrap_or(false) => {
                    Err(format!("variable {} used before definition in {ctx}", v.id))
                }
                Atom::Literal(x) if x.ndim() != 0 || x.is_tracer() => Err(format!(
                    "literal in {ctx} must be a concrete rank-0 array, got {}",
                    x.aval().short()
                )),
                _ => Ok(()),
            }
        };
        for (i, eqn) in self.eqns.iter().enumerate() {
            let ctx = format!("equation {i} ({})", eqn.primitive.name());
            for a in &eqn.inputs {
                check_atom(a, &defined, &ctx)?;
            }
            let in_avals: Vec<&ShapedArray> = eqn.inputs.iter().map(Atom::aval).collect();
            let out_avals = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                eqn.primitive.abstract_eval(&in_avals)
            }))
            .map_err(|e| format!("{ctx}: abstract evaluation failed: {}", panic_text(&e)))?;
            if out_avals.len() != eqn.outvars.len() {
                return Err(format!(
                    "{ctx}: {} outputs, but {} output variables",
                    out_avals.len(),
                    eqn.outvars.len()
                ));
            }
            for (v, a) in eqn.outvars.iter().zip(&out_avals) {
                if &v.aval != a {
                    return Err(format!(
                        "{ctx}: output variable has type {:?}, but the primitive produces {a:?}",
                        v.aval
                    ));
                }
                define(&mut defined, v, &ctx)?;
            }
        }
        for a in &self.outvars {
            check_atom(a, &defined, "the outputs")?;
        }
        Ok(())
    }

    /// Evaluates the jaxpr by binding each equation's primitive, so the
    /// evaluation is itself traceable (it composes with every transformation).
    pub fn eval(&self, consts: &[Array], args: &[Array]) -> Vec<Array> {
        assert_eq!(
            consts.len(),
            self.constvars.len(),
            "eval_jaxpr: wrong number of consts"
        );
        assert_eq!(
            args.len(),
            self.invars.len(),
            "eval_jaxpr: the jaxpr takes {} arguments, got {}",
            self.invars.len(),
            args.len()
        );
        let mut env: Vec<Option<Array>> = vec![None; self.num_vars()];
        for (v, x) in self
            .constvars
            .iter()
            .zip(consts)
            .chain(self.invars.iter().zip(args))
        {
            env[v.id] = Some(x.clone());
        }
        let read = |env: &[Option<Array>], a: &Atom| -> Array {
            match a {
                Atom::Var(v) => env[v.id]
                    .clone()
                    .expect("jaxpr variable read before definition"),
                Atom::Literal(x) => x.clone(),
            }
        };
        for eqn in &self.eqns {
            let inputs: Vec<Array> = eqn.inputs.iter().map(|a| read(&env, a)).collect();
            let refs: Vec<&Array> = inputs.iter().collect();
            let outs = bind(&eqn.primitive, &refs);
            for (v, x) in eqn.outvars.iter().zip(outs) {
                env[v.id] = Some(x);
            }
        }
        self.outvars.iter().map(|a| read(&env, a)).collect()
    }
}

impl ClosedJaxpr {
    /// Evaluates the program on `args`.
    pub fn call(&self, args: &[Array]) -> Vec<Array> {
        self.jaxpr.eval(&self.consts, args)
    }
}

fn panic_text(e: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = e.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = e.downcast_ref::<&str>() {
        (*s).to_string()
    } else {
        "unknown panic".to_string()
    }
}

// ------------------------------------------------------------ pretty-printing

/// JAX's variable names: `a`..`z`, then `ba`, `bb`, ... (base 26, `a` = 0).
pub fn var_name(mut n: usize) -> String {
    let mut chars = Vec::new();
    loop {
        chars.push((b'a' + (n % 26) as u8) as char);
        n /= 26;
        if n == 0 {
            break;
        }
    }
    chars.iter().rev().collect()
}

struct Namer {
    names: Vec<Option<String>>,
    next: usize,
}

impl Namer {
    fn bind(&mut self, v: &Var) -> String {
        let name = var_name(self.next);
        self.next += 1;
        if self.names.len() <= v.id {
            self.names.resize(v.id + 1, None);
        }
        self.names[v.id] = Some(name.clone());
        name
    }
    fn atom(&self, a: &Atom) -> String {
        match a {
            Atom::Var(v) => self
                .names
                .get(v.id)
                .cloned()
                .flatten()
                .unwrap_or_else(|| format!("<undefined {}>", v.id)),
            Atom::Literal(x) => format!("{}:{}", literal_text(x), x.aval().short()),
        }
    }
}

/// A literal's value as JAX prints it in jaxprs (`2.0`, `3`, `True`).
fn literal_text(x: &Array) -> String {
    let d = x.dtype();
    let v = crate::lax::ad_util::scalar_value_f64(x);
    if d.is_bool() {
        if v != 0.0 { "True" } else { "False" }.to_string()
    } else if d.is_float() {
        if v.is_finite() && v == v.trunc() && v.abs() < 1e16 {
            format!("{v:.1}")
        } else if d == crate::DType::F64 || x.weak_type() {
            // A weak literal came from a Rust scalar; JAX holds those as
            // Python floats, printing the f32 value's full f64 repr.
            format!("{v:?}")
        } else {
            format!("{:?}", v as f32)
        }
    } else {
        format!("{v}")
    }
}

fn binder(name: &str, v: &Var) -> String {
    format!("{name}:{}", v.aval.short())
}

/// JAX's line width for pretty-printing jaxprs.
const WIDTH: usize = 80;

impl fmt::Display for Jaxpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut used = vec![false; self.num_vars()];
        let eqn_inputs = self.eqns.iter().flat_map(|e| e.inputs.iter());
        for a in eqn_inputs.chain(&self.outvars) {
            if let Atom::Var(v) = a {
                used[v.id] = true;
            }
        }
        let mut namer = Namer {
            names: vec![None; self.num_vars()],
            next: 0,
        };
        let bind_all = |vars: &[Var], namer: &mut Namer, dead_as_underscore: bool| {
            vars.iter()
                .map(|v| {
                    if dead_as_underscore && !used[v.id] {
                        binder("_", v)
                    } else {
                        let n = namer.bind(v);
                        binder(&n, v)
                    }
                })
                .collect::<Vec<String>>()
        };
        let consts = bind_all(&self.constvars, &mut namer, false);
        let ins = bind_all(&self.invars, &mut namer, false);
        // Each equation as (head "outs = prim", params, args).
        let mut eqns = Vec::new();
        for eqn in &self.eqns {
            let args: Vec<String> = eqn.inputs.iter().map(|a| namer.atom(a)).collect();
            let outs = bind_all(&eqn.outvars, &mut namer, true);
            let params: Vec<String> = eqn
                .primitive
                .rules()
                .params()
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            eqns.push((
                format!("{} = {}", outs.join(" "), eqn.primitive.name()),
                params,
                args.join(" "),
            ));
        }
        let flat = |(head, params, args): &(String, Vec<String>, String)| {
            let p = if params.is_empty() {
                String::new()
            } else {
                format!("[{}]", params.join(" "))
            };
            format!("{head}{p} {args}")
        };
        let outs: Vec<String> = self.outvars.iter().map(|a| namer.atom(a)).collect();
        let outs = if outs.len() == 1 {
            format!("({},)", outs[0])
        } else {
            format!("({})", outs.join(", "))
        };
        let head = format!("{{ lambda {}; {}. let", consts.join(" "), ins.join(" "));
        let lines: Vec<String> = eqns.iter().map(flat).collect();
        let one_line = format!("{head} {} in {outs} }}", lines.join("; "));
        if one_line.len() <= WIDTH {
            return f.write_str(&one_line);
        }
        writeln!(f, "{head}")?;
        for (eqn, line) in eqns.iter().zip(&lines) {
            if 4 + line.len() <= WIDTH || eqn.1.is_empty() {
                writeln!(f, "    {line}")?;
            } else {
                writeln!(f, "    {}[", eqn.0)?;
                for p in &eqn.1 {
                    // Nested jaxprs (control-flow bodies) are indented with their param.
                    writeln!(f, "      {}", p.replace('\n', "\n      "))?;
                }
                writeln!(f, "    ] {}", eqn.2)?;
            }
        }
        write!(f, "  in {outs} }}")
    }
}

impl fmt::Display for ClosedJaxpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.jaxpr, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_jax() {
        assert_eq!(var_name(0), "a");
        assert_eq!(var_name(25), "z");
        assert_eq!(var_name(26), "ba");
        assert_eq!(var_name(27), "bb");
    }
}
