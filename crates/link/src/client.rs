//! A typed client of the gateway's API (`/api/v1`), speaking only the protocol's types, with
//! one rule for what is worth trying again.

mod team;

use std::time::Duration;

use orgdesk_protocol::{
    AckEvents, ApiError, CreateInvitation, CreatePasswordReset, Event, InvitationCreated,
    JoinDecision, MirrorAccounts, MirroredAccounts, PasswordResetCreated, RefuseAccount,
    IDEMPOTENCY_KEY_HEADER,
};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Where the gateway is and the organization's token for it.
#[derive(Clone)]
pub struct Endpoint {
    pub base: String,
    pub token: String,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The token is a secret: never printed.
        f.debug_struct("Endpoint")
            .field("base", &self.base)
            .finish()
    }
}

/// A request that creates something at the gateway ([`GatewayClient::create`]): the collection
/// it is posted to and what the gateway answers.
pub trait Creation: Serialize {
    const COLLECTION: &'static str;
    type Created: DeserializeOwned;
}

impl Creation for CreateInvitation {
    const COLLECTION: &'static str = "invitations";
    type Created = InvitationCreated;
}

/// A link to choose a new password for an account, mailed or handed back to be passed on.
/// An unknown username is `Refused` with status 404 ([`CallError::is_not_found`]).
impl Creation for CreatePasswordReset {
    const COLLECTION: &'static str = "password-resets";
    type Created = PasswordResetCreated;
}

/// Why a call did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallError {
    /// Worth trying again later: the gateway was not reached, failed or asked us to slow down.
    Retry(String),
    /// The gateway refused the token (revoked, or its account disabled): worth trying again
    /// only once an admin puts that right.
    TokenRefused(String),
    /// Refused for good: trying the same request again would get the same answer.
    Refused { status: u16, message: String },
}

impl CallError {
    pub fn message(&self) -> &str {
        match self {
            Self::Retry(m) | Self::TokenRefused(m) | Self::Refused { message: m, .. } => m,
        }
    }

    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::Refused { status: 404, .. })
    }
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

/// The one retry rule: server errors, rate limits and a refused token are tried again; any
/// other client error is final.
pub fn retryable(status: StatusCode) -> bool {
    status.is_server_error()
        || status == StatusCode::TOO_MANY_REQUESTS
        || status == StatusCode::UNAUTHORIZED
}

/// The gateway's refusal in its own words, or its status when it gave none.
pub fn problem(status: StatusCode, body: &str) -> String {
    serde_json::from_str::<ApiError>(body)
        .map(|e| e.message)
        .unwrap_or_else(|_| format!("the gateway answered {status}"))
}

/// The largest event page read: the feed is untrusted input, read up to a bound.
pub const MAX_FEED_PAGE_BYTES: usize = 8 << 20;

/// One page of the event feed as this version reads it: kinds it does not know are passed
/// over, not fatal.
#[derive(Debug, Clone)]
pub struct FeedPage {
    pub events: Vec<Event>,
    pub next_cursor: i64,
}

#[derive(Clone)]
pub struct GatewayClient {
    http: reqwest::Client,
    endpoint: Endpoint,
}

impl GatewayClient {
    pub fn new(endpoint: Endpoint) -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        Self { http, endpoint }
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// `base` + the path segments (each escaped: ids come from outside).
    fn request(&self, method: Method, segments: &[&str]) -> Result<RequestBuilder, CallError> {
        self.request_with(method, segments, &[])
    }

    /// [`Self::request`] with `query` after the path.
    fn request_with(
        &self,
        method: Method,
        segments: &[&str],
        query: &[(&str, String)],
    ) -> Result<RequestBuilder, CallError> {
        let url = self.url(segments, query)?;
        Ok(self.to(method, url).bearer_auth(&self.endpoint.token))
    }

    /// A request that carries no token (a new computer joining a team has none yet).
    fn anonymous(&self, method: Method, segments: &[&str]) -> Result<RequestBuilder, CallError> {
        Ok(self.to(method, self.url(segments, &[])?))
    }

    /// The API address of the path `segments` (each escaped) with `query`.
    fn url(&self, segments: &[&str], query: &[(&str, String)]) -> Result<reqwest::Url, CallError> {
        let mut url = reqwest::Url::parse(&self.endpoint.base)
            .map_err(|e| CallError::Retry(format!("The gateway address is not valid ({e}).")))?;
        url.path_segments_mut()
            .map_err(|_| CallError::Retry("The gateway address is not valid.".into()))?
            .pop_if_empty()
            .extend(["api", "v1"])
            .extend(segments);
        if !query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        Ok(url)
    }

    /// A request to `url`, with the time every call is given.
    fn to(&self, method: Method, url: reqwest::Url) -> RequestBuilder {
        self.http
            .request(method, url)
            .timeout(Duration::from_secs(30))
    }

    async fn answer(request: RequestBuilder) -> Result<(StatusCode, String), CallError> {
        Self::answer_as(request, true).await
    }

    /// The answer to `request`, under the one retry rule; `token_sent` false for a request
    /// without a token, whose `401` refuses what it carried (a code, a password), not a
    /// token, and so is final.
    async fn answer_as(
        request: RequestBuilder,
        token_sent: bool,
    ) -> Result<(StatusCode, String), CallError> {
        let response = request
            .send()
            .await
            .map_err(|e| CallError::Retry(format!("The gateway could not be reached ({e}).")))?;
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        if status.is_success() {
            Ok((status, body))
        } else {
            Err(Self::failure(status, &body, token_sent))
        }
    }

