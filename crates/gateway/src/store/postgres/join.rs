//! The PostgreSQL side of [`JoinStore`]. Where instances can race: the organization's
//! join-link row is locked for updates, a username is checked and taken under the same
//! advisory lock the accounts trigger takes (migrations/postgres/0004_join.sql), and a
//! decision locks its request.

use async_trait::async_trait;
use orgdesk_protocol::{EventKind, JoinLinkRules, JoinRequestStatus};
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::Query;
use sqlx::{AssertSqlSafe, Postgres, Row};

use super::{execute, insert_event, shared, shared_with, PostgresStore, Tx};
use crate::error::{GatewayError, Result};
use crate::store::columns::read_join_through;
use crate::store::join::{
    decision_step, fields_from_text, fields_to_text, lockout_secs, parse_status, status_str,
    username_gone, JoinLinkRecord, JoinLinkRotation, JoinLinkUpdate, JoinLinkWrite,
    JoinRequestDecision, JoinRequestView, JoinSecret, JoinSecrets, JoinStore, JoinSubmitOutcome,
    MessageBounce, NewJoinRequest, CODE_FAILURE_MEMORY_SECS,
};
use crate::store::sql;

/// Queues the message telling the person of request `id` the decision, when they gave an
/// email; a decision message for the request still waiting is replaced (as on SQLite).
async fn queue_decision_mail(tx: &mut Tx<'_>, id: &str, approved: bool, now: i64) -> Result<()> {
    execute(&mut **tx, sql::SUPERSEDE_DECISION_MAIL, &[id.into()]).await?;
    let insert = "INSERT INTO outbox (kind, join_request_id, join_approved, sealed_token,
            next_attempt_at, created_at)
         SELECT 'join_decision', id, $2, ''::bytea, $3, $3 FROM join_requests
         WHERE id = $1 AND email IS NOT NULL";
    execute(&mut **tx, insert, &[id.into(), approved.into(), now.into()]).await?;
    Ok(())
}

const LINK_COLUMNS: &str = "org_id, organization_name, approval_required, required_fields, \
     expires_at, enabled, sealed_token, sealed_code";

fn link_from_row(r: &PgRow) -> Result<JoinLinkRecord> {
    Ok(JoinLinkRecord {
        org_id: r.try_get("org_id")?,
        rules: JoinLinkRules {
            organization_name: r.try_get("organization_name")?,
            approval_required: r.try_get("approval_required")?,
            required_fields: fields_from_text(&r.try_get::<String, _>("required_fields")?),
            expires_at: r.try_get("expires_at")?,
        },
        enabled: r.try_get("enabled")?,
        sealed_token: r.try_get("sealed_token")?,
        sealed_code: r.try_get("sealed_code")?,
    })
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.code().as_deref() == Some("23505"))
}

async fn read_link(tx: &mut Tx<'_>, org_id: &str, lock: bool) -> Result<Option<JoinLinkRecord>> {
    let lock = if lock { " FOR UPDATE" } else { "" };
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {LINK_COLUMNS} FROM join_links WHERE org_id = $1{lock}"
    )))
    .bind(org_id)
    .fetch_optional(&mut **tx)
    .await?;
    row.as_ref().map(link_from_row).transpose()
}

async fn set_secrets(
    mut tx: Tx<'_>,
    org_id: &str,
    fresh: &JoinSecrets,
    now: i64,
) -> Result<JoinLinkWrite> {
    let written = sqlx::query(
        "UPDATE join_links SET token_sha256 = $2, sealed_token = $3, code_hash = $4,
            sealed_code = $5, enabled = TRUE, updated_at = $6
         WHERE org_id = $1",
    )
    .bind(org_id);
    let written = bind_secrets(written, fresh)
        .bind(now)
        .execute(&mut *tx)
        .await;
    match written {
        Ok(_) => commit_link(tx, org_id).await,
        Err(e) if is_unique_violation(&e) => Ok(JoinLinkWrite::CodeTaken),
        Err(e) => Err(e.into()),
    }
}

