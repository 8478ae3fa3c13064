//! The wire format as peers read it: tags, optional fields, older pages.

use super::*;

#[test]
fn api_version_is_the_path_prefix() {
    assert_eq!(format!("/api/{}", super::API_VERSION), "/api/v1");
}

#[test]
fn event_kind_is_a_tag_beside_the_fields() {
    let e = Event {
        seq: 7,
        id: "e1".into(),
        at: 1,
        kind: EventKind::Declined {
            invitation_id: "i1".into(),
        },
    };
    let json = serde_json::to_value(&e).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"seq":7,"id":"e1","at":1,"kind":"declined","invitation_id":"i1"})
    );
    assert_eq!(serde_json::from_value::<Event>(json).unwrap(), e);
}

#[test]
fn member_events_carry_only_what_changed() {
    let kind = EventKind::PersonalDetailsChanged {
        account_id: Some("acc_1".into()),
        username: "li.wei".into(),
        name: Some("Li Wei".into()),
        mobile: None,
        email: Some(String::new()),
    };
    let json = serde_json::to_value(&kind).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"kind":"personal_details_changed","account_id":"acc_1",
            "username":"li.wei","name":"Li Wei","email":""})
    );
    assert_eq!(serde_json::from_value::<EventKind>(json).unwrap(), kind);
    for (kind, tag) in [
        (
            EventKind::PasswordChanged {
                account_id: Some("acc_1".into()),
                username: "a".into(),
                password_hash: "$argon2id$x".into(),
            },
            "password_changed",
        ),
        (
            EventKind::SignedIn {
                account_id: None,
                username: "a".into(),
            },
            "signed_in",
        ),
        (
            EventKind::InvitationExpired {
                invitation_id: "i".into(),
            },
            "invitation_expired",
        ),
        (
            EventKind::PasswordResetDelivered {
                reset_id: "r".into(),
                message_id: "<m>".into(),
            },
            "password_reset_delivered",
        ),
        (
            EventKind::PasswordResetFailed {
                reset_id: "r".into(),
                reason: "no".into(),
            },
            "password_reset_failed",
        ),
    ] {
        let json = serde_json::to_value(&kind).unwrap();
        assert_eq!(json["kind"], tag);
        assert_eq!(serde_json::from_value::<EventKind>(json).unwrap(), kind);
    }
}

