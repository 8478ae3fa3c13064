//! Invitations and their links on SQLite: creating (with idempotency keys), resending,
//! cancelling, looking up a link, and consuming it by registering, accepting with an account
//! or declining; also reporting links that expired unused.

use async_trait::async_trait;
use orgdesk_protocol::EventKind;
use rusqlite::{params, params_from_iter, OptionalExtension, Transaction};

use super::{insert_event, insert_key, is_unique_violation, optional_pair, seen_key, SqliteStore};
use crate::error::Result;
use crate::store::columns::{read_invitation, read_token_lookup};
use crate::store::invitations::require_pending;
use crate::store::rows::registered_event;
use crate::store::sql;
use crate::store::{
    ConsumeOutcome, CreateOutcome, Invitation, InvitationResend, InvitationState, InvitationStore,
    InviteeAccount, KeyedRequest, NewInvitation, NewLink, Registration, TokenLookup,
};

/// Records a link of the invitation and queues its message when it is to be sent.
fn add_link(tx: &Transaction<'_>, invitation_id: &str, link: &NewLink, now: i64) -> Result<()> {
    let expires_at = link.expires_at;
    tx.execute(
        sql::INSERT_TOKEN,
        params![link.token_hash, invitation_id, now, expires_at],
    )?;
    if link.enqueue {
        let sealed = &link.sealed_token;
        tx.execute(sql::ENQUEUE_INVITATION, params![invitation_id, sealed, now])?;
    }
    Ok(())
}

/// The shared first step of register and decline: consume the token (exactly one row) and
/// move the invitation from pending to `state`. Returns the invitation, or `None` when the
/// token was not usable.
fn consume(
    tx: &Transaction<'_>,
    token_hash: [u8; 32],
    state: InvitationState,
    now: i64,
) -> Result<Option<(String, String)>> {
    let consumed = tx.execute(sql::USE_TOKEN, params![token_hash, now])?;
    if consumed != 1 {
        return Ok(None);
    }
    let row: Option<(String, String)> = optional_pair(
        tx,
        sql::FINISH_INVITATION,
        params![token_hash, state.as_str(), now],
    )?;
    Ok(row)
}

/// The state of the organization's invitation `id`, if it has one.
fn invitation_state(tx: &Transaction<'_>, org_id: &str, id: &str) -> Result<Option<String>> {
    let state = tx.query_row(sql::INVITATION_STATE, params![org_id, id], |r| r.get(0));
    Ok(state.optional()?)
}

/// Revokes the invitation's live links and ends its unsent messages in `outbox_state`.
fn revoke_links(tx: &Transaction<'_>, id: &str, outbox_state: &str, now: i64) -> Result<()> {
    tx.execute(sql::REVOKE_LINKS, params![id, now])?;
    tx.execute(sql::END_MESSAGES, params![id, outbox_state])?;
    Ok(())
}

/// What consuming a link adds after [`consume`]: the event that reports it, or the outcome
/// that undoes it all (the transaction is dropped, so the token stays unused).
type Consumed = std::result::Result<EventKind, ConsumeOutcome>;

impl SqliteStore {
    /// Consumes a link in one transaction: moves its invitation to `state`, runs `then` with
    /// the invitation's id and organization, and commits with the event `then` gives.
    async fn consume_with<F>(
        &self,
        token_hash: [u8; 32],
        state: InvitationState,
        now: i64,
        then: F,
    ) -> Result<ConsumeOutcome>
    where
        F: FnOnce(&Transaction<'_>, &str, &str) -> Result<Consumed> + Send + 'static,
    {
        self.in_transaction(move |tx| {
            let Some((invitation_id, org_id)) = consume(&tx, token_hash, state, now)? else {
                return Ok(ConsumeOutcome::NotUsable);
            };
            match then(&tx, &invitation_id, &org_id)? {
                Ok(kind) => {
                    insert_event(&tx, &org_id, &kind, now)?;
                    tx.commit()?;
                    Ok(ConsumeOutcome::Done { invitation_id })
                }
                Err(outcome) => Ok(outcome),
            }
        })
        .await
    }
}

#[async_trait]
impl InvitationStore for SqliteStore {
    async fn create_invitation(&self, new: NewInvitation, now: i64) -> Result<CreateOutcome> {
        self.in_transaction(move |tx| {
            let inv = &new.invitation;
            // The key is checked first and inserted in the same transaction as the
            // invitation, so two racing retries cannot both create one.
            if let Some(seen) = seen_key(&tx, new.key().request())? {
                return Ok(seen);
            }
            tx.execute(
                sql::INSERT_INVITATION,
                params_from_iter(new.insert_args(now)),
            )?;
            insert_key::<CreateOutcome>(&tx, &new.key(), now)?;
            add_link(&tx, &inv.id, &new.link, now)?;
            tx.commit()?;
            Ok(CreateOutcome::Created)
        })
        .await
    }

    async fn seen_key(&self, request: KeyedRequest<'_>) -> Result<Option<CreateOutcome>> {
        self.seen(request).await
    }

