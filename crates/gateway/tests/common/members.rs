//! Helpers for the member scenarios: make an account through an invitation, sign in on
//! `/me` with a cookie jar of our own, submit the member forms, ask for password resets.

use orgdesk_protocol::{
    AccountState, Channel, CreatePasswordReset, Event, EventKind, InvitationCreated,
    PasswordResetCreated, SetAccountState,
};
use reqwest::header::{LOCATION, SET_COOKIE};
use reqwest::{Method, StatusCode};

use super::{invitation, Page, TestGateway};

pub const PASSWORD: &str = "Correct-Horse1";
pub const NEW_PASSWORD: &str = "Battery-Staple9";

/// The browser's cookies, as a Cookie header keeps them.
#[derive(Debug, Clone, Default)]
pub struct Jar(Vec<(String, String)>);

impl Jar {
    /// Takes in every Set-Cookie of a response (a `Max-Age=0` one deletes).
    pub fn absorb(&mut self, page: &Page) {
        for set in page.headers.get_all(SET_COOKIE) {
            let set = set.to_str().expect("ASCII cookie");
            let pair = set.split(';').next().unwrap_or("");
            let Some((name, value)) = pair.split_once('=') else {
                continue;
            };
            self.0.retain(|(n, _)| n != name);
            if !set.contains("Max-Age=0") {
                self.0.push((name.to_owned(), value.to_owned()));
            }
        }
    }

    pub fn header(&self) -> Option<String> {
        if self.0.is_empty() {
            return None;
        }
        Some(
            self.0
                .iter()
                .map(|(n, v)| format!("{n}={v}"))
                .collect::<Vec<_>>()
                .join("; "),
        )
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn without(&self, name: &str) -> Self {
        Self(self.0.iter().filter(|(n, _)| n != name).cloned().collect())
    }
}

/// The `value` of the hidden CSRF field of the form posting to `action`.
pub fn csrf_for(page: &Page, action: &str) -> Option<String> {
    // Attribute values come escaped by the template (`/` as `&#x2f;`).
    let escaped = action.replace('/', "&#x2f;");
    let form = page.body.find(&format!("action=\"{escaped}\""))?;
    let rest = &page.body[form..];
    let marker = "name=\"csrf\" value=\"";
    let start = rest.find(marker)? + marker.len();
    let end = rest[start..].find('"')?;
    Some(rest[start..start + end].to_owned())
}

/// Every `<li>` text of a page (the problems a form came back with).
pub fn problems(page: &Page) -> Vec<String> {
    page.body
        .split("<li>")
        .skip(1)
        .filter_map(|s| s.split("</li>").next())
        .map(str::to_owned)
        .collect()
}

impl TestGateway {
    /// Invites `name` by link and registers `username` with [`PASSWORD`].
    pub async fn account(&self, key: &str, name: &str, username: &str) -> InvitationCreated {
        let mut req = invitation(Channel::Link, name);
        req.invitee_name = name.to_owned();
        let created = self.created_invitation(key, &req).await;
        let done = self.register(&created.link, username, PASSWORD).await;
        assert_eq!(done.kind(), Some("registered"), "{}", done.body);
        created
    }

    /// GET with a jar, keeping what the answer sets.
    pub async fn get_with(&self, url: &str, jar: &mut Jar) -> Page {
        let page = self.get(url, jar.header().as_deref()).await;
        jar.absorb(&page);
        page
    }

    /// POST a form with a jar, keeping what the answer sets.
    pub async fn post_with(&self, url: &str, jar: &mut Jar, form: &[(&str, &str)]) -> Page {
        let page = self.post_form(url, jar.header().as_deref(), form).await;
        jar.absorb(&page);
        page
    }

    /// Opens `/me`, signs in, and follows the redirect back to `/me`. Returns the last page
    /// (the member page on success, the form with problems otherwise).
    pub async fn sign_in(&self, jar: &mut Jar, username: &str, password: &str) -> Page {
        let form = self.get_with(&format!("{}/me", self.base), jar).await;
        let csrf = csrf_for(&form, "/me/sign-in").expect("the sign-in form has a CSRF token");
        let posted = self
            .post_with(
                &format!("{}/me/sign-in", self.base),
                jar,
                &[
                    ("csrf", &csrf),
                    ("username", username),
                    ("password", password),
                ],
            )
            .await;
        self.follow(posted, jar).await
    }

    /// Follows a 303 to where it points (relative to the gateway).
    pub async fn follow(&self, page: Page, jar: &mut Jar) -> Page {
        if page.status != StatusCode::SEE_OTHER {
            return page;
        }
        let to = page.headers[LOCATION].to_str().unwrap().to_owned();
        assert!(to.starts_with('/'), "a relative redirect: {to}");
        self.get_with(&format!("{}{to}", self.base), jar).await
    }

