//! What the HTML documents share (the weekly report and the referral letter):
//! escaping, and a stylesheet that works on screen and prints on A4. Documents
//! are self-contained: no scripts, no fonts, images or styles from elsewhere.

/// Text made safe inside HTML elements and attribute values; control
/// characters (but not newlines and tabs) are dropped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// The stylesheet: system fonts, a readable column, tables that wrap rather than
/// clip, and on paper A4 with 15 mm margins, a page break before each
/// section after the first, nothing split across pages that need not be.
pub const STYLE: &str = r#"
:root { color-scheme: light; }
* { box-sizing: border-box; }
html { background: #fff; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif;
  color: #111; background: #fff; line-height: 1.45; font-size: 11pt;
  max-width: 170mm; margin: 0 auto; padding: 12mm 0; overflow-wrap: anywhere; }
h1 { font-size: 18pt; margin: 0 0 4mm; }
h2 { font-size: 14pt; margin: 8mm 0 3mm; border-bottom: 1px solid #444; break-after: avoid; }
h3 { font-size: 11.5pt; margin: 5mm 0 2mm; break-after: avoid; }
p { margin: 0 0 3mm; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 1mm 5mm; margin: 0 0 5mm; }
dl.meta dt { font-weight: 600; }
dl.meta dd { margin: 0; }
.note { font-size: 9.5pt; color: #333; border-left: 3px solid #666; padding: 1mm 3mm; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; margin: 0 0 4mm; break-inside: auto; }
caption { text-align: left; font-weight: 600; padding: 1mm 0; }
th, td { text-align: left; padding: 1mm 2mm; border-bottom: 1px solid #bbb; vertical-align: top; }
td.n, th.n { text-align: right; width: 28mm; font-variant-numeric: tabular-nums; }
tr { break-inside: avoid; }
figure { margin: 0 0 4mm; break-inside: avoid; }
figure svg { display: block; width: 100%; height: auto; }
figcaption { font-size: 9.5pt; color: #333; }
@page { size: A4; margin: 15mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  section + section { break-before: page; }
  a { color: inherit; text-decoration: none; }
}
"#;

/// A whole document: doctype, language, title, the stylesheet and `body`.
pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n\
         <body>\n{body}</body>\n</html>\n",
        escape(title)
    )
}
