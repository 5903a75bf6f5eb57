//! `plume`: the core of the Plume trace viewer on the command line.
//!
//! ```text
//! plume inspect [--json] [--llm] [--filter EXPR] [--prices FILE] FILE...
//!                                                what the files hold (or the spans matching)
//! plume convert FILE... [--filter EXPR] --to FORMAT -o OUT
//!                                                rewrite them as OTLP (or Phoenix span JSONL)
//! plume generate --spans N --to FORMAT -o OUT    make realistic agent traces (for benchmarks)
//! ```
//!
//! Exit status: 0 when every input was read completely, 1 when any input (or part of one) could
//! not be read — the readable rest is still counted and converted — and 2 for usage errors.

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::main()
}

// The crate's bins are also built for the browser (`cargo clippy --target wasm32-unknown-unknown
// --bins`), where a command line has no place.
#[cfg(target_arch = "wasm32")]
fn main() {}

/// The command line, natively only.
#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use std::io::Write as _;
    use std::process::ExitCode;

    use plume::analysis::filter::Filter;
    use plume::analysis::{Overview, Traces};
    use plume::export::{self, Target};
    use plume::ingest::{self, FileReport, IngestError};
    use plume::model::{Arena, EvalTarget, OiKind, TokenKind, Usage};
    use plume::semantics::{Meaning, PriceFile, Prices, call_cost, describe};
    use serde_json::{Value as Json, json};

    const USAGE: &str = "\
usage: plume inspect [--json] [--llm] [--filter EXPR] [--prices FILE] FILE...
       plume convert FILE... [--filter EXPR] --to otlp-json|otlp-proto|jsonl|phoenix-jsonl -o OUT
       plume generate --spans N [--traces T] [--seed S] [--convention openinference|genai]
                      --to otlp-proto|otlp-json -o OUT

inspect   prints, per file and in total, the format detected and the spans, traces, projects,
          sessions, roots, missing parents, duplicates and errors found (--json: one JSON object)
          with tokens and cost (recorded, else estimated from the price table)
--llm     with --json: every LLM call as one convention-free record (model, provider,
          messages with tool calls, tokens, cost)
