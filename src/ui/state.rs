//! The UI's own state: files being loaded and their results. Everything about spans lives in the
//! engine; `version` tells components that what they showed may have changed.

use std::rc::Rc;

use yew::Reducible;

use crate::engine::messages::{FileProgress, LiveStatus};
use crate::engine::protocol::FileResult;
use crate::ui::bridge::LoadEvent;

/// One file of a load.
#[derive(Clone, Debug, PartialEq)]
pub struct FileEntry {
    /// Where it is, as the engine last said.
    pub progress: FileProgress,
    /// What came of it, once done.
    pub result: Option<FileResult>,
}

/// Files loaded or loading.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Loads {
    /// In the order they came.
    pub files: Vec<FileEntry>,
    /// Grows whenever a file is done: what the engine holds has changed.
    pub version: u32,
    /// Batches still loading.
    pub busy: u32,
    /// The engine has read what this browser kept (or keeps nothing): until then the lists may
    /// still grow without a load.
    pub restored: bool,
    /// How following the `plume serve` that served the page goes, once it does.
    pub live: Option<LiveStatus>,
}

/// What changes [`Loads`].
pub enum LoadAction {
    /// A batch was handed to the engine.
    Started,
    /// The engine reported.
    Event(LoadEvent),
    /// Forget finished files.
    ClearFinished,
    /// Forget finished files that need no attention.
    ClearQuiet,
    /// What links and the host page brought is being kept.
    HeldKept,
}

impl Reducible for Loads {
    type Action = LoadAction;

    fn reduce(self: Rc<Self>, action: LoadAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            LoadAction::Started => next.busy += 1,
            LoadAction::ClearFinished => next.files.retain(|f| f.result.is_none()),
            LoadAction::ClearQuiet => next
                .files
                .retain(|f| f.result.as_ref().is_none_or(FileResult::needs_attention)),
            LoadAction::HeldKept => {
                for result in next.files.iter_mut().filter_map(|f| f.result.as_mut()) {
                    result.held = false;
                }
            }
            LoadAction::Event(event) => match event {
                LoadEvent::Progress(progress) => {
                    let (batch, file) = (progress.batch, progress.file);
                    let name = progress.name.clone();
                    next.entry(batch, file, &name).progress = progress;
                }
                LoadEvent::Loaded {
                    batch,
                    file,
                    result,
                } => {
                    let entry = next.entry(batch, file, &result.file);
                    entry.progress.spans = result.spans;
                    entry.result = Some(result);
                    next.version += 1;
                }
                LoadEvent::Stopped { message } => {
                    let stopped = |name: &str| {
                        FileResult::failed(
                            name,
                            &format!(
                                "Plume's engine stopped ({message}); reload the page (what was \
                                 kept in this browser is safe)"
                            ),
                        )
                    };
                    let mut waiting = 0;
                    for file in next.files.iter_mut().filter(|f| f.result.is_none()) {
                        file.result = Some(stopped(&file.progress.name));
                        waiting += 1;
                    }
                    // Files not reported on yet, or none at all: say it once.
                    if waiting == 0 || next.busy > 0 {
                        let entry = next.entry(u32::MAX, 0, "Plume");
                        entry.result = Some(stopped("Plume"));
                    }
                    next.busy = 0;
                    next.version += 1;
                }
                LoadEvent::Live(status) => {
                    // Spans shown: what the engine holds has changed.
                    if next.live.as_ref().map(|live| live.spans) != Some(status.spans) {
                        next.version += 1;
                    }
                    next.live = Some(status);
                }
                LoadEvent::Done { batch } => {
                    // Batch 0 is the worker's own (what the store kept), never started here.
                    match batch {
                        0 => next.restored = true,
                        _ => next.busy = next.busy.saturating_sub(1),
                    }
                    next.version += 1;
                }
            },
        }
        Rc::new(next)
    }
}

impl Loads {
    fn entry(&mut self, batch: u32, file: u32, name: &str) -> &mut FileEntry {
        let position = self
            .files
            .iter()
            .position(|f| f.progress.batch == batch && f.progress.file == file);
        let position = position.unwrap_or_else(|| {
            self.files.push(FileEntry {
                progress: FileProgress {
                    batch,
                    file,
                    name: name.to_owned(),
                    phase: "reading".into(),
                    bytes: 0.0,
                    total: 0.0,
                    spans: 0,
                },
                result: None,
            });
            self.files.len() - 1
        });
        &mut self.files[position]
    }
}
