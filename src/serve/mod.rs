//! `plume serve`: what an OTLP export request comes to ([`receive`], pure), the folder what was
//! received is kept in ([`disk`]), and the listeners over them: HTTP ([`http`]: OTLP/HTTP and
//! the viewer) and OTLP/gRPC (`grpc`). Native only.

pub mod disk;
mod grpc;
pub mod http;
pub mod receive;

use std::path::PathBuf;

/// Where `plume serve` keeps what it receives unless told: the XDG data folder, else
/// `~/.local/share`, then `plume/received`.
pub fn default_store(xdg_data_home: Option<PathBuf>, home: Option<PathBuf>) -> Option<PathBuf> {
    let data = xdg_data_home
        .filter(|dir| dir.is_absolute())
        .or_else(|| home.map(|home| home.join(".local/share")))?;
    Some(data.join("plume").join("received"))
}

/// The viewer's built files unless told: `dist/` in the current folder, else the `dist/` of
/// the checkout the binary was built in (`target/<profile>/plume` → `dist/`).
pub fn default_page(current: Option<PathBuf>, exe: Option<PathBuf>) -> Option<PathBuf> {
    let built = exe.and_then(|exe| Some(exe.parent()?.parent()?.parent()?.join("dist")));
    [current.map(|dir| dir.join("dist")), built]
        .into_iter()
        .flatten()
        .find(|dir| dir.join("index.html").is_file())
}
