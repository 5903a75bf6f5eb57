//! Files being loaded (a progress bar each) and what came of them (a result line each).

use std::rc::Rc;

use yew::prelude::*;

use crate::engine::protocol::FileResult;
use crate::present::format;
use crate::ui::state::{FileEntry, Loads};

/// How long a line of files loaded without a problem stays, ms.
const QUIET_FOR_MS: u32 = 15_000;

/// The list's properties.
#[derive(Properties, PartialEq)]
pub struct FileListProps {
    /// The files.
    pub loads: Rc<Loads>,
    /// Forgets finished files.
    pub on_clear: Callback<()>,
    /// Forgets finished files that need no attention.
    pub on_clear_quiet: Callback<()>,
    /// Shows files while they load, and afterwards only those with problems (compact pages).
    #[prop_or_default]
    pub only_problems: bool,
    /// Keeps what links and the host page brought, where the page keeps loads at all.
    #[prop_or_default]
    pub on_keep: Option<Callback<()>>,
}

/// Files loading (a line each), files that need attention (a line each, until dismissed), and
/// the files loaded without a problem in one short line that goes away on its own.
#[component]
pub fn FileList(props: &FileListProps) -> Html {
    let files = &props.loads.files;
    // A compact page offers no keeping: there only problems need attention.
    let needs_attention = |r: &FileResult| match props.only_problems {
        true => r.has_problems(),
        false => r.needs_attention(),
    };
    let attention: Vec<&FileEntry> = files
        .iter()
        .filter(|f| f.result.as_ref().is_none_or(needs_attention))
        .collect();
    let quiet: Vec<&FileResult> = files
        .iter()
        .filter_map(|f| f.result.as_ref())
        .filter(|r| !r.needs_attention())
        .collect();
    let loading = props.loads.busy > 0 || files.iter().any(|f| f.result.is_none());
    // Counted from the last file that finished: a later one gets its full time too.
    let due = (!quiet.is_empty() && !loading).then_some(quiet.len());
    use_clear_quiet_later(due, props.on_clear_quiet.clone());
    let quiet = (!props.only_problems && !quiet.is_empty()).then_some(quiet);
    if attention.is_empty() && quiet.is_none() {
        return html! {};
    }
    let clear = props.on_clear.reform(|_: MouseEvent| ());
    let finished = files.iter().any(|f| f.result.is_some());
    html! {
        <section class="files" aria-label="Loaded files">
            { for attention.into_iter().map(|entry| file_line(entry, props.on_keep.as_ref())) }
            <div class="files-end">
                if let Some(quiet) = quiet {
                    <div class="file ok quiet" data-testid="files-done">
                        <span class="status-dot"></span>
                        { for quiet.into_iter().enumerate().map(|(i, r)| html! { <>
                            if i > 0 { {" · "} }
                            <span data-testid="file-result">{ format::file_result(r) }</span>
                        </> }) }
                    </div>
                }
                if finished {
                    <button class="button small" onclick={clear} title="Dismiss what finished loading" aria-label="Dismiss finished files" data-testid="files-dismiss">{"×"}</button>
                }
            </div>
        </section>
    }
}

/// `QUIET_FOR_MS` after `due` became (or changed to) some count of quiet files, with nothing
/// loading meanwhile, `clear` is called.
#[hook]
fn use_clear_quiet_later(due: Option<usize>, clear: Callback<()>) {
    use_effect_with(due, move |due| {
        let timer =
            due.map(|_| gloo::timers::callback::Timeout::new(QUIET_FOR_MS, move || clear.emit(())));
        move || drop(timer)
    });
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
                        <span class="muted" data-testid="file-held">{" · not kept in this browser: it came from a link, a share file or the page embedding Plume"}</span>
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
