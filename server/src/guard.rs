//! The HTTP edge: what every request passes before any handler sees it, and what every
//! answer carries. Each check is here once, for all routes:
//!
//! - security headers on every answer, with a fresh CSP nonce for each page ([`headers`]);
//! - a state-changing request from another site is refused ([`same_origin`]);
//! - a body over the limit, of a type no endpoint reads, or with a NUL character anywhere in
//!   its text (or the URL's) is refused before it is read by a handler ([`bodies`]);
//! - a server function's error answer gets the status of its error ([`server_fn_status`]).
//!
//! A refusal is answered in the shape the path's clients read: the API's `ErrorBody` under
//! `/api/v1`, the serialized [`AppError`] under `/api/fn`, plain text elsewhere.

use crate::AppState;
use app::error::AppError;
use axum::{
    body::{Body, Bytes, HttpBody},
    extract::{Request, State},
    http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use leptos::nonce::Nonce;
use leptos::prelude::{provide_context, use_context};

/// The largest body any endpoint but the import reads (axum's default body limit, which the
/// extractors and server functions apply too).
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;

/// The header server functions mark their error answers with (`server_fn`'s).
const SERVER_FN_ERROR: HeaderName = HeaderName::from_static("serverfnerror");

// --- answers in the path's shape -----------------------------------------------------------

/// An error answer in the shape the path's clients read. `status` may differ from the
/// error's own (413 and 415 have no [`AppError`] of their own).
pub fn refusal(path: &str, status: StatusCode, err: AppError) -> Response {
    if path == "/api/v1" || path.starts_with("/api/v1/") {
        crate::rest::error_answer(status, err)
    } else if path.starts_with("/api/fn/") {
        let body = serde_json::to_vec(&err).unwrap_or_default();
        let mut response = (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            Bytes::from(body),
        )
            .into_response();
        if let Ok(path) = HeaderValue::from_str(path) {
            response.headers_mut().insert(SERVER_FN_ERROR, path);
        }
        response
    } else {
        (status, err.to_string()).into_response()
    }
}

// --- security headers ----------------------------------------------------------------------

/// The nonce of this request's page: made here, given to Leptos (which puts it on its
/// hydration and streaming scripts, see [`provide_request_nonce`]) and named in the
/// page's Content-Security-Policy.
pub async fn headers(mut req: Request, next: Next) -> Response {
    let nonce = Nonce::new();
    req.extensions_mut().insert(nonce.clone());
    let mut response = next.run(req).await;
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let policy = if html {
        page_policy(&nonce)
    } else {
        // Nothing but a page runs anything; a JSON answer opened in a tab loads nothing.
        "default-src 'none'; frame-ancestors 'none'".to_owned()
    };
    let headers = response.headers_mut();
    // A page is the caller's own and changes all the time: a browser asks again each time
    // (the assets it names are cached for good; see `assets`).
    if html && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    if let Ok(policy) = HeaderValue::from_str(&policy) {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Other sites learn nothing of our URLs (they name projects); our own pages get the
    // full Referer, which a form posted without JavaScript is sent back to.
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    response
}

/// What a page may load: its own scripts (the wasm glue, started by Leptos's inline script,
/// which carries the nonce), the wasm module itself, its own stylesheet, its own server
/// functions; nothing from elsewhere, and no framing.
fn page_policy(nonce: &Nonce) -> String {
    // `cargo leptos watch` reloads pages through a WebSocket on its own port.
    let reload = if std::env::var_os("LEPTOS_WATCH").is_some() {
        " ws: wss:"
    } else {
        ""
    };
    format!(
        "default-src 'none'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data:; \
         connect-src 'self'{reload}; font-src 'self'; manifest-src 'self'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Gives Leptos the nonce [`headers`] made for this request, in place of the one it makes
/// itself (call it in the router's context closure, which runs in the render's own scope).
pub fn provide_request_nonce() {
    let nonce = use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Nonce>().cloned());
    if let Some(nonce) = nonce {
        provide_context(nonce);
    }
}

// --- cross-site requests -------------------------------------------------------------------

/// A state-changing request made by a page of another site (a form posted to us, a
/// `fetch` with the user's cookie) is refused with a 403, before anything changes. A page
/// says where it comes from in `Origin` (or, failing that, `Sec-Fetch-Site`); a request
/// with neither is not from a browser (curl, scripts) and carries no ambient cookie an
/// attacker could borrow. A bearer token is never sent by a browser on its own.
pub async fn same_origin(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe || has_bearer(req.headers()) || same_site(&req, state.auth.trust_proxy) {
        return next.run(req).await;
    }
    tracing::info!(
        origin = ?req.headers().get(header::ORIGIN),
        fetch_site = ?req.headers().get("sec-fetch-site"),
        "refused a cross-site request"
    );
    refusal(req.uri().path(), StatusCode::FORBIDDEN, AppError::Forbidden)
}

fn has_bearer(headers: &HeaderMap) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.len() > 7 && v[..7].eq_ignore_ascii_case("bearer "))
}

/// Whether the request comes from one of our own pages (or not from a browser at all).
fn same_site(req: &Request, trust_proxy: bool) -> bool {
    let headers = req.headers();
    let Some(origin) = headers.get(header::ORIGIN) else {
        return match headers.get("sec-fetch-site").map(HeaderValue::as_bytes) {
            None | Some(b"same-origin") | Some(b"none") => true,
            Some(_) => false,
        };
    };
    let Some((scheme, origin_host)) = origin.to_str().ok().and_then(|o| o.split_once("://")) else {
        // `Origin: null` (a sandboxed frame, a file, a privacy redirect) is no page of ours.
        return false;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| req.uri().authority().map(|a| a.as_str()));
    // A chain of proxies lists hosts left to right; ours, nearest, added the last.
    let forwarded = match trust_proxy {
        true => headers
            .get("x-forwarded-host")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next()),
        false => None,
    };
    [host, forwarded]
        .into_iter()
        .flatten()
        .any(|host| same_authority(scheme, origin_host, host.trim()))
}

