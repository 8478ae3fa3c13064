use orgdesk_core::join::{
    JoinDecision, JoinLinkInput, JoinLinkView, JoinPlacement, JoinRequestFilter, JoinRequestPage,
    JoiningRules, MAX_JOIN_REQUEST_PAGE,
};

use orgdesk_core::team::Command;

use super::{Answer, Dir};
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
/// or nothing, in one transaction; answers the new members' ids. On a computer in a team the
/// decision is a `join.decide` change of the log (`GatewayLink::logged`), applied on every
/// computer and told to the gateway from this one; the members are read once it is back.
#[tauri::command]
pub async fn decide_join_requests(
    state: Dir<'_>,
    ids: Vec<i64>,
    approve: bool,
    placement: Option<JoinPlacement>,
) -> Answer<Vec<i64>> {
    let decision = if approve {
        JoinDecision::Approve(placement.unwrap_or_default())
    } else {
        JoinDecision::Reject
    };
    let (made, decided) = (ids.clone(), ids.clone());
    let members = state
        .link()
        .logged(
            &state,
            move |d| Command::decide_join(d, &made, decision),
            move |d, a| d.decide_join_requests(a, &decided, decision),
            move |d, _| d.join_request_members(&ids),
        )
        .await?;
    Ok(members.into_iter().map(|m| m.0).collect())
}

#[tauri::command]
pub async fn join_link(state: Dir<'_>) -> Answer<JoinLinkView> {
    state.require_session()?;
    join_link::read(&state.link().reachable()?).await
}

/// Switches the link on with `input`'s rules (or changes them) at the gateway, from this
/// computer, then records the rules in the directory; on a computer in a team as a `join.rules`
/// change of the log (`GatewayLink::logged`), so that every computer judges joins by them.
#[tauri::command]
pub async fn set_join_link(state: Dir<'_>, input: JoinLinkInput) -> Answer<JoinLinkView> {
    join_link::check_fields(&input)?;
    let org = state.read(|d| d.organization_name()).await?;
    let view = join_link::switch_on(&state.link().reachable()?, &org, &input).await?;
    let rules = JoiningRules::from(input);
    let made = rules.clone();
    state
        .link()
        .logged(
            &state,
            move |_| Ok(Command::SetJoiningRules { rules: made }),
            move |d, _| d.record_joining_rules(&rules),
            |_, done| Ok(done),
        )
        .await?;
    Ok(view)
}

#[tauri::command]
pub async fn rotate_join_link(state: Dir<'_>) -> Answer<JoinLinkView> {
    state.require_session()?;
    join_link::rotate(&state.link().reachable()?).await
}

#[tauri::command]
pub async fn disable_join_link(state: Dir<'_>) -> Answer<JoinLinkView> {
    state.require_session()?;
    join_link::switch_off(&state.link().reachable()?).await
}
