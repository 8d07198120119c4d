//! The browser half built into the binary (release builds; see server/build.rs): the first
//! wasm module, its JS glue, the lazily loaded pages' modules and their loader, and the
//! stylesheet, in a directory named by a hash of them all (`/pkg/BUNDLE/…`) and stored with
//! gzip and brotli copies made at build time. Served with a year's immutable caching
//! (a new build has new names) and in the best encoding the client accepts, so nothing is
//! compressed per request.

use axum::{
    extract::Path,
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};

include!(concat!(env!("OUT_DIR"), "/site.rs"));

/// The embedded bundle's file stem (`cadence.<hash>`), when this binary carries one.
pub fn bundle() -> Option<&'static str> {
    BUNDLE
}

fn file(name: &str) -> Option<&'static [u8]> {
    FILES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, bytes)| *bytes)
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("js") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        _ => "application/octet-stream",
    }
}

/// Whether `Accept-Encoding` allows `coding` (listed by name or `*`, and not with q=0).
pub fn accepts(headers: &HeaderMap, coding: &str) -> bool {
    let mut named = None;
    let mut star = None;
    for value in headers.get_all(header::ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else { continue };
        for part in value.split(',') {
            let mut pieces = part.split(';');
            let name = pieces.next().unwrap_or("").trim();
            let q = pieces
                .filter_map(|p| p.trim().strip_prefix("q="))
                .filter_map(|q| q.trim().parse::<f32>().ok())
                .next()
                .unwrap_or(1.0);
            if name.eq_ignore_ascii_case(coding) {
                named = Some(q > 0.0);
            } else if name == "*" {
                star = Some(q > 0.0);
            }
        }
    }
    named.or(star).unwrap_or(false)
}

/// `GET /pkg/{name}`: an embedded file, precompressed when the client takes it.
pub async fn serve(Path((bundle, name)): Path<(String, String)>, headers: HeaderMap) -> Response {
    // Only this build's files: an old page asking for an earlier bundle gets a 404 (and reloads).
    let Some(plain) = (Some(bundle.as_str()) == BUNDLE)
        .then(|| file(&name))
        .flatten()
    else {
        return (StatusCode::NOT_FOUND, "no such file").into_response();
    };
    let (body, encoding) = ["br", "gzip"]
        .into_iter()
        .find_map(|coding| {
            let suffix = if coding == "br" { "br" } else { "gz" };
            accepts(&headers, coding)
                .then(|| file(&format!("{name}.{suffix}")))
                .flatten()
                .map(|bytes| (bytes, Some(coding)))
        })
        .unwrap_or((plain, None));
    let mut response = body.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(&name)),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if let Some(coding) = encoding {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(value).unwrap(),
        );
        h
    }

    #[test]
    fn accept_encoding_is_read_with_its_weights() {
        assert!(accepts(&with("gzip, deflate, br, zstd"), "br"));
        assert!(accepts(&with("gzip, deflate, br, zstd"), "gzip"));
        assert!(!accepts(&with("gzip"), "br"));
        assert!(!accepts(&with("br;q=0, gzip"), "br"));
        assert!(accepts(&with("BR;q=0.5"), "br"));
        assert!(accepts(&with("*"), "gzip"));
        assert!(!accepts(&with("*, gzip;q=0"), "gzip"));
        assert!(!accepts(&with("identity"), "gzip"));
        assert!(!accepts(&HeaderMap::new(), "gzip"));
    }

    #[test]
    fn types_follow_the_extension() {
        assert_eq!(content_type("cadence.0a1b.wasm"), "application/wasm");
        assert_eq!(
            content_type("cadence.0a1b.js"),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(content_type("cadence.0a1b.css"), "text/css; charset=utf-8");
    }
}
