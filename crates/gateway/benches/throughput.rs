//! `cargo bench -p orgdesk-gateway --bench throughput`: a load test of the real
//! `orgdesk-gateway` binary (release build, its own process) from a Rust client over loopback:
//! 10,000 invitation creations, 10,000 invitation page opens (each writes an event), pulling
//! those 10,000 events, and 10,000 event-feed requests. First on SQLite, then on PostgreSQL
//! (a throwaway Debian server on a loopback port) when it is installed. On SQLite it also
//! times sign-ins with a wrong password for a known username against unknown usernames (both
//! are checked against an Argon2id hash, the unknown ones against a decoy): the two figures
//! should be close; the tests check only that the answers are the same.

#[path = "../tests/common/binary.rs"]
mod binary;
#[path = "../tests/common/driver.rs"]
mod driver;
#[path = "../tests/common/loopback.rs"]
mod loopback;
#[path = "../tests/common/postgres.rs"]
mod postgres;

use std::time::{Duration, Instant};

use orgdesk_protocol::{Channel, CreateInvitation, InvitationCreated};
use reqwest::Method;

const N: usize = 10_000;
const CONCURRENCY: usize = 16;

fn request(i: usize) -> CreateInvitation {
    CreateInvitation {
        channel: Channel::Link,
        recipient: format!("person{i}@example.org"),
        invitee_name: format!("Person {i}"),
        organization_name: "Acme Ltd".into(),
        department_label: "Engineering".into(),
        position_label: "Engineer".into(),
        inviter_name: "Ann Admin".into(),
        expires_in_secs: None,
        locale: None,
    }
}

/// Runs `jobs` (N of them, see [`driver::run_all`]); the elapsed seconds and the results.
async fn timed<T>(jobs: impl std::future::Future<Output = Vec<T>>) -> (f64, Vec<T>) {
    let started = Instant::now();
    let results = jobs.await;
    (started.elapsed().as_secs_f64(), results)
}

async fn bench(label: &str, database: &str) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("gateway.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:0\"\ndatabase = \"{database}\"\n\
             [mail]\ntransport = \"file\"\ndir = \"{}\"\nfrom = \"Orgdesk <noreply@example.org>\"\n\
             [limits]\ninvitations_per_minute = 1000000\nform_posts_per_minute = 1000000\n\
             [sign_in]\nlockout_after_failures = 1000000\n\
             address_lockout_after_failures = 1000000\n",
            dir.path().join("mail").display()
        ),
    )
    .unwrap();
    let (mut server, api) = driver::start(&config, CONCURRENCY);

    println!("{label}:");
    let (secs, links) = timed(driver::run_on_api(
        N,
        CONCURRENCY,
        &api,
        |api, i| async move {
            let r = api
                .request(Method::POST, "/api/v1/invitations")
                .header("Idempotency-Key", format!("bench-{i}"))
                .json(&request(i))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 201);
            r.json::<InvitationCreated>().await.unwrap().link
        },
    ))
    .await;
    println!(
        "  create:     {N} invitations in {secs:.2} s = {:.0}/s",
        N as f64 / secs
    );

    let links = std::sync::Arc::new(links);
    let (secs, _) = timed(driver::run_on_api(N, CONCURRENCY, &api, {
        let links = links.clone();
        move |api, i| {
            let links = links.clone();
            async move {
                let r = api.client.get(&links[i]).send().await.unwrap();
                assert_eq!(r.status(), 200);
            }
        }
    }))
    .await;
    println!(
        "  open page:  {N} invitation pages in {secs:.2} s = {:.0}/s",
        N as f64 / secs
    );

    let started = Instant::now();
    let (mut after, mut pulled) = (0, 0);
    loop {
        let page = api.events_page(&format!("after={after}&limit=1000")).await;
        if page.events.is_empty() {
            break;
        }
        pulled += page.events.len();
        after = page.next_cursor;
    }
    assert_eq!(pulled, N);
    println!(
        "  pull:       {pulled} events in {:.3} s (pages of 1000)",
        started.elapsed().as_secs_f64()
    );

    let last = after;
    let (secs, _) = timed(driver::run_on_api(
        N,
        CONCURRENCY,
        &api,
        move |api, i| async move {
            let cursor = (i as i64 * 7919) % last;
            let page = api.events_page(&format!("after={cursor}&limit=100")).await;
            assert!(!page.events.is_empty());
        },
    ))
    .await;
    println!(
        "  feed:       {N} event requests (100 each) in {secs:.2} s = {:.0}/s",
        N as f64 / secs
    );
    // Last, since the registration it makes adds an event.
    if label == "SQLite" {
        sign_in_timing(&api.base, &links[0]).await;
    }
    server.stop();
}

/// The `name=value` of the cookie an answer sets, and the value of its hidden `name` input.
async fn form(client: &reqwest::Client, url: &str, name: &str) -> (String, String) {
    let r = client.get(url).send().await.unwrap();
    assert_eq!(r.status(), 200, "{url}");
    let cookie = r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let body = r.text().await.unwrap();
    let marker = format!("name=\"{name}\" value=\"");
    let start = body.find(&marker).unwrap() + marker.len();
    let end = body[start..].find('"').unwrap();
    (cookie, body[start..start + end].to_owned())
}

/// Registers an account through `link`, then signs in with a wrong password for it and for
/// unknown usernames, interleaved (so a busy machine slows both alike); prints the fastest
/// answer of each kind and their ratio.
async fn sign_in_timing(base: &str, link: &str) {
    const ROUNDS: usize = 20;
    const PASSWORD: &str = "Correct-Horse1";
    let client = reqwest::Client::new();
    let register = format!("{link}/register");
    let (cookie, csrf) = form(&client, &register, "csrf").await;
    let r = client
        .post(&register)
        .header("Cookie", cookie)
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", "li.wei"),
            ("password", PASSWORD),
            ("password_confirm", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let attempt = |username: String| {
        let client = client.clone();
        let me = format!("{base}/me");
        let sign_in = format!("{base}/me/sign-in");
        async move {
            let (cookie, csrf) = form(&client, &me, "csrf").await;
            let started = Instant::now();
            let r = client
                .post(&sign_in)
                .header("Cookie", cookie)
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("username", username.as_str()),
                    ("password", "Wrong-Horse1"),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 422);
            started.elapsed()
        }
    };
    let (mut known, mut unknown) = (Duration::MAX, Duration::MAX);
    for round in 0..ROUNDS {
        known = known.min(attempt("li.wei".into()).await);
        unknown = unknown.min(attempt(format!("ghost{round}")).await);
    }
    println!(
        "  sign-in:    wrong password {:.1} ms, unknown username {:.1} ms \
         (fastest of {ROUNDS} each; unknown/known = {:.2})",
        known.as_secs_f64() * 1000.0,
        unknown.as_secs_f64() * 1000.0,
        unknown.as_secs_f64() / known.as_secs_f64()
    );
}

#[tokio::main]
async fn main() {
    let sqlite_dir = tempfile::tempdir().unwrap();
    let db = sqlite_dir.path().join("gateway.db");
    bench("SQLite", &db.to_string_lossy()).await;
    if std::path::Path::new("/usr/lib/postgresql").exists() {
        let pg = postgres::PgServer::start();
        let url = pg.database().await;
        bench("PostgreSQL (fsync off)", &url).await;
        drop(pg);
    }
}
