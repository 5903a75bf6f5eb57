//! Servers connected to, read by the helper worker (`sources::job`): their projects, a page of
//! their traces, and traces opened whole — the files their answers are, which the engine reads
//! like dropped files (held until the user keeps them).

use std::cell::RefCell;
use std::rc::Rc;

use crate::engine::Engine;
use crate::engine::helper;
use crate::engine::protocol::{Response, SourceQuery};
use crate::sources::Connection;
use crate::sources::job::{self, Answer, Job};

/// The connection named `source`, or why there is none.
fn connection(engine: &Rc<RefCell<Engine>>, source: &str) -> Result<Connection, String> {
    (engine.borrow().connection(source).cloned())
        .ok_or_else(|| format!("no server is connected as “{source}”: connect it again"))
}

/// `job` run by a helper (unless cancelled: `ToWorker::Cancel`), its parts to `parts`.
async fn run(job: Job, parts: Option<helper::Parts>) -> Result<Answer, String> {
    let answer = helper::ask_cancellable(job::TAG, job::encode(&job), parts).await;
    job::read_answer(&answer.map_err(|why| format!("the server's question {why}"))?)
}

/// The projects (services) of the server connected to as `source`.
pub(super) async fn projects(engine: &Rc<RefCell<Engine>>, source: &str) -> Response {
    let asked = async {
        match run(Job::Projects(connection(engine, source)?), None).await? {
            Answer::Projects(projects) => Ok(Response::SourceProjects(projects)),
            _ => Err(ANOTHER.to_owned()),
        }
    };
    asked.await.unwrap_or_else(Response::Failed)
}

/// A page of the traces of the server connected to as `source`.
pub(super) async fn traces(
    engine: &Rc<RefCell<Engine>>,
    source: &str,
    query: &SourceQuery,
    cursor: Option<String>,
) -> Response {
    let asked = async {
        let job = Job::List {
            connection: connection(engine, source)?,
            search: query.search.clone(),
            limit: query.limit,
            cursor,
            now_nanos: js_sys::Date::now() as u64 * 1_000_000,
        };
        match run(job, None).await? {
            Answer::Listed(page) => Ok(Response::SourceTraces(Box::new(page))),
            _ => Err(ANOTHER.to_owned()),
        }
    };
    asked.await.unwrap_or_else(Response::Failed)
}

/// What a helper that answered another question is said to have done (a bug).
const ANOTHER: &str = "the helper answered another question";

/// Traces `ids` of `project`, whole, from the server connected to as `source`: the files its
/// answers are go to `parts` as they come (see [`job::read_part`]).
pub(super) async fn fetch(
    engine: &Rc<RefCell<Engine>>,
    source: &str,
    project: &str,
    ids: &[String],
    parts: helper::Parts,
) -> Result<(), String> {
    let job = Job::Fetch {
        connection: connection(engine, source)?,
        project: project.to_owned(),
        ids: ids.to_vec(),
    };
    match run(job, Some(parts)).await? {
        Answer::Fetched => Ok(()),
        _ => Err(ANOTHER.into()),
    }
}
