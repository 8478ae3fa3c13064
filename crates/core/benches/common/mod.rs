//! What the benchmarks share: the organization they run against.

use std::path::Path;
use std::sync::Arc;

use orgdesk_core::organization::SetupInput;
use orgdesk_core::{Directory, SystemClock};

/// The directory in the SQLite file at `path`, on the system clock, set up as "Bench Corp"
/// with the admin Ann ("ann").
pub fn bench_corp(path: &Path) -> Directory {
    let mut d = Directory::open_with_clock(path, Arc::new(SystemClock)).unwrap();
    d.setup_organization(&SetupInput {
        organization_name: "Bench Corp".into(),
        admin_name: "Ann".into(),
        username: "ann".into(),
        password: "Correct-Horse1".into(),
        password_confirm: "Correct-Horse1".into(),
    })
    .unwrap();
    d
}
