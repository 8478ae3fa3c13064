//! The account takeover, played end to end: a real gateway (in this process, on loopback), a
//! real directory in a SQLite file, the desktop's own send and pull rounds between them, and
//! a stranger's browser speaking HTTP to the gateway's pages. The stranger has an invitation
//! link meant for someone else, and the public join link; the Super Admin's password and
//! email must come out unchanged.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use orgdesk_core::audit::Actor;
use orgdesk_core::auth::SignInInput;
use orgdesk_core::invitations::{InvitationQuery, InvitationState, InviteChannel};
use orgdesk_core::join::JoiningRules;
use orgdesk_core::members::NewInvitee;
use orgdesk_core::organization::SetupInput;
use orgdesk_core::types::MemberStatus;
use orgdesk_core::Directory;
use orgdesk_link::{pull_round, send_round, Endpoint, GatewayClient, SharedDirectory};
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::StatusCode;

mod common;

const ANN_PASSWORD: &str = "Correct-Horse1";
const STRANGER_PASSWORD: &str = "Stolen-Keys99";
const STRANGER_NEW: &str = "Taken-Over77";

struct World {
    gateway: orgdesk_gateway::Gateway,
    base: String,
    token: String,
    dir: SharedDirectory,
    browser: reqwest::Client,
    _files: tempfile::TempDir,
}

async fn world() -> World {
    let files = tempfile::tempdir().unwrap();
    let (gateway, base, token) = common::acme_gateway(files.path()).await;
    let mut d = Directory::open(&files.path().join("acme.db")).unwrap();
    d.setup_organization(&SetupInput {
        organization_name: "Acme".into(),
        admin_name: "Ann Lee".into(),
        username: "ann".into(),
        password: ANN_PASSWORD.into(),
        password_confirm: ANN_PASSWORD.into(),
    })
    .unwrap();
    World {
        gateway,
        base,
        token,
        dir: Arc::new(Mutex::new(d)),
        browser: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap(),
        _files: files,
    }
}

impl World {
    fn client(&self) -> GatewayClient {
        GatewayClient::new(Endpoint {
            base: self.base.clone(),
            token: self.token.clone(),
        })
    }

    /// What the desktop does while it is open: send everything due, then apply the feed,
    /// until both are quiet.
    async fn sync(&self) {
        let client = self.client();
        for _ in 0..20 {
            let sent = send_round(&self.dir, &client, true).await;
            assert_eq!(sent.mirror_failed, None);
            let pulled = pull_round(&self.dir, &client, 0, || true).await.unwrap();
            if !sent.busy() && pulled.events == 0 {
                return;
            }
        }
        panic!("the directory and the gateway did not settle");
    }

    /// Only the feed: what the desktop applies before it sends anything.
    async fn pull(&self) {
        pull_round(&self.dir, &self.client(), 0, || true)
            .await
            .unwrap();
    }

    fn directory<T>(&self, f: impl FnOnce(&mut Directory) -> T) -> T {
        f(&mut self.dir.lock().unwrap())
    }

    /// The directory's Super Admin signs in with her own password, and only with it; her
    /// record is as she left it.
    fn ann_unharmed(&self) {
        self.directory(|d| {
            for (password, ok) in [
                (ANN_PASSWORD, true),
                (STRANGER_PASSWORD, false),
                (STRANGER_NEW, false),
            ] {
                let tried = d.sign_in(&SignInInput {
                    username: "ann".into(),
                    password: password.into(),
                });
                assert_eq!(tried.is_ok(), ok, "{password}: {tried:?}");
            }
            let ann = d.member_details(d.initial_admin_id().unwrap()).unwrap();
            assert_eq!(ann.name, "Ann Lee");
            assert_eq!(ann.email, None);
            assert_eq!(ann.status, MemberStatus::Enabled);
        });
    }

    /// Adds `name` for invitation and invites them by a link to pass on; returns the link
    /// once the gateway made it.
    async fn invite(&self, name: &'static str) -> String {
        self.directory(|d| {
            let a = Actor::member(d.initial_admin_id().unwrap(), "Ann Lee");
            let root = d.department_tree().unwrap().id;
            let dee = d
                .add_invitee(
                    &a,
                    &NewInvitee {
                        name: name.into(),
                        email: Some(format!("{}@example.com", name.to_lowercase())),
                        mobile: None,
                        department_id: root,
                        position: None,
                        role_ids: Vec::new(),
                        link_only: false,
                    },
                )
                .unwrap();
            d.invite_members(&a, &[dee], InviteChannel::Link).unwrap();
        });
        // Only the invitation: the mirror is what the directory would send too, but this
        // plays the worst case, a gateway that has not heard of the directory's usernames.
        let client = self.client();
        for _ in 0..5 {
            let work = self.directory(|d| d.due_gateway_work(10).unwrap());
            if work.is_empty() {
                break;
            }
            send_invitations_only(&self.dir, &client).await;
        }
        self.directory(|d| {
            d.list_invitations(&InvitationQuery::default())
                .unwrap()
                .into_iter()
                .find(|i| i.member_name == name)
                .and_then(|i| i.link)
                .expect("the gateway made a link")
        })
    }

