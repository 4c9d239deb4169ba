//! Signed exports: RFC 8785 canonical JSON inside an RFC 7515 flattened JWS JSON
//! serialization, signed with Ed25519 (RFC 8037). The envelope is small enough to
//! write here; the cryptography is ed25519-dalek's.
//!
//! A signed file looks like `{"payload":"…","protected":"…","signature":"…"}`:
//! `protected` is the base64url (no padding) of the header
//! `{"alg":"EdDSA","kid":<RFC 7638 thumbprint>,"typ":…}`, `payload` the base64url of
//! the canonical bytes of the document, and `signature` the base64url of the
//! Ed25519 signature over `protected "." payload`. Any JOSE library verifies it.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

/// The media type of a referral handed to a service.
/// The largest signed file (or key file) read: far above any export, and
/// `/dev/zero` is refused quickly.
pub const FILE_LIMITS: crate::input::Limits = crate::input::Limits { max_bytes: 16 << 20, max_line: usize::MAX };

pub const TYP_REFERRAL: &str = "linkwork-referral+json";
/// The media type of a signed weekly summary.
pub const TYP_SUMMARY: &str = "linkwork-summary+json";

// ---------------------------------------------------------------------------
// RFC 8785: JSON Canonicalization Scheme
// ---------------------------------------------------------------------------

/// The RFC 8785 canonical form of a JSON value: object members sorted by their
/// UTF-16 code units, no whitespace, numbers as ECMAScript prints them, strings
/// with only the escapes the RFC requires.
pub fn canonical(value: &Value) -> Result<String, String> {
    let mut out = String::new();
    write_canonical(value, &mut out)?;
    Ok(out)
}

fn write_canonical(value: &Value, out: &mut String) -> Result<(), String> {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&canonical_number(n)?),
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out)?;
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
            out.push('{');
            for (i, (k, v)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(k, out);
                out.push(':');
                write_canonical(v, out)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

/// JSON numbers are IEEE 754 doubles in RFC 8785. An integer is written as the
/// double nearest to it prints; if that is not the same digits (the double is
/// another number), it is refused rather than silently changed.
fn canonical_number(n: &serde_json::Number) -> Result<String, String> {
    let f = n.as_f64().ok_or_else(|| format!("the number {n} cannot be written as canonical JSON"))?;
    if !f.is_finite() {
        return Err("canonical JSON has no infinities or NaN".to_owned());
    }
    let text = if f == 0.0 { "0".to_owned() } else { ryu_js::Buffer::new().format_finite(f).to_owned() };
    if (n.is_i64() || n.is_u64()) && text != n.to_string() {
        return Err(format!("the number {n} cannot be held exactly in canonical JSON"));
    }
    Ok(text)
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{08}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{0C}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

// ---------------------------------------------------------------------------
// Keys as JWKs (RFC 8037) and their thumbprints (RFC 7638)
// ---------------------------------------------------------------------------

pub fn b64(bytes: &[u8]) -> String {
    B64.encode(bytes)
}

/// The RFC 7638 thumbprint of an Ed25519 public key: the base64url SHA-256 of
/// `{"crv":"Ed25519","kty":"OKP","x":…}`. It is the key's `kid`.
pub fn thumbprint(key: &VerifyingKey) -> String {
    let members = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#, b64(key.as_bytes()));
    b64(&Sha256::digest(members.as_bytes()))
}

/// The public key as a JWK, carrying its `kid`.
pub fn public_jwk(key: &VerifyingKey) -> Value {
    json!({
        "kty": "OKP",
        "crv": "Ed25519",
        "x": b64(key.as_bytes()),
        "kid": thumbprint(key),
        "alg": "EdDSA",
        "use": "sig",
    })
}

/// Read an Ed25519 public key from a JWK (`kty` OKP, `crv` Ed25519). A `kid`, if
/// present, must be the key's thumbprint.
pub fn parse_jwk(text: &str) -> Result<VerifyingKey, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("the key is not JSON: {e}"))?;
    let field = |name: &str| v.get(name).and_then(Value::as_str);
    if field("kty") != Some("OKP") || field("crv") != Some("Ed25519") {
        return Err("the key is not an Ed25519 JWK (expected \"kty\":\"OKP\", \"crv\":\"Ed25519\")".to_owned());
    }
    if v.get("d").is_some() {
        return Err("the key file holds a private key; give the public key only".to_owned());
    }
    let x = field("x").ok_or("the key has no \"x\"")?;
    let bytes: [u8; 32] =
        B64.decode(x).ok().and_then(|b| b.try_into().ok()).ok_or("the key's \"x\" is not 32 bytes of base64url")?;
    let key = VerifyingKey::from_bytes(&bytes).map_err(|_| "the key's \"x\" is not an Ed25519 public key")?;
    if let Some(kid) = field("kid")
        && kid != thumbprint(&key)
    {
        return Err(format!("the key's kid {kid} is not its thumbprint {}", thumbprint(&key)));
    }
    Ok(key)
}

