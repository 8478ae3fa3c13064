//! Invitations in batches: resending and cancelling several in one transaction, searching
//! the list, each invitation's language, and members added for a link-only invitation.

use orgdesk_core::invitations::{
    GatewayAction, InvitationChange, InvitationQuery, InvitationState, InviteChannel,
};
use orgdesk_core::members::NewInvitee;
use orgdesk_core::roles::NewRole;
use orgdesk_core::settings::Settings;
use orgdesk_core::spreadsheet::Lang;
use orgdesk_core::types::MemberId;
use orgdesk_core::{CoreError, Directory};

use crate::invitations::{add_invitee, state_of};
use crate::{audited, with_org_admin};

/// The ids of the invitations `search` finds, newest first, and the total the page reports.
fn found(d: &Directory, search: &str) -> (Vec<String>, u32) {
    let q = InvitationQuery {
        search: Some(search.into()),
        ..InvitationQuery::default()
    };
    let page = d.invitation_page(&q).unwrap();
    (
        page.rows.into_iter().map(|r| r.member_name).collect(),
        page.total,
    )
}

fn invitation_of(d: &Directory, member: MemberId) -> i64 {
    d.list_invitations(&InvitationQuery {
        member_id: Some(member),
        ..InvitationQuery::default()
    })
    .unwrap()[0]
        .id
}

/// Three members to invite by email: Dee, Eve and Fay.
fn dee_eve_fay(d: &mut Directory) -> [MemberId; 3] {
    [
        add_invitee(d, "Dee", Some("dee@example.com"), None),
        add_invitee(d, "Eve", Some("eve@example.com"), None),
        add_invitee(d, "Fay", Some("fay@example.com"), None),
    ]
}

#[test]
fn batch_resend_and_cancel_change_the_open_ones_in_one_go_and_name_the_ones_passed_over() {
    let (mut d, a) = with_org_admin();
    let [dee, eve, fay] = dee_eve_fay(&mut d);
    d.invite_members(&a, &[dee, eve, fay], InviteChannel::Email)
        .unwrap();
    let (dee_i, eve_i, fay_i) = (
        invitation_of(&d, dee),
        invitation_of(&d, eve),
        invitation_of(&d, fay),
    );
    d.cancel_invitation(&a, fay_i).unwrap();

    let out = d
        .change_invitations(
            &a,
            &[dee_i, eve_i, fay_i, 9_999, dee_i],
            InvitationChange::Resend,
        )
        .unwrap();
    assert_eq!(out.changed, 2, "an id given twice is changed once");
    let skipped: Vec<(Option<&str>, &str)> = out
        .skipped
        .iter()
        .map(|s| (s.field.as_deref(), s.code.as_str()))
        .collect();
    assert_eq!(
        skipped,
        [
            (Some("Fay"), "invitation_closed"),
            (Some("invitations"), "not_found")
        ]
    );
    assert!(out.skipped[0].reason.contains("already cancelled"));
    assert_eq!(audited(&d, "action = 'member.invite_resend'"), 2);

    let out = d
        .change_invitations(&a, &[dee_i, eve_i, fay_i], InvitationChange::Cancel)
        .unwrap();
    assert_eq!(out.changed, 2);
    assert_eq!(out.skipped.len(), 1);
    assert_eq!(out.skipped[0].field.as_deref(), Some("Fay"));
    for id in [dee_i, eve_i, fay_i] {
        assert_eq!(state_of(&d, id), InvitationState::Cancelled);
    }
    assert_eq!(audited(&d, "action = 'member.invite_cancel'"), 3);

    // Nothing chosen is refused; the single changes keep refusing a closed invitation.
    assert!(matches!(
        d.change_invitations(&a, &[], InvitationChange::Cancel),
        Err(CoreError::Validation { .. })
    ));
    assert!(matches!(
        d.cancel_invitation(&a, dee_i),
        Err(CoreError::Conflict(_))
    ));
    assert!(matches!(
        d.resend_invitation(&a, 9_999),
        Err(CoreError::NotFound(_))
    ));
}