    /// Submits a form of the member page (`/me/details`, `/me/password`, `/me/sign-out`)
    /// with the CSRF token the page gave it, and follows the redirect.
    pub async fn member_form(&self, jar: &mut Jar, action: &str, fields: &[(&str, &str)]) -> Page {
        let me = self.get_with(&format!("{}/me", self.base), jar).await;
        let csrf =
            csrf_for(&me, action).unwrap_or_else(|| panic!("no {action} form:\n{}", me.body));
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend_from_slice(fields);
        let posted = self
            .post_with(&format!("{}{action}", self.base), jar, &form)
            .await;
        self.follow(posted, jar).await
    }

    pub async fn set_state(&self, username: &str, state: AccountState) -> reqwest::Response {
        self.api(Method::PUT, &format!("/api/v1/accounts/{username}/state"))
            .json(&SetAccountState { state })
            .send()
            .await
            .unwrap()
    }

    /// Asks for a password reset of `username` through `channel` to `recipient`.
    pub async fn reset_for(
        &self,
        key: &str,
        username: &str,
        channel: Channel,
        recipient: &str,
    ) -> reqwest::Response {
        self.reset(key, &reset_request(username, channel, recipient))
            .await
    }

    pub async fn reset(&self, key: &str, req: &CreatePasswordReset) -> reqwest::Response {
        self.api(Method::POST, "/api/v1/password-resets")
            .header("Idempotency-Key", key)
            .json(req)
            .send()
            .await
            .unwrap()
    }

    /// Creates a password reset and reads the answer as created.
    pub async fn created_reset(
        &self,
        key: &str,
        req: &CreatePasswordReset,
    ) -> PasswordResetCreated {
        self.reset(key, req).await.json().await.unwrap()
    }

    /// Opens a reset link's form and submits `password` twice.
    pub async fn use_reset(&self, link: &str, password: &str) -> Page {
        let form = self.get(link, None).await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.body);
        self.post_back(
            &form,
            link,
            &[("password", password), ("password_confirm", password)],
        )
        .await
    }

    /// Every event so far.
    pub async fn all_events(&self) -> Vec<Event> {
        self.events(0, 0).await.events
    }

    /// The account id the feed gave `username` when it registered or joined (the latest).
    /// Registers `username` through an invitation to `name` (key "k1"), and signs in: its
    /// account id and the session.
    pub async fn registered_and_signed_in(&self, name: &str, username: &str) -> (String, Jar) {
        self.account("k1", name, username).await;
        let id = self.account_id_of(username).await;
        let mut jar = Jar::default();
        self.assert_signs_in(&mut jar, username, PASSWORD).await;
        (id, jar)
    }

    /// Tries `times` wrong passwords for `username`, each refused as a wrong password.
    pub async fn guess_wrong(&self, username: &str, times: usize) {
        for guess in 1..=times {
            let page = self
                .sign_in(&mut Jar::default(), username, "Wrong-Horse1")
                .await;
            assert_eq!(
                page.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "guess {guess} for {username}"
            );
        }
    }

    /// Saves the member's details on `/me` (name, mobile, email); the page that follows.
    pub async fn save_details(&self, jar: &mut Jar, name: &str, mobile: &str, email: &str) -> Page {
        let fields = [("name", name), ("mobile", mobile), ("email", email)];
        self.member_form(jar, "/me/details", &fields).await
    }

    /// Signs `username` in with `password` (keeping the session in `jar`) and asserts that
    /// the member page opened.
    pub async fn assert_signs_in(&self, jar: &mut Jar, username: &str, password: &str) {
        let page = self.sign_in(jar, username, password).await;
        assert_eq!(page.kind(), Some("me"), "{username}: {}", page.body);
    }

    pub async fn account_id_of(&self, username: &str) -> String {
        self.all_events()
            .await
            .into_iter()
            .rev()
            .find_map(|e| match e.kind {
                EventKind::Registered {
                    account_id,
                    username: u,
                    ..
                }
                | EventKind::JoinRequested {
                    account_id,
                    username: u,
                    ..
                } if u == username => account_id,
                _ => None,
            })
            .unwrap_or_else(|| panic!("no account id for {username} in the feed"))
    }

    /// Every event of the kinds `pick` selects.
    pub async fn events_where(&self, pick: impl Fn(&EventKind) -> bool) -> Vec<EventKind> {
        self.all_events()
            .await
            .into_iter()
            .map(|e| e.kind)
            .filter(|k| pick(k))
            .collect()
    }
}

pub fn reset_request(username: &str, channel: Channel, recipient: &str) -> CreatePasswordReset {
    CreatePasswordReset {
        username: username.to_owned(),
        channel,
        recipient: recipient.to_owned(),
        organization_name: "Acme Ltd".to_owned(),
        locale: None,
        expires_in_secs: None,
    }
}

/// A reset for Li Wei's account (`li.wei`) by email, to li.wei@example.org.
pub fn mailed_reset_for_li_wei() -> CreatePasswordReset {
    reset_request("li.wei", Channel::Email, "li.wei@example.org")
}

/// Whether `hash` is an Argon2id PHC string of `password`.
pub fn hash_of(hash: &str, password: &str) -> bool {
    use argon2::password_hash::PasswordVerifier;
    let Ok(parsed) = argon2::password_hash::phc::PasswordHash::new(hash) else {
        return false;
    };
    parsed.algorithm.as_str() == "argon2id"
        && argon2::Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
}
