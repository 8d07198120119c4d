//! Item descriptions: markdown rendered to HTML on the server, safely. Raw HTML in the
//! source is shown as text, never passed through, and links and images keep only
//! http(s), mailto and in-site addresses, so a description cannot run script.

use pulldown_cmark::{html, CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};
use std::collections::HashMap;
use uuid::Uuid;

pub fn to_safe_html(source: &str) -> String {
    render(source, None)
}

/// What a comment's or description's mentions and item references link to.
pub struct Links<'a> {
    /// `@{uuid}` → the person's name as it is now, for the project's members (anyone else
    /// shows as "@someone").
    pub people: &'a HashMap<Uuid, String>,
    /// `#12` → the item's title, for the project's items (other numbers stay text).
    pub items: &'a HashMap<i32, String>,
    pub slug: &'a str,
}

/// [`to_safe_html`] with mentions shown as names and `#12` linked to item 12 (its title on
/// hover), outside code.
pub fn to_safe_html_linked(source: &str, links: &Links<'_>) -> String {
    render(source, Some(links))
}

/// One piece of text: as it is, or a link (address, title, text).
enum Piece<'t> {
    Text(&'t str),
    Owned(String),
    Link(String, String, String),
}

/// Splits text at the mentions and references `links` knows.
fn pieces<'t>(text: &'t str, links: &Links<'_>) -> Vec<Piece<'t>> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let (mut i, mut last) = (0, 0);
    while i < bytes.len() {
        if bytes[i] == b'@' && text[i..].starts_with("@{") {
            let token = text
                .get(i + 2..i + 39)
                .filter(|t| t.ends_with('}'))
                .and_then(|t| Uuid::parse_str(&t[..36]).ok());
            if let Some(id) = token {
                out.push(Piece::Text(&text[last..i]));
                match links.people.get(&id) {
                    Some(name) => out.push(Piece::Link(
                        format!("/p/{}/members", links.slug),
                        name.clone(),
                        format!("@{name}"),
                    )),
                    None => out.push(Piece::Owned("@someone".into())),
                }
                i += 39;
                last = i;
                continue;
            }
        }
        if bytes[i] == b'#' {
            let start = i + 1;
            let mut end = start;
            while end < bytes.len() && bytes[end].is_ascii_digit() {
                end += 1;
            }
            let glued = (i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'&'))
                || (end < bytes.len()
                    && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b';'));
            let number = (end > start && !glued)
                .then(|| text[start..end].parse::<i32>().ok())
                .flatten();
            if let Some(title) = number.and_then(|n| links.items.get(&n).map(|t| (n, t))) {
                let (n, title) = title;
                out.push(Piece::Text(&text[last..i]));
                out.push(Piece::Link(
                    format!("/p/{}/items/{n}", links.slug),
                    title.clone(),
                    format!("#{n}"),
                ));
                i = end;
                last = i;
                continue;
            }
            i = end.max(i + 1);
            continue;
        }
        i += 1;
    }
    out.push(Piece::Text(&text[last..]));
    out
}

