//! Team mode's change log: devices append the changes their admins make, the gateway gives
//! each the organization's next sequence number, and every computer reads the log in that
//! order. The gateway checks only the envelope (ids, sizes, JSON objects); the directories
//! validate what a change says, and decide permissions and conflicts when they apply it.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::Json;
use orgdesk_protocol::{
    AppendChanges, ChangePlaced, ChangesAppended, ChangesPage, MAX_CHANGES_LIMIT,
    MAX_CHANGES_PER_APPEND, MAX_CHANGE_BODY_BYTES, MAX_CHANGE_ID_LEN,
};

use super::poll::{feed_page, FeedQuery};
use super::{Caller, JsonBody};
use crate::error::{GatewayError, Result};
use crate::store::{ChangeAuthor, ChangeText, NewChanges};
use crate::{ring, Shared};

/// A change id: 1–64 characters of `[A-Za-z0-9_-]`.
fn change_id_ok(id: &str) -> bool {
    (1..=MAX_CHANGE_ID_LEN).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The changes of a request as the store keeps them, or the first problem, naming the item
/// (`changes[3].change_id …`).
fn checked(req: AppendChanges) -> Result<Vec<ChangeText>> {
    let bad = |message: String| Err(GatewayError::InvalidRequest(message));
    if req.changes.is_empty() {
        return bad("changes must hold at least one change".into());
    }
    if req.changes.len() > MAX_CHANGES_PER_APPEND {
        return bad(format!(
            "changes holds {} changes; at most {MAX_CHANGES_PER_APPEND} are taken at once",
            req.changes.len()
        ));
    }
    let mut seen = std::collections::HashSet::new();
    let mut texts = Vec::with_capacity(req.changes.len());
    for (i, change) in req.changes.into_iter().enumerate() {
        if !change_id_ok(&change.change_id) {
            return bad(format!(
                "changes[{i}].change_id must be 1 to {MAX_CHANGE_ID_LEN} characters of A-Z, \
                 a-z, 0-9, _ and -"
            ));
        }
        if !seen.insert(change.change_id.clone()) {
            return bad(format!(
                "changes[{i}].change_id repeats an earlier change of this request"
            ));
        }
        let body = serde_json::to_string(&change.body)
            .map_err(|e| GatewayError::Internal(e.to_string()))?;
        if body.len() > MAX_CHANGE_BODY_BYTES {
            return bad(format!(
                "changes[{i}].body is {} bytes of JSON; at most {MAX_CHANGE_BODY_BYTES} are taken",
                body.len()
            ));
        }
        texts.push(ChangeText {
            change_id: change.change_id,
            body,
        });
    }
    Ok(texts)
}

/// `POST /api/v1/changes` (device token only): appends in one transaction; a change the
/// device sent before answers its first sequence number.
pub(crate) async fn append(
    State(state): State<Shared>,
    caller: Caller,
    JsonBody(req): JsonBody<AppendChanges>,
) -> Result<Json<ChangesAppended>> {
    let (device_id, account_id) = caller.device()?;
    let changes = checked(req)?;
    let ids: Vec<String> = changes.iter().map(|c| c.change_id.clone()).collect();
    let author = ChangeAuthor {
        org_id: caller.org_id.clone(),
        device_id: device_id.to_owned(),
        account_id: account_id.to_owned(),
    };
    let now = state.clock.now_secs();
    let append = NewChanges { author, changes };
    let seqs = state.store.append_changes(append, now).await?;
    ring(&state.changes_bell);
    let changes = ids
        .into_iter()
        .zip(seqs)
        .map(|(change_id, seq)| ChangePlaced { change_id, seq })
        .collect();
    Ok(Json(ChangesAppended { changes }))
}

/// `GET /api/v1/changes?after=SEQ&limit=…&wait=…`: the log after the cursor, long-polled
/// like the event feed. Changes are kept: a new computer reads from 0.
pub(crate) async fn read(
    State(state): State<Shared>,
    caller: Caller,
    query: std::result::Result<Query<FeedQuery>, QueryRejection>,
) -> Result<Json<ChangesPage>> {
    let org_id = caller.org_id.as_str();
    let read = |after, limit| state.store.changes_after(org_id, after, limit);
    let bell = &state.changes_bell;
    let (changes, next_cursor) =
        feed_page(&state, &caller, query, bell, MAX_CHANGES_LIMIT, read, |c| {
            c.seq
        })
        .await?;
    Ok(Json(ChangesPage {
        changes,
        next_cursor,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_ids_are_short_plain_words() {
        assert!(change_id_ok("a"));
        assert!(change_id_ok("01HZX-abc_9"));
        assert!(change_id_ok(&"x".repeat(64)));
        assert!(!change_id_ok(""));
        assert!(!change_id_ok(&"x".repeat(65)));
        assert!(!change_id_ok("a b"));
        assert!(!change_id_ok("é"));
        assert!(!change_id_ok("a.b"));
    }
}
