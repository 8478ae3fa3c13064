//! Local stand-ins for the HTTP providers, speaking their real wire formats on 127.0.0.1:0:
//! Twilio's Messages API and Postmark's `/email`. They check the credentials the way the
//! providers do, record every request, and answer like the providers, including their error
//! bodies for a few fixed recipients.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::json;
use tokio::sync::oneshot;

/// Twilio's "invalid number" test number: answered with error 21211.
pub const TWILIO_INVALID: &str = "+15005550001";
/// Answered 503 the first time, 201 after.
pub const TWILIO_FLAKY: &str = "+15005550002";
/// Answered only after 3 s the first time (longer than the gateway waits), at once after.
pub const TWILIO_SLOW: &str = "+15005550003";
/// Postmark answers 406 (inactive recipient) for this address.
pub const POSTMARK_INACTIVE: &str = "inactive@example.org";

/// One request as the stand-in received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub path: String,
    pub headers: HashMap<String, String>,
    pub body: String,
    /// The id the stand-in answered with, if it accepted the message.
    pub answered_id: Option<String>,
}

impl Recorded {
    /// The form fields of a form-encoded body.
    pub fn form(&self) -> HashMap<String, String> {
        serde_urlencoded::from_str::<Vec<(String, String)>>(&self.body)
            .expect("a form body")
            .into_iter()
            .collect()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }
}

#[derive(Clone)]
struct Shared {
    secret: String,
    user: String,
    requests: Arc<Mutex<Vec<Recorded>>>,
    seen_flaky: Arc<Mutex<bool>>,
    seen_slow: Arc<Mutex<bool>>,
}

pub struct StandIn {
    pub base: String,
    requests: Arc<Mutex<Vec<Recorded>>>,
    stop: Option<oneshot::Sender<()>>,
}

impl StandIn {
    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

async fn serve(app: Router, requests: Arc<Mutex<Vec<Recorded>>>) -> StandIn {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await;
    });
    StandIn {
        base,
        requests,
        stop: Some(stop),
    }
}

fn header_map(headers: &HeaderMap) -> HashMap<String, String> {
    headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                v.to_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn random_hex(bytes: usize) -> String {
    (0..bytes)
        .map(|_| format!("{:02x}", rand::random::<u8>()))
        .collect()
}

/// Twilio: `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`, Basic auth
/// `AccountSid:AuthToken`, form `To`, `From` or `MessagingServiceSid`, `Body`.
pub async fn twilio(account_sid: &str, auth_token: &str) -> StandIn {
    let requests = Arc::new(Mutex::new(Vec::new()));
    let shared = Shared {
        secret: auth_token.to_owned(),
        user: account_sid.to_owned(),
        requests: requests.clone(),
        seen_flaky: Arc::new(Mutex::new(false)),
        seen_slow: Arc::new(Mutex::new(false)),
    };
    let app = Router::new()
        .route(
            "/2010-04-01/Accounts/{sid}/Messages.json",
            post(twilio_messages),
        )
        .with_state(shared);
    serve(app, requests).await
}

async fn twilio_messages(
    State(s): State<Shared>,
    Path(sid): Path<String>,
    headers: HeaderMap,
    body: String,
) -> Response {
    use base64ct::Encoding;
    let expected = format!(
        "Basic {}",
        base64ct::Base64::encode_string(format!("{}:{}", s.user, s.secret).as_bytes())
    );
    let authorized = headers
        .get("authorization")
        .is_some_and(|v| v.as_bytes() == expected.as_bytes());
    let mut recorded = Recorded {
        path: format!("/2010-04-01/Accounts/{sid}/Messages.json"),
        headers: header_map(&headers),
        body: body.clone(),
        answered_id: None,
    };
    if !authorized || sid != s.user {
        s.requests.lock().unwrap().push(recorded);
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"code": 20003, "message": "Authenticate", "more_info": "https://www.twilio.com/docs/errors/20003", "status": 401})),
        )
            .into_response();
    }
    let form: HashMap<String, String> = serde_urlencoded::from_str::<Vec<(String, String)>>(&body)
        .unwrap_or_default()
        .into_iter()
        .collect();
    let to = form.get("To").cloned().unwrap_or_default();
    if to == TWILIO_SLOW && !std::mem::replace(&mut *s.seen_slow.lock().unwrap(), true) {
        s.requests.lock().unwrap().push(recorded.clone());
        tokio::time::sleep(std::time::Duration::from_secs(3)).await;
        recorded.answered_id = Some("SMnever-seen".into());
        return (StatusCode::CREATED, Json(json!({"sid": "SMnever-seen"}))).into_response();
    }
    let answer = if to == TWILIO_INVALID {
        (
            StatusCode::BAD_REQUEST,
            Json(json!({"code": 21211, "message": format!("The 'To' number {to} is not a valid phone number."), "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400})),
        )
            .into_response()
    } else if to == TWILIO_FLAKY && !std::mem::replace(&mut *s.seen_flaky.lock().unwrap(), true) {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"code": 20503, "message": "Service unavailable", "status": 503})),
        )
            .into_response()
    } else {
        let message_sid = format!("SM{}", random_hex(16));
        recorded.answered_id = Some(message_sid.clone());
        (
            StatusCode::CREATED,
            Json(json!({
                "sid": message_sid,
                "account_sid": s.user,
                "to": to,
                "from": form.get("From"),
                "messaging_service_sid": form.get("MessagingServiceSid"),
                "body": form.get("Body"),
                "status": "queued",
                "num_segments": "1",
                "direction": "outbound-api",
                "api_version": "2010-04-01",
                "uri": format!("/2010-04-01/Accounts/{sid}/Messages/{message_sid}.json"),
            })),
        )
            .into_response()
    };
    s.requests.lock().unwrap().push(recorded);
    answer
}

