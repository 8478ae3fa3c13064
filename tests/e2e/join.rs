//! The public join link, clicked through in the real window: switch it on, a person asks to
//! join through it the way their browser would, and the admin approves the request.

use std::time::{Duration, Instant};

use thirtyfour::prelude::*;

use crate::harness::{by_id, cli_json, click, text_of, wait_text};
use crate::scenarios::{sign_in, Ctx, PASSWORD};

/// `name="…" value="…"` of every hidden input, and the form's action.
fn form_parts(html: &str) -> (String, Vec<(String, String)>) {
    let attr = |tag: &str, name: &str| -> Option<String> {
        let marker = format!("{name}=\"");
        let start = tag.find(&marker)? + marker.len();
        Some(tag[start..start + tag[start..].find('"')?].to_owned())
    };
    let form_tag = &html[html.find("<form").expect("a form")..];
    let action = attr(&form_tag[..form_tag.find('>').unwrap()], "action").expect("an action");
    let mut hidden = Vec::new();
    for piece in html.split("<input").skip(1) {
        let tag = &piece[..piece.find('>').unwrap_or(piece.len())];
        if tag.contains("type=\"hidden\"") {
            if let (Some(n), Some(v)) = (attr(tag, "name"), attr(tag, "value")) {
                hidden.push((n, v));
            }
        }
    }
    let unescape = |s: String| {
        s.replace("&#x2f;", "/")
            .replace("&#x3d;", "=")
            .replace("&amp;", "&")
    };
    (
        unescape(action),
        hidden.into_iter().map(|(n, v)| (n, unescape(v))).collect(),
    )
}

/// What a person's browser does on a gateway form page: open it, keep its cookie, fill, submit.
pub async fn submit_form(link: &str, fields: &[(&str, &str)]) -> String {
    let http = reqwest::Client::new();
    let page = http.get(link).send().await.expect("the join page answers");
    assert!(page.status().is_success(), "join page: {}", page.status());
    let cookie = page
        .headers()
        .get(reqwest::header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("the page sets a CSRF cookie")
        .to_owned();
    let html = page.text().await.unwrap();
    let (action, mut form) = form_parts(&html);
    form.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let after_scheme = link.find("://").expect("an absolute link") + 3;
    let base = &link[..after_scheme
        + link[after_scheme..]
            .find('/')
            .unwrap_or(link.len() - after_scheme)];
    let target = if action.starts_with("http") {
        action
    } else {
        format!("{base}{action}")
    };
    let done = http
        .post(target)
        .header(reqwest::header::COOKIE, cookie)
        .form(&form)
        .send()
        .await
        .expect("the form is accepted");
    assert!(done.status().is_success(), "join: {}", done.status());
    done.text().await.unwrap()
}

pub async fn join_link_request_then_approve(c: Ctx) {
    let d = &c.d;
    sign_in(d, "ann", PASSWORD).await;
    click(d, "nav-join-requests").await;
    click(d, "join-link-field-email").await;
    click(d, "join-link-enable").await;
    let code = wait_text(d, "join-link-code", |t| t.len() == 8).await;
    assert!(code.chars().all(|c| c.is_ascii_alphanumeric()), "{code}");
    let qr = by_id(d, "join-link-qr").await;
    assert!(qr
        .attr("src")
        .await
        .unwrap()
        .unwrap_or_default()
        .starts_with("data:image/svg+xml"));
    let link = text_of(&by_id(d, "join-link-url").await).await;
    c.h.screenshot(d, "40-join-link").await;

    let page = submit_form(
        link.trim(),
        &[
            ("name", "Noa Levi"),
            ("email", "noa@example.com"),
            ("username", "noa"),
            ("password", "Blue-Kettle42"),
            ("password_confirm", "Blue-Kettle42"),
        ],
    )
    .await;
    assert!(page.contains("join_requested"), "{page}");

    // The request arrives through the event feed.
    let started = Instant::now();
    let approve = loop {
        if let Ok(b) = d
            .find(By::Css("[data-testid^='join-request-approve-']"))
            .await
        {
            break b;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the join request never showed"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    let table = text_of(&by_id(d, "join-requests-table").await).await;
    assert!(
        table.contains("Noa Levi") && table.contains("noa@example.com"),
        "{table}"
    );
    c.h.screenshot(d, "41-join-request").await;
    let id = approve
        .attr("data-testid")
        .await
        .unwrap()
        .unwrap()
        .trim_start_matches("join-request-approve-")
        .to_owned();
    click(d, &format!("join-request-approve-{id}")).await;
    let started = Instant::now();
    while crate::harness::displayed(d, &format!("join-request-approve-{id}"), Duration::ZERO)
        .await
        .is_some()
    {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "the approved request stayed waiting"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let shown = cli_json(&c.db, &["member", "show", "noa", "--json"]);
    assert_eq!(shown["status"], "enabled");
    assert_eq!(shown["name"], "Noa Levi");
    assert_eq!(shown["email"], "noa@example.com");
}
