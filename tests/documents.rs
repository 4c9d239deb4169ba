//! The documents people read, rendered as they will be: the weekly summary as
//! HTML, and the referral letter, printed by headless Chromium (Debian's
//! `chromium`) to PNG and PDF. Checked: the page is not blank, nothing runs
//! past the A4 width (the right margin of a screenshot at A4 width is blank),
//! the PDF's pages are A4, and the figures in the HTML are the JSON's.
//!
//! Without Chromium these tests say once that they were skipped and how to run
//! them; with `CI` set, a missing Chromium is a failure.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_linkwork");

/// A4 at 96 CSS pixels to the inch: 210 mm.
const A4_PX: u32 = 794;

fn chromium() -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser", "google-chrome"].iter().find_map(|name| {
        std::env::var_os("PATH")?.to_str()?.split(':').map(|dir| Path::new(dir).join(name)).find(|p| p.is_file())
    });
    if found.is_none() {
        if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
            panic!("CI is set but Chromium is not installed: .ci/run installs it with apt-get install -y chromium");
        }
        // Once per run, and past the test harness's capture of eprintln!.
        static SAID: std::sync::Once = std::sync::Once::new();
        SAID.call_once(|| {
            use std::io::Write as _;
            let _ = writeln!(
                std::io::stderr(),
                "documents: Chromium tests skipped (no chromium on PATH): apt-get install -y chromium \
                 fonts-noto-core fonts-noto-color-emoji, then cargo test --test documents"
            );
        });
    }
    found
}

/// Run headless Chromium on `html` with `args` (output flags), in a fresh profile.
fn render(chrome: &Path, html: &Path, args: &[String]) {
    let profile = tempfile::tempdir().unwrap();
    let o = Command::new(chrome)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(["--hide-scrollbars", "--no-pdf-header-footer"])
        .args(args)
        .arg(format!("file://{}", html.display()))
        .output()
        .unwrap();
    assert!(o.status.success(), "chromium: {}", String::from_utf8_lossy(&o.stderr));
}

/// A screenshot at A4 width, `height` pixels tall: (width, height, RGB rows).
fn screenshot(chrome: &Path, html: &Path, height: u32) -> (u32, u32, Vec<u8>, PathBuf) {
    let png = html.with_extension("png");
    render(chrome, html, &[format!("--window-size={A4_PX},{height}"), format!("--screenshot={}", png.display())]);
    let decoder = png::Decoder::new(std::fs::File::open(&png).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    let rgb: Vec<u8> = buf[..info.buffer_size()].chunks(channels).flat_map(|p| [p[0], p[1], p[2]]).collect();
    (info.width, info.height, rgb, png)
}

/// Pixels that are not (nearly) white in columns `from..to`.
fn inked(width: u32, height: u32, rgb: &[u8], from: u32, to: u32) -> usize {
    let mut n = 0;
    for y in 0..height {
        for x in from..to.min(width) {
            let i = ((y * width + x) * 3) as usize;
            if rgb[i..i + 3].iter().any(|c| *c < 235) {
                n += 1;
            }
        }
    }
    n
}

/// The page is drawn (not blank) and nothing reaches the right margin: the page
/// is laid out 170 mm wide in the middle of 210 mm, so the last 30 px are blank.
fn check_page(chrome: &Path, html: &Path, height: u32) -> PathBuf {
    let (w, h, rgb, png) = screenshot(chrome, html, height);
    assert_eq!(w, A4_PX, "{}", png.display());
    let ink = inked(w, h, &rgb, 0, w);
    assert!(ink > (w * h / 200) as usize, "{}: nearly blank ({ink} inked pixels)", png.display());
    let right = inked(w, h, &rgb, w - 30, w);
    assert_eq!(right, 0, "{}: {right} inked pixels in the right margin: something overflows A4", png.display());
    png
}

/// Print to PDF and read its pages' sizes: every page A4 (595 x 842 points).
fn check_pdf(chrome: &Path, html: &Path) -> usize {
    let pdf = html.with_extension("pdf");
    render(chrome, html, &[format!("--print-to-pdf={}", pdf.display())]);
    let bytes = std::fs::read(&pdf).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    let boxes: Vec<&str> = text.match_indices("/MediaBox [").map(|(i, _)| &text[i + 11..]).collect();
    assert!(!boxes.is_empty(), "{}: no pages", pdf.display());
    for b in &boxes {
        let nums: Vec<f64> = b.split(']').next().unwrap().split_whitespace().map(|n| n.parse().unwrap()).collect();
        assert!(
            (nums[2] - 595.3).abs() < 2.0 && (nums[3] - 841.9).abs() < 2.0,
            "{}: page {nums:?} is not A4",
            pdf.display()
        );
    }
    boxes.len()
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&")
}

/// Every `data-figure="KEY">VALUE<` in the page.
fn figures(html: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (i, _) in html.match_indices("data-figure=\"") {
        let rest = &html[i + 13..];
        let (key, rest) = rest.split_once('"').unwrap();
        let value = rest[1..].split('<').next().unwrap();
        out.insert(unescape(key), unescape(value));
    }
    out
}

/// The JSON's value at a figure's key: `section.measure[.rest]`.
fn json_at<'a>(json: &'a Value, key: &str) -> &'a Value {
    let mut parts = key.splitn(3, '.');
    let (section, measure, rest) = (parts.next().unwrap(), parts.next().unwrap(), parts.next());
    if section == "services_over_capacity" {
        let service = format!("{measure}{}", rest.map(|r| format!(".{r}")).unwrap_or_default());
        return &json[section].as_array().unwrap().iter().find(|o| o["service"] == service.as_str()).unwrap()["sent"];
    }
    match rest {
        Some(r) => &json[section][measure][r],
        None => &json[section][measure],
    }
}