/// Binds the link's new secrets in their columns' order: the token's hash, the sealed token,
/// the code's hash, the sealed code.
fn bind_secrets<'q>(
    query: Query<'q, Postgres, PgArguments>,
    fresh: &'q JoinSecrets,
) -> Query<'q, Postgres, PgArguments> {
    query
        .bind(&fresh.token_sha256[..])
        .bind(&fresh.sealed_token)
        .bind(&fresh.code_hash[..])
        .bind(&fresh.sealed_code)
}

/// Commits a write of the organization's link, answering the link as written.
async fn commit_link(mut tx: Tx<'_>, org_id: &str) -> Result<JoinLinkWrite> {
    let record = read_link(&mut tx, org_id, false)
        .await?
        .ok_or_else(|| GatewayError::Storage("a join link vanished".into()))?;
    tx.commit().await?;
    Ok(JoinLinkWrite::Written(record))
}

/// Takes the lock that guards `username_key` in the organization until commit.
pub(super) async fn lock_username(tx: &mut Tx<'_>, org_id: &str, username_key: &str) -> Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind(format!("join-username:{org_id}:{username_key}"))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn username_taken(tx: &mut Tx<'_>, org_id: &str, username_key: &str) -> Result<bool> {
    Ok(sqlx::query_scalar(shared(sql::USERNAME_IN_USE))
        .bind(org_id)
        .bind(username_key)
        .fetch_one(&mut **tx)
        .await?)
}

async fn create_account(tx: &mut Tx<'_>, org_id: &str, request_id: &str, now: i64) -> Result<bool> {
    let n = sqlx::query(
        "INSERT INTO accounts (org_id, username_key, username, password_hash, created_at,
            join_request_id, account_id)
         SELECT org_id, username_key, username, password_hash, $3, id, account_id
         FROM join_requests WHERE org_id = $1 AND id = $2
         ON CONFLICT (org_id, username_key) DO NOTHING",
    )
    .bind(org_id)
    .bind(request_id)
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Writes a decision that changes request `id`: its state, the account an approval creates
/// and the message to the person. The state changes before the account is created, so the
/// request no longer holds its own username against it; an approval after a rejection drops
/// the refusal's reason, which the status page would otherwise still show.
async fn write_decision(
    tx: &mut Tx<'_>,
    org_id: &str,
    id: &str,
    to: JoinRequestStatus,
    now: i64,
) -> Result<()> {
    sqlx::query(shared(sql::DECIDE_JOIN_REQUEST))
        .bind(org_id)
        .bind(id)
        .bind(status_str(to))
        .bind(now)
        .execute(&mut **tx)
        .await?;
    let approved = to == JoinRequestStatus::Approved;
    if approved && !create_account(tx, org_id, id, now).await? {
        return Err(username_gone());
    }
    queue_decision_mail(tx, id, approved, now).await
}

/// Approves the waiting request that named `account_id` for `username_key`, creating that
/// account, as the decision the mirror shows was taken would (see
/// [`crate::store::AccountStore::mirror_accounts`]); `false` when no request named it. The
/// caller holds the username's lock.
pub(super) async fn approve_waiting(
    tx: &mut Tx<'_>,
    org_id: &str,
    account_id: &str,
    username_key: &str,
    now: i64,
) -> Result<bool> {
    let id: Option<String> =
        sqlx::query_scalar(shared_with(sql::WAITING_REQUEST_NAMING, "FOR UPDATE"))
            .bind(org_id)
            .bind(account_id)
            .bind(username_key)
            .fetch_optional(&mut **tx)
            .await?;
    let Some(id) = id else {
        return Ok(false);
    };
    write_decision(tx, org_id, &id, JoinRequestStatus::Approved, now).await?;
    Ok(true)
}

fn secret_column(secret: JoinSecret) -> (&'static str, [u8; 32]) {
    match secret {
        JoinSecret::Link(h) => ("token_sha256", h),
        JoinSecret::Code(h) => ("code_hash", h),
    }
}