    async fn get(&self, url: &str, cookie: Option<&str>) -> (StatusCode, String, Vec<String>) {
        let mut req = self.browser.get(url);
        if let Some(c) = cookie {
            req = req.header(COOKIE, c);
        }
        answer(req.send().await.unwrap()).await
    }

    async fn post(
        &self,
        url: &str,
        cookie: Option<&str>,
        form: &[(&str, &str)],
    ) -> (StatusCode, String, Vec<String>) {
        let mut req = self.browser.post(url).form(form);
        if let Some(c) = cookie {
            req = req.header(COOKIE, c);
        }
        answer(req.send().await.unwrap()).await
    }

    /// Fills a form that carries a CSRF token (register, join), as a browser would.
    async fn submit(&self, url: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
        let (status, page, cookies) = self.get(url, None).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let csrf = hidden(&page, "csrf");
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend_from_slice(fields);
        let (status, page, _) = self.post(url, Some(&cookies.join("; ")), &form).await;
        (status, page)
    }

    /// Signs in on `/me`; the session's cookies when the gateway let them in.
    async fn sign_in(&self, username: &str, password: &str) -> Option<String> {
        let (_, page, cookies) = self.get(&format!("{}/me", self.base), None).await;
        let csrf = csrf_for(&page, "/me/sign-in");
        let jar = cookies.join("; ");
        let (status, _, set) = self
            .post(
                &format!("{}/me/sign-in", self.base),
                Some(&jar),
                &[
                    ("csrf", &csrf),
                    ("username", username),
                    ("password", password),
                ],
            )
            .await;
        (status == StatusCode::SEE_OTHER && !set.is_empty()).then(|| merge(&jar, &set))
    }

    /// Submits a form of the member page with its CSRF token; the status of the answer.
    async fn member_form(&self, jar: &str, action: &str, fields: &[(&str, &str)]) -> StatusCode {
        let (status, page, set) = self.get(&format!("{}/me", self.base), Some(jar)).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let jar = merge(jar, &set);
        let csrf = csrf_for(&page, action);
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend_from_slice(fields);
        self.post(&format!("{}{action}", self.base), Some(&jar), &form)
            .await
            .0
    }

    /// Changes the signed-in member's password on the member page; the status of the answer.
    async fn change_password(&self, jar: &str, current: &str, new: &str) -> StatusCode {
        let fields = [
            ("current_password", current),
            ("password", new),
            ("password_confirm", new),
        ];
        self.member_form(jar, "/me/password", &fields).await
    }

    /// Whether a session still opens the member page.
    async fn session_works(&self, jar: &str) -> bool {
        let (status, page, _) = self.get(&format!("{}/me", self.base), Some(jar)).await;
        status == StatusCode::OK && page.contains("action=\"&#x2f;me&#x2f;sign-out\"")
    }
}

/// The invitation part of a send round: what a gateway sees when the directory has not
/// mirrored its usernames yet.
async fn send_invitations_only(dir: &SharedDirectory, client: &GatewayClient) {
    use orgdesk_core::invitations::{GatewayAction, WorkResult};
    let work = dir.lock().unwrap().due_gateway_work(10).unwrap();
    for w in work {
        let GatewayAction::Create(req) = &w.action else {
            continue;
        };
        let created = client.create(&w.idempotency_key, req).await.unwrap();
        dir.lock()
            .unwrap()
            .gateway_work_done(
                &w,
                WorkResult::Linked {
                    gateway_id: created.invitation_id,
                    link: created.link,
                    expires_at_secs: created.expires_at,
                },
            )
            .unwrap();
    }
}

async fn answer(r: reqwest::Response) -> (StatusCode, String, Vec<String>) {
    let status = r.status();
    let cookies = r
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter(|v| !v.contains("Max-Age=0"))
        .filter_map(|v| v.split(';').next().map(str::to_owned))
        .collect();
    let _ = r.headers().get(LOCATION);
    (status, r.text().await.unwrap_or_default(), cookies)
}

/// A cookie header with `set` laid over `jar`.
fn merge(jar: &str, set: &[String]) -> String {
    let mut pairs: Vec<(String, String)> = jar
        .split("; ")
        .filter_map(|p| p.split_once('='))
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect();
    for s in set {
        if let Some((n, v)) = s.split_once('=') {
            pairs.retain(|(name, _)| name != n);
            pairs.push((n.to_owned(), v.to_owned()));
        }
    }
    pairs
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page.find(&marker).expect("a hidden field") + marker.len();
    let end = page[start..].find('"').unwrap();
    page[start..start + end].to_owned()
}

