//! Echoed input cut to a readable length.
//!
//! Error messages quote what they refuse (a header name, a cell, a label); a hostile file can
//! make that text 100 MB long, so everything echoed from a file goes through [`clip`].

/// Characters of an echoed value kept.
pub const ECHO_CHARS: usize = 64;

/// `text` unchanged if short, else its first [`ECHO_CHARS`] characters and how long it was.
pub fn clip(text: &str) -> String {
    match text.char_indices().nth(ECHO_CHARS) {
        None => text.to_string(),
        Some((end, _)) => format!("{}… ({} bytes)", &text[..end], text.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_kept_and_long_text_cut_on_a_character_boundary() {
        assert_eq!(clip("radius"), "radius");
        let long = "é".repeat(1_000_000);
        let cut = clip(&long);
        assert!(cut.starts_with(&"é".repeat(ECHO_CHARS)) && cut.ends_with("… (2000000 bytes)"), "{cut}");
        assert!(cut.len() < 200);
    }
}
