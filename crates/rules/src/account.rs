//! A gateway account's id: `acc_` and 128 random bits in lower-case hex. The gateway makes one
//! for each account it creates; a team's computer makes one for a member it adds, so that every
//! computer binds the member to the same account, which the gateway creates under that id when
//! the account mirror first names it.

const PREFIX: &str = "acc_";

/// The account id of these 128 random bits.
pub fn account_id(bits: [u8; 16]) -> String {
    let hex: String = bits.iter().map(|b| format!("{b:02x}")).collect();
    format!("{PREFIX}{hex}")
}

/// A new account id, from the thread's generator (seeded by the operating system).
pub fn new_account_id() -> String {
    account_id(rand::random())
}

/// Whether `id` has the form an account id is made in.
pub fn is_account_id(id: &str) -> bool {
    id.strip_prefix(PREFIX).is_some_and(|hex| {
        hex.len() == 32 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn made_ids_have_the_form_and_others_do_not() {
        let id = new_account_id();
        assert!(is_account_id(&id), "{id}");
        assert_ne!(id, new_account_id());
        assert_eq!(account_id([0xab; 16]), format!("acc_{}", "ab".repeat(16)));
        for other in [
            "",
            "acc_",
            "acc_1",
            &id.to_uppercase(),
            &format!("{id}0"),
            "usr_0123456789abcdef0123456789abcdef",
        ] {
            assert!(!is_account_id(other), "{other}");
        }
    }
}
