//! Static assets (the wasm bundle, its JS glue, the CSS) served compressed: brotli and gzip
//! copies are written once next to each file at start-up (when missing or stale), and served
//! by content negotiation; nothing is compressed per request.

use std::io::Write;
use std::path::{Path, PathBuf};

use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use tower_http::services::ServeDir;

/// The fallback service: files under the site root, French 404 otherwise.
pub fn service(
    site_root: &str,
) -> ServeDir<
    impl tower::Service<
            axum::extract::Request,
            Response = axum::response::Response,
            Error = std::convert::Infallible,
            Future = impl Send,
        > + Clone
        + Send
        + Sync
        + 'static,
> {
    let not_found = tower::service_fn(|_request: axum::extract::Request| async {
        Ok::<_, std::convert::Infallible>(not_found_page().into_response())
    });
    ServeDir::new(site_root)
        .precompressed_br()
        .precompressed_gzip()
        .not_found_service(not_found)
}

fn not_found_page() -> impl IntoResponse {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        "<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>Page introuvable</title>\
         <link rel=\"stylesheet\" href=\"/pkg/concerto.css\"></head><body><main><h1>Page introuvable</h1>\
         <p>Cette page n'existe pas.</p><p><a href=\"/\">Retour à l'accueil</a></p></main></body></html>",
    )
}

fn compressible(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("wasm" | "js" | "css" | "html" | "svg" | "txt")
    )
}

fn stale(source: &Path, copy: &Path) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    match (modified(source), modified(copy)) {
        (Some(source), Some(copy)) => copy < source,
        _ => true,
    }
}

fn write_atomically(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let temporary = target.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&temporary, bytes)?;
    std::fs::rename(&temporary, target)
}

fn compress_file(path: &Path) -> std::io::Result<()> {
    let data = std::fs::read(path)?;
    let br_path = PathBuf::from(format!("{}.br", path.display()));
    if stale(path, &br_path) {
        let mut out = Vec::with_capacity(data.len() / 3);
        // The best ratio for the bundle; large files (the name lists) at quality 9: a few percent
        // larger, compressed in a fraction of the time at every start.
        let quality = if data.len() > 512 * 1024 { 9 } else { 11 };
        {
            let mut writer = brotli::CompressorWriter::new(&mut out, 64 * 1024, quality, 22);
            writer.write_all(&data)?;
        }
        write_atomically(&br_path, &out)?;
    }
    let gz_path = PathBuf::from(format!("{}.gz", path.display()));
    if stale(path, &gz_path) {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(&data)?;
        write_atomically(&gz_path, &encoder.finish()?)?;
    }
    Ok(())
}

/// Writes the identifier guard's name lists where the browser loads them, after a page with the
/// guard is interactive (`app::domain::pii::NAME_LISTS_PATH`, under `pkg/`), when missing or
/// different: they never weigh on a first load, and are cached and compressed like the bundle.
/// Nothing is written without a built bundle (no page would load them: e.g. the integration
/// tests' empty site), which spares compressing a megabyte at every such start.
pub fn write_name_lists(site_root: &str) {
    let relative = app::domain::pii::NAME_LISTS_PATH.trim_start_matches('/');
    let path = Path::new(site_root).join(relative);
    if !path.parent().is_some_and(Path::is_dir) {
        return;
    }
    let text = app::domain::pii::name_lists_text();
    if std::fs::read_to_string(&path).is_ok_and(|current| current == text) {
        return;
    }
    let written = write_atomically(&path, text.as_bytes());
    if let Err(error) = written {
        tracing::warn!(%error, path = %path.display(), "cannot write the name lists");
    }
}

/// Writes missing or stale `.br` and `.gz` copies of the site's assets.
pub fn precompress(site_root: &str) {
    let pkg = Path::new(site_root).join("pkg");
    let Ok(entries) = std::fs::read_dir(&pkg) else {
        tracing::warn!(path = %pkg.display(), "no built assets found: run `cargo leptos build` (pages will not hydrate)");
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_file() && compressible(&path) {
            if let Err(error) = compress_file(&path) {
                tracing::warn!(%error, path = %path.display(), "cannot precompress asset");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_text_assets_are_compressed() {
        assert!(compressible(Path::new("pkg/concerto_bg.wasm")));
        assert!(compressible(Path::new("pkg/concerto.css")));
        assert!(!compressible(Path::new("pkg/concerto.css.br")));
    }
}
