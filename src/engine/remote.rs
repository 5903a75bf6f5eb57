//! Servers connected to, read by the helper worker (`sources::job`): their projects, a page of
//! their traces, and traces opened whole — the files their answers are, which the engine reads
//! like dropped files (held until the user keeps them).

use std::cell::RefCell;
use std::rc::Rc;

use crate::engine::Engine;
use crate::engine::helper;
use crate::engine::protocol::{Response, SourceQuery, SourceTraces};
use crate::sources::Connection;
use crate::sources::job::{self, Answer, Job};
use crate::sources::phoenix::TraceQuery;

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
    let answer = match connection(engine, source) {
        Ok(connection) => run(Job::Projects(connection), None).await,
        Err(problem) => Err(problem),
    };
    match answer {
        Ok(Answer::Projects(projects)) => Response::SourceProjects(projects),
        Ok(_) => Response::Failed("the helper answered another question".into()),
        Err(problem) => Response::Failed(problem),
    }
}

/// A page of the traces of the server connected to as `source`.
pub(super) async fn traces(
    engine: &Rc<RefCell<Engine>>,
    source: &str,
    query: &SourceQuery,
    cursor: Option<String>,
) -> Response {
    let answer = match connection(engine, source) {
        Ok(connection) => {
            run(
                Job::List {
                    connection,
                    query: TraceQuery {
                        project: query.project.clone(),
                        filter: Some(query.filter.clone()),
                        since: query.since.clone(),
                    },
                    limit: query.limit,
                    cursor,
                    now_nanos: js_sys::Date::now() as u64 * 1_000_000,
                },
                None,
            )
            .await
        }
        Err(problem) => Err(problem),
    };
    match answer {
        Ok(Answer::Listed(traces, next)) => {
            Response::SourceTraces(Box::new(SourceTraces { traces, next }))
        }
        Ok(_) => Response::Failed("the helper answered another question".into()),
        Err(problem) => Response::Failed(problem),
    }
}

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
        _ => Err("the helper answered another question".into()),
    }
}
