//! The configuration's own checks, and the sample file's.

use super::*;

const SAMPLE: &str = include_str!("../../../../docs/gateway.sample.toml");

/// The sample starts as is: loopback, no public address, mail to files, no metrics.
#[test]
fn sample_config_parses() {
    let c = Config::from_toml(SAMPLE).unwrap();
    assert!(matches!(c.mail, MailConfig::File { .. }));
    assert!(c.listen.ip().is_loopback());
    assert!(c.public_url.is_empty() && c.metrics_listen.is_none());
    assert_eq!(c.tokens.invitation_lifetime_secs, 259_200);
    assert_eq!(c.tokens.password_reset_lifetime_secs, 86_400);
    assert_eq!(c.tokens.enrollment_lifetime_secs, 86_400);
    assert_eq!(c.sign_in.lockout_after_failures, 5);
    assert_eq!(c.sign_in.session_idle_secs, 43_200);
}

/// The sample's commented SMTP section, put in place of the file mailer, is valid.
#[test]
fn the_samples_smtp_example_parses() {
    let start = SAMPLE.find("# [mail]\n# transport = \"smtp\"").unwrap();
    let end = start + SAMPLE[start..].find("\n# (a relay").unwrap();
    let smtp: Vec<&str> = SAMPLE[start..end]
        .lines()
        .map(|l| l.strip_prefix("# ").unwrap_or(l.trim_start_matches('#')))
        .collect();
    let file = "[mail]\ntransport = \"file\"\ndir = \"outgoing-mail\"\n\
                from = \"Orgdesk <noreply@localhost>\"\n";
    assert!(SAMPLE.contains(file));
    let c = Config::from_toml(&SAMPLE.replace(file, &(smtp.join("\n") + "\n"))).unwrap();
    assert!(matches!(c.mail, MailConfig::Smtp(ref s) if s.tls == SmtpTls::Starttls));
}

#[test]
fn unknown_keys_and_bad_urls_are_refused() {
    assert!(Config::from_toml("public_url='https://x'\ndatabase='a'\nbogus=1").is_err());
    assert!(Config::from_toml("public_url='ftp://x'\ndatabase='a'").is_err());
    assert!(Config::from_toml("public_url='https://x'\ndatabase='a'").is_ok());
    // Beyond loopback, links must travel over TLS.
    let open = "listen='0.0.0.0:443'\ndatabase='a'\npublic_url=";
    assert!(Config::from_toml(&format!("{open}'http://x'")).is_err());
    assert!(Config::from_toml(&format!("{open}'https://x'")).is_ok());
    assert!(Config::from_toml("listen='0.0.0.0:443'\ndatabase='a'").is_err());
}

#[test]
fn the_outbox_lease_is_bounded() {
    let lease =
        |secs: u64| Config::from_toml(&format!("database='a'\n[delivery]\nlease_secs={secs}"));
    assert_eq!(lease(5).unwrap().delivery.lease_secs, 5);
    assert!(lease(2).is_err());
    assert!(lease(86_401).is_err());
    let default = Config::from_toml("database='a'").unwrap();
    assert_eq!(default.delivery.lease_secs, 60);
}

#[test]
fn plaintext_smtp_with_credentials_needs_consent() {
    let smtp = "database='a'\n[mail]\ntransport='smtp'\nfrom='a@b.c'\nhost='relay'\n";
    let creds = "username='u'\npassword_env='P'\n";
    let refused = Config::from_toml(&format!("{smtp}tls='none'\n{creds}")).unwrap_err();
    assert!(refused.to_string().contains("in the clear"), "{refused}");
    assert!(Config::from_toml(&format!(
        "{smtp}tls='none'\n{creds}allow_plaintext_auth=true"
    ))
    .is_ok());
    assert!(Config::from_toml(&format!("{smtp}tls='none'\n")).is_ok());
    assert!(Config::from_toml(&format!("{smtp}tls='starttls'\n{creds}")).is_ok());
}

#[test]
fn trusted_proxies_must_be_addresses() {
    let base = "database='a'\n[server]\ntrusted_proxies=";
    assert!(Config::from_toml(&format!("{base}['127.0.0.1', '10.0.0.0/8', '::1']")).is_ok());
    assert!(Config::from_toml(&format!("{base}['proxy.local']")).is_err());
}

/// Enrollment codes live from a minute to a month.
#[test]
fn enrollment_lifetime_is_bounded() {
    let mut c = Config::from_toml(SAMPLE).unwrap();
    for (secs, ok) in [
        (59, false),
        (60, true),
        (2_592_000, true),
        (2_592_001, false),
    ] {
        c.tokens.enrollment_lifetime_secs = secs;
        assert_eq!(c.validate().is_ok(), ok, "{secs}");
    }
}
