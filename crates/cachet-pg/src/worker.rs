//! Session threads: where a connection's engine calls run.
//!
//! Engine calls are synchronous and may block for a long time (a writer waits for
//! another transaction's row lock; a big query runs for seconds). Running them on
//! tokio's worker threads would stall every other connection served by that thread,
//! so each connection gets one OS thread that owns its [`Backend`] (and so its
//! engine session). The async side sends closures over a channel and awaits their
//! results. The thread ends when the connection drops its [`Worker`], and dropping
//! the backend there rolls back any open transaction.

use crate::backend::Backend;
use std::sync::mpsc;
use std::thread::JoinHandle;

type Job = Box<dyn FnOnce(&mut Backend) + Send>;

/// A handle to a connection's session thread.
pub struct Worker {
    tx: Option<mpsc::Sender<Job>>,
    thread: Option<JoinHandle<()>>,
}

/// The session thread is gone (it panicked).
#[derive(Debug)]
pub struct WorkerGone;

impl Worker {
    /// Starts the thread that owns `backend`.
    pub fn spawn(mut backend: Backend) -> std::io::Result<Worker> {
        let (tx, rx) = mpsc::channel::<Job>();
        let thread = std::thread::Builder::new().name("cachet-pg-session".into()).spawn(move || {
            while let Ok(job) = rx.recv() {
                job(&mut backend);
            }
        })?;
        Ok(Worker { tx: Some(tx), thread: Some(thread) })
    }

    /// Runs `f` on the session thread and waits (asynchronously) for its result.
    pub async fn call<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Backend) -> R + Send + 'static,
    ) -> Result<R, WorkerGone> {
        let (done, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |b| {
            let _ = done.send(f(b));
        });
        self.tx.as_ref().ok_or(WorkerGone)?.send(job).map_err(|_| WorkerGone)?;
        result.await.map_err(|_| WorkerGone)
    }

    /// Stops the thread after its current job and waits for it (so the session, and
    /// its transaction, are gone when this returns).
    pub async fn shutdown(mut self) {
        self.tx.take();
        if let Some(t) = self.thread.take() {
            let _ = tokio::task::spawn_blocking(move || t.join()).await;
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        // Closing the channel ends the thread once its current job is done.
        self.tx.take();
    }
}
