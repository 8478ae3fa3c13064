//! The public join link, clicked through in the real window: switch it on, two people ask to
//! join through it the way their browser would; the admin approves one into a chosen
//! department and role, rejects the other, and re-approves it from the Rejected list.

use std::time::{Duration, Instant};

use thirtyfour::prelude::*;

use crate::harness::{
    back_to_english, by_id, choose, cli, cli_json, click, member_json, switch_language, text_of,
    until_hidden, wait_text,
};
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
    let page = http.get(link).send().await.expect("the form page answers");
    assert!(page.status().is_success(), "{link}: {}", page.status());
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
        .post(&target)
        .header(reqwest::header::COOKIE, cookie)
        .form(&form)
        .send()
        .await
        .expect("the form is accepted");
    assert!(done.status().is_success(), "{target}: {}", done.status());
    done.text().await.unwrap()
}

/// Picks `label` (Rejected, 全部…) in the filter over the join requests.
async fn choose_filter(d: &WebDriver, label: &str) {
    let xpath =
        format!("//*[@data-testid='join-requests-filter']//*[normalize-space(text())='{label}']");
    d.find(By::XPath(xpath))
        .await
        .unwrap_or_else(|e| panic!("the filter {label}: {e}"))
        .click()
        .await
        .unwrap();
}

/// Waits until the button with `data-testid` `id` is gone (its request was decided).
async fn until_decided(d: &WebDriver, id: &str) {
    let why = format!("{id}: the request was not decided");
    crate::harness::until_hidden_within(d, id, Duration::from_secs(15), &why).await;
}

/// The id of the join request `username` made, as the command line lists it.
fn request_id(db: &std::path::Path, username: &str) -> String {
    let list = cli_json(db, &["requests", "list", "--state", "all", "--json"]);
    list["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["username"] == username)
        .unwrap_or_else(|| panic!("no request from {username}: {list}"))["id"]
        .to_string()
}

async fn ask_to_join(link: &str, name: &str, email: &str, username: &str) {
    let page = submit_form(
        link,
        &[
            ("name", name),
            ("email", email),
            ("username", username),
            ("password", "Blue-Kettle42"),
            ("password_confirm", "Blue-Kettle42"),
        ],
    )
    .await;
    assert!(page.contains("join_requested"), "{page}");
}

pub async fn join_link_request_then_approve(c: Ctx) {
    let d = &c.d;
    cli(&c.db, &["dept", "add", "Sales"], None);
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
    // The built-in gateway's link opens only on this computer, and the card says so.
    wait_text(d, "local-only-link", |t| {
        t.contains("This link opens only on this computer")
    })
    .await;
    c.h.screenshot(d, "40-join-link").await;

    ask_to_join(link.trim(), "Noa Levi", "noa@example.com", "noa").await;
    ask_to_join(link.trim(), "Omar Haddad", "omar@example.com", "omar").await;

    // The requests arrive through the event feed; the navigation counts them.
    let started = Instant::now();
    while d
        .find_all(By::Css("[data-testid^='join-request-approve-']"))
        .await
        .map_or(0, |b| b.len())
        < 2
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the join requests never showed"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    wait_text(d, "nav-badge-joinRequests", |t| t.contains('2')).await;
    let table = text_of(&by_id(d, "join-requests-table").await).await;
    assert!(
        table.contains("Noa Levi") && table.contains("noa@example.com"),
        "{table}"
    );
    c.h.screenshot(d, "41-join-request").await;

    // Approved into Sales as an Admin.
    let (noa, omar) = (request_id(&c.db, "noa"), request_id(&c.db, "omar"));
    click(d, &format!("join-request-approve-{noa}")).await;
    by_id(d, "approve-dialog-ok").await;
    choose(d, "approve-department", "Sales").await;
    choose(d, "approve-role", "Admin").await;
    c.h.screenshot(d, "42-approve-dialog").await;
    click(d, "approve-dialog-ok").await;
    until_decided(d, &format!("join-request-approve-{noa}")).await;
    let shown = member_json(&c.db, "noa");
    assert_eq!(shown["status"], "enabled");
    assert_eq!(shown["name"], "Noa Levi");
    assert_eq!(shown["email"], "noa@example.com");
    let placed = shown.to_string();
    assert!(
        placed.contains("Sales") && placed.contains("Admin"),
        "{placed}"
    );
    wait_text(d, "nav-badge-joinRequests", |t| t.contains('1')).await;

    // Rejected, then re-approved from the Rejected list (root department, Member).
    click(d, &format!("join-request-reject-{omar}")).await;
    until_decided(d, &format!("join-request-reject-{omar}")).await;
    choose_filter(d, "Rejected").await;
    click(d, &format!("join-request-reapprove-{omar}")).await;
    c.h.screenshot(d, "43-reapprove-dialog").await;
    click(d, "approve-dialog-ok").await;
    until_hidden(d, "approve-dialog-ok").await;
    until_decided(d, &format!("join-request-reapprove-{omar}")).await;
    let shown = member_json(&c.db, "omar");
    assert_eq!(shown["status"], "enabled");
    assert_eq!(shown["name"], "Omar Haddad");

    // The same screen in Chinese (All: the two approved requests); then back to English,
    // which the window remembers for the scenarios after this one.
    switch_language(d, "zh").await;
    wait_text(d, "nav-join-requests", |t| t.contains("加入申请")).await;
    wait_text(d, "local-only-link", |t| t.contains("此链接只能在本机打开")).await;
    choose_filter(d, "全部").await;
    let started = Instant::now();
    while !text_of(&by_id(d, "join-requests-table").await)
        .await
        .contains("Noa Levi")
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "All never listed Noa"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    c.h.screenshot(d, "44-join-requests-zh").await;
    back_to_english(d).await;
}