--prices  a price file (the built-in table's shape) consulted before the built-in one
--filter  only the spans a Phoenix span filter matches, e.g. \"span_kind == 'LLM'\": inspect
          counts them (and --json lists their ids), convert writes them
convert   writes every span of the files, deduplicated, as spec-correct OTLP/JSON, OTLP protobuf,
          OTLP JSON Lines (one trace per line) or Phoenix span JSONL; OUT '-' is stdout
generate  writes N spans of agent traces (agents, steps, LLM calls, tools, retrievers,
          sub-agents) spread over T traces (default 1), for benchmarks, in OpenInference
          (default) or the OpenTelemetry GenAI conventions

exit status: 0 all inputs read, 1 some input (or part of one) could not be read, 2 usage error";

    pub fn main() -> ExitCode {
        let args: Vec<String> = std::env::args().skip(1).collect();
        match run(&args) {
            Ok(code) => code,
            Err(Failure::Usage(message)) => {
                eprintln!("plume: {message}\n\n{USAGE}");
                ExitCode::from(2)
            }
            // The reader went away (`plume inspect … | head`): nothing more to say.
            Err(Failure::Output { error, .. })
                if error.kind() == std::io::ErrorKind::BrokenPipe =>
            {
                ExitCode::SUCCESS
            }
            Err(Failure::Output { target, error }) => {
                eprintln!("plume: cannot write {target}: {error}");
                ExitCode::from(1)
            }
        }
    }

    /// Why a command stopped early.
    enum Failure {
        /// Wrong arguments.
        Usage(String),
        /// The output could not be written.
        Output {
            /// What was being written.
            target: String,
            error: std::io::Error,
        },
    }

    fn output_error(target: &str) -> impl FnOnce(std::io::Error) -> Failure + '_ {
        move |error| Failure::Output {
            target: target.to_owned(),
            error,
        }
    }

    fn run(args: &[String]) -> Result<ExitCode, Failure> {
        match args.first().map(String::as_str) {
            Some("inspect") => inspect(&args[1..]),
            Some("convert") => convert(&args[1..]),
            Some("generate") => generate(&args[1..]),
            Some("-h" | "--help" | "help") => {
                println!("{USAGE}");
                Ok(ExitCode::SUCCESS)
            }
            Some("-V" | "--version") => {
                println!("plume {}", env!("CARGO_PKG_VERSION"));
                Ok(ExitCode::SUCCESS)
            }
            Some(other) => Err(Failure::Usage(format!("unknown command {other:?}"))),
            None => Err(Failure::Usage("a command is needed".into())),
        }
    }

    /// Reads every file into one arena (a file that cannot be opened is an input error, not a
    /// usage error) and assembles the traces.
    fn load_all(files: &[String]) -> (Arena, Traces, Vec<FileReport>) {
        let mut arena = Arena::default();
        let mut reports = Vec::new();
        for file in files {
            let report = match std::fs::read(file) {
                Ok(bytes) => ingest::load(&mut arena, file, &bytes),
                Err(error) => FileReport {
                    file: file.clone(),
                    format: None,
                    compression: Vec::new(),
                    spans: 0,
                    evaluations: 0,
                    logs: 0,
                    prices: None,
                    errors: vec![IngestError {
                        file: file.clone(),
                        place: ingest::Place::file(),
                        problem: ingest::Problem::Invalid(format!("cannot read the file: {error}")),
                    }],
                    warnings: Vec::new(),
                },
            };
            reports.push(report);
        }
        let traces = Traces::assemble(&arena);
        (arena, traces, reports)
    }

    fn exit_for(reports: &[FileReport]) -> ExitCode {
        if reports.iter().all(FileReport::is_ok) {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        }
    }

    fn inspect(args: &[String]) -> Result<ExitCode, Failure> {
        let mut as_json = false;
        let mut llm = false;
        let mut filter = None;
        let mut prices = Prices::builtin();
        let mut files = Vec::new();
        let mut iter = args.iter();
        while let Some(arg) = iter.next() {
            match arg.as_str() {
                "--json" => as_json = true,
                "--llm" => llm = true,
                "--filter" => filter = Some(filter_arg(iter.next())?),
                "--prices" => prices.add(prices_arg(iter.next())?),
                flag if flag.starts_with("--") => {
                    return Err(Failure::Usage(format!("unknown option {flag}")));
                }
                file => files.push(file.to_owned()),
            }
        }
        if files.is_empty() {
            return Err(Failure::Usage("inspect needs at least one FILE".into()));
        }
        if llm && !as_json {
            return Err(Failure::Usage("--llm goes with --json".into()));
        }
        let (arena, traces, reports) = load_all(&files);
        // A price table given as a file is used as `--prices` would be.
        for table in reports.iter().filter_map(|r| r.prices.clone()) {
            prices.add(table);
        }
        let (counted, matched_ids) = match &filter {
            Some(filter) => {
                let matched = filter.matching_spans(&arena, &traces, &prices);
                let ids: Vec<String> = matched
                    .iter()
                    .map(|&i| arena.spans()[i as usize].span_id.to_string())
                    .collect();
                (Counted::of_matching(&arena, &matched), Some(ids))
            }
            None => (Counted::of_all(arena, traces), None),
        };
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        let written = if as_json {
            let mut report = inspect_json(&counted, &reports, &prices);
            if let Some(ids) = matched_ids {
                report["matched_span_ids"] = json!(ids);
            }
            if llm {
                report["llm_spans"] = json!(llm_spans(&counted, &prices));
            }
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&report).unwrap_or_default()
            )
        } else {
            write_inspect_text(&mut out, &counted, &reports, &prices)
        };
        written.map_err(output_error("the output"))?;
        Ok(exit_for(&reports))
    }

    /// `--filter`'s expression, read (a bad one is a usage error that shows where it went wrong).
    fn filter_arg(expression: Option<&String>) -> Result<Filter, Failure> {
        let expression =
            expression.ok_or_else(|| Failure::Usage("--filter needs an expression".into()))?;
        Filter::parse(expression).map_err(|error| {
            Failure::Usage(format!(
                "bad filter {expression:?} {error}\n  {expression}\n  {}^",
                " ".repeat(error.position)
            ))
        })
    }

    /// `--prices`' file, read (a file that does not read is a usage error that says why).
    fn prices_arg(path: Option<&String>) -> Result<PriceFile, Failure> {
        let path = path.ok_or_else(|| Failure::Usage("--prices needs a file".into()))?;
        let text = std::fs::read_to_string(path)
            .map_err(|error| Failure::Usage(format!("cannot read {path}: {error}")))?;
        PriceFile::parse(&text).map_err(|error| Failure::Usage(format!("{path}: {error}")))
    }

    /// What inspect counts: every span loaded, or only those a filter matched.
    struct Counted {
        arena: Arena,
        traces: Traces,
        overview: Overview,
        evaluations: usize,
    }

    impl Counted {
        fn of_all(arena: Arena, traces: Traces) -> Self {
            Self {
                overview: traces.overview(),
                evaluations: arena.evaluations().len(),
                arena,
                traces,
            }
        }

        /// Tokens and cost of the counted calls of every trace (`analysis::mark_sums`).
        /// The matched spans on their own, assembled again: a span whose parent did not match
        /// counts as a root with a missing parent. Evaluations count when about a matched span.
        fn of_matching(arena: &Arena, matched: &[u32]) -> Self {
            let mut subset = Arena::default();
            let bytes = export::encode(arena, matched, Target::OtlpProto);
            ingest::load(&mut subset, "matched", &bytes);
            let logs: Vec<_> = matched
                .iter()
                .flat_map(|&i| arena.logs_of_span(&arena.spans()[i as usize]))
                .collect();
            if !logs.is_empty() {
                let bytes = export::encode_logs_proto(arena, &logs);
                ingest::load(&mut subset, "matched logs", &bytes);
            }
            let spans: hashbrown::HashSet<_> = matched
                .iter()
                .map(|&i| arena.spans()[i as usize].span_id)
                .collect();
            let evaluations = arena
                .evaluations()
                .iter()
                .filter(|e| match e.target {
                    EvalTarget::Span(id) | EvalTarget::Document(id, _) => spans.contains(&id),
                    EvalTarget::Trace(_) => false,
                })
                .count();
            let traces = Traces::assemble(&subset);
            Self {
                overview: traces.overview(),
                evaluations,
                arena: subset,
                traces,
            }
        }
    }

    fn problem_json(error: &IngestError) -> Json {
        let place = &error.place;
        json!({
            "file": error.file,
            "line": place.line,
            "column": place.column,
            "byte_offset": place.byte_offset,
            "json_path": place.json_path,
            "parquet_column": place.column_name,
            "row": place.row,
            "message": error.problem.to_string(),
            "text": error.to_string(),
        })
    }

    /// Token counts as `{input, output, total, cached_input, reasoning, …}`: every kind, `null`
    /// where none was recorded.
    fn tokens_json(usage: &Usage) -> Json {
        let mut object = serde_json::Map::new();
        for kind in TokenKind::ALL {
            object.insert(kind.name().to_owned(), json!(usage.reported(kind)));
        }
        Json::Object(object)
    }

    /// A conversation as `[{role, content, tool_calls: [{id, name, arguments}]}]`: `content` the
    /// text parts joined, `arguments` parsed when they are JSON.
    fn messages_json(messages: &[plume::semantics::meaning::Message]) -> Json {
        messages
            .iter()
            .map(|m| {
                let calls: Vec<Json> = m
                    .tool_calls()
                    .map(|(id, name, arguments)| {
                        // Unrecorded arguments are null; text that is not JSON stays text.
                        let parsed = match arguments {
                            "" => Json::Null,
                            text => serde_json::from_str(text)
                                .unwrap_or_else(|_| Json::String(text.into())),
                        };
                        json!({"id": id, "name": name, "arguments": parsed})
                    })
                    .collect();
                json!({
                    "role": m.role,
                    "content": m.content(),
                    "tool_calls": calls,
                    "tool_call_id": m.tool_call_id,
                    "finish_reason": m.finish_reason,
                })
            })
            .collect()
    }

    /// Every span whose kind is LLM, convention-free (`--llm`).
    fn llm_spans(counted: &Counted, prices: &Prices) -> Vec<Json> {
        let arena = &counted.arena;
        let mut out = Vec::new();
        for trace in counted.traces.all() {
            for &index in &trace.tree.span {
                let span = &arena.spans()[index as usize];
                if span.oi_kind != OiKind::Llm {
                    continue;
                }
                let meaning: Meaning = describe(arena, span);
                let cost = arena
                    .call(span)
                    .and_then(|call| call_cost(arena, call, span.start_unix_nanos, prices));
                let system: Vec<String> = meaning
                    .system
                    .iter()
                    .filter_map(|part| match part {
                        plume::semantics::meaning::Part::Text { text } => Some(text.clone()),
                        _ => None,
                    })
                    .collect();
                out.push(json!({
                    "span_id": span.span_id.to_string(),
                    "trace_id": span.trace_id.to_string(),
                    "name": arena.str(span.name),
                    "dialect": meaning.dialect.name(),
                    "operation": meaning.operation,
                    "model": meaning.response_model.clone().or(meaning.request_model.clone()),
                    "request_model": meaning.request_model,
                    "response_model": meaning.response_model,
                    "provider": meaning.provider,
                    "system_instructions": (!system.is_empty()).then(|| system.join("\n\n")),
                    "input_messages": messages_json(&meaning.input),
                    "output_messages": messages_json(&meaning.output),
                    "tools": meaning.tools.iter().map(|t| t.name.clone()).collect::<Vec<_>>(),
                    "finish_reasons": meaning.finish_reasons,
                    "tokens": tokens_json(&meaning.usage),
                    "cost_usd": cost.map(|c| c.usd.dollars()),
                    "cost_source": cost.map(|c| c.source.name()),
                }));
            }
        }
        out
    }

    fn inspect_json(counted: &Counted, reports: &[FileReport], prices: &Prices) -> Json {
        let (arena, overview) = (&counted.arena, &counted.overview);
        let (usage, cost) = counted.traces.llm_totals(&counted.arena, prices);
        let files: Vec<Json> = reports
            .iter()
            .map(|report| {
                json!({
                    "file": report.file,
                    "format": report.format.map(|f| f.name()),
                    "compression": report.compression.iter().map(|c| c.name()).collect::<Vec<_>>(),
                    "spans": report.spans,
                    "evaluations": report.evaluations,
                    "logs": report.logs,
                    "ok": report.is_ok(),
                    "errors": report.errors.iter().map(problem_json).collect::<Vec<_>>(),
                    "warnings": report.warnings.iter().map(problem_json).collect::<Vec<_>>(),
                })
            })
            .collect();
        let errors: Vec<Json> = reports
            .iter()
            .flat_map(|r| &r.errors)
            .map(problem_json)
            .collect();
        let warnings: Vec<Json> = reports
            .iter()
            .flat_map(|r| &r.warnings)
            .map(problem_json)
            .collect();
        json!({
            "spans": overview.spans,
            "traces": overview.traces,
            "projects": overview.projects.len(),
            "project_names": overview.projects.iter().map(|p| arena.str(p.name)).collect::<Vec<_>>(),
            "sessions": overview.sessions,
            "evaluations": counted.evaluations,
            "error_spans": overview.error_spans,
            "roots": overview.roots,
            "missing_parents": overview.missing_parents,
            "duplicates": overview.duplicates,
            "cycles": overview.cycles,
            "clock_skew": overview.outside_parent,
            "logs": counted.traces.attach(arena, arena.logs()),
            "tokens": tokens_json(&usage),
            "cost_usd": cost.is_priced().then(|| cost.usd.dollars()),
            "cost_calls": {
                "recorded": cost.recorded_calls,
                "estimated": cost.estimated_calls,
                "unpriced": cost.unpriced_calls,
            },
            "errors": errors,
            "warnings": warnings,
            "files": files,
        })
    }

    fn plural(n: u64, one: &str, many: &str) -> String {
        format!("{n} {}", if n == 1 { one } else { many })
    }

    fn write_inspect_text(
        out: &mut impl std::io::Write,
        counted: &Counted,
        reports: &[FileReport],
        prices: &Prices,
    ) -> std::io::Result<()> {
        let (arena, overview) = (&counted.arena, &counted.overview);
        for report in reports {
            let format = report.format.map_or("unreadable", |f| f.name());
            let compression: String = report
                .compression
                .iter()
                .map(|c| format!("{}, ", c.name()))
                .collect();
            let mut line = format!(
                "{}: {compression}{format}, {}",
                report.file,
                plural(report.spans as u64, "span", "spans")
            );
            if report.evaluations > 0 {
                line.push_str(&format!(
                    ", {}",
                    plural(report.evaluations as u64, "evaluation", "evaluations")
                ));
            }
            if report.logs > 0 {
                line.push_str(&format!(
                    ", {}",
                    plural(report.logs as u64, "log record", "log records")
                ));
            }
            if !report.errors.is_empty() {
                line.push_str(&format!(
                    ", {}",
                    plural(report.errors.len() as u64, "error", "errors")
                ));
            }
            writeln!(out, "{line}")?;
        }
        let projects: Vec<String> = overview
            .projects
            .iter()
            .map(|p| {
                format!(
                    "{} ({} traces, {} spans)",
                    arena.str(p.name),
                    p.traces,
                    p.spans
                )
            })
            .collect();
        let projects = match projects.is_empty() {
            true => String::new(),
            false => format!(": {}", projects.join(", ")),
        };
        writeln!(
            out,
            "total: {} in {}; {}{projects}; {}",
            plural(overview.spans, "span", "spans"),
            plural(overview.traces, "trace", "traces"),
            plural(overview.projects.len() as u64, "project", "projects"),
            plural(overview.sessions, "session", "sessions"),
        )?;
        writeln!(
            out,
            "       {}, {}, {}, {}, {} outside their parent, {}",
            plural(overview.roots, "root", "roots"),
            plural(
                overview.missing_parents,
                "missing parent",
                "missing parents"
            ),
            plural(overview.duplicates, "duplicate", "duplicates"),
            plural(overview.cycles, "parent loop", "parent loops"),
            plural(overview.outside_parent, "span", "spans"),
            plural(overview.error_spans, "error span", "error spans"),
        )?;
        let (usage, cost) = counted.traces.llm_totals(&counted.arena, prices);
        if let Some(total) = usage.total() {
            let mut line = format!(
                "       {} tokens ({} in, {} out)",
                total,
                usage.count(TokenKind::Input),
                usage.count(TokenKind::Output)
            );
            if cost.is_priced() {
                line.push_str(&format!(", ${:.6}", cost.usd.dollars()));
            }
            if cost.unpriced_calls > 0 {
                line.push_str(&format!(
                    ", {} without a price",
                    plural(u64::from(cost.unpriced_calls), "call", "calls")
                ));
            }
            writeln!(out, "{line}")?;
        }
        for report in reports {
            for error in &report.errors {
                writeln!(out, "error: {error}")?;
            }
            for warning in &report.warnings {
                writeln!(out, "warning: {warning}")?;
            }
        }
        Ok(())
    }

    fn convert(args: &[String]) -> Result<ExitCode, Failure> {
        let mut target = None;
        let mut output = None;
        let mut filter = None;
        let mut files = Vec::new();
        let mut iter = args.iter();
        while let Some(arg) = iter.next() {
            match arg.as_str() {
                "--to" => {
                    let name = iter
                        .next()
                        .ok_or_else(|| Failure::Usage("--to needs a format".into()))?;
                    target = Some(
                        Target::from_name(name)
                            .ok_or_else(|| Failure::Usage(format!("unknown format {name:?}")))?,
                    );
                }
                "--filter" => filter = Some(filter_arg(iter.next())?),
                "-o" | "--output" => {
                    output = Some(
                        iter.next()
                            .ok_or_else(|| Failure::Usage("-o needs a path".into()))?
                            .clone(),
                    );
                }
                flag if flag.starts_with('-') && flag != "-" => {
                    return Err(Failure::Usage(format!("unknown option {flag}")));
                }
                file => files.push(file.to_owned()),
            }
        }
        let target = target.ok_or_else(|| Failure::Usage("convert needs --to".into()))?;
        let output = output.ok_or_else(|| Failure::Usage("convert needs -o OUT".into()))?;
        if files.is_empty() {
            return Err(Failure::Usage("convert needs at least one FILE".into()));
        }
        let (arena, traces, reports) = load_all(&files);
        // Every kept span (or every matching one), trace by trace in tree order: duplicates are
        // written once.
        let spans: Vec<u32> = match &filter {
            Some(filter) => filter.matching_spans(&arena, &traces, &Prices::builtin()),
            None => traces
                .all()
                .iter()
                .flat_map(|t| t.tree.span.iter().copied())
                .collect(),
        };
        let trace_count = spans
            .iter()
            .map(|&i| arena.spans()[i as usize].trace_id)
            .collect::<hashbrown::HashSet<_>>()
            .len();
        let bytes = export::encode(&arena, &spans, target);
        let written = if output == "-" {
            std::io::stdout().lock().write_all(&bytes)
        } else {
            std::fs::write(&output, &bytes)
        };
        written.map_err(output_error(&output))?;
        for error in reports.iter().flat_map(|r| &r.errors) {
            eprintln!("error: {error}");
        }
        eprintln!(
            "{}: {} in {}",
            output,
            plural(spans.len() as u64, "span", "spans"),
            plural(trace_count as u64, "trace", "traces")
        );
        Ok(exit_for(&reports))
    }

    fn generate(args: &[String]) -> Result<ExitCode, Failure> {
        let mut shape = plume::generate::Shape {
            spans: 0,
            ..Default::default()
        };
        let mut json = None;
        let mut output = None;
        let mut iter = args.iter();
        let number = |value: Option<&String>, flag: &str| -> Result<u64, Failure> {
            value
                .and_then(|v| v.replace('_', "").parse().ok())
                .ok_or_else(|| Failure::Usage(format!("{flag} needs a number")))
        };
        while let Some(arg) = iter.next() {
            match arg.as_str() {
                "--spans" => shape.spans = number(iter.next(), "--spans")? as usize,
                "--traces" => shape.traces = number(iter.next(), "--traces")? as usize,
                "--seed" => shape.seed = number(iter.next(), "--seed")?,
                "--convention" => {
                    shape.convention = match iter.next().map(String::as_str) {
                        Some("openinference") => plume::generate::Convention::OpenInference,
                        Some("genai") => plume::generate::Convention::GenAi,
                        other => {
                            return Err(Failure::Usage(format!(
                                "--convention is openinference or genai, not {other:?}"
                            )));
                        }
                    };
                }
                "--to" => {
                    json = Some(match iter.next().map(String::as_str) {
                        Some("otlp-proto") => false,
                        Some("otlp-json") => true,
                        other => {
                            return Err(Failure::Usage(format!(
                                "generate writes otlp-proto or otlp-json, not {other:?}"
                            )));
                        }
                    });
                }
                "-o" | "--output" => output = iter.next().cloned(),
                other => return Err(Failure::Usage(format!("unknown argument {other:?}"))),
            }
        }
        if shape.spans == 0 {
            return Err(Failure::Usage("generate needs --spans N (N > 0)".into()));
        }
        let json = json.ok_or_else(|| Failure::Usage("generate needs --to".into()))?;
        let output = output.ok_or_else(|| Failure::Usage("generate needs -o OUT".into()))?;
        let file = std::fs::File::create(&output).map_err(output_error(&output))?;
        let mut out = std::io::BufWriter::new(file);
        let written = if json {
            plume::generate::write_json(shape, &mut out)
        } else {
            plume::generate::write_proto(shape, &mut out)
        };
        written
            .and_then(|()| out.flush())
            .map_err(output_error(&output))?;
        Ok(ExitCode::SUCCESS)
    }
}