// ---------------------------------------------------------------------------
// The envelope
// ---------------------------------------------------------------------------

/// Sign a document: its canonical bytes become the payload. Returns the flattened
/// JWS JSON serialization, one line ending in a newline.
pub fn sign(document: &Value, key: &SigningKey, typ: &str) -> Result<String, String> {
    sign_with(document, key, typ, &[])
}

/// As [`sign`], with more members in the protected header (names that are not
/// registered JOSE ones, so any JOSE library ignores them but they are signed).
pub fn sign_with(document: &Value, key: &SigningKey, typ: &str, extra: &[(&str, Value)]) -> Result<String, String> {
    let mut header = json!({"alg": "EdDSA", "kid": thumbprint(&key.verifying_key()), "typ": typ});
    for (name, value) in extra {
        header[*name] = value.clone();
    }
    let protected = b64(canonical(&header)?.as_bytes());
    let payload = b64(canonical(document)?.as_bytes());
    let signature = key.sign(format!("{protected}.{payload}").as_bytes());
    let envelope = json!({"protected": protected, "payload": payload, "signature": b64(&signature.to_bytes())});
    Ok(canonical(&envelope)? + "\n")
}

/// Why a signed file did not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyError {
    /// Not a flattened JWS, or its parts do not decode.
    Malformed(String),
    /// The header asks for something this program does not do.
    Unsupported(String),
    /// Signed by a key this installation does not know (or not the one given).
    UnknownKey(String),
    /// The signature does not match: the file was changed after signing, or the
    /// key is not the one that signed it.
    BadSignature,
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::Malformed(why) => write!(f, "malformed: {why}"),
            VerifyError::Unsupported(why) => write!(f, "unsupported: {why}"),
            VerifyError::UnknownKey(why) => write!(f, "unknown key: {why}"),
            VerifyError::BadSignature => {
                f.write_str("tampered: the signature does not match the content (changed after signing?)")
            }
        }
    }
}

impl std::error::Error for VerifyError {}

/// A file that verified: its header and document.
#[derive(Debug, Clone, PartialEq)]
pub struct Verified {
    pub kid: String,
    pub typ: Option<String>,
    pub document: Value,
}

/// Check a flattened JWS: its structure, its header (`alg` EdDSA, a `kid`, no
/// `crit`), then the signature with the key `find_key` gives for the `kid`.
pub fn verify(
    text: &[u8],
    find_key: impl Fn(&str) -> Result<VerifyingKey, VerifyError>,
) -> Result<Verified, VerifyError> {
    let malformed = |why: &str| VerifyError::Malformed(why.to_owned());
    let envelope: Map<String, Value> = match serde_json::from_slice(text) {
        Ok(Value::Object(m)) => m,
        Ok(_) => return Err(malformed("expected a JSON object with protected, payload and signature")),
        Err(e) => return Err(VerifyError::Malformed(format!("not JSON ({e})"))),
    };
    if envelope.contains_key("signatures") {
        return Err(VerifyError::Unsupported("the general JWS serialization (several signatures)".to_owned()));
    }
    if let Some(extra) = envelope.keys().find(|k| !matches!(k.as_str(), "protected" | "payload" | "signature")) {
        return Err(VerifyError::Malformed(format!("unexpected member \"{extra}\"")));
    }
    let part = |name: &str| -> Result<(&str, Vec<u8>), VerifyError> {
        let s = envelope
            .get(name)
            .and_then(Value::as_str)
            .ok_or_else(|| VerifyError::Malformed(format!("no \"{name}\" string")))?;
        let bytes = B64.decode(s).map_err(|_| VerifyError::Malformed(format!("\"{name}\" is not base64url")))?;
        Ok((s, bytes))
    };
    let (protected, header_bytes) = part("protected")?;
    let (payload, payload_bytes) = part("payload")?;
    let (_, signature_bytes) = part("signature")?;

    let header: Map<String, Value> = match serde_json::from_slice(&header_bytes) {
        Ok(Value::Object(m)) => m,
        _ => return Err(malformed("the protected header is not a JSON object")),
    };
    match header.get("alg").and_then(Value::as_str) {
        Some("EdDSA") => {}
        Some(other) => return Err(VerifyError::Unsupported(format!("algorithm {other} (only EdDSA)"))),
        None => return Err(malformed("the header has no alg")),
    }
    if header.contains_key("crit") {
        return Err(VerifyError::Unsupported("critical header extensions (crit)".to_owned()));
    }
    let kid = header.get("kid").and_then(Value::as_str).ok_or_else(|| malformed("the header has no kid"))?;
    let typ = match header.get("typ") {
        None => None,
        Some(Value::String(t)) => Some(t.clone()),
        Some(_) => return Err(malformed("the header's typ is not a string")),
    };

    let key = find_key(kid)?;
    let signature = Signature::from_slice(&signature_bytes).map_err(|_| malformed("the signature is not 64 bytes"))?;
    key.verify_strict(format!("{protected}.{payload}").as_bytes(), &signature)
        .map_err(|_| VerifyError::BadSignature)?;

    let document = serde_json::from_slice(&payload_bytes).map_err(|_| malformed("the payload is not JSON"))?;
    check_typ(typ.as_deref(), &document)?;
    Ok(Verified { kid: kid.to_owned(), typ, document })
}

