use orgdesk_core::roles::{NewRole, Role};
use orgdesk_core::types::RoleId;

use super::{Answer, Dir};

directory_commands! {
    read list_roles() -> Vec<Role> = |d| d.roles();
    act create_role(input: NewRole) -> RoleId = |d, a| {
        d.refuse_in_team("creating a role")?;
        d.create_role(a, &input)
    };
}
