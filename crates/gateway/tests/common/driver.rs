//! Driving the gateway's binary with many requests from another process (the load test and
//! the throughput bench): the process with its organization and its API, and jobs run with
//! bounded concurrency. Included next to `binary.rs`.

use std::path::Path;
use std::process::{Child, Command, ExitStatus};
use std::sync::Arc;
use std::time::{Duration, Instant};

use orgdesk_protocol::EventsPage;

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

/// What a job needs to call the gateway's API; cheap to clone into every job.
#[derive(Clone)]
pub struct Api {
    pub client: reqwest::Client,
    /// `http://<address>`.
    pub base: Arc<str>,
    /// The organization's API token.
    pub token: Arc<str>,
}

impl Api {
    /// A request to `path` (what follows the address), with the organization's token.
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&*self.token)
    }

    /// A page of the event feed, which must answer 200: `query` is what follows the `?`
    /// (`after=…&limit=…`).
    pub async fn events_page(&self, query: &str) -> EventsPage {
        let r = self
            .request(reqwest::Method::GET, &format!("/api/v1/events?{query}"))
            .send()
            .await
            .expect("events request");
        assert_eq!(r.status(), 200, "events?{query}");
        r.json().await.expect("events page")
    }
}

/// Makes the organization `Acme` on `config`, then starts the gateway on it: the process, and
/// its API for a client that keeps up to `concurrency` idle connections (one for every job).
pub fn start(config: &Path, concurrency: usize) -> (Server, Api) {
    let token = binary::create_organization(config, "Acme");
    let (child, addr) = binary::serve(config);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let api = Api {
        client,
        base: format!("http://{addr}").into(),
        token: token.into(),
    };
    (Server(child), api)
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

/// [`run_all`] with jobs that call the API: each gets its own handle to `api`.
pub async fn run_on_api<F, Fut, T>(n: usize, concurrency: usize, api: &Api, job: F) -> Vec<T>
where
    F: Fn(Api, usize) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = T> + Send,
    T: Send + 'static,
{
    let api = api.clone();
    run_all(n, concurrency, move |i| job(api.clone(), i)).await
}
