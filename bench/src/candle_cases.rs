//! The candle peer column (cargo feature `candle`, off in CI): the eager
//! rows, matmul, and the MLP steps written with candle's autograd, on the
//! same inputs and under the same case names as jaxide's.
//!
//! candle runs on the CPU synchronously, so a returned tensor is ready.

use crate::cases::{matrix_data, rect_data, Case};
use candle_core::{DType, Device, Result, Tensor, Var};

fn case(name: &'static str, mut run: impl FnMut() -> Result<()> + 'static) -> Case {
    crate::cases::case(name, move || run().expect("candle failed"))
}

fn rect(r: usize, c: usize) -> Tensor {
    Tensor::from_vec(rect_data(r, c), (r, c), &Device::Cpu).expect("candle tensor")
}

/// `x / n` for `x = arange(n)` in f32, as jaxide's inputs.
fn unit_ramp(n: usize) -> Tensor {
    let v: Vec<f32> = (0..n).map(|i| i as f32 / n as f32).collect();
    Tensor::from_vec(v, n, &Device::Cpu).expect("candle tensor")
}

/// The cases candle can run, each named as its jaxide counterpart.
pub fn candle_cases() -> Vec<Case> {
    let cpu = Device::Cpu;
    let n = 10_000_000;
    let a1 = Tensor::ones(1, DType::F32, &cpu).expect("candle tensor");
    let a1k = Tensor::ones(1000, DType::F32, &cpu).expect("candle tensor");
    let vf = Tensor::arange(0f32, n as f32, &cpu).expect("candle tensor");
    let (row, col) = (
        vf.reshape((1, n)).expect("row"),
        vf.reshape((n, 1)).expect("col"),
    );
    let x = unit_ramp(n);
    let x2 = x.clone();
    let m = Tensor::from_vec(matrix_data(1024), (1024, 1024), &cpu).expect("candle tensor");
    vec![
        case("dot_f32_1e7", move || {
            // candle has no vector dot: a (1, n) x (n, 1) matmul.
            row.matmul(&col)?;
            Ok(())
        }),
        case("add_f32_1", move || {
            (&a1 + &a1)?;
            Ok(())
        }),
        case("add_f32_1000", move || {
            (&a1k + &a1k)?;
            Ok(())
        }),
        case("exp_f32_1e7", move || {
            x.exp()?;
            Ok(())
        }),
        case("chain_eager_f32_1e7", move || {
            x2.affine(2.0, 1.0)?.tanh()?.sqr()?.sum_all()?;
            Ok(())
        }),
        case("matmul_f32_1024", move || {
            m.matmul(&m)?;
            Ok(())
        }),
        mlp_value_and_grad_case(),
        mlp_step_case(),
    ]
}

/// `mean((tanh(x w1 + b1) w2 + b2 - y)^2)`, as jaxide's `mlp_loss`.
fn mlp_loss(p: &[Var; 4], x: &Tensor, y: &Tensor) -> Result<Tensor> {
    let h = x
        .matmul(p[0].as_tensor())?
        .broadcast_add(p[1].as_tensor())?
        .tanh()?;
    let out = h
        .matmul(p[2].as_tensor())?
        .broadcast_add(p[3].as_tensor())?;
    (out - y)?.sqr()?.mean_all()
}

fn vars(shapes: [(usize, usize, f32); 2]) -> [Var; 4] {
    let cpu = Device::Cpu;
    let [(i, h, s1), (_, o, s2)] = shapes;
    let var = |t: Tensor| Var::from_tensor(&t).expect("candle var");
    [
        var((rect(i, h) * s1 as f64).expect("scale")),
        var(Tensor::zeros(h, DType::F32, &cpu).expect("zeros")),
        var((rect(h, o) * s2 as f64).expect("scale")),
        var(Tensor::zeros(o, DType::F32, &cpu).expect("zeros")),
    ]
}

/// `value_and_grad_mlp_eager`: batch 32, 64 → 128 → 10.
fn mlp_value_and_grad_case() -> Case {
    let p = vars([(64, 128, 0.125), (128, 10, 0.09)]);
    let (x, y) = (rect(32, 64), rect(32, 10));
    case("value_and_grad_mlp_eager", move || {
        let loss = mlp_loss(&p, &x, &y)?;
        let grads = loss.backward()?;
        grads.get(p[0].as_tensor()).expect("grad of w1");
        Ok(())
    })
}

/// `jit_mlp_step`: one SGD step (lr 0.01) of the 784 → 512 → 10 MLP on a
/// batch of 128 (candle has no jit: its eager autograd step).
fn mlp_step_case() -> Case {
    let p = vars([(784, 512, 0.036), (512, 10, 0.044)]);
    let (x, y) = (rect(128, 784), rect(128, 10));
    case("jit_mlp_step", move || {
        let loss = mlp_loss(&p, &x, &y)?;
        let grads = loss.backward()?;
        // New parameters, as jaxide's step returns (the inputs stay as they are).
        for v in &p {
            let g = grads.get(v.as_tensor()).expect("a gradient per parameter");
            (v.as_tensor() - (g * 0.01)?)?;
        }
        Ok(())
    })
}
