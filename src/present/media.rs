//! What a message's image or audio may be shown as. Trace content is untrusted: an inline image
//! is shown only as the image type it says it is (its first bytes checked), within a size, its
//! base64 whole; a remote one is only a link until the user asks to load it; anything else is
//! said in words.

use crate::analysis::preview;
use crate::semantics::meaning::{MAX_INLINE_MEDIA, base64_size};

/// How a message's image is shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImageSource {
    /// Its bytes came inline and are an image: this `data:` URL shows it.
    Inline {
        /// The `data:` URL, as checked.
        url: String,
        /// How many bytes.
        size: u64,
    },
    /// It is on the web: shown as a link, loaded only when asked.
    Remote {
        /// The `http(s):` URL.
        url: String,
    },
    /// Neither: why, in words.
    Refused(String),
}

/// Image types shown inline, each with the bytes it starts with (`None`: a text format, SVG, whose
/// scripts an `<img>` never runs).
const IMAGE_TYPES: [(&str, Option<&[u8]>); 6] = [
    ("image/png", Some(b"\x89PNG")),
    ("image/jpeg", Some(b"\xFF\xD8\xFF")),
    ("image/gif", Some(b"GIF8")),
    ("image/webp", Some(b"RIFF")),
    ("image/bmp", Some(b"BM")),
    ("image/svg+xml", None),
];

/// See [`ImageSource`].
pub fn image_source(url: &str) -> ImageSource {
    let url = url.trim();
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        return ImageSource::Remote {
            url: url.to_owned(),
        };
    }
    if !lower.starts_with("data:") {
        return ImageSource::Refused(format!("an image at {}", preview(url, 80)));
    }
    match inline(url, "image/", MAX_INLINE_MEDIA) {
        Ok((mime, size)) => {
            let known = IMAGE_TYPES.iter().find(|(name, _)| *name == mime);
            let Some((_, magic)) = known else {
                return ImageSource::Refused(format!("an inline {mime} image, a type not shown"));
            };
            let head = decode_head(url.split_once(',').map_or("", |(_, data)| data));
            if magic.is_some_and(|magic| !head.starts_with(magic)) {
                return ImageSource::Refused(format!(
                    "inline data said to be {mime} that is not: its first bytes are another kind"
                ));
            }
            ImageSource::Inline {
                url: url.to_owned(),
                size,
            }
        }
        Err(why) => ImageSource::Refused(why),
    }
}

/// A `data:` URL that plays inline audio (`data` is base64), if `mime` is audio and the data is
/// whole base64 within the size.
pub fn audio_source(mime: Option<&str>, data: &str) -> Option<String> {
    let mime = mime.filter(|m| m.starts_with("audio/") && !m.contains([';', ',', ' ']))?;
    let url = format!("data:{mime};base64,{data}");
    inline(&url, "audio/", MAX_INLINE_MEDIA).ok().map(|_| url)
}

/// The MIME type and byte size of a `data:<mime>[;…];base64,<data>` URL whose type starts with
/// `kind`, whose data is only base64 and at most `max` characters.
fn inline(url: &str, kind: &str, max: usize) -> Result<(String, u64), String> {
    let (head, data) = url
        .split_once(',')
        .ok_or_else(|| "an inline image with no data".to_owned())?;
    let head = &head["data:".len()..];
    let mut fields = head.split(';');
    let mime = fields.next().unwrap_or_default().to_ascii_lowercase();
    if !mime.starts_with(kind) {
        return Err(format!("inline data of type “{}”", preview(&mime, 80)));
    }
    if !fields.any(|field| field.eq_ignore_ascii_case("base64")) {
        return Err(format!("an inline {mime} not in base64"));
    }
    if data.len() > max {
        return Err(format!(
            "an inline {mime} of {}, too large to show",
            crate::present::format::bytes(base64_size(data))
        ));
    }
    let body = data.trim_end_matches('=');
    let base64 = |b: u8| b.is_ascii_alphanumeric() || b == b'+' || b == b'/';
    if data.len() - body.len() > 2 || !body.bytes().all(base64) || body.len() % 4 == 1 {
        return Err(format!("an inline {mime} whose data is not base64"));
    }
    Ok((mime, base64_size(data)))
}

/// The first bytes base64 text holds (up to 12).
fn decode_head(data: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let mut out = Vec::new();
    for quad in data.as_bytes().chunks(4).take(4) {
        let Some(sextets) = quad.iter().map(|&c| value(c)).collect::<Option<Vec<u8>>>() else {
            break;
        };
        let bits = sextets
            .iter()
            .fold(0u32, |acc, &s| (acc << 6) | u32::from(s))
            << (6 * (4 - sextets.len()));
        let bytes = bits.to_be_bytes();
        out.extend_from_slice(&bytes[1..sextets.len()]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEklEQVR4nGM4ocIAQQyjYjgFAPcGaHnpn4voAAAAAElFTkSuQmCC";

    #[test]
    fn inline_images_are_checked_before_they_are_shown() {
        let url = format!("data:image/png;base64,{PNG}");
        assert!(matches!(image_source(&url), ImageSource::Inline { size, .. } if size > 50));
        // Said to be a JPEG, but PNG bytes.
        let lying = format!("data:image/jpeg;base64,{PNG}");
        assert!(matches!(image_source(&lying), ImageSource::Refused(why) if why.contains("not")));
        for refused in [
            "data:text/html;base64,PGgxPg==",
            "data:image/png,rawbytes",
            "data:image/png;base64,not base64!",
            "data:image/x-icon;base64,AAAA",
            "javascript:alert(1)",
            "file:///etc/passwd",
            "data:image/png;base64",
        ] {
            assert!(
                matches!(image_source(refused), ImageSource::Refused(_)),
                "{refused}"
            );
        }
        let huge = format!("data:image/png;base64,{}", "A".repeat(MAX_INLINE_MEDIA + 4));
        assert!(
            matches!(image_source(&huge), ImageSource::Refused(why) if why.contains("too large"))
        );
        assert_eq!(
            image_source(" https://images.example.com/cat.png"),
            ImageSource::Remote {
                url: "https://images.example.com/cat.png".into()
            }
        );
        assert!(matches!(
            image_source("data:image/svg+xml;base64,PHN2Zz48L3N2Zz4="),
            ImageSource::Inline { size: 11, .. }
        ));
    }

    #[test]
    fn first_bytes_decode() {
        assert_eq!(decode_head(PNG)[..4], *b"\x89PNG");
        assert_eq!(decode_head("R0lGODlh"), b"GIF89a");
        assert_eq!(decode_head("UklGRg"), b"RIFF");
        assert!(decode_head("!!").is_empty());
    }

    #[test]
    fn audio_plays_only_as_audio() {
        assert_eq!(
            audio_source(Some("audio/wav"), "UklGRg==").as_deref(),
            Some("data:audio/wav;base64,UklGRg==")
        );
        assert_eq!(audio_source(Some("text/html"), "PGgxPg=="), None);
        assert_eq!(audio_source(None, "UklGRg=="), None);
        assert_eq!(audio_source(Some("audio/wav"), "<b>"), None);
        assert_eq!(audio_source(Some("audio/wav;x,y"), "AAAA"), None);
    }
}
