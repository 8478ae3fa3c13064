//! Team mode through the typed client, against a real gateway in this process: the
//! computer holding the API token becomes a device, asks for a code, a second computer joins
//! with it, both append to the change log and read it back, and a revoked device is refused;
//! then two directories send their commands and apply the log with the team round.

use std::sync::{Arc, Mutex};

use orgdesk_core::auth::AdminRank;
use orgdesk_core::members::{NewMember, PositionInput};
use orgdesk_core::team::Command;
use orgdesk_core::Directory;
use orgdesk_link::{send_round, team_round, CallError, GatewayClient, SharedDirectory, TeamReport};
use orgdesk_protocol::{AppendChanges, JoinTeam, NewChange};

mod common;

use common::{client, join_laptop, office_pc};

const PASSWORD: &str = "Correct-Horse1";

fn change(id: &str) -> NewChange {
    let body = serde_json::json!({"op": "rename_department", "name": id});
    NewChange {
        change_id: id.into(),
        body: body.as_object().unwrap().clone(),
    }
}

/// The computer holding the API token becomes the device "Office PC" of `account_id`.
fn changes(ids: &[&str]) -> AppendChanges {
    AppendChanges {
        changes: ids.iter().map(|id| change(id)).collect(),
    }
}

/// Puts a snapshot taken at `at_seq`; answers the position of the one kept.
async fn kept(client: &GatewayClient, at_seq: i64, bytes: Vec<u8>) -> i64 {
    client.put_snapshot(at_seq, bytes).await.unwrap().at_seq
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_computers_share_the_change_log_through_the_typed_client() {
    let files = tempfile::tempdir().unwrap();
    let (gateway, base, token) = common::acme_gateway(files.path()).await;
    let admin = client(&base, token);
    let account_id = common::mirror_enabled(&admin, "liwei", PASSWORD).await;

    // This computer moves to team mode; the API token cannot append.
    let first = office_pc(&admin, &account_id).await;
    assert_eq!(first.account_id, account_id);
    let refused = admin.append_changes(&changes(&["a"])).await.unwrap_err();
    assert!(
        matches!(refused, CallError::Refused { status: 403, .. }),
        "{refused:?}"
    );
    let office = client(&base, first.device_token.clone());

    // A code from the device; the new computer joins with it and has no token yet.
    let code = office.create_enrollment(&account_id).await.unwrap();
    let newcomer = client(&base, String::new());
    let join = |code: &str, password: &str| JoinTeam {
        code: code.into(),
        username: "LiWei".into(),
        password: password.into(),
        device_name: "Laptop".into(),
    };
    let wrong = newcomer
        .join_team(&join(&code.code, "Wrong-Horse1"))
        .await
        .unwrap_err();
    assert!(
        matches!(wrong, CallError::Refused { status: 401, .. }),
        "{wrong:?}"
    );
    let second = newcomer
        .join_team(&join(&code.code, PASSWORD))
        .await
        .unwrap();
    let laptop = client(&base, second.device_token.clone());
    let listed = admin.devices().await.unwrap().devices;
    let names: Vec<&str> = listed.iter().map(|d| d.device_name.as_str()).collect();
    assert_eq!(names.len(), 2);
    assert!(names.contains(&"Office PC") && names.contains(&"Laptop"));

    // Both append; a retry keeps its numbers; both read the same log.
    let placed = office.append_changes(&changes(&["a", "b"])).await.unwrap();
    let seqs: Vec<i64> = placed.changes.iter().map(|c| c.seq).collect();
    assert_eq!(seqs, [1, 2]);
    let placed = laptop.append_changes(&changes(&["a"])).await.unwrap();
    assert_eq!(placed.changes[0].seq, 3);
    let again = office.append_changes(&changes(&["b"])).await.unwrap();
    assert_eq!(again.changes[0].seq, 2);
    let page = laptop.changes(0, 100, 0).await.unwrap();
    assert_eq!(page.next_cursor, 3);
    assert_eq!(page, office.changes(0, 100, 0).await.unwrap());
    assert_eq!(page.changes[2].device_id, second.device_id);
    assert_eq!(page.changes[0].body, change("a").body);
    let later = laptop.changes(2, 100, 0).await.unwrap();
    assert_eq!(later.changes.len(), 1);

    // The directory's snapshot: none yet, then the newest put, read with its position.
    let none = laptop.snapshot().await.unwrap_err();
    assert!(
        matches!(&none, CallError::Refused { status: 404, .. }),
        "{none:?}"
    );
    assert_eq!(kept(&admin, 0, b"at zero".to_vec()).await, 0);
    assert_eq!(kept(&office, 3, vec![9; 300_000]).await, 3);
    assert_eq!(
        kept(&admin, 1, b"older".to_vec()).await,
        3,
        "the newer stays"
    );
    let (at_seq, bytes) = laptop.snapshot().await.unwrap();
    assert_eq!((at_seq, bytes.len()), (3, 300_000));
    let ahead = office.put_snapshot(4, b"ahead".to_vec()).await.unwrap_err();
    assert!(
        matches!(&ahead, CallError::Refused { status: 400, .. }),
        "{ahead:?}"
    );

    // A revoked device is refused (a refused token is worth retrying once an admin acts).
    office.revoke_device(&second.device_id).await.unwrap();
    let refused = laptop.append_changes(&changes(&["c"])).await.unwrap_err();
    assert!(matches!(refused, CallError::TokenRefused(_)), "{refused:?}");
    assert!(matches!(
        laptop.changes(0, 10, 0).await,
        Err(CallError::TokenRefused(_))
    ));
    assert!(matches!(
        laptop.snapshot().await,
        Err(CallError::TokenRefused(_))
    ));
    let unknown = office.revoke_device("dev_unknown").await.unwrap_err();
    assert!(unknown.is_not_found(), "{unknown:?}");
    gateway.shutdown().await.unwrap();
}

/// Two computers holding the same directory, Ann's (the Super Admin's, which held the API
/// token) and Bo's (enrolled with a code), each make a change; the team round sends each
/// computer's commands and applies the log: both directories end equal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_directories_applying_the_change_log_end_equal() {
    let files = tempfile::tempdir().unwrap();
    let (gateway, base, token) = common::acme_gateway(files.path()).await;
    let admin = client(&base, token);
    // Ann's directory, with Bo an Admin; the account mirror binds both to gateway accounts.
    let office_db = files.path().join("office.db");
    let (ann, bo) = {
        let mut d = common::acme_directory(&office_db, PASSWORD);
        let ann = d.initial_admin_id().unwrap();
        let actor = d.admin_actor(ann, AdminRank::Admin).unwrap();
        let root = d.resolve_department_path("").unwrap();
        let bo = d
            .add_member(
                &actor,
                &NewMember {
                    name: "Bo Han".into(),
                    positions: vec![PositionInput {
                        department_id: root,
                        title: None,
                    }],
                    role_ids: vec![d.role_by_name("Admin").unwrap()],
                    username: "bohan".into(),
                    password: PASSWORD.into(),
                    email: None,
                    mobile: None,
                },
            )
            .unwrap();
        let shared: SharedDirectory = Arc::new(Mutex::new(d));
        send_round(&shared, &admin, true).await;
        (ann, bo)
    };
    // The directory closed, its file is the laptop's too.
    let laptop_db = files.path().join("laptop.db");
    std::fs::copy(&office_db, &laptop_db).unwrap();
    let office_dir: SharedDirectory = Arc::new(Mutex::new(Directory::open(&office_db).unwrap()));
    let laptop_dir: SharedDirectory = Arc::new(Mutex::new(Directory::open(&laptop_db).unwrap()));
    let account = |id| {
        let d = office_dir.lock().unwrap();
        d.gateway_account_of(id).unwrap().unwrap()
    };
    let (ann_account, bo_account) = (account(ann), account(bo));

    // Ann's computer becomes a device; Bo enrolls his with a code.
    let first = office_pc(&admin, &ann_account).await;
    let office = client(&base, first.device_token);
    let laptop = join_laptop(&base, &office, &bo_account, "bohan", PASSWORD).await;

    // Each makes a change on their own computer.
    let queue = |dir: &SharedDirectory, who, command| {
        let mut d = dir.lock().unwrap();
        let actor = d.admin_actor(who, AdminRank::Admin).unwrap();
        d.queue_command(&actor, command).unwrap()
    };
    let root = office_dir
        .lock()
        .unwrap()
        .resolve_department_path("")
        .unwrap();
    queue(
        &office_dir,
        ann,
        Command::CreateDepartment {
            parent_id: root,
            name: "Operations".into(),
        },
    );
    let sales = NewMember {
        name: "Eve Chen".into(),
        positions: vec![PositionInput {
            department_id: root,
            title: Some("Sales".into()),
        }],
        role_ids: vec![],
        username: "evechen".into(),
        password: PASSWORD.into(),
        email: None,
        mobile: None,
    };
    queue(&laptop_dir, bo, Command::add_member(sales).unwrap());

    // Rounds in any order: the office sends and applies its own, the laptop sends and applies
    // both, the office then applies the laptop's.
    let r = team_round(&office_dir, &office, &ann_account, 0)
        .await
        .unwrap();
    assert_eq!((r.sent, r.applied, r.refused), (1, 1, 0), "{r:?}");
    let r = team_round(&laptop_dir, &laptop, &bo_account, 0)
        .await
        .unwrap();
    assert_eq!((r.sent, r.applied, r.caught_up), (1, 2, true), "{r:?}");
    let r = team_round(&office_dir, &office, &ann_account, 0)
        .await
        .unwrap();
    assert_eq!((r.sent, r.applied), (0, 1), "{r:?}");
    let r = team_round(&laptop_dir, &laptop, &bo_account, 0)
        .await
        .unwrap();
    assert_eq!(
        r,
        TeamReport {
            caught_up: true,
            ..TeamReport::default()
        }
    );

    let sum = |dir: &SharedDirectory| dir.lock().unwrap().directory_checksum().unwrap();
    assert_eq!(sum(&office_dir), sum(&laptop_dir));
    for dir in [&office_dir, &laptop_dir] {
        let d = dir.lock().unwrap();
        assert!(d.resolve_department_path("Operations").is_ok());
        assert!(d.find_member("evechen").is_ok());
        assert!(d.pending_commands().unwrap().is_empty());
        assert_eq!(d.team_cursor().unwrap(), 2);
    }
    gateway.shutdown().await.unwrap();
}

