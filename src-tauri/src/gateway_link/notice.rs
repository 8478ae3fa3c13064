//! The OS notification for people asking to join: when the window starts and after each
//! round that reaches the feed's end, the join requests waiting for a decision that were not announced before
//! are announced in one notification ("3 people asked to join Acme"), unless Settings
//! switched it off. What was announced is kept in the directory as this computer's own
//! mark (the highest request announced or passed over), so requests that `orgdesk sync`
//! brought in, with the window open or closed, are announced too, and none twice.
//!
//! What is announced is decided here with no Tauri in it (and tested); showing it is one call
//! to tauri-plugin-notification. A desktop with no notification service (a bare X server)
//! refuses the call: that is said once on stderr and never again, so nothing loops.

use orgdesk_core::join::JoinRequestRow;
use orgdesk_core::spreadsheet::Lang;
use tauri::{AppHandle, Runtime};
use tauri_plugin_notification::NotificationExt;

use super::{directory, GatewayLink};

/// This computer's settings key for the highest join request id announced or passed over
/// (request ids only grow: requests are never deleted).
pub(crate) const ANNOUNCED_UP_TO: &str = "join_requests_announced_up_to";

/// The requests already announced: every request up to the mark.
#[derive(Debug, Default)]
pub(crate) struct Announced {
    up_to: i64,
    /// The notification service refused once: not said again.
    refusal_told: bool,
}

impl Announced {
    /// From this computer's mark. With no mark yet (the first start with notifications), the
    /// requests already waiting count as announced: they were there before any notice could be.
    pub(crate) fn from_mark(mark: Option<&str>, waiting: &[JoinRequestRow]) -> Self {
        let up_to = match mark.and_then(|m| m.parse().ok()) {
            Some(up_to) => up_to,
            None => waiting.iter().map(|r| r.id).max().unwrap_or(0),
        };
        Self {
            up_to,
            refusal_told: false,
        }
    }

    /// The mark to keep: every request up to it was announced or passed over.
    pub(crate) fn mark(&self) -> i64 {
        self.up_to
    }

    /// The requests in `waiting` not announced before, in the order given; they count as
    /// announced from now on.
    pub(crate) fn fresh<'a>(&mut self, waiting: &'a [JoinRequestRow]) -> Vec<&'a JoinRequestRow> {
        let fresh: Vec<_> = waiting.iter().filter(|r| r.id > self.up_to).collect();
        if let Some(top) = fresh.iter().map(|r| r.id).max() {
            self.up_to = top;
        }
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

/// This computer's mark and the waiting requests: what the window starts from. The first
/// start keeps its mark at once, so that requests `orgdesk sync` brings in before the next
/// start are told then. None when the directory cannot be read now.
async fn starting_point<R: Runtime>(app: &AppHandle<R>) -> Option<Announced> {
    directory(app, |d| {
        let mark = d.local_value(ANNOUNCED_UP_TO)?;
        let announced = Announced::from_mark(mark.as_deref(), &d.join_requests(true)?);
        if mark.is_none() {
            d.set_local_value(ANNOUNCED_UP_TO, &announced.mark().to_string())?;
        }
        Ok(announced)
    })
    .await
    .ok()
}

/// Reads the waiting requests, the setting and the organization's name, shows what
/// [`notice`] decides, and keeps the new mark. `announced` is read from the directory the
/// first time it can be. A directory that cannot be read announces nothing this time.
pub(super) async fn announce<R: Runtime>(
    app: &AppHandle<R>,
    link: &GatewayLink,
    announced: &mut Option<Announced>,
) {
    if announced.is_none() {
        *announced = starting_point(app).await;
    }
    let Some(announced) = announced.as_mut() else {
        return;
    };
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
    let before = announced.mark();
    let lang = link.window_language();
    if let Some(text) = notice(announced, &waiting, enabled, lang, &organization) {
        show(app, announced, text);
    }
    let mark = announced.mark();
    if mark != before {
        let _ = directory(app, move |d| {
            d.set_local_value(ANNOUNCED_UP_TO, &mark.to_string())
        })
        .await;
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

    fn ids(v: Vec<&JoinRequestRow>) -> Vec<i64> {
        v.iter().map(|r| r.id).collect()
    }

    #[test]
    fn only_requests_not_announced_before_are_new() {
        let mut announced = Announced::from_mark(Some("1"), &[row(1, "Ann")]);
        let waiting = [row(1, "Ann"), row(2, "Bo"), row(3, "Cy")];
        assert_eq!(ids(announced.fresh(&waiting)), [2, 3]);
        assert_eq!(announced.mark(), 3);
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
        assert_eq!(announced.mark(), 4, "an empty list keeps the mark");
    }

    #[test]
    fn the_mark_kept_on_this_computer_decides_what_a_new_start_announces() {
        let waiting = [row(1, "Ann"), row(2, "Bo"), row(3, "Cy")];
        // The window last announced Ann; `orgdesk sync` brought Bo and Cy while it was closed.
        let mut announced = Announced::from_mark(Some("1"), &waiting);
        assert_eq!(ids(announced.fresh(&waiting)), [2, 3]);
        // A restart after that announces nothing again.
        let mut restarted = Announced::from_mark(Some(&announced.mark().to_string()), &waiting);
        assert_eq!(ids(restarted.fresh(&waiting)), Vec::<i64>::new());
        // The first start with no mark: what already waits is not news.
        let mut first = Announced::from_mark(None, &waiting);
        assert_eq!(ids(first.fresh(&waiting)), Vec::<i64>::new());
        assert_eq!(first.mark(), 3);
        assert_eq!(ids(first.fresh(&[row(3, "Cy"), row(4, "Di")])), [4]);
        // An unreadable mark counts as none.
        assert_eq!(Announced::from_mark(Some("x"), &waiting).mark(), 3);
        assert_eq!(Announced::from_mark(None, &[]).mark(), 0);
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
