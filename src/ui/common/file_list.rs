//! Files being loaded (a progress bar each) and what came of them (a result line each).

use std::rc::Rc;

use yew::prelude::*;

use crate::present::format;
use crate::ui::state::{FileEntry, Loads};

/// The list's properties.
#[derive(Properties, PartialEq)]
pub struct FileListProps {
    /// The files.
    pub loads: Rc<Loads>,
    /// Forgets finished files.
    pub on_clear: Callback<()>,
    /// Shows files while they load, and afterwards only those with problems (compact pages).
    #[prop_or_default]
    pub only_problems: bool,
    /// Keeps what links and the host page brought, where the page keeps loads at all.
    #[prop_or_default]
    pub on_keep: Option<Callback<()>>,
}

/// See the module docs.
#[component]
pub fn FileList(props: &FileListProps) -> Html {
    let shown: Vec<&FileEntry> = props
        .loads
        .files
        .iter()
        .filter(|f| {
            !props.only_problems
                || f.result
                    .as_ref()
                    .is_none_or(|r| !r.errors.is_empty() || !r.warnings.is_empty())
        })
        .collect();
    if shown.is_empty() {
        return html! {};
    }
    let clear = props.on_clear.reform(|_: MouseEvent| ());
    let finished = shown.iter().any(|f| f.result.is_some());
    html! {
        <section class="files" aria-label="Loaded files">
            { for shown.into_iter().map(|entry| file_line(entry, props.on_keep.as_ref())) }
            if finished {
                <button class="button small" onclick={clear}>{"Clear finished"}</button>
            }
        </section>
    }
}

fn file_line(entry: &FileEntry, on_keep: Option<&Callback<()>>) -> Html {
    match &entry.result {
        None => {
            let share = if entry.progress.total > 0.0 {
                entry.progress.bytes / entry.progress.total
            } else {
                0.0
            };
            let label = match entry.progress.phase.as_str() {
                "parsing" => format!(
                    "{}: parsing… {} spans",
                    entry.progress.name,
                    format::count(entry.progress.spans)
                ),
                _ => format!(
                    "{}: reading {} of {}",
                    entry.progress.name,
                    format::bytes(entry.progress.bytes as u64),
                    format::bytes(entry.progress.total as u64)
                ),
            };
            html! {
                <div class="file loading" data-testid="file-progress">
                    <progress max="1" value={share.to_string()}></progress>
                    <span>{ label }</span>
                </div>
            }
        }
        Some(result) => {
            let ok = result.errors.is_empty();
            let summary = format::file_result(result);
            html! {
                <div class={classes!("file", if ok { "ok" } else { "failed" })} data-testid="file-result">
                    <span class="status-dot"></span>
                    <span>{ summary }</span>
                    if result.held && result.spans + result.evaluations > 0 {
                        <span class="muted" data-testid="file-held">{" · not kept in this browser: it came from a link or the page embedding Plume"}</span>
                        if let Some(keep) = on_keep {
                            {" "}<button class="button small" data-testid="keep-held" onclick={keep.reform(|_: MouseEvent| ())}>{"Keep"}</button>
                        }
                    }
                    { for result.errors.iter().map(|e| html! { <div class="problem error">{ e.clone() }</div> }) }
                    { for result.warnings.iter().map(|w| html! { <div class="problem warning">{ w.clone() }</div> }) }
                </div>
            }
        }
    }
}
