//! Password resets through the typed client, against a real gateway in this process: the
//! request the desktop sends, the answer it reads, a retry with the same key, and the refusal
//! for a username the gateway does not know.

use orgdesk_link::{CallError, Endpoint, GatewayClient};
use orgdesk_protocol::{Channel, CreatePasswordReset};

mod common;

fn reset_for(username: &str) -> CreatePasswordReset {
    CreatePasswordReset {
        username: username.into(),
        channel: Channel::Link,
        recipient: "Li Wei".into(),
        organization_name: "Acme".into(),
        locale: None,
        expires_in_secs: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_is_asked_for_and_read_through_the_typed_client() {
    let files = tempfile::tempdir().unwrap();
    let (gateway, base, token) = common::acme_gateway(files.path()).await;
    let client = GatewayClient::new(Endpoint { base, token });
    common::mirror_enabled(&client, "liwei", "Correct-Horse1").await;

    let created = client.create("reset-1", &reset_for("LiWei")).await.unwrap();
    assert!(
        created.link.starts_with(gateway.public_url()),
        "{}",
        created.link
    );
    assert!(created.expires_at > 0);
    let replayed = client.create("reset-1", &reset_for("LiWei")).await.unwrap();
    assert_eq!(
        replayed, created,
        "a retry with the same key gets the first answer"
    );

    let unknown = client
        .create("reset-2", &reset_for("nobody"))
        .await
        .unwrap_err();
    assert!(unknown.is_not_found(), "{unknown:?}");
    assert!(matches!(unknown, CallError::Refused { status: 404, .. }));
}
