//! Team mode through the typed client, against a real gateway in this process: the
//! computer holding the API token becomes a device, asks for a code, a second computer joins
//! with it, both append to the change log and read it back, and a revoked device is refused.

use orgdesk_link::{CallError, Endpoint, GatewayClient};
use orgdesk_protocol::{AppendChanges, JoinTeam, NewChange, RegisterDevice};

mod common;

const PASSWORD: &str = "Correct-Horse1";

fn change(id: &str) -> NewChange {
    let body = serde_json::json!({"op": "rename_department", "name": id});
    NewChange {
        change_id: id.into(),
        body: body.as_object().unwrap().clone(),
    }
}

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
    let admin = GatewayClient::new(Endpoint {
        base: base.clone(),
        token,
    });
    let account_id = common::mirror_enabled(&admin, "liwei", PASSWORD).await;

    // This computer moves to team mode; the API token cannot append.
    let first = admin
        .register_device(&RegisterDevice {
            account_id: account_id.clone(),
            device_name: "Office PC".into(),
        })
        .await
        .unwrap();
    assert_eq!(first.account_id, account_id);
    let refused = admin.append_changes(&changes(&["a"])).await.unwrap_err();
    assert!(
        matches!(refused, CallError::Refused { status: 403, .. }),
        "{refused:?}"
    );
    let office = GatewayClient::new(Endpoint {
        base: base.clone(),
        token: first.device_token.clone(),
    });

    // A code from the device; the new computer joins with it and has no token yet.
    let code = office.create_enrollment(&account_id).await.unwrap();
    let newcomer = GatewayClient::new(Endpoint {
        base: base.clone(),
        token: String::new(),
    });
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
    let laptop = GatewayClient::new(Endpoint {
        base,
        token: second.device_token.clone(),
    });
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
    assert!(matches!(refused, CallError::Retry(_)), "{refused:?}");
    assert!(laptop.changes(0, 10, 0).await.is_err());
    assert!(matches!(laptop.snapshot().await, Err(CallError::Retry(_))));
    let unknown = office.revoke_device("dev_unknown").await.unwrap_err();
    assert!(unknown.is_not_found(), "{unknown:?}");
    gateway.shutdown().await.unwrap();
}
