//! The join decision mail: multipart text + HTML telling a person who asked to join how the
//! organization decided, in the language of the join page they used.

use lettre::Message;

use crate::i18n::{fill, Lang, Texts};
use crate::mail::{build, DeliveryError, Envelope, LinkMailContext, MailLink};
use crate::render::Templates;
use crate::store::JoinDecisionOutboxItem;

/// The language of the message: the join page's, else English (requests made before the
/// language was kept).
pub(crate) fn decision_lang(locale: Option<&str>) -> Lang {
    locale.and_then(Lang::parse).unwrap_or(Lang::En)
}

/// An approval says where and how to sign in (`member_page`, the username and the password
/// chosen when asking); a rejection is a short neutral note with no link.
pub fn compose_join_decision(
    templates: &Templates,
    from: &str,
    item: &JoinDecisionOutboxItem,
    member_page: &str,
) -> Result<(Message, String), DeliveryError> {
    let request = &item.request;
    let lang = decision_lang(request.locale.as_deref());
    let values = [
        ("organization", request.organization_name.as_str()),
        ("username", request.username.as_str()),
        ("name", request.name.as_str()),
    ];
    let (subject_key, body_key, link) = if item.approved {
        ("join_approved_subject", "join_approved_body", member_page)
    } else {
        ("join_rejected_subject", "join_rejected_body", "")
    };
    let subject = fill(lang.t(subject_key), &values);
    let context = LinkMailContext {
        lang: lang.code(),
        t: lang.table(),
        subject: &subject,
        greeting: fill(lang.t("join_mail_greeting"), &values),
        body: fill(lang.t(body_key), &values),
        // The member page is not a link that expires; a rejection has no link.
        link: MailLink::new(link, String::new()),
    };
    let envelope = Envelope {
        from,
        to_name: Some(request.name.clone()),
        recipient: &request.recipient,
        record_id: &request.request_id,
        outbox_id: item.id,
    };
    let templates_used = ["join_decision_mail.txt", "join_decision_mail.html"];
    build(templates, envelope, &subject, &context, templates_used)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::JoinDecisionMail;

    fn item(approved: bool, locale: Option<&str>) -> JoinDecisionOutboxItem {
        JoinDecisionOutboxItem {
            id: 4,
            attempts: 0,
            approved,
            resumed: false,
            request: JoinDecisionMail {
                request_id: "jr_1".into(),
                name: "Zhao <Lei>".into(),
                username: "zhaolei".into(),
                recipient: "zhao@example.org".into(),
                organization_name: "Acme <Group> & Co".into(),
                locale: locale.map(str::to_owned),
            },
        }
    }

    fn composed(item: &JoinDecisionOutboxItem) -> String {
        let (_, id) = compose_join_decision(
            &Templates::new(),
            "Orgdesk <noreply@example.org>",
            item,
            "https://gw.example.org/me",
        )
        .expect("the templates render every decision in every language");
        id
    }

    #[test]
    fn the_language_is_the_join_pages_else_english() {
        assert_eq!(decision_lang(Some("zh")), Lang::Zh);
        assert_eq!(decision_lang(Some("en")), Lang::En);
        assert_eq!(decision_lang(None), Lang::En);
        assert_eq!(decision_lang(Some("fr")), Lang::En);
    }

    #[test]
    fn both_decisions_compose_in_both_languages_under_one_message_id() {
        for approved in [true, false] {
            for locale in [Some("en"), Some("zh-CN"), None] {
                assert_eq!(composed(&item(approved, locale)), "<jr_1.m4@example.org>");
            }
        }
    }
}
