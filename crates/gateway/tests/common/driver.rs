//! Driving the gateway's binary with many requests from another process (the load test and
//! the throughput bench): the process with its organization and a client, and jobs run with
//! bounded concurrency. Included next to `binary.rs`.

use std::path::Path;
use std::process::{Child, Command, ExitStatus};
use std::time::{Duration, Instant};

use crate::binary;

/// The gateway process: stopped with SIGTERM by [`Server::stop`], killed if it is still
/// running when dropped (the test or the bench failed).
pub struct Server(Child);

impl Server {
    /// Sends SIGTERM and waits for the process to end; it must within 15 seconds.
    pub fn stop(&mut self) -> ExitStatus {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Ok(Some(status)) = self.0.try_wait() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the gateway did not stop on SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// A gateway serving with one organization, and a client for it.
pub struct Driven {
    pub server: Server,
    /// `http://<address>`.
    pub base: String,
    /// The organization's API token.
    pub token: String,
    /// Keeps up to `concurrency` idle connections, so that every job can reuse one.
    pub client: reqwest::Client,
}

/// Makes the organization `Acme` on `config`, then starts the gateway on it.
pub fn start(config: &Path, concurrency: usize) -> Driven {
    let token = binary::create_organization(config, "Acme");
    let (child, addr) = binary::serve(config);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    Driven {
        server: Server(child),
        base: format!("http://{addr}"),
        token,
        client,
    }
}

/// Runs `job(i)` for every i in 0..n on `concurrency` tasks, so at most that many requests
/// are in flight; returns the results in order of i.
pub async fn run_all<F, Fut, T>(n: usize, concurrency: usize, job: F) -> Vec<T>
where
    F: Fn(usize) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = T> + Send,
    T: Send + 'static,
{
    let tasks: Vec<_> = (0..concurrency)
        .map(|worker| {
            let job = job.clone();
            tokio::spawn(async move {
                let mut out = Vec::new();
                for i in (worker..n).step_by(concurrency) {
                    out.push((i, job(i).await));
                }
                out
            })
        })
        .collect();
    let mut results = Vec::with_capacity(n);
    for t in tasks {
        results.extend(t.await.expect("a job's task"));
    }
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}
