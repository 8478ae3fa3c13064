//! What the identity migration must leave in a database that held two accounts (`ann`,
//! invited, and `bob`, made by the approved join request `jr_1`) and a pending join request
//! (`jr_2`): checked on SQLite (the store's unit tests) and on PostgreSQL alike.

/// `accounts` (username key, account id, origin) by username key and `requests` (the account
/// id each join request names) by request id, read after the migration.
pub fn assert_identities_given(accounts: &[(String, String, String)], requests: &[String]) {
    assert_eq!(accounts.len(), 2);
    for (_, id, origin) in accounts {
        assert!(id.starts_with("acc_") && id.len() == 36, "{id}");
        assert_eq!(origin, "registered");
    }
    assert_ne!(accounts[0].1, accounts[1].1);
    assert_eq!(
        requests[0], accounts[1].1,
        "the approved request names its account"
    );
    assert!(requests[1].starts_with("acc_") && !accounts.iter().any(|a| a.1 == requests[1]));
}