/// `host[:port]` of an origin against a Host header, which may name the scheme's default
/// port that an origin leaves out.
fn same_authority(scheme: &str, origin_host: &str, host: &str) -> bool {
    let default_port = match scheme {
        "https" => ":443",
        _ => ":80",
    };
    let host = host.strip_suffix(default_port).unwrap_or(host);
    let origin_host = origin_host
        .strip_suffix(default_port)
        .unwrap_or(origin_host);
    host.eq_ignore_ascii_case(origin_host)
}

// --- bodies, content types and NUL characters ----------------------------------------------

/// How a body's text is written, which says how a NUL character can appear in it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Form,
    Json,
    Multipart,
}

fn kind(headers: &HeaderMap) -> Option<Kind> {
    let value = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let essence = value.split(';').next()?.trim().to_ascii_lowercase();
    match essence.as_str() {
        "application/x-www-form-urlencoded" => Some(Kind::Form),
        "application/json" => Some(Kind::Json),
        "multipart/form-data" => Some(Kind::Multipart),
        e if e.starts_with("application/") && e.ends_with("+json") => Some(Kind::Json),
        _ => None,
    }
}

/// The most a request to `path` may send.
fn limit(path: &str) -> usize {
    if path == "/api/v1/projects/import" {
        crate::rest::IMPORT_LIMIT
    } else if path.starts_with(crate::hooks::PREFIX) {
        crate::hooks::LIMIT
    } else {
        BODY_LIMIT
    }
}

