//! Splitting text into words: maximal runs of letters and digits. Both the tokenizer and the
//! stopword list (whose multi-word entries are split the same way) use it, so it sits below both.

/// Maximal runs of letters and digits.
pub fn split_words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !is_word_char(c)).filter(|t| !t.is_empty())
}

/// Whether `c` is a letter or digit (Unicode `Alphabetic` or `Numeric`, as
/// `char::is_alphanumeric`). The standard library's lookup for non-ASCII characters took a third
/// of training time on SANAD (perf), so the Basic Multilingual Plane is precomputed once into an
/// 8 KiB bitset.
#[inline]
pub fn is_word_char(c: char) -> bool {
    let cp = c as u32;
    if cp < 0x80 {
        return (c as u8).is_ascii_alphanumeric();
    }
    if cp < 0x1_0000 {
        let bits = word_char_bits();
        return bits[(cp >> 6) as usize] >> (cp & 63) & 1 == 1;
    }
    c.is_alphanumeric()
}

fn word_char_bits() -> &'static [u64; 1024] {
    static BITS: std::sync::OnceLock<Box<[u64; 1024]>> = std::sync::OnceLock::new();
    BITS.get_or_init(|| {
        let mut bits = Box::new([0u64; 1024]);
        for cp in 0..0x1_0000u32 {
            if char::from_u32(cp).is_some_and(char::is_alphanumeric) {
                bits[(cp >> 6) as usize] |= 1 << (cp & 63);
            }
        }
        bits
    })
}
