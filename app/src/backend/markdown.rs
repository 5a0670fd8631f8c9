//! Meeting descriptions are Markdown, rendered to HTML and sanitised before display.

/// Renders Markdown to sanitised HTML (no scripts, no styles, safe links).
pub fn render(markdown: &str) -> String {
    let parser = pulldown_cmark::Parser::new_ext(
        markdown,
        pulldown_cmark::Options::ENABLE_TABLES | pulldown_cmark::Options::ENABLE_STRIKETHROUGH,
    );
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, parser);
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(&html)
        .to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn renders_and_sanitises() {
        let html = super::render(
            "**Ordre du jour**\n\n<script>alert(1)</script>\n\n[lien](javascript:alert(1))",
        );
        assert!(html.contains("<strong>Ordre du jour</strong>"));
        assert!(!html.contains("<script"));
        assert!(!html.contains("javascript:"));
    }
}