#[test]
fn the_list_is_searched_by_name_email_and_mobile_ignoring_case_and_accents() {
    let (mut d, a) = with_org_admin();
    let jose = add_invitee(&mut d, "José Ruiz", Some("jose@example.com"), None);
    let mei = add_invitee(&mut d, "李梅", None, Some("+8613800138000"));
    let kim = add_invitee(&mut d, "Kim", None, None);
    d.invite_members(&a, &[jose], InviteChannel::Email).unwrap();
    d.invite_members(&a, &[mei], InviteChannel::Sms).unwrap();
    d.invite_members(&a, &[kim], InviteChannel::Link).unwrap();

    assert_eq!(found(&d, "JOSE"), (vec!["José Ruiz".to_owned()], 1));
    assert_eq!(found(&d, "example.com"), (vec!["José Ruiz".to_owned()], 1));
    assert_eq!(found(&d, "138001"), (vec!["李梅".to_owned()], 1));
    assert_eq!(found(&d, "limei"), (vec!["李梅".to_owned()], 1));
    assert_eq!(found(&d, " kim "), (vec!["Kim".to_owned()], 1));
    assert_eq!(found(&d, "nobody"), (vec![], 0));
    assert_eq!(found(&d, "").1, 3);
    // Search and state together.
    let q = InvitationQuery {
        search: Some("kim".into()),
        states: vec![InvitationState::Cancelled],
        ..InvitationQuery::default()
    };
    assert_eq!(d.invitation_page(&q).unwrap().total, 0);
}

fn create_locale(d: &Directory, invitation: i64) -> Option<String> {
    d.due_gateway_work(100)
        .unwrap()
        .into_iter()
        .find(|w| w.invitation_id == invitation)
        .and_then(|w| match w.action {
            GatewayAction::Create(c) => c.locale,
            _ => None,
        })
}

#[test]
fn each_invitation_keeps_its_language_and_defaults_to_the_organizations() {
    let (mut d, a) = with_org_admin();
    let [dee, eve, fay] = dee_eve_fay(&mut d);

    d.invite_members(&a, &[dee], InviteChannel::Email).unwrap();
    let s = d.settings().unwrap();
    d.update_settings(
        &a,
        &Settings {
            invitation_language: Some(Lang::Zh),
            ..s
        },
    )
    .unwrap();
    d.invite_members(&a, &[eve], InviteChannel::Email).unwrap();
    d.invite_members_in(&a, &[fay], InviteChannel::Email, Some(Lang::En))
        .unwrap();

    let (dee_i, eve_i, fay_i) = (
        invitation_of(&d, dee),
        invitation_of(&d, eve),
        invitation_of(&d, fay),
    );
    // Dee's was written in English before the organization changed its language.
    assert_eq!(create_locale(&d, dee_i).as_deref(), Some("en"));
    assert_eq!(create_locale(&d, eve_i).as_deref(), Some("zh-CN"));
    assert_eq!(create_locale(&d, fay_i).as_deref(), Some("en"));
    let languages: Vec<(String, Lang)> = d
        .list_invitations(&InvitationQuery::default())
        .unwrap()
        .into_iter()
        .map(|r| (r.member_name, r.language))
        .collect();
    assert_eq!(
        languages,
        [
            ("Fay".to_owned(), Lang::En),
            ("Eve".to_owned(), Lang::Zh),
            ("Dee".to_owned(), Lang::En)
        ]
    );
    assert_eq!(
        audited(
            &d,
            "action = 'member.invite' AND after_json LIKE '%\"language\":\"zh-CN\"%'"
        ),
        1
    );

    // An invitation written before invitations had a language takes the organization's.
    d.connection()
        .execute(
            "UPDATE invitations SET locale = NULL WHERE id = ?1",
            [dee_i],
        )
        .unwrap();
    assert_eq!(create_locale(&d, dee_i).as_deref(), Some("zh-CN"));
}

#[test]
fn a_member_added_for_a_link_needs_no_contact_and_gets_the_chosen_roles() {
    let (mut d, a) = with_org_admin();
    let root = d.department_tree().unwrap().id;
    let role = d
        .create_role(
            &a,
            &NewRole {
                name: "Helpdesk".into(),
                description: String::new(),
            },
        )
        .unwrap();
    let mut input = NewInvitee {
        name: "Kim".into(),
        email: None,
        mobile: None,
        department_id: root,
        position: None,
        role_ids: vec![role],
        link_only: false,
    };
    // Without "link only" a contact is still required.
    let Err(CoreError::Validation { details, .. }) = d.add_invitee(&a, &input) else {
        panic!("a member without contact was added for a mail or text invitation");
    };
    assert_eq!(details[0].code, "required");

    input.link_only = true;
    let kim = d.add_invitee(&a, &input).unwrap();
    let details = d.member_details(kim).unwrap();
    let names: Vec<_> = details.roles.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["Helpdesk"]);
    // Mail and text are refused with the reason; a link is made for Kim's name.
    let out = d.invite_members(&a, &[kim], InviteChannel::Email).unwrap();
    assert_eq!(out.skipped[0].code, "no_email");
    let out = d.invite_members(&a, &[kim], InviteChannel::Link).unwrap();
    assert_eq!((out.invited, out.skipped.len()), (1, 0));
    let row = &d.list_invitations(&InvitationQuery::default()).unwrap()[0];
    assert_eq!(
        (row.channel, row.recipient.as_str()),
        (InviteChannel::Link, "Kim")
    );
}
