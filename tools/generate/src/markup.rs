//! The core's documentation markup (see `postcore::spec`), spelled for one language, and
//! paragraphs wrapped to a width.

use postcore::spec::OPERATIONS;

/// The language a text is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// reST docstrings, snake_case names, seconds.
    Python,
    /// Markdown JSDoc, camelCase names, milliseconds.
    TypeScript,
}

/// `profile_key` → `profileKey` (the core's spelling rule).
pub fn camel(name: &str) -> String {
    postcore::bindings::snake_to_camel(name)
}

/// A Python name spelled for `lang`: arguments and fields camelCased, `resource.method` with
/// Node's method name.
pub fn spell(name: &str, lang: Lang) -> String {
    if let Some(op) = OPERATIONS.iter().find(|op| op.name == name) {
        return match lang {
            Lang::Python => format!("{name}()"),
            Lang::TypeScript => format!("{}.{}()", op.resource(), node_method(op)),
        };
    }
    if lang == Lang::Python {
        return name.to_owned();
    }
    camel(name)
}

/// The Node method of `op` (`waitMany`, `linkedInConnectUrl`).
pub fn node_method(op: &postcore::spec::Operation) -> String {
    op.node_method
        .map_or_else(|| camel(op.method_name()), str::to_owned)
}

/// A code span's text for `lang`: in TypeScript, a snake_case name is camelCased and `None`
/// is `null` (the Rust doc comments the models' docs come from spell them as Python does).
fn code_text(text: &str, lang: Lang) -> String {
    if lang == Lang::Python {
        return text.to_owned();
    }
    if text == "None" {
        return "null".to_owned();
    }
    let snake = text.contains('_')
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.');
    if snake {
        spell(text, lang)
    } else {
        text.to_owned()
    }
}

fn code(text: &str, lang: Lang) -> String {
    match lang {
        Lang::Python => format!("``{text}``"),
        Lang::TypeScript => format!("`{text}`"),
    }
}

/// The text with its markup spelled for `lang`, on one line per paragraph (paragraphs are
/// separated by a blank line; line breaks inside one are spaces).
pub fn render(text: &str, lang: Lang) -> String {
    let text = unwrap(text);
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '`' => {
                let ticks = chars[i..].iter().take_while(|c| **c == '`').count();
                let start = i + ticks;
                let end = (start..chars.len())
                    .find(|&j| {
                        chars[j..].iter().take_while(|c| **c == '`').count() == ticks
                            && (j + ticks == chars.len() || chars[j + ticks] != '`')
                    })
                    .unwrap_or(chars.len());
                let inner: String = chars[start..end].iter().collect();
                if ticks == 1 {
                    out.push_str(&code(&code_text(&inner, lang), lang));
                } else {
                    let fence = "`".repeat(ticks);
                    out.push_str(&format!("{fence}{inner}{fence}"));
                }
                i = (end + ticks).min(chars.len());
            }
            '{' => {
                let mut depth = 0;
                let mut end = i;
                for (j, c) in chars.iter().enumerate().skip(i) {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = j;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                let inner: String = chars[i + 1..end].iter().collect();
                let sentence_start = out.is_empty() || out.ends_with(". ") || out.ends_with("\n");
                let piece = if let Some(raw) = inner.strip_prefix("py:") {
                    if lang == Lang::Python {
                        raw.to_owned()
                    } else {
                        String::new()
                    }
                } else if let Some(raw) = inner.strip_prefix("js:") {
                    if lang == Lang::TypeScript {
                        raw.to_owned()
                    } else {
                        String::new()
                    }
                } else if inner == "none" {
                    code(if lang == Lang::Python { "None" } else { "null" }, lang)
                } else if inner == "unit" {
                    let unit = if lang == Lang::Python {
                        "seconds"
                    } else {
                        "milliseconds"
                    };
                    if sentence_start {
                        capitalize(unit)
                    } else {
                        unit.to_owned()
                    }
                } else {
                    code(&spell(&inner, lang), lang)
                };
                out.push_str(&piece);
                i = end + 1;
            }
            '[' => {
                let end = chars[i..].iter().position(|c| *c == ']').map(|p| p + i);
                let inner: Option<String> = end.map(|end| chars[i + 1..end].iter().collect());
                match (end, inner) {
                    (Some(end), Some(name))
                        if name.starts_with(|c: char| c.is_ascii_uppercase())
                            && name.chars().all(|c| c.is_ascii_alphanumeric()) =>
                    {
                        out.push_str(&match lang {
                            Lang::Python => format!(":class:`{name}`"),
                            Lang::TypeScript => format!("`{name}`"),
                        });
                        i = end + 1;
                    }
                    _ => {
                        out.push('[');
                        i += 1;
                    }
                }
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// A Rust doc comment (lines with a leading space) or a table's text as paragraphs: lines
/// joined with spaces, blank lines kept as paragraph breaks.
fn unwrap(text: &str) -> String {
    let mut paragraphs: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            if !current.is_empty() {
                paragraphs.push(std::mem::take(&mut current));
            }
            continue;
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(line);
    }
    if !current.is_empty() {
        paragraphs.push(current);
    }
    paragraphs.join("\n\n")
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// `text` (paragraphs as [`render`] gives them) wrapped to `width` columns, every line
/// starting with `indent`, the first with `first` instead. Blank lines between paragraphs
/// are empty.
pub fn wrap(text: &str, width: usize, first: &str, indent: &str) -> Vec<String> {
    let mut lines = Vec::new();
    for (n, paragraph) in text.split("\n\n").enumerate() {
        if n > 0 {
            lines.push(String::new());
        }
        let mut line = if n == 0 {
            first.to_owned()
        } else {
            indent.to_owned()
        };
        let mut empty = true;
        for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
            if !empty && line.len() + 1 + word.len() > width {
                lines.push(std::mem::replace(&mut line, indent.to_owned()));
                empty = true;
            }
            if !empty {
                line.push(' ');
            }
            line.push_str(word);
            empty = false;
        }
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_spelled_per_language() {
        let text = "Wait for {post_ids} ({posts.wait_many}); [Post] or {none}, `x`. {unit} \
                    apart{py:, in Python}{js:, in Node}.";
        assert_eq!(
            render(text, Lang::Python),
            "Wait for ``post_ids`` (``posts.wait_many()``); :class:`Post` or ``None``, ``x``. \
             Seconds apart, in Python."
        );
        assert_eq!(
            render(text, Lang::TypeScript),
            "Wait for `postIds` (`posts.waitMany()`); `Post` or `null`, `x`. Milliseconds \
             apart, in Node."
        );
        assert_eq!(
            render("{profiles.linkedin_connect_url}", Lang::TypeScript),
            "`profiles.linkedInConnectUrl()`"
        );
    }

    #[test]
    fn paragraphs_wrap() {
        let lines = wrap("aaa bbb ccc\n\nddd", 9, "> ", "  ");
        assert_eq!(lines, ["> aaa bbb", "  ccc", "", "  ddd"]);
    }
}