fn same(json: &Value, html: &str) -> bool {
    match json {
        Value::Number(n) => html.parse::<f64>().is_ok_and(|h| (h - n.as_f64().unwrap()).abs() < 1e-9),
        Value::String(s) => s == html,
        Value::Null => html == "—" || html == "*",
        _ => false,
    }
}

/// The figures in the HTML are the JSON's, and every breakdown row of the JSON
/// is in the HTML.
fn figures_match(html: &str, json: &Value) {
    let figs = figures(html);
    assert!(figs.len() > 20, "{} figures", figs.len());
    for (key, shown) in &figs {
        let v = json_at(json, key);
        assert!(same(v, shown), "{key}: the HTML shows {shown:?}, the JSON has {v}");
    }
    for (section, measure) in [
        ("referrals", "by_reason"),
        ("referrals", "by_referrer_role"),
        ("referrals", "by_practice"),
        ("contacts", "by_kind"),
        ("prescriptions", "by_service"),
        ("prescriptions", "by_category"),
        ("closed", "by_outcome"),
        ("unmet_needs", "by_code"),
    ] {
        for k in json[section][measure].as_object().unwrap().keys() {
            assert!(figs.contains_key(&format!("{section}.{measure}.{k}")), "{section}.{measure}.{k} not in the HTML");
        }
    }
    for o in json["services_over_capacity"].as_array().unwrap() {
        assert!(figs.contains_key(&format!("services_over_capacity.{}", o["service"].as_str().unwrap())));
    }
}

fn lw(db: &Path, args: &[&str]) -> Vec<u8> {
    let o = Command::new(BIN).args(args).env("LINKWORK_DB", db).env("LINKWORK_WORKER", "Rhian Test").output().unwrap();
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    o.stdout
}

fn demo(dir: &Path) -> PathBuf {
    let db = dir.join("demo.db");
    lw(&db, &["init", "--worker", "Rhian Test"]);
    lw(&db, &["demo", "--today", "2026-11-23"]);
    db
}

