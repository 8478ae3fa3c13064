use orgdesk_core::join::{
    JoinDecision, JoinLinkInput, JoinLinkView, JoinPlacement, JoinRequestFilter, JoinRequestPage,
    MAX_JOIN_REQUEST_PAGE,
};

use super::{Answer, Dir, Link};
use crate::join_link;

#[tauri::command]
pub async fn list_join_requests(
    state: Dir<'_>,
    filter: JoinRequestFilter,
    search: Option<String>,
    offset: Option<u32>,
    limit: Option<u32>,
) -> Answer<JoinRequestPage> {
    let (offset, limit) = (offset.unwrap_or(0), limit.unwrap_or(MAX_JOIN_REQUEST_PAGE));
    let search = search.unwrap_or_default();
    state
        .read(move |d| d.join_request_page(filter, &search, offset, limit))
        .await
}

/// Approves (into `placement`'s department and role) or rejects every request in `ids`, all
/// or nothing, in one transaction; answers the new members' ids.
#[tauri::command]
pub async fn decide_join_requests(
    state: Dir<'_>,
    link: Link<'_>,
    ids: Vec<i64>,
    approve: bool,
    placement: Option<JoinPlacement>,
) -> Answer<Vec<i64>> {
    let decision = if approve {
        JoinDecision::Approve(placement.unwrap_or_default())
    } else {
        JoinDecision::Reject
    };
    let members = link
        .act(&state, move |d, a| {
            d.refuse_in_team("a join decision")?;
            d.decide_join_requests(a, &ids, decision)
        })
        .await?;
    Ok(members.into_iter().map(|m| m.0).collect())
}

#[tauri::command]
pub async fn join_link(state: Dir<'_>, link: Link<'_>) -> Answer<JoinLinkView> {
    state.require_session()?;
    join_link::read(&link.reachable()?).await
}

#[tauri::command]
pub async fn set_join_link(
    state: Dir<'_>,
    link: Link<'_>,
    input: JoinLinkInput,
) -> Answer<JoinLinkView> {
    join_link::check_fields(&input)?;
    let org = state.read(|d| d.organization_name()).await?;
    let view = join_link::switch_on(&link.reachable()?, &org, &input).await?;
    state
        .act(move |d, _| join_link::record_rules(d, input))
        .await?;
    Ok(view)
}

#[tauri::command]
pub async fn rotate_join_link(state: Dir<'_>, link: Link<'_>) -> Answer<JoinLinkView> {
    state.require_session()?;
    join_link::rotate(&link.reachable()?).await
}

#[tauri::command]
pub async fn disable_join_link(state: Dir<'_>, link: Link<'_>) -> Answer<JoinLinkView> {
    state.require_session()?;
    join_link::switch_off(&link.reachable()?).await
}