fn render(source: &str, links: Option<&Links<'_>>) -> String {
    // Most items have no description: nothing to parse or clean (a list of fifty spent 3% of
    // its time setting up the parser and cleaner for nothing).
    if source.trim().is_empty() {
        return String::new();
    }
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    // Where references are linked: text outside code blocks and outside links.
    let (mut in_code, mut in_link) = (0u32, 0u32);
    let parsed = pulldown_cmark::TextMergeStream::new(Parser::new_ext(source, options));
    let linked = parsed.flat_map(move |event| {
        match &event {
            Event::Start(Tag::CodeBlock(_)) => in_code += 1,
            Event::End(TagEnd::CodeBlock) => in_code = in_code.saturating_sub(1),
            Event::Start(Tag::Link { .. }) => in_link += 1,
            Event::End(TagEnd::Link) => in_link = in_link.saturating_sub(1),
            _ => {}
        }
        let Some(links) = links.filter(|_| in_code == 0 && in_link == 0) else {
            return vec![event];
        };
        let Event::Text(text) = &event else {
            return vec![event];
        };
        let mut events = Vec::new();
        for piece in pieces(text, links) {
            match piece {
                Piece::Text("") => {}
                Piece::Text(t) => events.push(Event::Text(CowStr::from(t.to_owned()))),
                Piece::Owned(t) => events.push(Event::Text(CowStr::from(t))),
                Piece::Link(href, title, shown) => {
                    events.push(Event::Start(Tag::Link {
                        link_type: LinkType::Inline,
                        dest_url: CowStr::from(href),
                        title: CowStr::from(title),
                        id: CowStr::Borrowed(""),
                    }));
                    events.push(Event::Text(CowStr::from(shown)));
                    events.push(Event::End(TagEnd::Link));
                }
            }
        }
        events
    });
    let events = linked.map(|event| match event {
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
    fn a_blank_text_renders_as_nothing() {
        for blank in ["", " ", "\n\n", " \t\n  \n"] {
            assert_eq!(to_safe_html(blank), "", "{blank:?}");
        }
        assert_eq!(to_safe_html(" x "), "<p>x</p>\n");
    }

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

/// Fuzzing the renderer: whatever is written, it does not panic and what it makes cannot
/// run script. A few hundred cases run with the tests; for a long run:
/// `PROPTEST_CASES=100000 ./x cargo test -p app --features app/ssr --lib markdown::fuzz`
/// (50,000 cases take about a minute per property in a debug build).
#[cfg(test)]
mod fuzz {
    use super::to_safe_html;
    use proptest::prelude::*;

    /// What markdown itself makes: any other tag in the output came from the input.
    const TAGS: [&str; 27] = [
        "p",
        "a",
        "img",
        "code",
        "pre",
        "em",
        "strong",
        "del",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "li",
        "blockquote",
        "hr",
        "br",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "input",
    ];
    /// The attributes those tags get (`style` only for a table column's alignment).
    const ATTRIBUTES: [&str; 9] = [
        "href", "src", "alt", "title", "type", "disabled", "checked", "start", "class",
    ];

    /// The case count: `PROPTEST_CASES` when set (a long run by hand), else a quick 128.
    fn config() -> ProptestConfig {
        let cases = std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(128);
        ProptestConfig {
            cases,
            // A failure prints its smallest input; no regression files in the source tree.
            failure_persistence: None,
            ..ProptestConfig::default()
        }
    }

    /// Pieces of markdown, HTML and address syntax that attacks are made of, so random
    /// strings reach links, raw HTML, entities and code rather than plain paragraphs.
    const PIECES: [&str; 58] = [
        "<script>",
        "</script>",
        "<SCRIPT SRC=//x>",
        "<img src=x onerror=alert(1)>",
        "<a href=\"javascript:alert(1)\">",
        "</a>",
        "<svg/onload=alert(1)>",
        "<!--",
        "-->",
        "<![CDATA[",
        "]]>",
        "<?",
        "<div ",
        "onclick=",
        " onmouseover=\"",
        "javascript:",
        "JaVaScRiPt:",
        "java\tscript:",
        "vbscript:",
        "data:text/html,",
        "&#106;",
        "&#x3A;",
        "&colon;",
        "&amp;",
        "&",
        ";",
        "[",
        "]",
        "(",
        ")",
        "![",
        "<",
        ">",
        "\"",
        "'",
        "`",
        "```",
        "\n",
        "\n\n",
        "  \n",
        " ",
        "\t",
        "*",
        "_",
        "#",
        "- ",
        "1. ",
        "> ",
        "|",
        "---",
        "- [ ] ",
        "~~",
        "\\",
        ":",
        "/",
        "http://x.example/",
        "mailto:a@b.example",
        "\u{0}",
    ];

    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => proptest::sample::select(&PIECES[..]).prop_map(str::to_owned),
            2 => "[a-zA-Z0-9 ]{1,6}",
            1 => any::<char>().prop_map(String::from),
        ]
    }

    /// Markdown-ish text made of pieces, or any string at all.
    fn source() -> impl Strategy<Value = String> {
        prop_oneof![
            3 => proptest::collection::vec(piece(), 0..40).prop_map(|p| p.concat()),
            1 => any::<String>(),
        ]
    }

    /// One tag of the output: its name and its attributes (name, value as written).
    struct Tag {
        name: String,
        attributes: Vec<(String, String)>,
    }

    /// Every tag in `html`. Text is escaped (`&lt;`), so each `<` starts a real tag; values
    /// are double-quoted with `"` escaped, as pulldown-cmark writes them.
    fn tags(html: &str) -> Vec<Tag> {
        let mut found = Vec::new();
        let mut rest = html;
        while let Some(start) = rest.find('<') {
            rest = &rest[start + 1..];
            rest = rest.strip_prefix('/').unwrap_or(rest);
            let name_end = rest
                .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
                .unwrap_or(rest.len());
            let name = rest[..name_end].to_ascii_lowercase();
            rest = &rest[name_end..];
            let mut attributes = Vec::new();
            loop {
                rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
                if rest.is_empty() || rest.starts_with('>') {
                    break;
                }
                let end = rest
                    .find(|c: char| c.is_whitespace() || c == '=' || c == '>' || c == '/')
                    .unwrap_or(rest.len());
                let attribute = rest[..end].to_ascii_lowercase();
                rest = &rest[end..];
                let mut value = String::new();
                if let Some(after) = rest.strip_prefix("=\"") {
                    let close = after.find('"').expect("a closed attribute value");
                    value = after[..close].to_owned();
                    rest = &after[close + 1..];
                } else if rest.starts_with('=') {
                    panic!("an unquoted attribute value in {html}");
                }
                attributes.push((attribute, value));
            }
            found.push(Tag { name, attributes });
        }
        found
    }

    /// An attribute value as the browser reads it: character references decoded.
    fn unescape(value: &str) -> String {
        let mut out = String::new();
        let mut rest = value;
        while let Some(amp) = rest.find('&') {
            out.push_str(&rest[..amp]);
            rest = &rest[amp..];
            let Some(semi) = rest.find(';') else { break };
            let entity = &rest[1..semi];
            let decoded = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => entity
                    .strip_prefix("#x")
                    .or_else(|| entity.strip_prefix("#X"))
                    .map(|hex| u32::from_str_radix(hex, 16))
                    .or_else(|| entity.strip_prefix('#').map(str::parse))
                    .and_then(Result::ok)
                    .and_then(char::from_u32),
            };
            match decoded {
                Some(c) => {
                    out.push(c);
                    rest = &rest[semi + 1..];
                }
                // A bare `&` (the writer escapes every `&` it means literally: see below).
                None => {
                    out.push('&');
                    rest = &rest[1..];
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// The scheme a browser would take from an address (WHATWG URL: leading and trailing
    /// spaces and controls dropped, tabs and newlines anywhere removed), lowercased.
    fn scheme(address: &str) -> Option<String> {
        let cleaned: String = address
            .trim_matches(|c: char| c <= ' ')
            .chars()
            .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
            .collect();
        let colon = cleaned.find(':')?;
        let candidate = &cleaned[..colon];
        let mut chars = candidate.chars();
        let well_formed = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        well_formed.then(|| candidate.to_ascii_lowercase())
    }

    /// What must hold of any rendering; the reason when it does not.
    fn check(html: &str) -> Result<(), String> {
        if html.to_ascii_lowercase().contains("<script") {
            return Err("a <script> tag".into());
        }
        for tag in tags(html) {
            if !TAGS.contains(&tag.name.as_str()) {
                return Err(format!("a <{}> tag from the input", tag.name));
            }
            for (attribute, value) in &tag.attributes {
                if attribute.starts_with("on") {
                    return Err(format!("an event handler {attribute}"));
                }
                let alignment = attribute == "style" && value.starts_with("text-align: ");
                if !ATTRIBUTES.contains(&attribute.as_str()) && !alignment {
                    return Err(format!("an attribute {attribute}"));
                }
                if attribute == "href" || attribute == "src" {
                    let address = unescape(value);
                    if let Some(s) = scheme(&address) {
                        if !["http", "https", "mailto"].contains(&s.as_str()) {
                            return Err(format!("a {s}: address {address:?}"));
                        }
                    }
                }
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn any_text_renders_without_script(source in source()) {
            let html = to_safe_html(&source);
            if let Err(why) = check(&html) {
                prop_assert!(false, "{why}: {source:?} → {html:?}");
            }
        }

        /// Raw HTML is shown as text: an element written in the input never comes out as one.
        #[test]
        fn raw_html_stays_text(
            before in source(),
            name in "(script|iframe|div|span|b|style|object|embed|svg|form|body|math)",
            after in source(),
        ) {
            let source = format!("{before}<{name} x=1>{after}");
            let html = to_safe_html(&source);
            let lower = html.to_ascii_lowercase();
            prop_assert!(!lower.contains(&format!("<{name} ")), "{source:?} → {html:?}");
        }
    }

    /// The checks catch what they are for (or the fuzzing would prove nothing).
    #[test]
    fn the_checks_see_script() {
        for bad in [
            "<script>alert(1)</script>",
            "<p onclick=\"x\">a</p>",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<a href=\" &#106;avascript:alert(1)\">x</a>",
            "<a href=\"java&#x9;script:x\">x</a>",
            "<img src=\"data:text/html,x\"/>",
            "<iframe src=\"/x\"></iframe>",
            "<p style=\"color: red\">x</p>",
        ] {
            assert!(check(bad).is_err(), "{bad}");
        }
        let fine = "<p><a href=\"/p/x?a=b:c\" title=\"on=1\">x</a> <img src=\"https://x/\" alt=\"y\"/></p>\n<table><thead><tr><th style=\"text-align: left\">a</th></tr></thead></table>";
        assert_eq!(check(fine), Ok(()));
    }
}
