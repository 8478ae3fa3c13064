//! The two languages Orgdesk speaks: English and Simplified Chinese — of the gateway's pages
//! and mail, and of the spreadsheets' headers and explanations (which follow the UI's).
//! What each language says is kept by the caller; here is only which language it is.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The language of headers and explanations (follows the UI).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    /// `en` or `zh`, whichever this language is (both are built where the text is written).
    pub fn pick<T>(self, en: T, zh: T) -> T {
        match self {
            Self::En => en,
            Self::Zh => zh,
        }
    }

    /// The `lang` attribute and `?lang=` value.
    pub fn code(self) -> &'static str {
        self.pick("en", "zh-CN")
    }

    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().to_ascii_lowercase();
        if s == "en" || s.starts_with("en-") {
            Some(Self::En)
        } else if s == "zh" || s.starts_with("zh-") {
            Some(Self::Zh)
        } else {
            None
        }
    }

    /// The best of our languages for an `Accept-Language` header (highest q wins; ties keep
    /// the header's order); English when nothing matches.
    pub fn negotiate(accept_language: Option<&str>) -> Self {
        let Some(header) = accept_language else {
            return Self::En;
        };
        let mut best: Option<(f32, Self)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("");
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            if let Some(lang) = Self::parse(tag) {
                if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                    best = Some((q, lang));
                }
            }
        }
        best.map_or(Self::En, |(_, l)| l)
    }

    pub fn other(self) -> Self {
        self.pick(Self::Zh, Self::En)
    }

    /// The language's own name, for the switcher.
    pub fn native_name(self) -> &'static str {
        self.pick("English", "简体中文")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_prefers_the_highest_quality() {
        assert_eq!(Lang::negotiate(None), Lang::En);
        assert_eq!(Lang::negotiate(Some("zh-CN,zh;q=0.9,en;q=0.8")), Lang::Zh);
        assert_eq!(Lang::negotiate(Some("fr, en;q=0.5, zh;q=0.7")), Lang::Zh);
        assert_eq!(Lang::negotiate(Some("de")), Lang::En);
    }

    #[test]
    fn codes_parse_back_and_serde_names_are_short() {
        for lang in [Lang::En, Lang::Zh] {
            assert_eq!(Lang::parse(lang.code()), Some(lang));
            assert_ne!(lang.other(), lang);
        }
        assert_eq!(Lang::parse("ZH-tw"), Some(Lang::Zh));
        assert_eq!(Lang::parse("fr"), None);
        assert_eq!(Lang::default(), Lang::En);
        assert_eq!(Lang::Zh.pick(1, 2), 2);
    }
}