/// The team's snapshot is renewed every so many changes: the office applies seven changes
/// with a snapshot due every five, puts the directory as it stood after change 5, and a
/// laptop joining afterwards loads that one and replays only changes 6 and 7, ending equal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_computer_joining_later_starts_from_the_newer_snapshot() {
    const EVERY: i64 = 5;
    let files = tempfile::tempdir().unwrap();
    let (gateway, base, token) = common::acme_gateway(files.path()).await;
    let admin = client(&base, token);
    let office_dir: SharedDirectory = {
        let d = common::acme_directory(&files.path().join("office.db"), PASSWORD);
        Arc::new(Mutex::new(d))
    };
    send_round(&office_dir, &admin, true).await;
    let (ann, ann_account, root, first) = {
        let d = office_dir.lock().unwrap();
        let ann = d.initial_admin_id().unwrap();
        let account = d.gateway_account_of(ann).unwrap().unwrap();
        let root = d.resolve_department_path("").unwrap();
        (ann, account, root, d.write_snapshot(0).unwrap())
    };
    // The team starts with the snapshot at 0, as `orgdesk team start` puts it.
    let office = client(&base, office_pc(&admin, &ann_account).await.device_token);
    office.put_snapshot(0, first).await.unwrap();

    {
        let mut d = office_dir.lock().unwrap();
        let actor = d.admin_actor(ann, AdminRank::Admin).unwrap();
        for n in 1..=7 {
            let name = format!("Team {n}");
            let command = Command::CreateDepartment {
                parent_id: root,
                name,
            };
            d.queue_command(&actor, command).unwrap();
        }
    }
    let r = orgdesk_link::team_round_every(&office_dir, &office, &ann_account, 0, EVERY)
        .await
        .unwrap();
    assert_eq!((r.sent, r.applied), (7, 7), "{r:?}");
    assert_eq!(
        (r.snapshot, r.snapshot_failed.as_deref()),
        (Some(5), None),
        "{r:?}"
    );
    // Applying those changes again puts nothing more.
    let again = orgdesk_link::team_round_every(&office_dir, &office, &ann_account, 0, EVERY)
        .await
        .unwrap();
    assert_eq!(again.snapshot, None, "{again:?}");

    // The laptop joins now: it starts from the snapshot at 5, not from the first one.
    let laptop = common::join_laptop(&base, &office, &ann_account, "ann", PASSWORD).await;
    let (at_seq, bytes) = laptop.snapshot().await.unwrap();
    assert_eq!(at_seq, EVERY);
    let (joined, position) =
        Directory::load_snapshot(&files.path().join("laptop.db"), &bytes).unwrap();
    assert_eq!(position, 5);
    assert!(joined.resolve_department_path("Team 5").is_ok());
    assert!(joined.resolve_department_path("Team 6").is_err());
    let laptop_dir: SharedDirectory = Arc::new(Mutex::new(joined));
    let r = orgdesk_link::team_round_every(&laptop_dir, &laptop, &ann_account, 0, EVERY)
        .await
        .unwrap();
    assert_eq!((r.applied, r.refused, r.caught_up), (2, 0, true), "{r:?}");
    let sum = |dir: &SharedDirectory| dir.lock().unwrap().directory_checksum().unwrap();
    assert_eq!(sum(&laptop_dir), sum(&office_dir));
    assert_eq!(laptop_dir.lock().unwrap().team_cursor().unwrap(), 7);
    gateway.shutdown().await.unwrap();
}