/// The CSRF token of the form posting to `action` (attribute values come escaped).
fn csrf_for(page: &str, action: &str) -> String {
    let escaped = action.replace('/', "&#x2f;");
    let form = page
        .find(&format!("action=\"{escaped}\""))
        .unwrap_or_else(|| panic!("no {action} form:\n{page}"));
    hidden(&page[form..], "csrf")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stranger_with_an_invitation_link_cannot_take_over_the_super_admin() {
    let w = world().await;
    let link = w.invite("Dee").await;

    // The worst case: the gateway has not heard of "ann" yet, so it lets the stranger
    // register under that name through Dee's invitation…
    let (status, page) = w
        .submit(
            &format!("{link}/register"),
            &[
                ("username", "ann"),
                ("password", STRANGER_PASSWORD),
                ("password_confirm", STRANGER_PASSWORD),
            ],
        )
        .await;
    assert!(status.is_success(), "{status}: {page}");
    // …and the stranger signs in as "ann" on the member page and changes "ann"'s password
    // and email there.
    let jar = w
        .sign_in("ann", STRANGER_PASSWORD)
        .await
        .expect("the gateway's own account signs in");
    assert!(w.session_works(&jar).await);
    let changed = w
        .change_password(&jar, STRANGER_PASSWORD, STRANGER_NEW)
        .await;
    assert!(
        changed.is_success() || changed.is_redirection(),
        "{changed}"
    );
    let jar = w.sign_in("ann", STRANGER_NEW).await.unwrap();
    w.member_form(
        &jar,
        "/me/details",
        &[
            ("name", "Mallory"),
            ("mobile", ""),
            ("email", "attacker@example.net"),
        ],
    )
    .await;

    // The desktop applies the feed: nothing reaches Ann; Dee's invitation fails with the
    // reason, and Dee is still waiting to join.
    w.pull().await;
    w.ann_unharmed();
    w.directory(|d| {
        let inv = &d.list_invitations(&InvitationQuery::default()).unwrap()[0];
        assert_eq!(inv.state, InvitationState::Failed);
        assert!(inv.last_error.as_deref().unwrap().contains("already used"));
    });

    // Then the desktop sends: the mirror takes "ann" back on the gateway (the directory's
    // password, sessions ended) and the stranger's account is refused.
    w.sync().await;
    assert!(!w.session_works(&jar).await, "the stranger's session ended");
    assert_eq!(w.sign_in("ann", STRANGER_NEW).await, None);
    assert_eq!(w.sign_in("ann", STRANGER_PASSWORD).await, None);
    // Ann herself now signs in on the member page with her directory password.
    assert!(w.sign_in("ann", ANN_PASSWORD).await.is_some());
    w.ann_unharmed();

    // Once mirrored, the name cannot be registered again, whatever its case.
    let link = w.invite("Eve").await;
    for name in ["ann", "ANN"] {
        let (status, page) = w
            .submit(
                &format!("{link}/register"),
                &[
                    ("username", name),
                    ("password", STRANGER_PASSWORD),
                    ("password_confirm", STRANGER_PASSWORD),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {page}");
        assert!(page.contains("taken"), "{page}");
    }
    w.sync().await;
    w.ann_unharmed();
    w.gateway.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stranger_with_the_public_join_link_cannot_take_over_the_super_admin() {
    let w = world().await;
    // The admin switches the join link on without approval; the directory knows its rules.
    let client = reqwest::Client::new();
    let joined: serde_json::Value = client
        .put(format!("{}/api/v1/join-link", w.base))
        .bearer_auth(&w.token)
        .json(&serde_json::json!({
            "organization_name": "Acme",
            "approval_required": false,
            "required_fields": []
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let join_link = joined["link"].as_str().unwrap().to_owned();
    w.directory(|d| {
        d.record_joining_rules(&JoiningRules {
            approval_required: false,
            required_fields: vec![],
        })
        .unwrap()
    });
    w.sync().await;

    // "ann" is the directory's: the join page refuses it at once.
    let (status, page) = w
        .submit(
            &join_link,
            &[
                ("name", "Mallory"),
                ("username", "ann"),
                ("password", STRANGER_PASSWORD),
                ("password_confirm", STRANGER_PASSWORD),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("taken"), "{page}");

    // Under a name of their own they join (approval is off), and what they change on their
    // page reaches only their own record.
    let (status, page) = w
        .submit(
            &join_link,
            &[
                ("name", "Mallory"),
                ("username", "mallory"),
                ("password", STRANGER_PASSWORD),
                ("password_confirm", STRANGER_PASSWORD),
            ],
        )
        .await;
    assert!(status.is_success() || status.is_redirection(), "{page}");
    w.sync().await;
    let mallory = w.directory(|d| {
        let found = d
            .list_members(&orgdesk_core::members::MemberQuery {
                search: Some("mallory".into()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(found.total, 1);
        found.rows[0].id
    });
    let jar = w.sign_in("mallory", STRANGER_PASSWORD).await.unwrap();
    w.member_form(
        &jar,
        "/me/details",
        &[
            ("name", "Ann Lee"),
            ("mobile", ""),
            ("email", "attacker@example.net"),
        ],
    )
    .await;
    w.change_password(&jar, STRANGER_PASSWORD, STRANGER_NEW)
        .await;
    w.sync().await;
    w.ann_unharmed();
    w.directory(|d| {
        let m = d.member_details(mallory).unwrap();
        assert_eq!(m.username.as_deref(), Some("mallory"));
        assert_eq!(m.email.as_deref(), Some("attacker@example.net"));
    });
    w.gateway.shutdown().await.unwrap();
}
