//! The commands the window may call, one file per UI area. Each parses, calls the core and
//! maps the error; nothing else happens here.

pub mod departments;
pub mod gateway;
pub mod invitations;
pub mod join;
pub mod members;
pub mod organization;
pub mod roles;
pub mod session;
pub mod spreadsheets;

/// Every command, for the invoke handler; build.rs lists the same names for permissions.
#[macro_export]
macro_rules! all_commands {
    () => {
        tauri::generate_handler![
            $crate::commands::session::app_status,
            $crate::commands::session::setup_organization,
            $crate::commands::session::sign_in,
            $crate::commands::session::sign_out,
            $crate::commands::organization::org_overview,
            $crate::commands::organization::rename_organization,
            $crate::commands::departments::department_tree,
            $crate::commands::departments::department_details,
            $crate::commands::departments::create_department,
            $crate::commands::departments::rename_department,
            $crate::commands::departments::move_department,
            $crate::commands::departments::delete_department,
            $crate::commands::departments::set_department_head,
            $crate::commands::members::list_members,
            $crate::commands::members::member_details,
            $crate::commands::members::add_member,
            $crate::commands::members::add_invitee,
            $crate::commands::members::update_member,
            $crate::commands::members::set_primary_department,
            $crate::commands::members::change_member_status,
            $crate::commands::members::transfer_preview,
            $crate::commands::members::remove_member,
            $crate::commands::members::batch_update,
            $crate::commands::members::former_members,
            $crate::commands::roles::list_roles,
            $crate::commands::roles::create_role,
            $crate::commands::organization::get_settings,
            $crate::commands::organization::update_settings,
            $crate::commands::invitations::invite_members,
            $crate::commands::invitations::list_invitations,
            $crate::commands::invitations::invitation_counts,
            $crate::commands::invitations::resend_invitation,
            $crate::commands::invitations::cancel_invitation,
            $crate::commands::invitations::gateway_status,
            $crate::commands::invitations::list_sent_mail,
            $crate::commands::invitations::read_sent_mail,
            $crate::commands::invitations::send_password_reset,
            $crate::commands::gateway::remote_gateway_url,
            $crate::commands::gateway::connect_remote_gateway,
            $crate::commands::gateway::use_builtin_gateway,
            $crate::commands::join::list_join_requests,
            $crate::commands::join::decide_join_request,
            $crate::commands::join::join_link,
            $crate::commands::join::set_join_link,
            $crate::commands::join::rotate_join_link,
            $crate::commands::join::disable_join_link,
            $crate::commands::spreadsheets::template::save_template,
            $crate::commands::spreadsheets::import::choose_import_file,
            $crate::commands::spreadsheets::import::inspect_import_file,
            $crate::commands::spreadsheets::import::preview_import,
            $crate::commands::spreadsheets::import::run_import,
            $crate::commands::spreadsheets::import::import_quota_status,
            $crate::commands::spreadsheets::cancel_job,
            $crate::commands::spreadsheets::import::save_import_results,
            $crate::commands::spreadsheets::export::export_members_file,
            $crate::commands::spreadsheets::mappings::list_saved_mappings,
            $crate::commands::spreadsheets::mappings::save_mapping,
            $crate::commands::spreadsheets::mappings::delete_saved_mapping,
            $crate::commands::spreadsheets::drops::watch_file_drops,
        ]
    };
}