#[test]
fn the_html_summary_prints_on_a4_with_the_json_figures() {
    let Some(chrome) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let week = ["summary", "--week", "2026-W47", "--suppress-small"];
    let year = ["summary", "--from", "2025-11-24", "--to", "2026-11-22"];
    for (name, args, height) in [("week", &week[..], 4000), ("year", &year[..], 9000)] {
        let html_path = dir.path().join(format!("{name}.html"));
        let mut a = args.to_vec();
        a.extend(["--out", html_path.to_str().unwrap()]);
        lw(&db, &a);
        let html = std::fs::read_to_string(&html_path).unwrap();
        // Self-contained: no scripts, nothing fetched.
        for banned in ["<script", "src=", "href=", "@import", "url("] {
            assert!(!html.contains(banned), "{name}: {banned}");
        }
        // Metadata: period, PCN, who made it, the method.
        assert!(html.contains("Riverside and Millbrook PCN"), "{name}: the PCN");
        assert!(html.contains("by Rhian Test"), "{name}: who made it");
        if name == "week" {
            assert!(html.contains("2026-11-16 to 2026-11-22"));
            assert!(html.contains("NHS Digital HES/ECDS disclosure control"));
        } else {
            assert!(html.contains("none: exact figures"));
        }
        // Charts with text equivalents.
        assert_eq!(html.matches("<svg").count(), 4, "{name}: four charts");
        assert_eq!(html.matches("role=\"img\"").count(), 4);
        assert_eq!(html.matches("<desc id=").count(), 4);
        let mut j = args.to_vec();
        j.extend(["--format", "json"]);
        let json: Value = serde_json::from_slice(&lw(&db, &j)).unwrap();
        figures_match(&html, &json);

        let png = check_page(&chrome, &html_path, height);
        let pages = check_pdf(&chrome, &html_path);
        assert!(pages >= 3, "{name}: a page per section at least ({pages})");
        eprintln!("documents: {name}: {} and {pages} A4 pages", png.display());
        if let Ok(keep) = std::env::var("LINKWORK_KEEP_RENDERS") {
            std::fs::copy(&png, Path::new(&keep).join(format!("summary-{name}.png"))).unwrap();
        }
    }
}

#[test]
fn the_checks_catch_an_overflowing_or_blank_page() {
    let Some(chrome) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let wide = dir.path().join("wide.html");
    std::fs::write(
        &wide,
        linkwork::formats::html::page("wide", "<table><tr><td style=\"white-space:nowrap\">".to_owned().as_str())
            .replace(
                "<body>",
                &format!("<body><div style=\"width:{}px;height:40px;background:#000\"></div>", A4_PX + 100),
            ),
    )
    .unwrap();
    let caught = std::panic::catch_unwind(|| check_page(&chrome, &wide, 600));
    assert!(caught.is_err(), "a page wider than A4 must fail the check");
    let blank = dir.path().join("blank.html");
    std::fs::write(&blank, linkwork::formats::html::page("blank", "")).unwrap();
    let caught = std::panic::catch_unwind(|| check_page(&chrome, &blank, 600));
    assert!(caught.is_err(), "a blank page must fail the check");
}