/// The `typ` a document of this kind is signed with, from its `schema`.
pub fn typ_for(document: &Value) -> Result<&'static str, VerifyError> {
    let schema = document
        .get("schema")
        .and_then(Value::as_str)
        .ok_or_else(|| VerifyError::Malformed("the document does not say what it is (no schema)".to_owned()))?;
    if schema.starts_with("linkwork-referral/") {
        Ok(TYP_REFERRAL)
    } else if schema.starts_with("linkwork-summary/") {
        Ok(TYP_SUMMARY)
    } else {
        Err(VerifyError::Unsupported(format!("documents of schema {schema}")))
    }
}

/// The header's `typ` must be the one for the document's kind: a referral signed
/// as a summary (or with no typ) is not accepted as either.
fn check_typ(typ: Option<&str>, document: &Value) -> Result<(), VerifyError> {
    let expected = typ_for(document)?;
    match typ {
        Some(t) if t == expected => Ok(()),
        Some(t) => Err(VerifyError::Malformed(format!(
            "the header's typ is {t}, but the document is a {}; it must be signed as {expected}",
            document["schema"].as_str().unwrap_or_default()
        ))),
        None => Err(VerifyError::Malformed(format!("the header has no typ; a {} is signed as {expected}", {
            document["schema"].as_str().unwrap_or_default()
        }))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 8037 Appendix A.1/A.2: the example Ed25519 key.
    const RFC_D: &str = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
    const RFC_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";

    fn rfc_key() -> SigningKey {
        let d: [u8; 32] = B64.decode(RFC_D).unwrap().try_into().unwrap();
        SigningKey::from_bytes(&d)
    }

    #[test]
    fn rfc8037_a2_public_key_from_private() {
        assert_eq!(b64(rfc_key().verifying_key().as_bytes()), RFC_X);
    }

    #[test]
    fn rfc8037_a3_thumbprint() {
        assert_eq!(thumbprint(&rfc_key().verifying_key()), "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
    }

    #[test]
    fn rfc8037_a4_signature() {
        // Header {"alg":"EdDSA"}, payload "Example of Ed25519 signing".
        let protected = b64(br#"{"alg":"EdDSA"}"#);
        let payload = b64(b"Example of Ed25519 signing");
        assert_eq!(protected, "eyJhbGciOiJFZERTQSJ9");
        assert_eq!(payload, "RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc");
        let signature = rfc_key().sign(format!("{protected}.{payload}").as_bytes());
        assert_eq!(
            b64(&signature.to_bytes()),
            "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
        );
    }

    #[test]
    fn rfc8785_example_canonical_bytes() {
        // RFC 8785 section 3.2.2's input and output.
        let input = r#"{
          "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
          "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
          "literals": [null, true, false]
        }"#;
        let v: Value = serde_json::from_str(input).unwrap();
        assert_eq!(
            canonical(&v).unwrap(),
            r#"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
        );
    }

    #[test]
    fn rfc8785_sorts_by_utf16_code_units() {
        // RFC 8785 section 3.2.3: U+1F600 (surrogates D83D DE00) sorts before U+FB33.
        let v = json!({"\u{fb33}": 1, "\u{1f600}": 2, "a": 3, "\r": 4});
        assert_eq!(canonical(&v).unwrap(), "{\"\\r\":4,\"a\":3,\"\u{1f600}\":2,\"\u{fb33}\":1}");
    }

    #[test]
    fn canonical_refuses_numbers_it_cannot_keep() {
        assert!(canonical(&json!(9_007_199_254_740_993_u64)).is_err());
        assert!(canonical(&json!(i64::MAX)).is_err());
        assert_eq!(canonical(&json!(9_007_199_254_740_992_u64)).unwrap(), "9007199254740992");
        assert_eq!(canonical(&json!(-15_015_168_653_235_734_i64)).unwrap(), "-15015168653235734");
        assert_eq!(canonical(&json!(-0.0)).unwrap(), "0");
    }

    fn known(key: VerifyingKey) -> impl Fn(&str) -> Result<VerifyingKey, VerifyError> {
        move |kid| if kid == thumbprint(&key) { Ok(key) } else { Err(VerifyError::UnknownKey(kid.to_owned())) }
    }

    #[test]
    fn sign_then_verify_and_tamper() {
        let key = rfc_key();
        let doc = json!({"schema": "linkwork-referral/1", "b": [1, 2.5], "a": "Siân Llŷr"});
        let signed = sign(&doc, &key, TYP_REFERRAL).unwrap();
        let ok = verify(signed.as_bytes(), known(key.verifying_key())).unwrap();
        assert_eq!(ok.document, doc);
        assert_eq!(ok.typ.as_deref(), Some(TYP_REFERRAL));

        // Change one character of the payload.
        let env: Value = serde_json::from_str(&signed).unwrap();
        let payload = env["payload"].as_str().unwrap();
        let mut changed = payload.as_bytes().to_vec();
        changed[3] = if changed[3] == b'A' { b'B' } else { b'A' };
        let tampered = json!({"protected": env["protected"], "payload": String::from_utf8(changed).unwrap(),
                              "signature": env["signature"]});
        let err = verify(tampered.to_string().as_bytes(), known(key.verifying_key())).unwrap_err();
        assert!(matches!(err, VerifyError::BadSignature | VerifyError::Malformed(_)), "{err}");

        let other = SigningKey::from_bytes(&[7; 32]);
        assert!(matches!(
            verify(signed.as_bytes(), known(other.verifying_key())).unwrap_err(),
            VerifyError::UnknownKey(_)
        ));
    }

    #[test]
    fn header_rules() {
        let key = rfc_key();
        let payload = b64(br#"{"schema":"linkwork-summary/1"}"#);
        let envelope = |header: &str| {
            let protected = b64(header.as_bytes());
            let sig = key.sign(format!("{protected}.{payload}").as_bytes());
            json!({"protected": protected, "payload": payload, "signature": b64(&sig.to_bytes())}).to_string()
        };
        let kid = thumbprint(&key.verifying_key());
        let crit = envelope(&format!(r#"{{"alg":"EdDSA","kid":"{kid}","crit":["exp"],"exp":1}}"#));
        assert!(matches!(verify(crit.as_bytes(), known(key.verifying_key())), Err(VerifyError::Unsupported(_))));
        let none = envelope(&format!(r#"{{"alg":"none","kid":"{kid}"}}"#));
        assert!(matches!(verify(none.as_bytes(), known(key.verifying_key())), Err(VerifyError::Unsupported(_))));
        let no_kid = envelope(r#"{"alg":"EdDSA"}"#);
        assert!(matches!(verify(no_kid.as_bytes(), known(key.verifying_key())), Err(VerifyError::Malformed(_))));
        let good = envelope(&format!(r#"{{"alg":"EdDSA","kid":"{kid}","typ":"{TYP_SUMMARY}"}}"#));
        assert!(verify(good.as_bytes(), known(key.verifying_key())).is_ok());
        // The typ must be the document's kind.
        let no_typ = envelope(&format!(r#"{{"alg":"EdDSA","kid":"{kid}"}}"#));
        let e = verify(no_typ.as_bytes(), known(key.verifying_key())).unwrap_err();
        assert!(e.to_string().contains("no typ; a linkwork-summary/1 is signed as linkwork-summary+json"), "{e}");
        let wrong = envelope(&format!(r#"{{"alg":"EdDSA","kid":"{kid}","typ":"{TYP_REFERRAL}"}}"#));
        let e = verify(wrong.as_bytes(), known(key.verifying_key())).unwrap_err();
        assert!(
            e.to_string().contains("typ is linkwork-referral+json, but the document is a linkwork-summary/1"),
            "{e}"
        );
    }

    #[test]
    fn jwk_round_trip() {
        let key = rfc_key().verifying_key();
        let jwk = public_jwk(&key);
        assert_eq!(jwk["x"], RFC_X);
        assert_eq!(parse_jwk(&jwk.to_string()).unwrap(), key);
        let wrong_kid = json!({"kty": "OKP", "crv": "Ed25519", "x": RFC_X, "kid": "nope"});
        assert!(parse_jwk(&wrong_kid.to_string()).is_err());
        let private = json!({"kty": "OKP", "crv": "Ed25519", "x": RFC_X, "d": RFC_D});
        assert!(parse_jwk(&private.to_string()).unwrap_err().contains("private"));
    }
}
