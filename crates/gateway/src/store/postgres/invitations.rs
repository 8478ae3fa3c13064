//! Invitations and their links on PostgreSQL: creating (with idempotency keys), resending,
//! cancelling, looking up a link, and consuming it by registering, accepting with an account
//! or declining; also reporting links that expired unused.

use async_trait::async_trait;
use orgdesk_protocol::EventKind;
use sqlx::Row;

use super::{
    execute, insert_event, locked_row, record_key, seen_key, shared, shared_with, Arg,
    PostgresStore, Tx,
};
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
async fn add_link(tx: &mut Tx<'_>, invitation_id: &str, link: &NewLink, now: i64) -> Result<()> {
    sqlx::query(shared(sql::INSERT_TOKEN))
        .bind(&link.token_hash[..])
        .bind(invitation_id)
        .bind(now)
        .bind(link.expires_at)
        .execute(&mut **tx)
        .await?;
    if link.enqueue {
        sqlx::query(shared(sql::ENQUEUE_INVITATION))
            .bind(invitation_id)
            .bind(&link.sealed_token)
            .bind(now)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Consumes the token (exactly one row) and moves the invitation from pending to `state`.
async fn consume(
    tx: &mut Tx<'_>,
    token_hash: [u8; 32],
    state: InvitationState,
    now: i64,
) -> Result<Option<(String, String)>> {
    let consumed = sqlx::query(shared(sql::USE_TOKEN))
        .bind(&token_hash[..])
        .bind(now)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    if consumed != 1 {
        return Ok(None);
    }
    let row = sqlx::query(shared(sql::FINISH_INVITATION))
        .bind(&token_hash[..])
        .bind(state.as_str())
        .bind(now)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(match row {
        Some(r) => Some((r.try_get(0)?, r.try_get(1)?)),
        None => None,
    })
}

/// The invitation's state, locked for the rest of the transaction.
async fn locked_state(tx: &mut Tx<'_>, org_id: &str, id: &str) -> Result<Option<String>> {
    let row: Option<(String,)> = locked_row(tx, sql::INVITATION_STATE, org_id, id).await?;
    Ok(row.map(|(state,)| state))
}

/// Revokes the invitation's live links and ends its unsent messages in `outbox_state`.
async fn revoke_links(tx: &mut Tx<'_>, id: &str, outbox_state: &str, now: i64) -> Result<()> {
    execute(&mut **tx, sql::REVOKE_LINKS, &[id.into(), now.into()]).await?;
    execute(
        &mut **tx,
        sql::END_MESSAGES,
        &[id.into(), outbox_state.into()],
    )
    .await?;
    Ok(())
}

/// The last step of consuming a link: the event that reports it, and the commit.
async fn done(
    mut tx: Tx<'_>,
    org_id: &str,
    invitation_id: String,
    kind: &EventKind,
    now: i64,
) -> Result<ConsumeOutcome> {
    insert_event(&mut tx, org_id, kind, now).await?;
    tx.commit().await?;
    Ok(ConsumeOutcome::Done { invitation_id })
}

#[async_trait]
impl InvitationStore for PostgresStore {
    async fn create_invitation(&self, new: NewInvitation, now: i64) -> Result<CreateOutcome> {
        let inv = &new.invitation;
        let mut tx = self.pool.begin().await?;
        execute(&mut *tx, sql::INSERT_INVITATION, &new.insert_args(now)).await?;
        // The key decides: a concurrent retry waits here for the first transaction and then
        // finds its row, so only one of them creates the invitation.
        if !record_key::<CreateOutcome>(&mut tx, &new.key(), now).await? {
            tx.rollback().await?;
            return self.answer_of_key(&new.key()).await;
        }
        add_link(&mut tx, &inv.id, &new.link, now).await?;
        tx.commit().await?;
        Ok(CreateOutcome::Created)
    }

    async fn seen_key(&self, request: KeyedRequest<'_>) -> Result<Option<CreateOutcome>> {
        seen_key(&self.pool, request).await
    }

    async fn invitation(&self, org_id: &str, id: &str) -> Result<Option<Invitation>> {
        let args = [Arg::from(org_id), id.into()];
        self.optional_row(&sql::invitation(), &args, |row| read_invitation(row, 0))
            .await
    }

    async fn resend_invitation(&self, resend: InvitationResend, now: i64) -> Result<()> {
        let InvitationResend { org_id, id, link } = &resend;
        let mut tx = self.pool.begin().await?;
        require_pending(locked_state(&mut tx, org_id, id).await?.as_deref())?;
        revoke_links(&mut tx, id, "superseded", now).await?;
        add_link(&mut tx, id, link, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn cancel_invitation(&self, org_id: &str, id: &str, now: i64) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        match locked_state(&mut tx, org_id, id).await?.as_deref() {
            Some("cancelled") => return Ok(()),
            state => require_pending(state)?,
        }
        sqlx::query(shared(sql::CANCEL_INVITATION))
            .bind(id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        revoke_links(&mut tx, id, "cancelled", now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn lookup_token(&self, token_hash: [u8; 32]) -> Result<Option<TokenLookup>> {
        let hash = [Arg::from(&token_hash)];
        self.optional_row(&sql::lookup_token(), &hash, read_token_lookup)
            .await
    }

    async fn mark_opened(&self, invitation_id: &str, now: i64) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let org: Option<String> = sqlx::query_scalar(shared(sql::MARK_OPENED))
            .bind(invitation_id)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(org) = org else { return Ok(false) };
        let kind = EventKind::InvitationOpened {
            invitation_id: invitation_id.to_owned(),
        };
        insert_event(&mut tx, &org, &kind, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn register(&self, registration: Registration, now: i64) -> Result<ConsumeOutcome> {
        let (token_hash, account) = (registration.token_hash, registration.account);
        let mut tx = self.pool.begin().await?;
        let Some((invitation_id, org_id)) =
            consume(&mut tx, token_hash, InvitationState::Registered, now).await?
        else {
            return Ok(ConsumeOutcome::NotUsable);
        };
        let (username, account_id, password_hash) = match account {
            InviteeAccount::New(new) => {
                // A taken username is no error here: the insert just does nothing.
                let statement = format!(
                    "{} ON CONFLICT (org_id, username_key) DO NOTHING",
                    sql::REGISTER_ACCOUNT
                );
                let args = new.register_args(&org_id, &invitation_id, now);
                if execute(&mut *tx, &statement, &args).await? == 0 {
                    // Rolling back leaves the token unused for another try.
                    tx.rollback().await?;
                    return Ok(ConsumeOutcome::UsernameTaken);
                }
                (new.username, new.account_id, new.password_hash)
            }
            InviteeAccount::Existing {
                username_key,
                password_hash,
            } => {
                // FOR SHARE: a concurrent disable or password change waits for this
                // transaction.
                let row: Option<(String, String)> =
                    sqlx::query_as(shared_with(sql::ACCOUNT_TO_ACCEPT, "FOR SHARE"))
                        .bind(&org_id)
                        .bind(&username_key)
                        .bind(&password_hash)
                        .fetch_optional(&mut *tx)
                        .await?;
                let Some((username, account_id)) = row else {
                    // Rolling back leaves the token unused.
                    tx.rollback().await?;
                    return Ok(ConsumeOutcome::AccountUnavailable);
                };
                (username, account_id, password_hash)
            }
        };
        let kind = registered_event(&invitation_id, account_id, username, password_hash);
        done(tx, &org_id, invitation_id, &kind, now).await
    }

    async fn decline(&self, token_hash: [u8; 32], now: i64) -> Result<ConsumeOutcome> {
        let mut tx = self.pool.begin().await?;
        let Some((invitation_id, org_id)) =
            consume(&mut tx, token_hash, InvitationState::Declined, now).await?
        else {
            return Ok(ConsumeOutcome::NotUsable);
        };
        let kind = EventKind::Declined {
            invitation_id: invitation_id.clone(),
        };
        done(tx, &org_id, invitation_id, &kind, now).await
    }

    async fn report_expired_invitations(&self, now: i64, limit: u32) -> Result<u32> {
        let mut tx = self.pool.begin().await?;
        // SKIP LOCKED: instances sweeping together take different links; the condition on
        // expiry_reported_at makes each link's report happen once.
        let rows = sqlx::query(
            "UPDATE invitation_tokens t SET expiry_reported_at = $1
             FROM invitations i
             WHERE i.id = t.invitation_id AND t.hash IN (
                SELECT t2.hash FROM invitation_tokens t2
                JOIN invitations i2 ON i2.id = t2.invitation_id
                WHERE t2.revoked_at IS NULL AND t2.used_at IS NULL
                  AND t2.expiry_reported_at IS NULL AND t2.expires_at <= $1
                  AND i2.state = 'pending'
                ORDER BY t2.expires_at LIMIT $2
                FOR UPDATE OF t2 SKIP LOCKED)
               AND t.expiry_reported_at IS NULL
             RETURNING i.id, i.org_id",
        )
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await?;
        let mut reported = 0;
        for row in &rows {
            let invitation_id: String = row.try_get(0)?;
            let org_id: String = row.try_get(1)?;
            let kind = EventKind::InvitationExpired { invitation_id };
            insert_event(&mut tx, &org_id, &kind, now).await?;
            reported += 1;
        }
        tx.commit().await?;
        Ok(reported)
    }
}
