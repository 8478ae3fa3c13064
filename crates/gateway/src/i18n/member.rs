//! The strings of the member pages (`/me`, `/r/…`) and of the password reset mail, in both
//! languages. Looked up through [`crate::i18n::Lang`] like the rest.

pub(crate) const EN: &[(&str, &str)] = &[
    ("reset_mail_subject", "Reset your password for {organization}"),
    ("reset_mail_greeting", "Hello {username},"),
    ("reset_mail_body", "An administrator of {organization} sent you this link so that you can choose a new password for your account {username}."),
    ("reset_mail_link_intro", "Open this link to choose a new password:"),
    ("reset_mail_ignore", "If you did not expect this message, you can ignore it: your password stays the same."),
    ("reset_button", "Choose a new password"),
    ("reset_expires", "This link expires on {date}."),
    ("sms_password_reset", "Reset your Orgdesk password for {username} at {organization}: {link} (expires {date})"),
    ("reset_title", "Choose a new password"),
    ("reset_intro", "For your account {username} at {organization}."),
    ("new_password", "New password"),
    ("new_password_confirm", "Repeat the new password"),
    ("save_password", "Save the new password"),
    ("reset_done_title", "Your password has been changed"),
    ("reset_done_body", "You can now sign in with your new password."),
    ("go_sign_in", "Sign in"),
    ("reset_expired_title", "This link has expired"),
    ("reset_expired_body", "The link was valid until {date}. Ask your administrator to send you a new one."),
    ("reset_used_title", "This link has already been used"),
    ("reset_used_body", "The password was already changed with this link. If that was not you, tell your administrator at once."),
    ("reset_replaced_title", "This link has been replaced"),
    ("reset_replaced_body", "A newer password reset link was sent to you. Please use the link in the most recent message."),
    ("reset_unknown_title", "This link is not valid"),
    ("reset_unknown_body", "Check that you opened the whole link from the message, or ask your administrator to send you a new one."),
    ("account_disabled_title", "This account is disabled"),
    ("account_disabled_body", "Your account cannot be used at the moment. Contact your administrator."),
    ("registration_refused_title", "Your registration was not accepted"),
    ("registration_refused_body", "Your registration was not accepted: {reason}"),
    ("me_sign_in_title", "Sign in"),
    ("me_sign_in_intro", "Sign in to see and change your own details."),
    ("sign_in", "Sign in"),
    ("me_forgot", "Forgot your password? Ask your administrator to send you a reset link."),
    ("err_sign_in", "The username or password is incorrect."),
    ("locked_title", "Too many failed attempts"),
    ("locked_body", "For your security, signing in is paused. Try again after {time} (in about {wait})."),
    ("wait_seconds", "{n} seconds"),
    ("wait_minutes", "{n} minutes"),
    ("signed_out", "You have signed out."),
    ("session_ended", "Your session has ended. Please sign in again."),
    ("me_title", "My account"),
    ("me_signed_in_as", "Signed in as {username} · {organization}"),
    ("my_details", "My details"),
    ("name", "Name"),
    ("mobile", "Mobile"),
    ("email", "Email"),
    ("mobile_hint", "International format, e.g. +8613800138000. Leave empty to remove it."),
    ("email_hint", "Leave empty to remove it."),
    ("save_details", "Save my details"),
    ("change_password", "Change password"),
    ("current_password", "Current password"),
    ("sign_out", "Sign out"),
    ("done_details", "Your details have been saved."),
    ("done_nothing", "Nothing was changed."),
    ("done_password", "Your password has been changed."),
    ("must_change_password", "Your admin set a temporary password for you. Choose your own password to go on: until you do, your details cannot be changed here."),
    ("err_name", "The name must be 1–64 characters, without control characters."),
    ("err_email", "The email address is not valid."),
    ("err_mobile", "The mobile number must be in international format: + and the country code, then a valid number."),
    ("err_current_password", "The current password is incorrect."),
];

