use orgdesk_core::roles::{NewRole, Role};
use orgdesk_core::types::RoleId;

use orgdesk_core::team::Command;

use super::{Answer, Dir};

directory_commands! {
    read list_roles() -> Vec<Role> = |d| d.roles();
    logged create_role(input: NewRole) -> RoleId =
        |d, a| d.create_role(a, &input),
        as |_| Ok(Command::CreateRole { role: input }),
        // Its id is the one the directory gave it, read once the change is back.
        then |d, _| d.role_by_name(&input.name);
}