    async fn invitation(&self, org_id: &str, id: &str) -> Result<Option<Invitation>> {
        let params = (org_id.to_owned(), id.to_owned());
        self.optional_row(sql::invitation(), params, |r| read_invitation(r, 0))
            .await
    }

    async fn resend_invitation(&self, resend: InvitationResend, now: i64) -> Result<()> {
        let InvitationResend { org_id, id, link } = resend;
        self.in_transaction(move |tx| {
            require_pending(invitation_state(&tx, &org_id, &id)?.as_deref())?;
            revoke_links(&tx, &id, "superseded", now)?;
            add_link(&tx, &id, &link, now)?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn cancel_invitation(&self, org_id: &str, id: &str, now: i64) -> Result<()> {
        let (org_id, id) = (org_id.to_owned(), id.to_owned());
        self.in_transaction(move |tx| {
            match invitation_state(&tx, &org_id, &id)?.as_deref() {
                Some("cancelled") => return Ok(()),
                state => require_pending(state)?,
            }
            tx.execute(sql::CANCEL_INVITATION, params![id, now])?;
            revoke_links(&tx, &id, "cancelled", now)?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn lookup_token(&self, token_hash: [u8; 32]) -> Result<Option<TokenLookup>> {
        self.optional_row(sql::lookup_token(), [token_hash], |r| read_token_lookup(r))
            .await
    }

    async fn mark_opened(&self, invitation_id: &str, now: i64) -> Result<bool> {
        let invitation_id = invitation_id.to_owned();
        self.in_transaction(move |tx| {
            let org: Option<String> = tx
                .query_row(sql::MARK_OPENED, params![invitation_id, now], |r| r.get(0))
                .optional()?;
            let Some(org) = org else { return Ok(false) };
            insert_event(
                &tx,
                &org,
                &EventKind::InvitationOpened { invitation_id },
                now,
            )?;
            tx.commit()?;
            Ok(true)
        })
        .await
    }

    async fn register(&self, registration: Registration, now: i64) -> Result<ConsumeOutcome> {
        let (token_hash, account) = (registration.token_hash, registration.account);
        let state = InvitationState::Registered;
        self.consume_with(token_hash, state, now, move |tx, invitation_id, org_id| {
            let (username, account_id, password_hash) = match account {
                InviteeAccount::New(new) => {
                    let args = new.register_args(org_id, invitation_id, now);
                    match tx.execute(sql::REGISTER_ACCOUNT, params_from_iter(args)) {
                        Ok(_) => (new.username, new.account_id, new.password_hash),
                        Err(e) if is_unique_violation(&e) => {
                            return Ok(Err(ConsumeOutcome::UsernameTaken))
                        }
                        Err(e) => return Err(e.into()),
                    }
                }
                InviteeAccount::Existing {
                    username_key,
                    password_hash,
                } => {
                    let account: Option<(String, String)> = optional_pair(
                        tx,
                        sql::ACCOUNT_TO_ACCEPT,
                        params![org_id, username_key, password_hash],
                    )?;
                    let Some((username, account_id)) = account else {
                        return Ok(Err(ConsumeOutcome::AccountUnavailable));
                    };
                    (username, account_id, password_hash)
                }
            };
            Ok(Ok(registered_event(
                invitation_id,
                account_id,
                username,
                password_hash,
            )))
        })
        .await
    }

    async fn decline(&self, token_hash: [u8; 32], now: i64) -> Result<ConsumeOutcome> {
        let state = InvitationState::Declined;
        self.consume_with(token_hash, state, now, |_, invitation_id, _| {
            Ok(Ok(EventKind::Declined {
                invitation_id: invitation_id.to_owned(),
            }))
        })
        .await
    }

    async fn report_expired_invitations(&self, now: i64, limit: u32) -> Result<u32> {
        self.in_transaction(move |tx| {
            let due: Vec<(Vec<u8>, String, String)> = {
                let mut stmt = tx.prepare_cached(
                    "SELECT t.hash, i.id, i.org_id
                     FROM invitation_tokens t JOIN invitations i ON i.id = t.invitation_id
                     WHERE t.revoked_at IS NULL AND t.used_at IS NULL
                       AND t.expiry_reported_at IS NULL AND t.expires_at <= ?1
                       AND i.state = 'pending'
                     ORDER BY t.expires_at LIMIT ?2",
                )?;
                let rows = stmt.query_map(params![now, limit], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })?;
                rows.collect::<rusqlite::Result<_>>()?
            };
            let mut reported = 0;
            for (hash, invitation_id, org_id) in due {
                let marked = tx.execute(
                    "UPDATE invitation_tokens SET expiry_reported_at = ?2
                     WHERE hash = ?1 AND expiry_reported_at IS NULL",
                    params![hash, now],
                )?;
                if marked == 1 {
                    insert_event(
                        &tx,
                        &org_id,
                        &EventKind::InvitationExpired { invitation_id },
                        now,
                    )?;
                    reported += 1;
                }
            }
            tx.commit()?;
            Ok(reported)
        })
        .await
    }
}