#[test]
fn account_state_and_reset_requests_read_as_documented() {
    let s: SetAccountState = serde_json::from_str(r#"{"state":"removed"}"#).unwrap();
    assert_eq!(s.state, AccountState::Removed);
    assert!(serde_json::from_str::<SetAccountState>(r#"{"state":"gone"}"#).is_err());
    let r: CreatePasswordReset = serde_json::from_str(
        r#"{"username":"li.wei","channel":"email","recipient":"a@b.c","organization_name":"O"}"#,
    )
    .unwrap();
    assert_eq!((r.expires_in_secs, r.locale), (None, None));
    assert_eq!(r.channel, Channel::Email);
    let created = PasswordResetCreated {
        reset_id: "rst_1".into(),
        link: "https://x/r/t".into(),
        expires_at: 5,
    };
    assert_eq!(
        serde_json::to_value(&created).unwrap(),
        serde_json::json!({"reset_id":"rst_1","link":"https://x/r/t","expires_at":5})
    );
}

#[test]
fn join_requested_carries_optional_fields_as_null() {
    let kind = EventKind::JoinRequested {
        request_id: "jr_1".into(),
        via: JoinVia::Code,
        details: JoinerDetails {
            name: "Li Wei".into(),
            email: Some("li@example.org".into()),
            ..JoinerDetails::default()
        },
        account_id: Some("acc_2".into()),
        username: "liwei".into(),
        password_hash: "$argon2id$…".into(),
        approval_required: true,
    };
    let json = serde_json::to_value(&kind).unwrap();
    assert_eq!(json["kind"], "join_requested");
    assert_eq!(json["via"], "code");
    assert_eq!(json["mobile"], serde_json::Value::Null);
    assert_eq!(serde_json::from_value::<EventKind>(json).unwrap(), kind);
    // An older gateway that leaves the optional fields out is still read.
    let sparse = serde_json::json!({"kind":"join_requested","request_id":"jr_2","via":"link",
        "name":"A","username":"a","password_hash":"h","approval_required":false});
    assert!(matches!(
        serde_json::from_value::<EventKind>(sparse).unwrap(),
        EventKind::JoinRequested {
            details: JoinerDetails { email: None, .. },
            via: JoinVia::Link,
            ..
        }
    ));
}

#[test]
fn member_events_name_their_account_and_older_pages_still_read() {
    let old = serde_json::json!({"kind":"password_changed","username":"alice",
        "password_hash":"$argon2id$x"});
    assert!(matches!(
        serde_json::from_value::<EventKind>(old).unwrap(),
        EventKind::PasswordChanged {
            account_id: None,
            ..
        }
    ));
    let registered = EventKind::Registered {
        invitation_id: "inv_1".into(),
        account_id: Some("acc_9".into()),
        username: "bob".into(),
        password_hash: "$argon2id$y".into(),
    };
    let json = serde_json::to_value(&registered).unwrap();
    assert_eq!(json["account_id"], "acc_9");
    assert_eq!(
        serde_json::from_value::<EventKind>(json).unwrap(),
        registered
    );
    let mirror: MirrorAccounts =
        serde_json::from_str(r#"{"accounts":[{"username":"ann","state":"enabled","name":"Ann"}]}"#)
            .unwrap();
    assert_eq!(mirror.accounts[0].account_id, None);
    assert_eq!(mirror.accounts[0].password_hash, None);
}

/// The hash check peers apply is the rules' own, whose every case is tested in
/// `orgdesk_rules::password`: a bounded Argon2id hash crosses, anything else does not.
#[test]
fn only_bounded_argon2id_hashes_cross() {
    let good = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$\
                q2hXdXRsUW9ZZ1JtVnhwTGhpRmV4c3JZcUdnbk5oa0U";
    assert_eq!(check_password_hash(good), Ok(()));
    assert_eq!(
        check_password_hash(&good.replace("m=19456", "m=4194304")),
        Err(PasswordHashProblem::ParametersOutOfBounds)
    );
    assert_eq!(
        check_password_hash("plain"),
        Err(PasswordHashProblem::NotArgon2id)
    );
}

#[test]
fn bounced_is_a_new_kind_at_the_end() {
    let json = serde_json::json!({"kind":"invitation_bounced","invitation_id":"i","reason":"r"});
    assert_eq!(
        serde_json::from_value::<EventKind>(json).unwrap(),
        EventKind::InvitationBounced {
            invitation_id: "i".into(),
            reason: "r".into()
        }
    );
}

#[test]
fn join_fields_are_a_closed_list() {
    for f in JoinField::ALL {
        assert_eq!(JoinField::parse(f.as_str()), Some(f));
        assert_eq!(serde_json::to_value(f).unwrap(), f.as_str());
    }
    assert!(serde_json::from_str::<JoinField>("\"department\"").is_err());
    let rules: JoinLinkRules = serde_json::from_str(
        r#"{"organization_name":"Acme","approval_required":true,"required_fields":["email","employee_id"]}"#,
    )
    .unwrap();
    assert_eq!(
        rules.required_fields,
        [JoinField::Email, JoinField::EmployeeId]
    );
    assert_eq!(rules.expires_at, None);
}

#[test]
fn the_join_link_answer_flattens_its_rules() {
    let link = JoinLink {
        enabled: true,
        link: Some("https://g/j/t".into()),
        code: Some("ABCD2345".into()),
        code_url: "https://g/join".into(),
        rules: JoinLinkRules {
            organization_name: "Acme".into(),
            approval_required: false,
            required_fields: vec![JoinField::Mobile],
            expires_at: Some(5),
        },
    };
    let json = serde_json::to_value(&link).unwrap();
    assert_eq!(json["organization_name"], "Acme");
    assert_eq!(json["required_fields"], serde_json::json!(["mobile"]));
    assert_eq!(serde_json::from_value::<JoinLink>(json).unwrap(), link);
    let off = serde_json::to_value(JoinLink {
        enabled: false,
        link: None,
        code: None,
        ..link
    })
    .unwrap();
    assert!(off.get("link").is_none() && off.get("code").is_none());
}

#[test]
fn expiry_is_optional_on_create() {
    let c: CreateInvitation = serde_json::from_str(
        r#"{"channel":"email","recipient":"a@b.c","invitee_name":"A","organization_name":"O","inviter_name":"I"}"#,
    )
    .unwrap();
    assert_eq!(c.expires_in_secs, None);
    assert_eq!(c.department_label, "");
}

/// The gateway keeps the digest of a create request's JSON, written again from the parsed
/// request, to tell a retry from a reuse of its idempotency key: a retry sent after the gateway
/// is upgraded must still match it, so the fields keep their order and absent ones stay out.
#[test]
fn create_requests_are_written_back_exactly_as_sent() {
    fn written_back<T: serde::de::DeserializeOwned + Serialize>(json: &str) -> String {
        serde_json::to_string(&serde_json::from_str::<T>(json).unwrap()).unwrap()
    }
    for json in [
        r#"{"channel":"sms","recipient":"+8613800138000","invitee_name":"A","organization_name":"O","department_label":"D","position_label":"P","inviter_name":"I","expires_in_secs":600,"locale":"zh-CN"}"#,
        r#"{"channel":"email","recipient":"a@b.c","invitee_name":"A","organization_name":"O","department_label":"","position_label":"","inviter_name":"I"}"#,
    ] {
        assert_eq!(written_back::<CreateInvitation>(json), json);
    }
    for json in [
        r#"{"username":"li.wei","channel":"link","recipient":"Li Wei","organization_name":"O","locale":"en","expires_in_secs":600}"#,
        r#"{"username":"li.wei","channel":"email","recipient":"a@b.c","organization_name":"O"}"#,
    ] {
        assert_eq!(written_back::<CreatePasswordReset>(json), json);
    }
}

#[test]
fn team_changes_carry_their_body_as_a_json_object() {
    let json = serde_json::json!({"changes": [
        {"change_id": "c1", "body": {"op": "rename", "to": "Sales"}}
    ]});
    let append: AppendChanges = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(append.changes[0].body["to"], "Sales");
    assert_eq!(serde_json::to_value(&append).unwrap(), json);
    // A body that is not an object is no change.
    let array = serde_json::json!({"changes": [{"change_id": "c1", "body": [1]}]});
    assert!(serde_json::from_value::<AppendChanges>(array).is_err());
    let page = serde_json::json!({"changes": [{"seq": 1, "change_id": "c1", "device_id": "dev_1",
        "account_id": "acc_1", "at": 5, "body": {}}], "next_cursor": 1});
    let page: ChangesPage = serde_json::from_value(page).unwrap();
    assert_eq!((page.changes[0].seq, page.next_cursor), (1, 1));
}

#[test]
fn team_secrets_are_not_printed() {
    let credential = DeviceCredential {
        device_id: "dev_1".into(),
        device_token: "dev_1.secret".into(),
        account_id: "acc_1".into(),
        organization_id: "org_1".into(),
    };
    let join = JoinTeam {
        code: "ABCD-EFGH".into(),
        username: "li.wei".into(),
        password: "Correct-Horse1".into(),
        device_name: "Laptop".into(),
    };
    let printed = format!("{credential:?} {join:?}");
    for secret in ["secret", "ABCD", "Correct-Horse1"] {
        assert!(!printed.contains(secret), "{printed}");
    }
    assert!(printed.contains("dev_1") && printed.contains("li.wei"));
}
