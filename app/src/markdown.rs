//! Item descriptions: markdown rendered to HTML on the server, safely. Raw HTML in the
//! source is shown as text, never passed through, and links and images keep only
//! http(s), mailto and in-site addresses, so a description cannot run script.

use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag};

pub fn to_safe_html(source: &str) -> String {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let events = Parser::new_ext(source, options).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: safe_url(dest_url),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: safe_url(dest_url),
            title,
            id,
        }),
        other => other,
    });
    let mut out = String::with_capacity(source.len() * 3 / 2);
    html::push_html(&mut out, events);
    out
}

fn safe_url(url: CowStr<'_>) -> CowStr<'_> {
    let lower: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    let scheme_end = lower.find(':');
    let path_start = lower.find(['/', '?', '#']).unwrap_or(lower.len());
    let allowed = match scheme_end {
        // No scheme (or a colon only after the path starts): a relative address.
        None => true,
        Some(i) if i > path_start => true,
        Some(_) => {
            lower.starts_with("http:")
                || lower.starts_with("https:")
                || lower.starts_with("mailto:")
        }
    };
    if allowed {
        url
    } else {
        CowStr::Borrowed("#")
    }
}

#[cfg(test)]
mod tests {
    use super::to_safe_html;

    #[test]
    fn markdown_is_rendered() {
        let html = to_safe_html("# Cart\n\n- **pay** with [card](https://pay.example/)\n");
        assert!(html.contains("<h1>Cart</h1>"));
        assert!(html.contains("<strong>pay</strong>"));
        assert!(html.contains(r#"<a href="https://pay.example/">card</a>"#));
    }

    #[test]
    fn hostile_input_cannot_inject_markup_or_script() {
        let hostile = [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "<a href=\"javascript:alert(1)\">x</a>",
            "[click](javascript:alert(1))",
            "[click](JaVaScRiPt:alert(1))",
            "[click]( java\tscript:alert(1))",
            "![x](data:text/html;base64,PHNjcmlwdD4=)",
            "[x](vbscript:msgbox)",
            "<iframe src=//evil.example></iframe>",
            "<div onmouseover=\"alert(1)\">hover</div>",
            "[x](<javascript:alert(1)>)",
        ];
        const ALLOWED: [&str; 4] = ["p", "a", "img", "code"];
        for input in hostile {
            let html = to_safe_html(input);
            // Every real tag in the output (escaped text has no '<') is one markdown makes,
            // with no event handler and no script-capable address.
            for tag in html
                .split('<')
                .skip(1)
                .map(|t| t.split('>').next().unwrap())
            {
                let tag = tag.to_lowercase();
                let name = tag.trim_start_matches('/').split(' ').next().unwrap();
                assert!(ALLOWED.contains(&name), "{input} → {html}");
                assert!(!tag.contains(" on"), "{input} → {html}");
                for bad in ["javascript:", "vbscript:", "data:"] {
                    assert!(!tag.contains(bad), "{input} → {html}");
                }
            }
        }
        // The text itself is kept, escaped, so nothing the person wrote is lost.
        assert!(to_safe_html("<b>bold?</b>").contains("&lt;b&gt;bold?&lt;/b&gt;"));
    }

    #[test]
    fn relative_and_mail_links_are_kept() {
        assert!(to_safe_html("[#12](/p/shop/items/12)").contains(r#"href="/p/shop/items/12""#));
        assert!(to_safe_html("[mail](mailto:a@b.example)").contains("mailto:a@b.example"));
        assert!(to_safe_html("[q](?a=b:c)").contains(r#"href="?a=b:c""#));
    }
}