#[async_trait]
impl JoinStore for PostgresStore {
    async fn put_join_link(&self, update: JoinLinkUpdate, now: i64) -> Result<JoinLinkWrite> {
        let (org_id, rules, fresh) = (&update.org_id, &update.rules, &update.fresh);
        let mut tx = self.pool.begin().await?;
        let fields = fields_to_text(&rules.required_fields);
        // Create the row if there is none (a racing PUT waits here, then updates).
        let inserted = sqlx::query(
            "INSERT INTO join_links (org_id, organization_name, approval_required,
                required_fields, expires_at, enabled, token_sha256, sealed_token, code_hash,
                sealed_code, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, TRUE, $6, $7, $8, $9, $10, $10)
             ON CONFLICT (org_id) DO NOTHING",
        )
        .bind(org_id)
        .bind(&rules.organization_name)
        .bind(rules.approval_required)
        .bind(&fields)
        .bind(rules.expires_at);
        let inserted = bind_secrets(inserted, fresh)
            .bind(now)
            .execute(&mut *tx)
            .await;
        let created = match inserted {
            Ok(r) => r.rows_affected() == 1,
            Err(e) if is_unique_violation(&e) => return Ok(JoinLinkWrite::CodeTaken),
            Err(e) => return Err(e.into()),
        };
        let existing = read_link(&mut tx, org_id, true)
            .await?
            .ok_or_else(|| GatewayError::Storage("a join link vanished".into()))?;
        if created {
            tx.commit().await?;
            return Ok(JoinLinkWrite::Written(existing));
        }
        sqlx::query(shared(sql::UPDATE_JOIN_RULES))
            .bind(org_id)
            .bind(&rules.organization_name)
            .bind(rules.approval_required)
            .bind(&fields)
            .bind(rules.expires_at)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        if existing.enabled {
            commit_link(tx, org_id).await
        } else {
            set_secrets(tx, org_id, fresh, now).await
        }
    }

    async fn rotate_join_link(&self, new: JoinLinkRotation, now: i64) -> Result<JoinLinkWrite> {
        let JoinLinkRotation { org_id, fresh } = &new;
        let mut tx = self.pool.begin().await?;
        match read_link(&mut tx, org_id, true).await? {
            Some(link) if link.enabled => set_secrets(tx, org_id, fresh, now).await,
            _ => Ok(JoinLinkWrite::NotFound),
        }
    }

    async fn disable_join_link(&self, org_id: &str, now: i64) -> Result<bool> {
        let disable = "UPDATE join_links SET enabled = FALSE, updated_at = $2 WHERE org_id = $1";
        Ok(execute(&self.pool, disable, &[org_id.into(), now.into()]).await? == 1)
    }

    async fn join_link(&self, org_id: &str) -> Result<Option<JoinLinkRecord>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {LINK_COLUMNS} FROM join_links WHERE org_id = $1"
        )))
        .bind(org_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(link_from_row).transpose()
    }

    async fn find_join_link(&self, secret: JoinSecret) -> Result<Option<JoinLinkRecord>> {
        let (column, hash) = secret_column(secret);
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {LINK_COLUMNS} FROM join_links WHERE {column} = $1 AND enabled"
        )))
        .bind(&hash[..])
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(link_from_row).transpose()
    }

    async fn code_lockout(&self, client: &str, now: i64) -> Result<Option<i64>> {
        Ok(sqlx::query_scalar(shared(sql::CODE_LOCKED_UNTIL))
            .bind(client)
            .bind(now)
            .fetch_optional(&self.pool)
            .await?
            .flatten())
    }

    async fn record_code_failure(&self, client: &str, now: i64) -> Result<Option<i64>> {
        let mut tx = self.pool.begin().await?;
        // Make sure the row exists, then lock it: concurrent failures count one by one.
        let first = "INSERT INTO join_code_failures (client, failures, last_failure_at)
             VALUES ($1, 0, $2) ON CONFLICT (client) DO NOTHING";
        execute(&mut *tx, first, &[client.into(), now.into()]).await?;
        let (previous, last): (i64, i64) = sqlx::query_as(
            "SELECT failures, last_failure_at FROM join_code_failures
             WHERE client = $1 FOR UPDATE",
        )
        .bind(client)
        .fetch_one(&mut *tx)
        .await?;
        let failures = if last > now - CODE_FAILURE_MEMORY_SECS {
            previous.saturating_add(1)
        } else {
            1
        };
        let wait = lockout_secs(failures);
        let locked_until = (wait > 0).then(|| now.saturating_add(wait));
        let count = "UPDATE join_code_failures SET failures = $2, last_failure_at = $3,
                locked_until = $4
             WHERE client = $1";
        let args = [
            client.into(),
            failures.into(),
            now.into(),
            locked_until.into(),
        ];
        execute(&mut *tx, count, &args).await?;
        tx.commit().await?;
        Ok(locked_until)
    }

    async fn submit_join_request(
        &self,
        new: NewJoinRequest,
        now: i64,
    ) -> Result<JoinSubmitOutcome> {
        let mut tx = self.pool.begin().await?;
        let (column, hash) = secret_column(new.secret);
        // Shared lock: a rotation or switch-off waits for this request, and vice versa.
        let link = sqlx::query(shared_with(&sql::usable_join_link(column), "FOR SHARE"))
            .bind(&hash[..])
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(link) = link.as_ref().map(read_join_through).transpose()? else {
            return Ok(JoinSubmitOutcome::NotUsable);
        };
        let username_key = new.username.to_lowercase();
        lock_username(&mut tx, &link.org_id, &username_key).await?;
        if username_taken(&mut tx, &link.org_id, &username_key).await? {
            return Ok(JoinSubmitOutcome::UsernameTaken);
        }
        let args = new.insert_args(&link, &username_key, now);
        execute(&mut *tx, sql::INSERT_JOIN_REQUEST, &args).await?;
        let approval_required = link.approval_required;
        if !approval_required && !create_account(&mut tx, &link.org_id, &new.id, now).await? {
            return Ok(JoinSubmitOutcome::UsernameTaken);
        }
        let kind = new.requested_event(approval_required);
        insert_event(&mut tx, &link.org_id, &kind, now).await?;
        tx.commit().await?;
        Ok(JoinSubmitOutcome::Done { approval_required })
    }

    async fn decide_join_request(
        &self,
        decision: JoinRequestDecision,
        now: i64,
    ) -> Result<JoinRequestStatus> {
        let (org_id, id, approved) = (&decision.org_id, &decision.id, decision.approved);
        let mut tx = self.pool.begin().await?;
        let row: Option<(String, String)> =
            sqlx::query_as(shared_with(sql::JOIN_REQUEST_STATE, "FOR UPDATE"))
                .bind(org_id)
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((state, username_key)) = row else {
            return Err(GatewayError::Missing("no such join request"));
        };
        let step = decision_step(&state, approved)?;
        if !step.changes {
            return Ok(step.to);
        }
        if approved {
            lock_username(&mut tx, org_id, &username_key).await?;
        }
        if step.recheck_username && username_taken(&mut tx, org_id, &username_key).await? {
            return Err(username_gone());
        }
        write_decision(&mut tx, org_id, id, step.to, now).await?;
        tx.commit().await?;
        Ok(step.to)
    }

    async fn join_request_by_status_token(
        &self,
        token_sha256: [u8; 32],
    ) -> Result<Option<JoinRequestView>> {
        let row: Option<(String, String, String, Option<String>)> =
            sqlx::query_as(shared(sql::JOIN_REQUEST_STATUS))
                .bind(&token_sha256[..])
                .fetch_optional(&self.pool)
                .await?;
        row.map(|(state, organization_name, username, refused_reason)| {
            Ok(JoinRequestView {
                status: parse_status(&state)
                    .ok_or_else(|| GatewayError::Storage(format!("join request state {state}")))?,
                organization_name,
                username,
                refused_reason,
            })
        })
        .transpose()
    }

    async fn record_bounce(&self, bounce: MessageBounce, now: i64) -> Result<Option<String>> {
        let MessageBounce { message_id, reason } = &bounce;
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "UPDATE outbox SET bounced_at = $2
             WHERE id = (SELECT id FROM outbox
                         WHERE message_id = $1 AND state = 'sent' AND kind = 'invitation'
                           AND bounced_at IS NULL
                         ORDER BY id LIMIT 1 FOR UPDATE)
             RETURNING invitation_id,
                (SELECT org_id FROM invitations WHERE id = outbox.invitation_id) AS org_id",
        )
        .bind(message_id)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let invitation_id: String = row.try_get("invitation_id")?;
        let org_id: String = row.try_get("org_id")?;
        let kind = EventKind::InvitationBounced {
            invitation_id: invitation_id.clone(),
            reason: reason.to_owned(),
        };
        insert_event(&mut tx, &org_id, &kind, now).await?;
        tx.commit().await?;
        Ok(Some(invitation_id))
    }
}
