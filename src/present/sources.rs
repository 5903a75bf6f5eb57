//! Servers connected to, as the page shows and edits them: the *Connect…* form read into a
//! [`Connection`], the list they are kept in, and what each kind of server is asked by.

use crate::sources::{Connection, Server, ServerKind};

/// Traces listed per page.
pub const PAGE: u32 = 50;

/// What the *Connect…* form holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectForm {
    /// A kind of server, by its [`ServerKind::scheme`].
    pub kind: String,
    /// The server's base URL.
    pub url: String,
    /// What to call it (empty: its host).
    pub name: String,
    /// Its API key, if it asks for one.
    pub key: String,
    /// Keep the key in this browser.
    pub remember: bool,
}

impl Default for ConnectForm {
    fn default() -> Self {
        Self {
            kind: "phoenix".into(),
            url: "http://localhost:6006".into(),
            name: String::new(),
            key: String::new(),
            remember: false,
        }
    }
}

impl ConnectForm {
    /// The connection the form describes, or what is wrong with it.
    pub fn connection(&self) -> Result<Connection, String> {
        let server = Server::parse(&format!("{}+{}", self.kind, self.url.trim()))?;
        // A password in the address would be kept (and named) with it: the key has its field.
        if host(&server.base).contains('@') {
            return Err(
                "put no user or password in the address: give the key as the API key".into(),
            );
        }
        let name = match self.name.trim() {
            "" => host(&server.base).to_owned(),
            name => name.to_owned(),
        };
        if name.contains(['/', '?', '#']) {
            return Err(format!("“{name}”: a name has no / ? or #"));
        }
        let key = Some(self.key.trim().to_owned()).filter(|key| !key.is_empty());
        Ok(Connection {
            name,
            server,
            key,
            remember: self.remember,
        })
    }
}

/// `base`'s host and port.
fn host(base: &str) -> &str {
    let rest = base.split_once("://").map_or(base, |(_, rest)| rest);
    rest.split('/').next().unwrap_or(rest)
}

/// `connections` with `connection` added, or put in place of the one of its name.
pub fn with(connections: &[Connection], connection: Connection) -> Vec<Connection> {
    let mut next: Vec<Connection> = (connections.iter())
        .filter(|c| c.name != connection.name)
        .cloned()
        .collect();
    next.push(connection);
    next
}

/// `connections` without the one named `name`.
pub fn without(connections: &[Connection], name: &str) -> Vec<Connection> {
    (connections.iter())
        .filter(|c| c.name != name)
        .cloned()
        .collect()
}

/// What a kind of server calls its projects, if it has any.
pub fn project_label(kind: ServerKind) -> Option<&'static str> {
    match kind {
        ServerKind::Phoenix => Some("Project"),
        ServerKind::Jaeger | ServerKind::Zipkin => Some("Service"),
        ServerKind::Tempo => None,
    }
}

/// What a kind of server's filter is (its label and an example), if it evaluates one.
pub fn filter_label(kind: ServerKind) -> Option<(&'static str, &'static str)> {
    match kind {
        ServerKind::Phoenix => Some(("Phoenix's trace filter", "latency_ms > 1000")),
        ServerKind::Tempo => Some(("TraceQL", "{ span.gen_ai.system = \"openai\" }")),
        ServerKind::Jaeger => Some(("Tags", "error=true http.status_code=500")),
        ServerKind::Zipkin => Some(("Annotation query", "http.method=GET and error")),
    }
}

/// What a kind of server calls the operation a trace's spans must include, if it searches by one.
pub fn operation_label(kind: ServerKind) -> Option<&'static str> {
    match kind {
        ServerKind::Jaeger => Some("Operation"),
        ServerKind::Zipkin => Some("Span name"),
        ServerKind::Phoenix | ServerKind::Tempo => None,
    }
}

/// The kind's name as the form shows it.
pub fn kind_label(kind: ServerKind) -> &'static str {
    match kind {
        ServerKind::Phoenix => "Phoenix",
        ServerKind::Tempo => "Tempo",
        ServerKind::Jaeger => "Jaeger",
        ServerKind::Zipkin => "Zipkin",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_reads_into_a_connection_named_by_its_host_unless_named() {
        let form = ConnectForm {
            url: " http://127.0.0.1:6006/ ".into(),
            key: " k1 ".into(),
            ..ConnectForm::default()
        };
        let connection = form.connection().expect("reads");
        assert_eq!(connection.name, "127.0.0.1:6006");
        assert_eq!(connection.server.base, "http://127.0.0.1:6006");
        assert_eq!(connection.server.kind, ServerKind::Phoenix);
        assert_eq!(
            connection.headers(),
            [("Authorization".into(), "Bearer k1".into())]
        );
        // Not remembered, the key is not kept.
        assert_eq!(connection.kept().key, None);
        let named = ConnectForm {
            name: "team".into(),
            kind: "tempo".into(),
            remember: true,
            ..form.clone()
        };
        let team = named.connection().expect("reads");
        assert_eq!(
            (team.name.as_str(), team.server.kind),
            ("team", ServerKind::Tempo)
        );
        assert_eq!(team.kept().key.as_deref(), Some("k1"));
        for bad in [
            ConnectForm {
                url: "localhost:6006".into(),
                ..ConnectForm::default()
            },
            ConnectForm {
                name: "a/b".into(),
                ..ConnectForm::default()
            },
            ConnectForm {
                kind: "grafana".into(),
                ..ConnectForm::default()
            },
        ] {
            assert!(bad.connection().is_err(), "{bad:?}");
        }
        let list = with(
            &[connection.clone(), team.clone()],
            ConnectForm::default().connection().expect("reads"),
        );
        assert_eq!(list.len(), 3);
        let replaced = with(
            &list,
            Connection {
                key: None,
                ..team.clone()
            },
        );
        assert_eq!(replaced.len(), 3);
        assert_eq!(replaced.last().map(|c| c.key.clone()), Some(None));
        assert_eq!(without(&replaced, "team").len(), 2);
        let basic = Connection {
            key: Some("Basic dTpw".into()),
            ..team
        };
        assert_eq!(
            basic.headers(),
            [("Authorization".into(), "Basic dTpw".into())]
        );
    }
}
