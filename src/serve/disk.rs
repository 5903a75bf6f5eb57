//! What `plume serve` received, kept on disk before it is acknowledged: OTLP protobuf bodies in
//! the Collector file exporter's framing (a 4-byte big-endian length, then the message), which
//! Plume reads back like any file, one file per signal at a time, a new one past a size.
//!
//! A body is written and synced before its sender hears 200, so what was acknowledged survives a
//! crash. A crash mid-write leaves a torn last frame, never acknowledged: opening the folder cuts
//! it off, and writing always goes on in a new file.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// What a file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    /// `ExportTraceServiceRequest` bodies.
    Traces,
    /// `ExportLogsServiceRequest` bodies.
    Logs,
}

impl Signal {
    fn prefix(self) -> &'static str {
        match self {
            Signal::Traces => "traces-",
            Signal::Logs => "logs-",
        }
    }
}

const SUFFIX: &str = ".otlp.pb";

/// The folder, and the file each signal is being written to.
pub struct Disk {
    dir: PathBuf,
    max_file: u64,
    next_number: u64,
    traces: Option<Segment>,
    logs: Option<Segment>,
}

struct Segment {
    file: File,
    len: u64,
}

impl Disk {
    /// Opens (or creates) `dir`: torn last frames are cut off, and new bodies go to new files
    /// numbered after the ones there, each up to about `max_file` bytes.
    pub fn open(dir: &Path, max_file: u64) -> io::Result<Self> {
        fs::create_dir_all(dir)?;
        let files = numbered(dir)?;
        // Only the file each signal was last written to can end torn: every earlier one was
        // whole when writing moved on from it (a new file, or a start that repaired it).
        for signal in [Signal::Traces, Signal::Logs] {
            let named = |path: &&PathBuf| {
                let name = path.file_name().and_then(|n| n.to_str());
                name.is_some_and(|name| name.starts_with(signal.prefix()))
            };
            if let Some(last) = files.iter().map(|(_, path)| path).rfind(named) {
                repair(last)?;
            }
        }
        let next_number = files.last().map_or(1, |(number, _)| number + 1);
        Ok(Self {
            dir: dir.to_owned(),
            max_file,
            next_number,
            traces: None,
            logs: None,
        })
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Every kept file, oldest first.
    pub fn files(&self) -> io::Result<Vec<PathBuf>> {
        Ok(numbered(&self.dir)?
            .into_iter()
            .map(|(_, path)| path)
            .collect())
    }

    /// Keeps one body: written and synced when this returns.
    pub fn append(&mut self, signal: Signal, body: &[u8]) -> io::Result<()> {
        let len = u32::try_from(body.len())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "a body past 4 GiB"))?;
        let full = self.segment(signal).is_some_and(|segment| {
            segment.len > 0 && segment.len + 4 + u64::from(len) > self.max_file
        });
        if full || self.segment(signal).is_none() {
            let path = self.dir.join(format!(
                "{}{:08}{SUFFIX}",
                signal.prefix(),
                self.next_number
            ));
            self.next_number += 1;
            let file = OpenOptions::new()
                .create_new(true)
                .append(true)
                .open(path)?;
            *self.slot(signal) = Some(Segment { file, len: 0 });
        }
        let Some(segment) = self.slot(signal).as_mut() else {
            return Err(io::Error::other("no file to write to"));
        };
        let mut frame = Vec::with_capacity(4 + body.len());
        frame.extend_from_slice(&len.to_be_bytes());
        frame.extend_from_slice(body);
        segment.file.write_all(&frame)?;
        segment.file.sync_data()?;
        segment.len += frame.len() as u64;
        Ok(())
    }

    fn segment(&self, signal: Signal) -> Option<&Segment> {
        match signal {
            Signal::Traces => self.traces.as_ref(),
            Signal::Logs => self.logs.as_ref(),
        }
    }

    fn slot(&mut self, signal: Signal) -> &mut Option<Segment> {
        match signal {
            Signal::Traces => &mut self.traces,
            Signal::Logs => &mut self.logs,
        }
    }
}

/// The kept files of `dir`, oldest first, with their sizes: what a page is offered.
pub fn kept(dir: &Path) -> io::Result<Vec<(String, u64)>> {
    let mut files = Vec::new();
    for (_, path) in numbered(dir)? {
        let size = fs::metadata(&path)?.len();
        if let Some(name) = path.file_name().and_then(|n| n.to_str()) {
            files.push((name.to_owned(), size));
        }
    }
    Ok(files)
}

/// The whole frames of the kept file `name` of `dir` from byte `from` on (where a frame starts:
/// the end of an earlier read); a frame still being written is left for a later read. `None`
/// when `name` is not one of its kept files.
pub fn read_kept(dir: &Path, name: &str, from: u64) -> io::Result<Option<Vec<u8>>> {
    let Some((_, path)) = numbered(dir)?
        .into_iter()
        .find(|(_, path)| path.file_name().and_then(|n| n.to_str()) == Some(name))
    else {
        return Ok(None);
    };
    let mut file = File::open(path)?;
    file.seek(SeekFrom::Start(from))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    bytes.truncate(whole_frames(&bytes));
    Ok(Some(bytes))
}

/// How many bytes of `bytes` are whole frames.
fn whole_frames(bytes: &[u8]) -> usize {
    let mut whole = 0;
    while let Some(head) = bytes.get(whole..whole + 4) {
        let len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
        match len
            .checked_add(4)
            .and_then(|frame| whole.checked_add(frame))
        {
            Some(end) if end <= bytes.len() => whole = end,
            _ => break,
        }
    }
    whole
}

/// The folder's kept files with their numbers, in order.
fn numbered(dir: &Path) -> io::Result<Vec<(u64, PathBuf)>> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let number = [Signal::Traces, Signal::Logs].iter().find_map(|signal| {
            name.strip_prefix(signal.prefix())?
                .strip_suffix(SUFFIX)?
                .parse::<u64>()
                .ok()
        });
        if let Some(number) = number {
            files.push((number, path));
        }
    }
    files.sort();
    Ok(files)
}

/// Cuts a torn last frame off a file (a crash while it was written: never acknowledged).
fn repair(path: &Path) -> io::Result<()> {
    let size = fs::metadata(path)?.len();
    let whole = whole_frames(&fs::read(path)?) as u64;
    if whole < size {
        let file = OpenOptions::new().write(true).open(path)?;
        file.set_len(whole)?;
        file.sync_all()?;
    }
    Ok(())
}
