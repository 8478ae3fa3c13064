//! How a member's name sorts and is found: Chinese characters by their pinyin.
//!
//! The sort key is the name in lower case with every Chinese character replaced by its
//! pinyin, one syllable a word ("张伟" → "zhang wei"), so 张伟 sorts beside "Zhang Wei" and
//! between "Zhang" and "Zhou", and 李 before 王 before 张. A name without Chinese characters
//! keeps the key it always had, its lower-case self. The key is the same in both of the
//! window's languages: an English admin sees Chinese names among the Latin ones where their
//! pinyin puts them, as a Chinese admin expects them.
//!
//! A character with several readings takes its most common one (the first reading in the
//! Unicode Han database's order, as the `pinyin` crate gives it), except that a name's first
//! character, its family name, takes the family-name reading of the few common surnames
//! that read otherwise ([`SURNAMES`]: 曾 is "zeng", not "ceng").

use ::pinyin::ToPinyin;

use crate::types::{fold_key, fold_search};

/// Family names whose reading as a surname is not the character's most common reading.
const SURNAMES: &[(char, &str)] = &[
    ('曾', "zeng"),
    ('单', "shan"),
    ('解', "xie"),
    ('区', "ou"),
    ('仇', "qiu"),
    ('朴', "piao"),
    ('查', "zha"),
    ('盖', "ge"),
    ('乐', "yue"),
    ('缪', "miao"),
    ('覃', "qin"),
    ('翟', "zhai"),
    ('尉', "yu"),
    ('重', "chong"),
    ('种', "chong"),
    ('秘', "bi"),
];

/// The pinyin of one character, without tones, or None for a character that is not Chinese.
fn reading(c: char, family_name: bool) -> Option<&'static str> {
    if family_name {
        if let Some((_, r)) = SURNAMES.iter().find(|(s, _)| *s == c) {
            return Some(r);
        }
    }
    c.to_pinyin().map(|p| p.plain())
}

/// The name as words of lower-case text, each Chinese character a word of its pinyin (ü
/// written "v", as pinyin keyboards type it); None when the name has no Chinese character.
pub(crate) fn pinyin_words(name: &str) -> Option<String> {
    let name = name.trim();
    // Most names have no Chinese character: they are told apart before anything is built.
    if !name
        .chars()
        .any(|c| !c.is_ascii() && reading(c, true).is_some())
    {
        return None;
    }
    let mut out = String::with_capacity(name.len() * 2);
    let mut any = false;
    let mut after_chinese = false;
    for c in name.chars() {
        match reading(c, out.is_empty()) {
            Some(r) => {
                if !out.is_empty() && !out.ends_with(' ') {
                    out.push(' ');
                }
                out.extend(r.chars().map(|c| if c == 'ü' { 'v' } else { c }));
                any = true;
                after_chinese = true;
            }
            None => {
                if after_chinese && !c.is_whitespace() {
                    out.push(' ');
                }
                after_chinese = false;
                out.extend(c.to_lowercase());
            }
        }
    }
    any.then_some(out)
}

/// The key the member list sorts names by (see the module's comment). Names of the same
/// pinyin are kept together by their characters: the pinyin is followed by a 0x01 byte, which
/// sorts before any character a name can hold, and the name in lower case.
pub(crate) fn sort_key(name: &str) -> String {
    sort_key_of(name, pinyin_words(name).as_deref())
}

/// [`sort_key`], given the name's [`pinyin_words`].
pub(crate) fn sort_key_of(name: &str, words: Option<&str>) -> String {
    match words {
        Some(words) => format!("{words}\u{1}{}", fold_key(name)),
        None => fold_key(name),
    }
}

/// The pinyin a search finds a name by, given its [`pinyin_words`], folded as search text is:
/// the whole of it run together ("zhangwei", which "zhang" and "zhangw" find too) and the
/// initials of its words ("zw"). A name without Chinese characters has none; it is found by
/// its own text.
pub(crate) fn search_pinyin_of(words: &str) -> (String, String) {
    let full: String = words.split_whitespace().collect();
    let initials: String = words
        .split_whitespace()
        .filter_map(|w| w.chars().next())
        .collect();
    (fold_search(&full), fold_search(&initials))
}

/// The pinyin a search finds a name by ([`search_pinyin_of`]), or None.
#[cfg(test)]
fn search_pinyin(name: &str) -> Option<(String, String)> {
    pinyin_words(name).map(|words| search_pinyin_of(&words))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_names_keep_their_lower_case_key() {
        for name in [
            "Ann Lee",
            "  José ÅNGSTRÖM ",
            "ΣΟΦΙΑ",
            "O'Neil-Smith",
            "a  b",
        ] {
            assert_eq!(sort_key(name), fold_key(name), "{name}");
            assert_eq!(search_pinyin(name), None, "{name}");
        }
    }

    #[test]
    fn chinese_names_read_as_pinyin() {
        assert_eq!(sort_key("张伟"), "zhang wei\u{1}张伟");
        assert_eq!(sort_key(" 欧阳娜娜 "), "ou yang na na\u{1}欧阳娜娜");
        assert_eq!(sort_key("Alice 张"), "alice zhang\u{1}alice 张");
        assert_eq!(sort_key("张Alice"), "zhang alice\u{1}张alice");
        assert_eq!(sort_key("吕"), "lv\u{1}吕");
        assert_eq!(
            search_pinyin("张伟"),
            Some(("zhangwei".into(), "zw".into()))
        );
        assert_eq!(
            search_pinyin("Alice 张"),
            Some(("alicezhang".into(), "az".into()))
        );
        assert_eq!(
            search_pinyin("José 王"),
            Some(("josewang".into(), "jw".into()))
        );
    }

    #[test]
    fn polyphonic_characters_take_the_common_reading_and_surnames_their_own() {
        // 曾 reads "ceng" (once, already) in a name but "zeng" as a family name; 重 "zhong".
        assert_eq!(search_pinyin("曾").unwrap().0, "zeng");
        assert_eq!(search_pinyin("王曾").unwrap().0, "wangceng");
        assert_eq!(search_pinyin("单重").unwrap().0, "shanzhong");
        assert_eq!(search_pinyin("行").unwrap().0, "xing");
    }

    #[test]
    fn keys_sort_chinese_among_latin_by_pinyin() {
        let mut names = vec![
            "Zhou Xun", "王芳", "Zhang", "张伟", "李娜", "Ann", "章伟", "张伟",
        ];
        names.sort_by_key(|n| sort_key(n));
        assert_eq!(
            names,
            ["Ann", "李娜", "王芳", "Zhang", "张伟", "张伟", "章伟", "Zhou Xun"]
        );
    }
}
