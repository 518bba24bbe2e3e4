//! The background compile queue: one `jaxide-compile` thread that runs
//! compile jobs in order, so that no call waits for code generation (the
//! `auto` tier runs the interpreter until a job has finished).

use std::sync::mpsc::{channel, Sender};
use std::sync::{Mutex, OnceLock};

/// A compile job; it stores its own result where callers look for it.
pub(crate) type Job = Box<dyn FnOnce() + Send>;

fn queue() -> Option<&'static Mutex<Sender<Job>>> {
    static QUEUE: OnceLock<Option<Mutex<Sender<Job>>>> = OnceLock::new();
    QUEUE
        .get_or_init(|| {
            let (tx, rx) = channel::<Job>();
            std::thread::Builder::new()
                .name("jaxide-compile".into())
                .spawn(move || {
                    for job in rx {
                        // A panicking job must not stop the queue; the job's
                        // result slot stays empty, so its caller keeps the
                        // interpreter.
                        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                    }
                })
                .ok()
                .map(|_| Mutex::new(tx))
        })
        .as_ref()
}

/// Runs `job` on the compile thread (or now, on this thread, when no
/// thread can be started).
pub(crate) fn compile(job: Job) {
    let job = match queue() {
        Some(q) => match q.lock().unwrap_or_else(|e| e.into_inner()).send(job) {
            Ok(()) => return,
            Err(e) => e.0,
        },
        None => job,
    };
    job();
}
