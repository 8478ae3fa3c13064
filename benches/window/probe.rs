//! The in-page probe: installed in the window, armed with the rows a step should bring, read back
//! as the time from the input event to the first frame painted with them.

use std::time::{Duration, Instant};

use orgdesk_core::types::MemberId;
use serde_json::{json, Value};
use thirtyfour::prelude::*;

/// Installed once in the page (it is a single-page app: it stays until the window closes).
/// `arm(conditions)` starts a measurement: the next keydown or mousedown is its start (each
/// later one moves the start: the last keystroke counts), and it ends at the first painted
/// frame after every condition holds.
pub(crate) const PROBE: &str = r#"
if (!window.__odBench) {
  const state = { start: null, end: null, endedBy: null, conds: null, armed: false, shown: null, log: [] };
  // What changed when, between the start and the painted frame: a mutation batch names the
  // areas it touched (nearest data-testid), a frame is "|" with its time; see breakdown().
  const note = (what) => {
    if (state.start !== null && state.end === null && state.log.length < 200) {
      state.log.push([performance.now(), what]);
    }
  };
  const frames = () => requestAnimationFrame(() => {
    note('|');
    if (state.end === null && (state.armed || state.shown !== null)) frames();
  });
  const holds = () => state.conds.every(([sel, kind, want]) => {
    const el = document.querySelector(sel);
    if (kind === 'absent') return el === null;
    if (!el) return false;
    if (kind === 'present') return true;
    if (kind === 'digits') return el.textContent.replace(/\D/g, '') === want;
    if (kind === 'text') return el.textContent === want;
    if (kind === 'testid') return el.getAttribute('data-testid') === want;
    if (kind === 'member') return el.getAttribute('data-member-id') === want;
    return false;
  });
  // The frame after "shown" paints the rows once its callbacks, style and layout are done.
  // Whatever runs next proves it painted: the first task after it, or the next frame when a
  // task queued earlier (a render the page deferred) would hold that task back.
  const painted = () => {
    requestAnimationFrame(() => {
      const done = (by) => () => {
        if (state.end === null) { state.end = performance.now(); state.endedBy = by; }
      };
      const ch = new MessageChannel();
      ch.port1.onmessage = done('task');
      ch.port2.postMessage(0);
      requestAnimationFrame(done('frame'));
    });
  };
  const check = () => {
    if (!state.armed || state.start === null || state.end !== null) return;
    if (holds()) { state.armed = false; state.shown = performance.now(); painted(); }
  };
  const areas = (records) => {
    const seen = new Set();
    for (const r of records) {
      const el = r.target.nodeType === 1 ? r.target : r.target.parentElement;
      const area = el && el.closest('[data-testid]');
      seen.add(area ? area.getAttribute('data-testid').replace(/-\d+$/, '-N') : 'page');
      if (seen.size >= 4) break;
    }
    return [...seen].join(',');
  };
  new MutationObserver((records) => { note(areas(records)); check(); }).observe(document.documentElement, {
    subtree: true, childList: true, characterData: true, attributes: true,
  });
  const onStart = (e) => {
    if (state.armed) { state.start = e.timeStamp; state.log = []; frames(); }
  };
  document.addEventListener('keydown', onStart, true);
  document.addEventListener('mousedown', onStart, true);
  window.__odBench = {
    arm(conds) {
      state.start = null; state.end = null; state.endedBy = null; state.conds = conds; state.armed = true; state.shown = null; state.log = [];
      window.__odMarks = [];
    },
    detail() {
      const at = (t) => Math.round(t - state.start);
      const timeline = state.log.map(([t, what]) => (what === '|' ? `|${at(t)}` : `${at(t)}:${what}`)).join(' ');
      // The UI's own moments (ui/src/components/marks.ts): commands asked and answered, renders
      // and commits of the window, the member rows and the details drawer.
      const moments = (window.__odMarks || []).map(([name, t]) => `${at(t)}:${name}`).join(' ');
      return { shown: at(state.shown), painted: at(state.end), by: state.endedBy, timeline, moments };
    },
    read() {
      if (state.start !== null && state.end === null && state.armed) check();
      return state.end === null ? null : [state.start, state.end];
    },
  };
}
"#;

pub(crate) type Cond = (String, &'static str, String);

pub(crate) fn rows_of(first_id: MemberId, total: u32) -> Vec<Cond> {
    vec![
        (
            "[data-testid=member-table] tbody tr.ant-table-row".into(),
            "testid",
            format!("member-row-{first_id}"),
        ),
        (
            "[data-testid=member-total]".into(),
            "digits",
            total.to_string(),
        ),
    ]
}

pub(crate) async fn arm(d: &WebDriver, conds: &[Cond]) {
    d.execute(PROBE, vec![]).await.expect("probe installs");
    let conds: Vec<Value> = conds.iter().map(|(s, k, w)| json!([s, k, w])).collect();
    d.execute(
        "window.__odBench.arm(arguments[0]);",
        vec![Value::Array(conds)],
    )
    .await
    .expect("probe arms");
}

/// Waits for the armed measurement to end; its duration in ms.
pub(crate) async fn measured(d: &WebDriver, what: &str) -> f64 {
    let started = Instant::now();
    loop {
        let v = d
            .execute("return window.__odBench.read();", vec![])
            .await
            .expect("probe reads")
            .json()
            .clone();
        if let Some(a) = v.as_array() {
            return a[1].as_f64().unwrap() - a[0].as_f64().unwrap();
        }
        if started.elapsed() > Duration::from_secs(60) {
            panic!("{what}: the expected rows never showed");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Prints where the last measurement's time went: when the expected rows were in the page
/// (the backend's answer and React's render) and when the frame with them was painted (WebKit's
/// style, layout and paint), in ms from the click or key.
pub(crate) async fn breakdown(d: &WebDriver, what: &str) {
    let Ok(v) = d.execute("return window.__odBench.detail();", vec![]).await else {
        return;
    };
    let v = v.json();
    println!(
        "    {what}: rows in the page at {} ms, painted at {} ms (seen by the next {})",
        v["shown"], v["painted"], v["by"].as_str().unwrap_or("?")
    );
    // BENCH_TIMELINE=1: when each area of the page changed and when frames ran (a long gap
    // between frames is a long task: a render, a forced layout).
    if std::env::var_os("BENCH_TIMELINE").is_some() {
        let timeline = v["timeline"].as_str().unwrap_or("");
        println!("      timeline (ms:areas changed, |ms frames): {timeline}");
        let moments = v["moments"].as_str().unwrap_or("");
        println!("      moments (ms:what the UI did): {moments}");
    }
}