pub(crate) const ZH: &[(&str, &str)] = &[
    ("reset_mail_subject", "重置您在 {organization} 的密码"),
    ("reset_mail_greeting", "{username}，您好："),
    (
        "reset_mail_body",
        "{organization} 的管理员向您发送了此链接，以便您为账号 {username} 设置新密码。",
    ),
    ("reset_mail_link_intro", "打开以下链接设置新密码："),
    (
        "reset_mail_ignore",
        "如果您没有预期收到此邮件，请忽略它，您的密码不会改变。",
    ),
    ("reset_button", "设置新密码"),
    ("reset_expires", "此链接将于 {date} 失效。"),
    (
        "sms_password_reset",
        "重置您在 {organization} 的 Orgdesk 账号 {username} 的密码：{link}（{date} 前有效）",
    ),
    ("reset_title", "设置新密码"),
    ("reset_intro", "用于您在 {organization} 的账号 {username}。"),
    ("new_password", "新密码"),
    ("new_password_confirm", "再次输入新密码"),
    ("save_password", "保存新密码"),
    ("reset_done_title", "密码已更改"),
    ("reset_done_body", "现在可以用新密码登录。"),
    ("go_sign_in", "登录"),
    ("reset_expired_title", "此链接已过期"),
    (
        "reset_expired_body",
        "该链接的有效期至 {date}。请联系管理员重新发送。",
    ),
    ("reset_used_title", "此链接已被使用"),
    (
        "reset_used_body",
        "已有人通过此链接更改了密码。如果不是您本人，请立即告知管理员。",
    ),
    ("reset_replaced_title", "此链接已被替换"),
    (
        "reset_replaced_body",
        "您已收到一个更新的密码重置链接，请使用最新消息中的链接。",
    ),
    ("reset_unknown_title", "此链接无效"),
    (
        "reset_unknown_body",
        "请确认您打开的是消息中的完整链接，或请管理员重新发送。",
    ),
    ("account_disabled_title", "此账号已停用"),
    (
        "account_disabled_body",
        "您的账号目前无法使用，请联系管理员。",
    ),
    ("registration_refused_title", "您的注册未被接受"),
    ("registration_refused_body", "您的注册未被接受：{reason}"),
    ("me_sign_in_title", "登录"),
    ("me_sign_in_intro", "登录以查看和修改您的个人信息。"),
    ("sign_in", "登录"),
    ("me_forgot", "忘记密码？请联系管理员向您发送重置链接。"),
    ("err_sign_in", "用户名或密码不正确。"),
    ("locked_title", "失败次数过多"),
    (
        "locked_body",
        "为保护您的账号，登录已暂停。请在 {time} 之后再试（约 {wait} 后）。",
    ),
    ("wait_seconds", "{n} 秒"),
    ("wait_minutes", "{n} 分钟"),
    ("signed_out", "您已退出登录。"),
    ("session_ended", "您的会话已结束，请重新登录。"),
    ("me_title", "我的账号"),
    ("me_signed_in_as", "当前登录：{username} · {organization}"),
    ("my_details", "我的信息"),
    ("name", "姓名"),
    ("mobile", "手机号"),
    ("email", "邮箱"),
    (
        "mobile_hint",
        "国际格式，例如 +8613800138000。留空表示删除。",
    ),
    ("email_hint", "留空表示删除。"),
    ("save_details", "保存我的信息"),
    ("change_password", "修改密码"),
    ("current_password", "当前密码"),
    ("sign_out", "退出登录"),
    ("done_details", "您的信息已保存。"),
    ("done_nothing", "没有需要保存的修改。"),
    ("done_password", "您的密码已修改。"),
    (
        "must_change_password",
        "管理员为您设置了临时密码。请先设置您自己的密码：在此之前，无法在此修改您的信息。",
    ),
    ("err_name", "姓名须为 1–64 个字符，且不含控制字符。"),
    ("err_email", "邮箱地址无效。"),
    (
        "err_mobile",
        "手机号须为国际格式：+ 和国家代码，然后是有效的号码。",
    ),
    ("err_current_password", "当前密码不正确。"),
];

#[cfg(test)]
mod tests {
    #[test]
    fn both_languages_have_every_member_key_and_no_key_is_shared() {
        let en: Vec<_> = super::EN.iter().map(|(k, _)| *k).collect();
        let zh: Vec<_> = super::ZH.iter().map(|(k, _)| *k).collect();
        assert_eq!(en, zh);
        let lang = crate::i18n::Lang::En;
        let all = crate::i18n::Texts::table(lang);
        assert_eq!(
            all.len(),
            crate::i18n::table_len(lang),
            "a member key repeats a general one"
        );
    }
}
