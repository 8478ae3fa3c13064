//! Checking a remote gateway's address and token before it is used, against a real gateway.

use super::remote::check_remote;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_remote_gateway_is_checked_before_it_is_used() {
    let dir = tempfile::tempdir().unwrap();
    let config = orgdesk_gateway::Config::local(
        dir.path().join("gw.db").display().to_string(),
        dir.path().join("mail"),
    );
    let gateway = orgdesk_gateway::serve(config).await.unwrap();
    let creds = gateway.create_organization("Acme").await.unwrap();
    let base = gateway.public_url().to_owned();

    // The right token: accepted, the address tidied.
    assert_eq!(
        check_remote(&format!(" {base}/ "), &creds.api_token)
            .await
            .unwrap(),
        base
    );
    // A wrong token is refused with the field named.
    let e = check_remote(&base, "odt_wrong").await.unwrap_err();
    assert_eq!(e.details[0].field.as_deref(), Some("token"));
    assert_eq!(e.details[0].code, "token_refused");
    // Secrets never travel in the clear beyond this computer.
    let e = check_remote("http://gateway.example.com", &creds.api_token)
        .await
        .unwrap_err();
    assert_eq!(e.details[0].code, "insecure_url");
    let e = check_remote("not a url", &creds.api_token)
        .await
        .unwrap_err();
    assert_eq!(e.details[0].code, "invalid_url");
    let e = check_remote(&base, "  ").await.unwrap_err();
    assert_eq!(e.details[0].field.as_deref(), Some("token"));
    // Nothing listening: said in words, not a panic.
    gateway.shutdown().await.unwrap();
    let e = check_remote(&base, &creds.api_token).await.unwrap_err();
    assert!(e.message.contains("could not be reached"), "{}", e.message);
}
