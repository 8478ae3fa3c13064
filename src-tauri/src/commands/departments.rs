use orgdesk_core::department_deletion::DepartmentDeletion;
use orgdesk_core::departments::{DepartmentDetails, DepartmentNode};
use orgdesk_core::types::{DepartmentId, MemberId};

use super::{Answer, Dir};

directory_commands! {
    read department_tree() -> DepartmentNode = |d| d.department_tree();
    read department_details(id: DepartmentId) -> DepartmentDetails =
        |d| d.department_details(id);
    act create_department(parent_id: DepartmentId, name: String) -> DepartmentId =
        |d, a| d.create_department(a, parent_id, &name);
    act rename_department(id: DepartmentId, name: String) -> () =
        |d, a| d.rename_department(a, id, &name);
    act move_department(id: DepartmentId, parent_id: DepartmentId, index: Option<usize>) -> () =
        |d, a| d.move_department(a, id, parent_id, index);
    read department_deletion_preview(id: DepartmentId) -> DepartmentDeletion =
        |d| d.department_deletion_preview(id);
    act delete_department(id: DepartmentId) -> DepartmentDeletion =
        |d, a| d.delete_department(a, id);
    act set_department_head(id: DepartmentId, member_id: Option<MemberId>) -> () =
        |d, a| d.set_department_head(a, id, member_id);
}
