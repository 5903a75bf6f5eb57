//! Reading a server as a job for the helper worker: the clients of `sources` (their answers'
//! readers, the order of their requests) are not in the engine an embedding page downloads. The
//! engine hands the helper a [`Job`] naming the connection and what to ask; the helper asks with
//! the browser's `fetch` (`sources::browser`) and answers with the projects, a page of traces,
//! or the files a trace's answers are, which the engine reads as dropped files.
//!
//! Job and answer travel as postcard bytes between two workers of one build; the answer is read
//! as untrusted all the same (postcard's reader fails, never panics, on bad bytes).

use serde::{Deserialize, Serialize};

use crate::analysis::Traces;
use crate::ingest;
use crate::model::Arena;
use crate::sources::client::{self, File, Http};
use crate::sources::{Connection, RemoteTrace, Search, TracesPage};

/// The tag that asks the helper to read a server.
pub const TAG: u8 = 201;

/// What to ask a server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Job {
    /// Its projects (services).
    Projects(Connection),
    /// A page of a project's traces.
    List {
        /// The server.
        connection: Connection,
        /// Which traces.
        search: Search,
        /// At most this many.
        limit: u32,
        /// From the page this cursor starts, else the first.
        cursor: Option<String>,
        /// Now (ns since the epoch): where a time range that starts at `search.since` ends.
        now_nanos: u64,
    },
    /// Some traces of a project, whole.
    Fetch {
        /// The server.
        connection: Connection,
        /// The project (Phoenix asks for it).
        project: String,
        /// Their ids (hex).
        ids: Vec<String>,
    },
}

/// What a server answered a [`Job`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Answer {
    /// Its projects.
    Projects(Vec<String>),
    /// A page of traces.
    Listed(TracesPage),
    /// The traces were fetched: each answer was handed on as a part ([`encode_part`]) as it
    /// came, so that the first rows show while the rest is asked for.
    Fetched,
}

/// Runs `job`, asking through `ask`, the server's client made from the job's connection; the
/// files a fetch's answers are go to `part` as they come.
pub async fn run<H: Http>(
    job: Job,
    ask: impl Fn(Connection) -> H,
    part: &mut dyn FnMut(File),
) -> Result<Answer, String> {
    match job {
        Job::Projects(connection) => client::projects(&ask(connection))
            .await
            .map(Answer::Projects),
        Job::List {
            connection,
            search,
            limit,
            cursor,
            now_nanos,
        } => {
            let http = ask(connection);
            let listed = client::list(&http, &search, limit as usize, cursor.as_deref(), now_nanos);
            let listed = listed.await?;
            let traces = match listed.files.is_empty() {
                true => listed.traces,
                // Jaeger's and Zipkin's searches answer with whole traces: they are described
                // here, and fetched again by id when opened.
                false => described(&listed.files)?,
            };
            Ok(Answer::Listed(TracesPage {
                traces,
                next: listed.next,
                operations: listed.operations,
            }))
        }
        Job::Fetch {
            connection,
            project,
            ids,
        } => {
            let http = ask(connection);
            client::traces(&http, &project, &ids, part).await?;
            Ok(Answer::Fetched)
        }
    }
}

/// The traces whole files hold, as a server's list would describe them, newest first.
pub fn described(files: &[File]) -> Result<Vec<RemoteTrace>, String> {
    let mut arena = Arena::default();
    for file in files {
        // In the browser this runs in the helper, whose readers `ingest::load` leaves to it.
        let report = ingest::load_here(&mut arena, &file.name, file.bytes.clone());
        // What reads is listed; an answer of which nothing reads says why.
        if let (0, Some(error)) = (report.spans, report.errors.first()) {
            return Err(error.to_string());
        }
    }
    let traces = Traces::assemble(&arena);
    let mut described: Vec<RemoteTrace> = (traces.all().iter())
        .map(|trace| {
            let summary = &trace.summary;
            RemoteTrace {
                id: summary.trace_id.to_string(),
                name: Some(arena.str(summary.name).to_owned()),
                start_ns: Some(summary.start_unix_nanos),
                duration_ns: Some(summary.duration_nanos()),
                tokens: summary.usage.total(),
            }
        })
        .collect();
    described.sort_by_key(|trace| std::cmp::Reverse(trace.start_ns));
    Ok(described)
}

/// A job as the bytes the helper reads.
pub fn encode(job: &Job) -> Vec<u8> {
    postcard::to_allocvec(job).unwrap_or_default()
}

/// The helper's side: the job `bytes` hold, as a job to run, or why it does not read.
pub fn read_job(bytes: &[u8]) -> Result<Job, String> {
    postcard::from_bytes(bytes).map_err(|error| format!("the server job does not read: {error}"))
}

/// The helper's answer as bytes.
pub fn encode_answer(answer: &Result<Answer, String>) -> Vec<u8> {
    postcard::to_allocvec(answer).unwrap_or_default()
}

/// A file of a fetch, as the helper hands it on before its answer.
pub fn encode_part(file: &File) -> Vec<u8> {
    postcard::to_allocvec(file).unwrap_or_default()
}

/// The engine's side: a part read.
pub fn read_part(bytes: &[u8]) -> Result<File, String> {
    postcard::from_bytes(bytes).map_err(|error| format!("the helper's part does not read: {error}"))
}

/// The engine's side: the helper's answer read.
pub fn read_answer(bytes: &[u8]) -> Result<Answer, String> {
    postcard::from_bytes::<Result<Answer, String>>(bytes)
        .map_err(|error| format!("the helper's answer does not read: {error}"))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_traces_are_described_newest_first_and_answers_travel() {
        let file = |name: &str, trace: &str, start: u64| {
            File {
            name: name.into(),
            bytes: format!(
                r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{{"traceId":"{trace}","spanId":"b7ad6b7169203331","name":"root {name}","startTimeUnixNano":"{start}","endTimeUnixNano":"{}"}}]}}]}}]}}"#,
                start + 5
            )
            .into_bytes(),
        }
        };
        let files = [
            file("a", "0af7651916cd43dd8448eb211c80319c", 10),
            file("b", "1af7651916cd43dd8448eb211c80319c", 20),
        ];
        let traces = described(&files).expect("read");
        let names: Vec<_> = traces
            .iter()
            .map(|t| t.name.clone().unwrap_or_default())
            .collect();
        assert_eq!(names, ["root b", "root a"]);
        assert_eq!(traces[0].duration_ns, Some(5));
        let page = TracesPage {
            traces,
            next: Some("c".into()),
            operations: vec!["GET /".into()],
        };
        let answer = Ok(Answer::Listed(page.clone()));
        assert_eq!(
            read_answer(&encode_answer(&answer)),
            Ok(Answer::Listed(page))
        );
        let refused: Result<Answer, String> = Err("HTTP 401".into());
        assert_eq!(
            read_answer(&encode_answer(&refused)),
            Err("HTTP 401".into())
        );
        assert!(read_answer(&[7, 7, 7]).is_err());
        assert_eq!(read_part(&encode_part(&files[0])), Ok(files[0].clone()));
        assert!(read_part(&[200]).is_err());
        assert!(read_job(b"x").is_err());
        let bad = [File {
            name: "c".into(),
            bytes: b"{not json".to_vec(),
        }];
        assert!(described(&bad).is_err());
    }
}