    /// A failed answer (`status`, `body`) under the one retry rule (see [`Self::answer_as`]).
    fn failure(status: StatusCode, body: &str, token_sent: bool) -> CallError {
        if token_sent && status == StatusCode::UNAUTHORIZED {
            CallError::TokenRefused(problem(status, body))
        } else if retryable(status) && status != StatusCode::UNAUTHORIZED {
            CallError::Retry(problem(status, body))
        } else {
            CallError::Refused {
                status: status.as_u16(),
                message: problem(status, body),
            }
        }
    }

    /// `body` read as a `T`.
    fn parsed<T: DeserializeOwned>(body: &str) -> Result<T, CallError> {
        serde_json::from_str(body).map_err(|e| {
            CallError::Retry(format!("The gateway's answer was not understood ({e})."))
        })
    }

    async fn json<T: DeserializeOwned>(request: RequestBuilder) -> Result<T, CallError> {
        let (_, body) = Self::answer(request).await?;
        Self::parsed(&body)
    }

    /// A `POST` that creates something (an invitation, a password reset), safe to retry: the
    /// key makes the gateway answer a retry with the first answer.
    pub async fn create<R: Creation>(
        &self,
        idempotency_key: &str,
        req: &R,
    ) -> Result<R::Created, CallError> {
        let request = self
            .request(Method::POST, &[R::COLLECTION])?
            .header(IDEMPOTENCY_KEY_HEADER, idempotency_key)
            .json(req);
        Self::json(request).await
    }

    pub async fn resend_invitation(&self, id: &str) -> Result<InvitationCreated, CallError> {
        Self::json(self.request(Method::POST, &["invitations", id, "resend"])?).await
    }

    pub async fn cancel_invitation(&self, id: &str) -> Result<(), CallError> {
        Self::answer(self.request(Method::POST, &["invitations", id, "cancel"])?)
            .await
            .map(drop)
    }

    pub async fn decide_join_request(&self, id: &str, approved: bool) -> Result<(), CallError> {
        let request = self
            .request(Method::POST, &["join-requests", id, "decision"])?
            .json(&JoinDecision { approved });
        Self::answer(request).await.map(drop)
    }

    pub async fn mirror_accounts(
        &self,
        req: &MirrorAccounts,
    ) -> Result<MirroredAccounts, CallError> {
        let request = self
            .request(Method::POST, &["accounts", "mirror"])?
            .timeout(Duration::from_secs(60))
            .json(req);
        let answer: MirroredAccounts = Self::json(request).await?;
        if answer.account_ids.len() != req.accounts.len() {
            return Err(CallError::Retry(
                "The gateway answered for a different number of accounts.".into(),
            ));
        }
        Ok(answer)
    }

    pub async fn refuse_account(&self, account_id: &str, reason: &str) -> Result<(), CallError> {
        let request = self
            .request(Method::POST, &["accounts", account_id, "refusal"])?
            .json(&RefuseAccount {
                reason: reason.to_owned(),
            });
        Self::answer(request).await.map(drop)
    }

    /// One page of the feed after `after`, waiting up to `wait` seconds for something new.
    pub async fn events(&self, after: i64, limit: u32, wait: u64) -> Result<FeedPage, CallError> {
        let body = self.long_poll("events", after, limit, wait).await?;
        let page: serde_json::Value = serde_json::from_str(&body)
            .map_err(|e| CallError::Retry(format!("The event feed was not understood ({e}).")))?;
        let next_cursor = page["next_cursor"].as_i64().unwrap_or(after);
        let events = page["events"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| serde_json::from_value(e.clone()).ok())
                    .collect()
            })
            .unwrap_or_default();
        Ok(FeedPage {
            events,
            next_cursor,
        })
    }

    /// One page of a long-polled feed (`events`, `changes`) after `after`, waiting up to
    /// `wait` seconds: its body, read up to [`MAX_FEED_PAGE_BYTES`].
    async fn long_poll(
        &self,
        feed: &str,
        after: i64,
        limit: u32,
        wait: u64,
    ) -> Result<String, CallError> {
        let mut response = self
            .request_with(
                Method::GET,
                &[feed],
                &[
                    ("after", after.to_string()),
                    ("limit", limit.to_string()),
                    ("wait", wait.to_string()),
                ],
            )?
            .timeout(Duration::from_secs(wait + 15))
            .send()
            .await
            .map_err(|e| CallError::Retry(format!("The gateway could not be reached ({e}).")))?;
        let status = response.status();
        let mut bytes = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| CallError::Retry(format!("The gateway could not be reached ({e}).")))?
        {
            if bytes.len() + chunk.len() > MAX_FEED_PAGE_BYTES {
                return Err(CallError::Retry(format!(
                    "The gateway sent a page larger than {} MB; it was not read.",
                    MAX_FEED_PAGE_BYTES >> 20
                )));
            }
            bytes.extend_from_slice(&chunk);
        }
        let body = String::from_utf8_lossy(&bytes).into_owned();
        if !status.is_success() {
            return Err(Self::failure(status, &body, true));
        }
        Ok(body)
    }

    /// Tells the gateway it may forget the events up to `up_to`.
    pub async fn ack_events(&self, up_to: i64) -> Result<(), CallError> {
        let request = self
            .request(Method::POST, &["events", "ack"])?
            .timeout(Duration::from_secs(10))
            .json(&AckEvents { up_to });
        Self::answer(request).await.map(drop)
    }
}
