//! The OS notification for people asking to join: after the feed brings events, the join
//! requests waiting for a decision that were not announced before are announced in one
//! notification ("3 people asked to join Acme"), unless Settings switched it off.
//!
//! What is announced is decided here with no Tauri in it (and tested); showing it is one call
//! to tauri-plugin-notification. A desktop with no notification service (a bare X server)
//! refuses the call: that is said once on stderr and never again, so nothing loops.

use std::collections::HashSet;

use orgdesk_core::join::JoinRequestRow;
use orgdesk_core::spreadsheet::Lang;
use tauri::{AppHandle, Runtime};
use tauri_plugin_notification::NotificationExt;

use super::{directory, GatewayLink};

/// The waiting requests already announced (or waiting when the app started, so a restart
/// announces nothing twice).
#[derive(Debug, Default)]
pub(crate) struct Announced {
    seen: HashSet<i64>,
    /// The notification service refused once: not said again.
    refusal_told: bool,
}

impl Announced {
    /// Starts from the requests already waiting.
    pub(crate) fn starting_with(waiting: &[JoinRequestRow]) -> Self {
        Self {
            seen: waiting.iter().map(|r| r.id).collect(),
            refusal_told: false,
        }
    }

    /// The requests in `waiting` not announced before, in the order given; from now on only
    /// `waiting` is remembered (a decided request never waits again).
    pub(crate) fn fresh<'a>(&mut self, waiting: &'a [JoinRequestRow]) -> Vec<&'a JoinRequestRow> {
        let fresh = waiting
            .iter()
            .filter(|r| !self.seen.contains(&r.id))
            .collect();
        self.seen = waiting.iter().map(|r| r.id).collect();
        fresh
    }
}

/// The notification's title and body for `names` (the new requests' names, at least one)
/// asking to join `organization`: one person is named, several are counted.
pub(crate) fn notice_text(lang: Lang, organization: &str, names: &[&str]) -> (String, String) {
    let title = match (lang, names) {
        (Lang::En, [one]) => format!("{one} asked to join {organization}"),
        (Lang::En, many) => format!("{} people asked to join {organization}", many.len()),
        (Lang::Zh, [one]) => format!("{one} 申请加入 {organization}"),
        (Lang::Zh, many) => format!("{} 人申请加入 {organization}", many.len()),
    };
    let body = match lang {
        Lang::En => "Open Join Requests in Orgdesk to approve or reject.",
        Lang::Zh => "请在 Orgdesk 的“加入申请”中批准或拒绝。",
    };
    (title, body.to_owned())
}

/// What to show after a feed round: nothing when no request is new or notifications are off
/// (the new requests count as announced all the same, so switching them on later does not
/// announce old ones).
pub(crate) fn notice(
    announced: &mut Announced,
    waiting: &[JoinRequestRow],
    enabled: bool,
    lang: Lang,
    organization: &str,
) -> Option<(String, String)> {
    let fresh = announced.fresh(waiting);
    if fresh.is_empty() || !enabled {
        return None;
    }
    let names: Vec<&str> = fresh.iter().map(|r| r.name.as_str()).collect();
    Some(notice_text(lang, organization, &names))
}

/// After a feed round that applied events: reads the waiting requests, the setting and the
/// organization's name, and shows what [`notice`] decides. A directory that cannot be read
/// announces nothing this time.
pub(super) async fn announce<R: Runtime>(
    app: &AppHandle<R>,
    link: &GatewayLink,
    announced: &mut Announced,
) {
    let read = directory(app, |d| {
        Ok((
            d.join_requests(true)?,
            d.join_notifications()?,
            d.organization_name()?,
        ))
    })
    .await;
    let Ok((waiting, enabled, organization)) = read else {
        return;
    };
    let lang = link.window_language();
    if let Some(text) = notice(announced, &waiting, enabled, lang, &organization) {
        show(app, announced, text);
    }
}

/// Shows the notification; a refusal (no notification service) is told once on stderr.
fn show<R: Runtime>(app: &AppHandle<R>, announced: &mut Announced, text: (String, String)) {
    let (title, body) = text;
    let shown = app.notification().builder().title(title).body(body).show();
    if let Err(e) = shown {
        if !announced.refusal_told {
            announced.refusal_told = true;
            eprintln!("Orgdesk cannot show notifications on this desktop ({e}); join requests are still listed in Join Requests.");
        }
    }
}

#[cfg(test)]
mod tests {
    use orgdesk_core::join::JoinRequestState;

    use super::*;

    fn row(id: i64, name: &str) -> JoinRequestRow {
        JoinRequestRow {
            id,
            via: "link".into(),
            name: name.into(),
            username: format!("user{id}"),
            email: None,
            mobile: None,
            employee_id: None,
            work_location: None,
            state: JoinRequestState::Pending,
            problem: None,
            member_id: None,
            requested_at: 0,
            decided_at: None,
            decided_by: None,
        }
    }

    #[test]
    fn only_requests_not_announced_before_are_new() {
        let mut announced = Announced::starting_with(&[row(1, "Ann")]);
        let waiting = [row(1, "Ann"), row(2, "Bo"), row(3, "Cy")];
        let ids = |v: Vec<&JoinRequestRow>| v.iter().map(|r| r.id).collect::<Vec<_>>();
        assert_eq!(ids(announced.fresh(&waiting)), [2, 3]);
        assert_eq!(
            ids(announced.fresh(&waiting)),
            Vec::<i64>::new(),
            "not on every poll"
        );
        // Ann was decided; a new request arrives.
        assert_eq!(
            ids(announced.fresh(&[row(2, "Bo"), row(3, "Cy"), row(4, "Di")])),
            [4]
        );
        assert_eq!(ids(announced.fresh(&[])), Vec::<i64>::new());
    }

    #[test]
    fn one_person_is_named_and_several_are_counted_in_both_languages() {
        assert_eq!(
            notice_text(Lang::En, "Acme", &["Zhao Lei"]).0,
            "Zhao Lei asked to join Acme"
        );
        assert_eq!(
            notice_text(Lang::En, "Acme", &["A", "B", "C"]).0,
            "3 people asked to join Acme"
        );
        assert_eq!(
            notice_text(Lang::Zh, "Acme", &["赵磊"]).0,
            "赵磊 申请加入 Acme"
        );
        assert_eq!(
            notice_text(Lang::Zh, "Acme", &["A", "B", "C"]),
            (
                "3 人申请加入 Acme".to_owned(),
                "请在 Orgdesk 的“加入申请”中批准或拒绝。".to_owned()
            )
        );
        assert_eq!(
            notice_text(Lang::En, "Acme", &["A", "B"]).1,
            "Open Join Requests in Orgdesk to approve or reject."
        );
    }

    #[test]
    fn the_setting_silences_new_requests_without_saving_them_for_later() {
        let mut announced = Announced::default();
        let first = [row(1, "Ann"), row(2, "Bo")];
        assert_eq!(
            notice(&mut announced, &first, false, Lang::En, "Acme"),
            None
        );
        let second = [row(1, "Ann"), row(2, "Bo"), row(3, "Cy")];
        assert_eq!(
            notice(&mut announced, &second, true, Lang::En, "Acme").map(|t| t.0),
            Some("Cy asked to join Acme".to_owned()),
            "switched on again: only what came since"
        );
        assert_eq!(
            notice(&mut announced, &second, true, Lang::En, "Acme"),
            None
        );
    }
}
