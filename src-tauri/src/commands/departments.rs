use orgdesk_core::department_deletion::DepartmentDeletion;
use orgdesk_core::departments::{DepartmentDetails, DepartmentNode};
use orgdesk_core::team::Command;
use orgdesk_core::types::{DepartmentId, MemberId};
use orgdesk_core::CoreError;

use super::{Answer, Dir};

directory_commands! {
    read department_tree() -> DepartmentNode = |d| d.department_tree();
    read department_details(id: DepartmentId) -> DepartmentDetails =
        |d| d.department_details(id);
    logged create_department(parent_id: DepartmentId, name: String) -> DepartmentId =
        |d, a| d.create_department(a, parent_id, &name),
        as |_| Ok(Command::CreateDepartment { parent_id, name }),
        // Its id is the one the directory gave it, read once the change is back.
        then |d, _| d.child_department(parent_id, &name)?.ok_or_else(|| {
            CoreError::Internal("The new department is not in the directory.".into())
        });
    logged rename_department(id: DepartmentId, name: String) -> () =
        |d, a| d.rename_department(a, id, &name),
        as |_| Ok(Command::RenameDepartment { department_id: id, name });
    logged move_department(id: DepartmentId, parent_id: DepartmentId, index: Option<usize>) -> () =
        |d, a| d.move_department(a, id, parent_id, index),
        as |_| Ok(Command::MoveDepartment {
            department_id: id,
            parent_id,
            index: index.map(|i| u32::try_from(i).unwrap_or(u32::MAX)),
        });
    read department_deletion_preview(id: DepartmentId) -> DepartmentDeletion =
        |d| d.department_deletion_preview(id);
    logged delete_department(id: DepartmentId) -> DepartmentDeletion =
        |d, a| d.delete_department(a, id),
        as |_| Ok(Command::DeleteDepartment { department_id: id });
    logged set_department_head(id: DepartmentId, member_id: Option<MemberId>) -> () =
        |d, a| d.set_department_head(a, id, member_id),
        as |_| Ok(Command::SetDepartmentHead { department_id: id, head_id: member_id });
}
