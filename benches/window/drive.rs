//! Driving the window as a person would: finding elements, clicking them, pictures, and opening a
//! screen from the navigation and going back.

use std::time::Duration;

use thirtyfour::prelude::*;

use crate::harness::Harness;
use crate::probe::{arm, breakdown, measured};

pub(crate) async fn by_id(d: &WebDriver, id: &str) -> WebElement {
    let q = d.query(By::Css(format!("[data-testid='{id}']")));
    q.wait(Duration::from_secs(60), Duration::from_millis(10))
        .first()
        .await
        .unwrap_or_else(|e| panic!("{id}: {e}"))
}

/// Brings the element to the middle of its scroller, then clicks it as a mouse would (at the
/// edge of the scrolled area WebKit reports the click as intercepted by what covers it).
pub(crate) async fn click(d: &WebDriver, e: &WebElement) {
    d.execute(
        "arguments[0].scrollIntoView({block: 'center', inline: 'nearest'});",
        vec![e.to_json().unwrap()],
    )
    .await
    .unwrap();
    // A drawer or menu still sliding out may cover the element for a moment.
    for _ in 0..20 {
        match e.click().await {
            Err(err) if err.to_string().contains("intercepted") => {
                tokio::time::sleep(Duration::from_millis(100)).await
            }
            other => return other.unwrap(),
        }
    }
    panic!("the element stayed covered for 2 s");
}

/// A picture of the window for docs/performance.md; the figures do not depend on it.
pub(crate) async fn picture(h: &Harness, d: &WebDriver, name: &str) {
    h.screenshot(d, name).await;
}

/// Opens a screen from the navigation until its table shows rows, and goes back to the
/// directory, five times; the openings' durations.
pub(crate) async fn open_screen(d: &WebDriver, nav: &str, table: &str) -> Vec<f64> {
    let rows_of_table = |id: &str| {
        vec![(
            format!("[data-testid={id}] tbody tr.ant-table-row"),
            "present",
            String::new(),
        )]
    };
    let mut opened = Vec::new();
    for i in 0..5 {
        arm(d, &rows_of_table(table)).await;
        click(d, &by_id(d, nav).await).await;
        opened.push(measured(d, nav).await);
        if i < 2 {
            breakdown(d, nav).await;
        }
        arm(d, &rows_of_table("member-table")).await;
        click(d, &by_id(d, "nav-directory").await).await;
        measured(d, "back to the directory").await;
    }
    opened
}