/// Letters for people whose names are Welsh, Urdu and have an emoji; an NHS
/// number only where the signed file carries it; refused without consent with
/// the signed export's own words.
#[test]
fn referral_letters_match_their_signed_files() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("l.db");
    lw(&db, &["init", "--worker", "Rhian Test"]);
    lw(&db, &["services", "import", "tests/fixtures/oruk/uk-profile-service_list.json"]);
    let people = [
        ("9990000018", "Siân Llŷr ap Dafydd", true),
        ("9990000026", "عائشہ خان", false),
        ("9990000034", "Jo 🌈 Bloggs", true),
        ("9990000042", "Nomi Consent", false),
    ];
    for (nhs, name, _) in &people {
        lw(&db, &["referral", "add", "--nhs", nhs, "--name", name, "--dob", "1950-03-01", "--reason", "loneliness"]);
    }
    for (i, (_, _, share)) in people.iter().enumerate() {
        let client = (i + 1).to_string();
        let mut a = vec!["prescribe", "--client", client.as_str(), "--service", "1", "--wants", "Singing with others"];
        if i < 3 {
            a.extend(["--consent", "written"]);
        }
        if *share {
            a.push("--share-nhs-number");
        }
        lw(&db, &a);
    }
    let chrome = chromium();
    for (i, (nhs, name, share)) in people.iter().take(3).enumerate() {
        let id = (i + 1).to_string();
        let signed = dir.path().join(format!("r{id}.jws.json"));
        let letter = dir.path().join(format!("r{id}.html"));
        lw(&db, &["export", "referral", &id, "--out", signed.to_str().unwrap()]);
        lw(&db, &["export", "letter", &id, "--signed", signed.to_str().unwrap(), "--out", letter.to_str().unwrap()]);
        let text =
            String::from_utf8(lw(&db, &["export", "letter", &id, "--signed", signed.to_str().unwrap()])).unwrap();
        let html = std::fs::read_to_string(&letter).unwrap();
        let bytes = std::fs::read(&signed).unwrap();
        use sha2::Digest as _;
        let sha: String = sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
        let verified: Value = serde_json::from_slice(&lw(&db, &["verify", signed.to_str().unwrap()])).unwrap();
        let header: Value = {
            let jws: Value = serde_json::from_slice(&bytes).unwrap();
            use base64::Engine as _;
            let p =
                base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(jws["protected"].as_str().unwrap()).unwrap();
            serde_json::from_slice(&p).unwrap()
        };
        let line =
            format!("Referral {id} · signed file SHA-256 {sha} · signing key {}", header["kid"].as_str().unwrap());
        for (form, doc) in [("text", &text), ("html", &html)] {
            assert!(doc.contains(&line), "{form} letter {id}: no verification line {line:?}");
            assert!(doc.contains(name), "{form}: the name as written");
            assert!(doc.contains("not the signed record"), "{form}");
            assert!(doc.contains("Singing with others"), "{form}");
            assert!(doc.contains("Loneliness") || doc.contains("loneliness"), "{form}: the need in words");
            assert!(!doc.contains("871731000000106"), "{form}: no code without its meaning");
            let spaced = format!("{} {} {}", &nhs[..3], &nhs[3..6], &nhs[6..]);
            let carried = verified["person"]["nhs_number"].as_str().is_some();
            assert_eq!(carried, *share);
            assert_eq!(
                doc.contains(&spaced) || doc.contains(*nhs),
                carried,
                "{form} letter {id}: NHS number only if signed"
            );
        }
        if let Some(chrome) = &chrome {
            let png = check_page(chrome, &letter, 1800);
            assert!(check_pdf(chrome, &letter) >= 1);
            if let Ok(keep) = std::env::var("LINKWORK_KEEP_RENDERS") {
                std::fs::copy(&png, Path::new(&keep).join(format!("letter-{id}.png"))).unwrap();
            }
        }
    }
    // A letter from a file that is not the latest export is refused.
    let old = dir.path().join("r1.jws.json");
    lw(&db, &["export", "referral", "1", "--out", dir.path().join("again.json").to_str().unwrap()]);
    let o = Command::new(BIN)
        .args(["export", "letter", "1", "--signed", old.to_str().unwrap()])
        .env("LINKWORK_DB", &db)
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("not prescription 1's latest export"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // No consent: the same refusal, in the same words, as the signed export.
    let refuse = |what: &str| {
        let o = Command::new(BIN).args(["export", what, "4"]).env("LINKWORK_DB", &db).output().unwrap();
        assert!(!o.status.success());
        String::from_utf8(o.stderr).unwrap()
    };
    let (signed, letter) = (refuse("referral"), refuse("letter"));
    assert!(signed.contains("consent"), "{signed}");
    assert_eq!(letter, signed);
}

/// The names are drawn with real glyphs: each renders differently from the same
/// number of characters no font has (drawn as the same missing-glyph box), and
/// the emoji in colour.
#[test]
fn welsh_urdu_and_emoji_names_have_glyphs() {
    let Some(chrome) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let shot = |name: &str, text: &str| {
        let f = dir.path().join(format!("{name}.html"));
        let body = format!("<p style=\"font-size:48px\">{}</p>", linkwork::formats::html::escape(text));
        std::fs::write(&f, linkwork::formats::html::page(name, &body)).unwrap();
        screenshot(&chrome, &f, 300).2
    };
    for (i, name) in ["Siân Llŷr ap Dafydd", "عائشہ خان", "Jo 🌈 Bloggs"].iter().enumerate() {
        let missing: String = name.chars().map(|c| if c == ' ' { ' ' } else { '\u{10FFFD}' }).collect();
        assert_ne!(
            shot(&format!("n{i}"), name),
            shot(&format!("m{i}"), &missing),
            "{name}: drawn as missing glyphs (fonts: apt-get install -y fonts-noto-core fonts-noto-color-emoji)"
        );
    }
    let rgb = shot("emoji", "🌈");
    let coloured = rgb.chunks(3).filter(|p| p.iter().max().unwrap() - p.iter().min().unwrap() > 60).count();
    assert!(
        coloured > 100,
        "the emoji is drawn in colour ({coloured} coloured pixels; apt-get install -y fonts-noto-color-emoji)"
    );
}
