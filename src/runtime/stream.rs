//! The compute stream: one worker thread that runs enqueued work in order.
//!
//! Work is enqueued with the arrays it will fill; if the work panics, every
//! output receives an [`AsyncError`] so that a later read fails loudly
//! instead of hanging. Because work runs in FIFO order, an op enqueued after
//! its producers always sees their results.

use super::device_array::{AsyncError, DeviceArray};
use crate::backend::cpu::buffer::Buffer;
use smallvec::SmallVec;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{channel, Sender};
use std::sync::{Arc, Mutex, OnceLock};

/// Work for the stream: computes output buffers from ready input buffers.
pub type Work = Box<dyn FnOnce(&[&Buffer]) -> SmallVec<[Buffer; 1]> + Send>;

struct Task {
    op: &'static str,
    inputs: SmallVec<[Arc<DeviceArray>; 4]>,
    outputs: SmallVec<[Arc<DeviceArray>; 1]>,
    work: Work,
}

fn sender() -> &'static Mutex<Sender<Task>> {
    static SENDER: OnceLock<Mutex<Sender<Task>>> = OnceLock::new();
    SENDER.get_or_init(|| {
        let (tx, rx) = channel::<Task>();
        std::thread::Builder::new()
            .name("jaxide-stream".into())
            .spawn(move || {
                while let Ok(task) = rx.recv() {
                    run_task(task);
                }
            })
            .expect("jaxide: could not start the compute stream thread");
        Mutex::new(tx)
    })
}

fn run_task(task: Task) {
    let Task {
        op,
        inputs,
        outputs,
        work,
    } = task;
    let mut bufs: SmallVec<[&Buffer; 4]> = SmallVec::new();
    for x in &inputs {
        match x.try_buffer() {
            Ok(b) => bufs.push(b),
            Err(e) => {
                for o in &outputs {
                    o.fulfill(Err(e.clone()));
                }
                return;
            }
        }
    }
    match catch_unwind(AssertUnwindSafe(|| work(&bufs))) {
        Ok(results) if results.len() == outputs.len() => {
            for (o, b) in outputs.iter().zip(results) {
                o.fulfill(Ok(b));
            }
        }
        Ok(results) => fail_all(
            op,
            &outputs,
            format!(
                "produced {} outputs, expected {}",
                results.len(),
                outputs.len()
            ),
        ),
        Err(payload) => {
            let message = if let Some(s) = payload.downcast_ref::<&str>() {
                s.to_string()
            } else if let Some(s) = payload.downcast_ref::<String>() {
                s.clone()
            } else {
                "a kernel panicked".to_string()
            };
            fail_all(op, &outputs, message)
        }
    }
}

fn fail_all(op: &str, outputs: &[Arc<DeviceArray>], message: String) {
    let err = AsyncError::new(op, message);
    for o in outputs {
        o.fulfill(Err(err.clone()));
    }
}

/// Enqueues `work` on the stream. `outputs` are pending arrays that it fills.
pub fn enqueue(
    op: &'static str,
    inputs: SmallVec<[Arc<DeviceArray>; 4]>,
    outputs: SmallVec<[Arc<DeviceArray>; 1]>,
    work: Work,
) {
    let task = Task {
        op,
        inputs,
        outputs,
        work,
    };
    if let Err(e) = sender().lock().unwrap().send(task) {
        // The worker never exits while the process runs; run inline as a fallback.
        run_task(e.0);
    }
}

/// Blocks until all work enqueued so far has finished.
pub fn synchronize() {
    let done = DeviceArray::pending(crate::core::aval::ShapedArray::new(
        crate::core::shape::Shape::scalar(),
        crate::core::dtype::DType::U8,
    ));
    enqueue(
        "synchronize",
        SmallVec::new(),
        smallvec::smallvec![done.clone()],
        Box::new(|_| smallvec::smallvec![Buffer::new(1)]),
    );
    let _ = done.try_buffer();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::aval::ShapedArray;
    use crate::core::dtype::DType;
    use crate::core::shape::Shape;

    fn pending() -> Arc<DeviceArray> {
        DeviceArray::pending(ShapedArray::new(Shape::new(&[2]), DType::F32))
    }

    #[test]
    fn a_panicking_kernel_surfaces_as_an_error_not_a_hang() {
        let out = pending();
        enqueue(
            "boom",
            SmallVec::new(),
            smallvec::smallvec![out.clone()],
            Box::new(|_| panic!("kernel exploded")),
        );
        let err = out.try_buffer().unwrap_err();
        assert_eq!(err.op, "boom");
        assert!(err.to_string().contains("kernel exploded"), "{err}");
        // A consumer of the failed value fails too, with the original error.
        let downstream = pending();
        enqueue(
            "consumer",
            smallvec::smallvec![out.clone()],
            smallvec::smallvec![downstream.clone()],
            Box::new(|_| smallvec::smallvec![Buffer::new(8)]),
        );
        let err2 = downstream.try_buffer().unwrap_err();
        assert!(err2.to_string().contains("kernel exploded"));
        // The stream keeps working afterwards.
        synchronize();
    }

    #[test]
    fn reading_a_failed_array_panics_with_the_error() {
        let out = pending();
        enqueue(
            "bad_op",
            SmallVec::new(),
            smallvec::smallvec![out.clone()],
            Box::new(|_| panic!("bad input data")),
        );
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            out.buffer();
        }));
        let msg = *r.unwrap_err().downcast::<String>().unwrap();
        assert!(
            msg.contains("asynchronous computation of `bad_op` failed: bad input data"),
            "{msg}"
        );
    }
}
