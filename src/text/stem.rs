//! A light Arabic stemmer in the manner of Larkey, Ballesteros and Connell's "light10"
//! (2007): strip the conjunction و, one definite-article prefix, then common suffixes, never
//! leaving fewer than [`MIN_STEM`] letters.
//!
//! Why not Snowball: the only Rust Snowball crate with Arabic (rust-stemmers) has had no release
//! since 2019, allocates a `String` per word, and keeps و before ال (والمفاوضات -> والمفاوضا),
//! which splits the most frequent news words in two. This stemmer returns a sub-slice of its
//! input, so it allocates nothing.
//!
//! It expects normalized text (see `normalize`): ة is already ه, ى already ي, hamza on alef
//! already folded. The lone prefixes ب ك ل ف are not stripped: they begin too many names
//! (بيروت, كييف, لبنان, فرنسا) to be cut without a dictionary.

/// The shortest stem, in letters, the stemmer will leave.
pub const MIN_STEM: usize = 3;

const ARTICLE_PREFIXES: [&str; 6] = ["وال", "بال", "كال", "فال", "لل", "ال"];
const SUFFIXES: [&str; 8] = ["ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي"];

/// Returns the light stem of a normalized token. Tokens that do not start with an Arabic letter
/// (Latin words, numbers) are returned unchanged.
pub fn light_stem(token: &str) -> &str {
    if !token.chars().next().is_some_and(is_arabic_letter) {
        return token;
    }
    let mut word = token;
    if let Some(rest) = word.strip_prefix('و') {
        if letters(rest) >= MIN_STEM {
            word = rest;
        }
    }
    for prefix in ARTICLE_PREFIXES {
        if let Some(rest) = word.strip_prefix(prefix) {
            if letters(rest) >= MIN_STEM {
                word = rest;
                break;
            }
        }
    }
    for suffix in SUFFIXES {
        if let Some(rest) = word.strip_suffix(suffix) {
            if letters(rest) >= MIN_STEM {
                word = rest;
            }
        }
    }
    word
}

fn is_arabic_letter(c: char) -> bool {
    matches!(c, '\u{0621}'..='\u{064A}' | '\u{0671}'..='\u{06D3}')
}

/// Arabic letters are two bytes each in UTF-8, so counting chars is cheap here.
fn letters(s: &str) -> usize {
    s.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_conjunction_and_article_together() {
        assert_eq!(light_stem("والمفاوضات"), "مفاوض");
        assert_eq!(light_stem("المفاوضات"), "مفاوض");
        assert_eq!(light_stem("مفاوضات"), "مفاوض");
    }

    #[test]
    fn strips_article_prefixes() {
        assert_eq!(light_stem("بالحرب"), "حرب");
        assert_eq!(light_stem("للسلام"), "سلام");
        assert_eq!(light_stem("كالعاده"), "عاد");
        assert_eq!(light_stem("فالقوات"), "قوات");
    }

    #[test]
    fn strips_suffixes() {
        assert_eq!(light_stem("الحكومه"), "حكوم");
        assert_eq!(light_stem("اللاعبون"), "لاعب");
        assert_eq!(light_stem("اللاعبين"), "لاعب");
        assert_eq!(light_stem("الروسيه"), "روس");
        assert_eq!(light_stem("قواتها"), "قوات");
    }

    #[test]
    fn never_leaves_fewer_than_three_letters() {
        assert_eq!(light_stem("الحرب"), "حرب");
        assert_eq!(light_stem("ولد"), "ولد");
        assert_eq!(light_stem("الي"), "الي");
        assert_eq!(light_stem("بيروت"), "بيروت");
        assert_eq!(light_stem("كييف"), "كييف");
    }

    #[test]
    fn leaves_latin_and_numbers_alone() {
        assert_eq!(light_stem("himars"), "himars");
        assert_eq!(light_stem("2024"), "2024");
    }
}
