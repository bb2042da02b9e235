//! The web demo's static files, with a strict CSP and no way out of the web root.

use crate::{AppState, not_found};
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, Method, Uri, header};
use axum::response::{IntoResponse, Response};
use std::path::{Path, PathBuf};

/// Only what the page needs: its own scripts and wasm (which needs `'wasm-unsafe-eval'`), and
/// fetches to this same server.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The MIME type for a file name; unknown kinds are served as opaque bytes.
pub fn mime_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("html" | "htm") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("json" | "map") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn percent_decode(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The file a URL path names under `root`, or `None` for anything that could leave it or
/// reach hidden files: `..`, `.x`, backslashes, NUL, drive letters, bad percent-encoding.
pub fn resolve(root: &Path, url_path: &str) -> Option<PathBuf> {
    let decoded = percent_decode(url_path)?;
    let mut path = root.to_path_buf();
    for segment in decoded.split('/').filter(|s| !s.is_empty()) {
        if segment.starts_with('.') || segment.contains(['\\', '\0', ':']) {
            return None;
        }
        path.push(segment);
    }
    Some(path)
}

/// Serves `GET`/`HEAD` for files under the web root; every other request is a JSON 404.
pub async fn serve(State(state): State<AppState>, method: Method, uri: Uri) -> Response {
    let Some(root) = &state.config().web_root else {
        return not_found();
    };
    if method != Method::GET && method != Method::HEAD {
        return not_found();
    }
    let Some(mut path) = resolve(root, uri.path()) else {
        return not_found();
    };
    if tokio::fs::metadata(&path).await.is_ok_and(|m| m.is_dir()) {
        path.push("index.html");
    }
    // Symlinks could still point outside; the canonical path must stay under the root.
    let Ok(real) = tokio::fs::canonicalize(&path).await else {
        return not_found();
    };
    if !real.starts_with(root) {
        return not_found();
    }
    let Ok(content) = tokio::fs::read(&real).await else {
        return not_found();
    };
    let mut response = Body::from(content).into_response();
    let headers = response.headers_mut();
    let fixed = [
        (header::CONTENT_TYPE, mime_type(&real)),
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CACHE_CONTROL, "no-store"),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_cannot_leave_the_root() {
        let root = Path::new("/srv/web");
        assert_eq!(
            resolve(root, "/pkg/app.wasm"),
            Some(PathBuf::from("/srv/web/pkg/app.wasm"))
        );
        assert_eq!(resolve(root, "/"), Some(PathBuf::from("/srv/web")));
        for bad in [
            "/../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/a/%2E%2E/%2E%2E/x",
            "/..%2f..%2fetc",
            "/a%5c..%5cb",
            "/.git/config",
            "/x%00.html",
            "/c:/windows",
            "/%zz",
            "/%ff",
        ] {
            assert_eq!(resolve(root, bad), None, "{bad}");
        }
    }

    #[test]
    fn mime_types_match_what_browsers_require() {
        assert_eq!(mime_type(Path::new("a.wasm")), "application/wasm");
        assert_eq!(
            mime_type(Path::new("a.MJS")),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(
            mime_type(Path::new("index.html")),
            "text/html; charset=utf-8"
        );
        assert_eq!(mime_type(Path::new("x")), "application/octet-stream");
    }
}