/// Postmark: `POST /email` with `X-Postmark-Server-Token` and `Accept: application/json`.
pub async fn postmark(server_token: &str) -> StandIn {
    let requests = Arc::new(Mutex::new(Vec::new()));
    let shared = Shared {
        secret: server_token.to_owned(),
        user: String::new(),
        requests: requests.clone(),
        seen_flaky: Arc::new(Mutex::new(false)),
        seen_slow: Arc::new(Mutex::new(false)),
    };
    let app = Router::new()
        .route("/email", post(postmark_email))
        .with_state(shared);
    serve(app, requests).await
}

async fn postmark_email(State(s): State<Shared>, headers: HeaderMap, body: String) -> Response {
    let mut recorded = Recorded {
        path: "/email".into(),
        headers: header_map(&headers),
        body: body.clone(),
        answered_id: None,
    };
    let token_ok = headers
        .get("x-postmark-server-token")
        .is_some_and(|v| v.as_bytes() == s.secret.as_bytes());
    let accepts_json = headers
        .get("accept")
        .is_some_and(|v| v.as_bytes() == b"application/json");
    if !token_ok {
        s.requests.lock().unwrap().push(recorded);
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"ErrorCode": 10, "Message": "The Server Token you provided in the X-Postmark-Server-Token request header was invalid."})),
        )
            .into_response();
    }
    let parsed: Option<serde_json::Value> = serde_json::from_str(&body).ok();
    let answer = match parsed {
        None => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({"ErrorCode": 402, "Message": "Received invalid JSON input."})),
        )
            .into_response(),
        Some(_) if !accepts_json => (
            StatusCode::NOT_ACCEPTABLE,
            Json(json!({"ErrorCode": 0, "Message": "Accept must be application/json"})),
        )
            .into_response(),
        Some(v) => {
            let to = v["To"].as_str().unwrap_or_default().to_owned();
            if to.contains(POSTMARK_INACTIVE) {
                (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Json(json!({"ErrorCode": 406, "Message": "You tried to send to recipient(s) that have been marked as inactive. Found inactive addresses: inactive@example.org."})),
                )
                    .into_response()
            } else {
                let id = format!(
                    "{}-{}-{}-{}-{}",
                    random_hex(4),
                    random_hex(2),
                    random_hex(2),
                    random_hex(2),
                    random_hex(6)
                );
                recorded.answered_id = Some(id.clone());
                (
                    StatusCode::OK,
                    Json(json!({"To": to, "SubmittedAt": "2026-11-23T01:00:00.0000000Z", "MessageID": id, "ErrorCode": 0, "Message": "OK"})),
                )
                    .into_response()
            }
        }
    };
    s.requests.lock().unwrap().push(recorded);
    answer
}
