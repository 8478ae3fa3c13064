//! Everything the gateway keeps, behind one trait ([`GatewayStore`]) so that the server does
//! not care whether it runs on SQLite (embedded, one instance) or on a shared database
//! (several instances).
//!
//! Each method is one transaction: the rules that must hold together (a token is consumed
//! once, an idempotency key answers once, an event is written with the change it reports)
//! are kept inside the store, not spread over handlers.
//!
//! The trait is the sum of one trait per domain, each declared beside its types:
//! [`OrgStore`] (`organizations.rs`), [`InvitationStore`] (`invitations.rs`: invitations and
//! their links), [`EventStore`] (`events.rs`), [`OutboxStore`] (`outbox.rs`), [`AccountStore`]
//! (`accounts.rs`), [`ResetStore`] (`resets.rs`), [`SessionStore`] (`sessions.rs`: sign-ins and
//! sessions), [`JoinStore`] (`join.rs`), [`TeamStore`] (`team.rs`: team mode's devices and
//! their enrollment), [`ChangeStore`] (`changes.rs`: team mode's change log), [`SnapshotStore`]
//! (`snapshots.rs`: team mode's directory snapshots), [`WakeStore`] (`wakes.rs`: how instances
//! sharing a database wake each other's long-polls) and [`HealthStore`] (`health.rs`: readiness and the outbox depth). Each backend implements them
//! in a file of the same name: `sqlite/<domain>.rs` and `postgres/<domain>.rs`; the SQL both
//! run is written once, in `sql.rs`.

mod accounts;
mod args;
mod changes;
mod columns;
mod events;
mod health;
mod invitations;
mod join;
mod organizations;
mod outbox;
mod postgres;
mod resets;
mod rows;
mod sessions;
mod snapshots;
mod sql;
mod sqlite;
mod team;
mod wakes;

pub use accounts::*;
pub use changes::{ChangeAuthor, ChangeStore, ChangeText, NewChanges};
pub use events::*;
pub use health::{HealthStore, SchemaStatus};
pub use invitations::*;
pub(crate) use join::CODE_FAILURE_MEMORY_SECS;
pub use join::{
    JoinLinkRecord, JoinLinkRotation, JoinLinkUpdate, JoinLinkWrite, JoinRequestDecision,
    JoinRequestView, JoinSecret, JoinSecrets, JoinStore, JoinSubmitOutcome, MessageBounce,
    NewJoinRequest,
};
pub use organizations::*;
pub use outbox::*;
pub use resets::*;
pub use sessions::*;
pub use snapshots::{Snapshot, SnapshotStore};
pub use team::{DeviceAuth, EnrollmentCandidate, NewDevice, NewEnrollment, TeamAccount, TeamStore};
pub use wakes::{Feed, Wake, WakeStore};

pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

/// Everything the gateway keeps: every domain's trait, implemented by each store.
pub trait GatewayStore:
    OrgStore
    + InvitationStore
    + EventStore
    + HealthStore
    + OutboxStore
    + AccountStore
    + ResetStore
    + SessionStore
    + JoinStore
    + TeamStore
    + ChangeStore
    + SnapshotStore
    + WakeStore
    + Send
    + Sync
    + 'static
{
}

impl GatewayStore for SqliteStore {}
impl GatewayStore for PostgresStore {}
