//! The directory the window works on: seeded, every member who has not joined invited, join
//! requests waiting; and the wait until the app has handed its backlog to the gateway.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use orgdesk_core::audit::Actor;
use orgdesk_core::invitations::{InvitationQuery, InvitationState, InviteChannel};
use orgdesk_core::organization::SetupInput;
use orgdesk_core::types::MemberId;
use orgdesk_core::{Directory, SystemClock};
use orgdesk_protocol::{Event, EventKind, JoinVia, JoinerDetails};

use crate::{DEPARTMENTS, JOIN_REQUESTS, PASSWORD};

pub(crate) fn prepare(db: &Path, members: usize) -> Directory {
    let mut d = Directory::open_with_clock(db, Arc::new(SystemClock)).unwrap();
    d.setup_organization(&SetupInput {
        organization_name: "Bench Corp".into(),
        admin_name: "Ann".into(),
        username: "ann".into(),
        password: PASSWORD.into(),
        password_confirm: PASSWORD.into(),
    })
    .unwrap();
    let t = Instant::now();
    orgdesk_core::seed::seed(&mut d, DEPARTMENTS, members, 42).unwrap();
    println!(
        "Seeded {members} members in {DEPARTMENTS} departments in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    // Every member who has not joined is invited by email: the Invitations screen's list.
    let waiting: Vec<MemberId> = {
        let conn = rusqlite::Connection::open(db).unwrap();
        let mut st = conn
            .prepare("SELECT id FROM members WHERE status = 'not_joined' ORDER BY id")
            .unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let admin = Actor::member(MemberId(1), "Ann");
    for chunk in waiting.chunks(1_000) {
        d.invite_members(&admin, chunk, InviteChannel::Email)
            .unwrap();
    }
    println!("Invited {} members by email", waiting.len());
    // Join requests waiting for approval, as the gateway's feed brings them.
    let hash = orgdesk_core::password::hash("Stranger-Pass1").unwrap();
    let mut seq = 0;
    for _ in 0..JOIN_REQUESTS / 500 {
        let page: Vec<Event> = (0..500)
            .map(|_| {
                seq += 1;
                Event {
                    seq,
                    id: format!("ev_{seq}"),
                    at: 1_780_000_000 + seq,
                    kind: EventKind::JoinRequested {
                        request_id: format!("jr_{seq}"),
                        via: JoinVia::Link,
                        details: JoinerDetails {
                            name: format!("Applicant {seq}"),
                            email: Some(format!("applicant{seq}@example.net")),
                            ..JoinerDetails::default()
                        },
                        account_id: Some(format!("acc_bench{seq}")),
                        username: format!("applicant{seq}"),
                        password_hash: hash.clone(),
                        approval_required: true,
                    },
                }
            })
            .collect();
        d.apply_gateway_events(&page, seq).unwrap();
    }
    println!("{JOIN_REQUESTS} join requests wait for approval");
    d
}

/// Waits until the app has handed its backlog to the embedded gateway: the account mirror of
/// every member, the invitations created above, delivered, and the feed's answers applied. A
/// freshly seeded directory keeps both cores busy for a few minutes with this, which is real
/// (it is what follows a bulk invitation) but is not what the lines below measure.
pub(crate) async fn settle(core: &Directory) {
    let t = Instant::now();
    let mut last_cursor = -1;
    let mut quiet_since = Instant::now();
    loop {
        let mirror = core.due_account_mirror(1).unwrap().len();
        let work = core.due_gateway_work(1).unwrap().len();
        let outbox = core.due_gateway_outbox(1).unwrap().len();
        let cursor = core.gateway_event_cursor().unwrap();
        // Every invitation delivered (or failed) and its event applied: the embedded gateway's
        // worker no longer shares the cores with the window.
        let undelivered = core
            .invitation_page(&InvitationQuery {
                states: vec![InvitationState::Queued, InvitationState::Sent],
                limit: Some(1),
                ..InvitationQuery::default()
            })
            .unwrap()
            .total;
        if cursor != last_cursor || mirror + work + outbox > 0 || undelivered > 0 {
            last_cursor = cursor;
            quiet_since = Instant::now();
        }
        if quiet_since.elapsed() > Duration::from_secs(5) {
            break;
        }
        assert!(
            t.elapsed() < Duration::from_secs(900),
            "the app never caught up with the gateway: {mirror} mirror, {work} invitations, {outbox} decisions due, {undelivered} not delivered"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    println!(
        "The app handed its backlog to the gateway in {:.0} s (feed cursor {last_cursor})",
        t.elapsed().as_secs_f64()
    );
}