/// The bodies and URLs no endpoint can use, refused before a handler reads them:
/// - a declared length over the path's limit: 413 before reading a byte (a body that turns
///   out longer while read is a 413 too);
/// - a body of a type no endpoint reads (endpoints read forms and JSON; `text/plain` is
///   what a cross-site page can send without asking), or a body with no type: 415;
/// - a NUL character in the URL or in the text of a body (PostgreSQL cannot store one in
///   text): 422 naming the field where that can be told. Bodies are read up to
///   [`BODY_LIMIT`]; the import's larger document is left to the database error's mapping
///   in `AppError` (the same 422).
pub async fn bodies(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if let Some(field) = nul_in_url(&req) {
        return nul_refusal(&path, field);
    }
    // The body knows its declared length (Content-Length, or an HTTP/2 frame's); a chunked
    // one knows nothing yet, and is measured as it is read.
    let hint = req.body().size_hint();
    if hint.lower() > limit(&path) as u64 {
        return too_large(&path);
    }
    if !has_body(&req) {
        return next.run(req).await;
    }
    let Some(kind) = kind(req.headers()) else {
        return refusal(
            &path,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Request(
                "send the body as JSON (Content-Type: application/json) or as a form \
                 (application/x-www-form-urlencoded)"
                    .into(),
            ),
        );
    };
    if kind == Kind::Multipart || limit(&path) > BODY_LIMIT {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, limit(&path)).await else {
        // The only way reading a body can fail here is by being too long (a stream the
        // client breaks off is answered to nobody).
        return too_large(&path);
    };
    if let Some(field) = nul_in_body(kind, &bytes) {
        return nul_refusal(&path, field);
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// Whether the request says it sends a body: a length over zero, a chunked one (HTTP/1), or
/// an HTTP/2 stream not ended with its headers.
fn has_body(req: &Request) -> bool {
    let headers = req.headers();
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    match declared {
        Some(n) => n > 0,
        None => {
            headers.contains_key(header::TRANSFER_ENCODING)
                || (req.version() == axum::http::Version::HTTP_2 && !req.body().is_end_stream())
        }
    }
}

fn too_large(path: &str) -> Response {
    let mb = limit(path) / (1024 * 1024);
    refusal(
        path,
        StatusCode::PAYLOAD_TOO_LARGE,
        AppError::Request(format!(
            "the request is larger than {mb} MB: send less at once"
        )),
    )
}

fn nul_refusal(path: &str, field: String) -> Response {
    tracing::info!(field, "refused a NUL character");
    refusal(
        path,
        StatusCode::UNPROCESSABLE_ENTITY,
        AppError::validation(
            &field,
            "text cannot contain the NUL character (\\0): remove it and try again",
        ),
    )
}

/// The field (query parameter name, or `url` for the path) holding an encoded NUL. A raw
/// NUL cannot reach us: the HTTP parser refuses it.
fn nul_in_url(req: &Request) -> Option<String> {
    if req.uri().path().contains("%00") {
        return Some("url".to_owned());
    }
    form_field_with_nul(req.uri().query()?.as_bytes())
}

/// The field of a body holding a NUL character: by name in a form, `body` in JSON (whose
/// `\u0000` escape is found where it is an escape, not an escaped backslash before `u0000`).
fn nul_in_body(kind: Kind, bytes: &[u8]) -> Option<String> {
    match kind {
        Kind::Form => form_field_with_nul(bytes),
        Kind::Json => json_has_nul(bytes).then(|| "body".to_owned()),
        Kind::Multipart => None,
    }
}

/// In `a=1&b=x%00y`, `b`: the decoded name of the first pair with `%00` (or a raw NUL) in
/// its name or value.
fn form_field_with_nul(form: &[u8]) -> Option<String> {
    if !form.contains(&0) && !contains(form, b"%00") {
        return None;
    }
    form.split(|b| *b == b'&')
        .find(|pair| pair.contains(&0) || contains(pair, b"%00"))
        .map(|pair| {
            let name = pair.split(|b| *b == b'=').next().unwrap_or_default();
            let name: String = form_decode(name)
                .chars()
                .filter(|c| !c.is_control())
                .collect();
            if name.is_empty() {
                "body".to_owned()
            } else {
                name
            }
        })
}

/// A form name as text: `+` is a space, `%XY` a byte.
fn form_decode(encoded: &[u8]) -> String {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut bytes = Vec::with_capacity(encoded.len());
    let mut i = 0;
    while i < encoded.len() {
        let decoded = match encoded[i] {
            b'+' => Some((b' ', 1)),
            b'%' if i + 2 < encoded.len() => match (hex(encoded[i + 1]), hex(encoded[i + 2])) {
                (Some(h), Some(l)) => Some((h * 16 + l, 3)),
                _ => None,
            },
            _ => None,
        };
        let (byte, used) = decoded.unwrap_or((encoded[i], 1));
        bytes.push(byte);
        i += used;
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn json_has_nul(json: &[u8]) -> bool {
    let mut i = 0;
    while let Some(at) = json[i..].iter().position(|b| *b == b'\\' || *b == 0) {
        let at = i + at;
        if json[at] == 0 || json[at + 1..].starts_with(b"u0000") {
            return true;
        }
        // Skip the escaped character, so `\\u0000` (a backslash, then text) is not a NUL.
        i = at + 2;
        if i >= json.len() {
            return false;
        }
    }
    false
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

// --- server function statuses --------------------------------------------------------------

/// A server function that fails before its body runs (arguments that do not deserialize)
/// is answered by `server_fn` with a 500 whatever the error; the error it carries knows its
/// status: a malformed request is a 400, not our failure. And a path or method no server
/// function has is answered in the server functions' shape, not as a page or plain text.
pub async fn server_fn_status(req: Request, next: Next) -> Response {
    if !req.uri().path().starts_with("/api/fn/") {
        return next.run(req).await;
    }
    let path = req.uri().path().to_owned();
    let response = next.run(req).await;
    let status = response.status();
    if response.headers().contains_key(SERVER_FN_ERROR) {
        return if status == StatusCode::INTERNAL_SERVER_ERROR {
            with_its_status(response).await
        } else {
            response
        };
    }
    match status {
        // Leptos's answer to a path no server function has is a 400 naming its
        // configuration, or the 404 page: a 404 like any unknown URL.
        StatusCode::BAD_REQUEST | StatusCode::NOT_FOUND => {
            refusal(&path, StatusCode::NOT_FOUND, AppError::NotFound)
        }
        StatusCode::METHOD_NOT_ALLOWED => {
            let allow = response.headers().get(header::ALLOW).cloned();
            let with = allow
                .as_ref()
                .and_then(|v| v.to_str().ok())
                .unwrap_or("POST");
            let mut answer = refusal(
                &path,
                status,
                AppError::Request(format!("call this function with {with}")),
            );
            if let Some(allow) = allow {
                answer.headers_mut().insert(header::ALLOW, allow);
            }
            answer
        }
        _ => response,
    }
}

/// A server function's error answer, with the status of the error it carries.
async fn with_its_status(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "").into_response();
    };
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes) {
        if err != AppError::Internal {
            tracing::info!(error = %err, "server function refused its request");
        }
        parts.status = err.status();
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::{routing::post, Router};
    use tower::ServiceExt;

    #[tokio::test]
    async fn a_body_that_runs_over_the_limit_while_read_is_refused() {
        let app: Router = Router::new()
            .route(
                "/api/fn/echo",
                post(|body: Bytes| async move { body.len().to_string() }),
            )
            .layer(axum::middleware::from_fn(bodies));
        let send = |megabytes: usize| {
            let chunks = (0..megabytes)
                .map(|_| Ok::<_, std::io::Error>(Bytes::from(vec![b'a'; 1024 * 1024])));
            let req = Request::post("/api/fn/echo")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::TRANSFER_ENCODING, "chunked")
                .body(Body::from_stream(futures_util::stream::iter(chunks)))
                .unwrap();
            app.clone().oneshot(req)
        };
        assert_eq!(
            send(3).await.unwrap().status(),
            StatusCode::PAYLOAD_TOO_LARGE
        );
        let res = send(1).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let body = axum::body::to_bytes(res.into_body(), 100).await.unwrap();
        assert_eq!(&body[..], b"1048576");
    }

    #[test]
    fn json_nul_is_found_only_where_it_is_an_escape() {
        assert!(json_has_nul(br#"{"a":"x\u0000y"}"#));
        assert!(json_has_nul(b"{\"a\":\"x\0y\"}"));
        assert!(json_has_nul(br#"{"a":"\\\u0000"}"#));
        assert!(!json_has_nul(br#"{"a":"x\\u0000y"}"#));
        assert!(json_has_nul(br#"{"a":"\u00001"}"#));
        assert!(!json_has_nul(br#"{"a":"100%00"}"#));
        assert!(!json_has_nul(br#"{"a":"ends with \\"}"#));
        assert!(!json_has_nul(b"\\"));
    }

    #[test]
    fn form_nul_names_its_field() {
        assert_eq!(form_field_with_nul(b"a=1&b=x%00y").as_deref(), Some("b"));
        assert_eq!(
            form_field_with_nul(b"a=1&title%5Bx%5D=%00").as_deref(),
            Some("title[x]")
        );
        assert_eq!(form_field_with_nul(b"%00=1").as_deref(), Some("body"));
        assert_eq!(form_field_with_nul(b"a=100%2500"), None);
        assert_eq!(form_field_with_nul(b"a=b"), None);
    }

    #[test]
    fn an_origin_matches_its_host_with_or_without_the_default_port() {
        assert!(same_authority("http", "127.0.0.1:3000", "127.0.0.1:3000"));
        assert!(same_authority(
            "https",
            "cadence.example",
            "Cadence.example:443"
        ));
        assert!(!same_authority(
            "https",
            "cadence.example:8443",
            "cadence.example"
        ));
        assert!(!same_authority("http", "evil.example", "cadence.example"));
        assert!(!same_authority(
            "http",
            "cadence.example.evil.example",
            "cadence.example"
        ));
    }
}
