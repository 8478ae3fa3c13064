//! The password reset mail: multipart text + HTML in the reset's language, with our own
//! Message-ID so that a delivery can be traced.

use crate::i18n::{fill, Lang, Texts};
use crate::mail::{build, Composed, Envelope, LinkMail, LinkMailContext, MailLink};
use crate::store::PasswordReset;

pub fn compose_reset(mail: &LinkMail<'_>, reset: &PasswordReset) -> Composed {
    let lang = Lang::parse(&reset.locale).unwrap_or(Lang::En);
    let org = reset.organization_name.as_str();
    let subject = fill(lang.t("reset_mail_subject"), &[("organization", org)]);
    let context = LinkMailContext {
        lang: lang.code(),
        t: lang.table(),
        subject: &subject,
        greeting: fill(
            lang.t("reset_mail_greeting"),
            &[("username", &reset.username)],
        ),
        body: fill(
            lang.t("reset_mail_body"),
            &[("organization", org), ("username", &reset.username)],
        ),
        link: MailLink::expiring(mail, lang.t("reset_expires")),
    };
    // The Message-ID comes from the outbox row, like an invitation's: every attempt carries
    // the same one.
    let envelope = Envelope {
        from: mail.from,
        to_name: None,
        recipient: &reset.recipient,
        record_id: &reset.id,
        outbox_id: mail.outbox_id,
    };
    let templates_used = ["reset_mail.txt", "reset_mail.html"];
    build(mail.templates, envelope, &subject, &context, templates_used)
}
