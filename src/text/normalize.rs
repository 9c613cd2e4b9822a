//! Arabic text normalization as a chain of small character rules.
//!
//! Each [`Step`] is one rule with its own tests. A [`Normalizer`] holds the configured chain (that
//! list is what the model file stores, so `predict` normalizes exactly as `train` did) and
//! compiles it once into a lookup table over the Basic Multilingual Plane: normalizing a document
//! is then one table lookup per character, whatever the number of rules.
//!
//! Tatweel, ة and ى are untouched by every Unicode normalization form, which is why they have
//! explicit rules here.

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

/// One normalization rule. The variants are applied in the order they are listed in a
/// [`Normalizer`]; [`Step::ARABIC_DEFAULT`] is the order tagger uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Step {
    /// NFKC of each character: folds Arabic presentation forms (U+FB50-U+FDFF, U+FE70-U+FEFF),
    /// ligatures such as لا (U+FEFB), full-width Latin and compatibility spaces to base characters.
    /// Composition across characters is not needed: the mark-stripping rules that follow remove
    /// every combining mark it could attach.
    Nfkc,
    /// Removes Arabic diacritics (harakat, tanwin, shadda, sukun, hamza marks U+064B-U+065F,
    /// superscript alef U+0670) and Latin combining accents (U+0300-U+036F).
    StripDiacritics,
    /// Removes Quranic annotation marks U+06D6-U+06ED.
    StripQuranicMarks,
    /// Removes tatweel (kashida) U+0640, the stretching stroke of الحــرب.
    StripTatweel,
    /// Removes zero-width and bidirectional controls (U+200B-U+200F, U+202A-U+202E,
    /// U+2066-U+2069), the byte-order mark U+FEFF and the soft hyphen U+00AD.
    StripFormatControls,
    /// Folds أ إ آ ٱ to bare alef ا.
    FoldAlef,
    /// Folds alef maqsura ى to ي.
    FoldAlefMaqsura,
    /// Folds teh marbuta ة to ه.
    FoldTehMarbuta,
    /// Folds hamza carriers ؤ to و and ئ to ي.
    FoldHamzaCarriers,
    /// Folds Persian and Urdu letter shapes: keheh ک to ك, Farsi yeh ی to ي.
    FoldPersianLetters,
    /// Maps Arabic-Indic (٠-٩) and extended Arabic-Indic (۰-۹) digits to ASCII 0-9.
    AsciiDigits,
    /// Lowercases Latin letters (NATO and nato are one token).
    LowercaseLatin,
}

impl Step {
    /// The chain tagger trains with by default.
    pub const ARABIC_DEFAULT: [Step; 12] = [
        Step::Nfkc,
        Step::StripFormatControls,
        Step::StripDiacritics,
        Step::StripQuranicMarks,
        Step::StripTatweel,
        Step::FoldAlef,
        Step::FoldAlefMaqsura,
        Step::FoldTehMarbuta,
        Step::FoldHamzaCarriers,
        Step::FoldPersianLetters,
        Step::AsciiDigits,
        Step::LowercaseLatin,
    ];

    /// Applies the rule to one character, pushing its replacement (none, one or several
    /// characters) to `out`.
    pub fn apply(self, c: char, out: &mut Vec<char>) {
        match self {
            Step::Nfkc => {
                if c.is_ascii() {
                    out.push(c)
                } else {
                    out.extend(std::iter::once(c).nfkc())
                }
            }
            Step::StripDiacritics => {
                if !matches!(c, '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0300}'..='\u{036F}') {
                    out.push(c)
                }
            }
            Step::StripQuranicMarks => {
                if !matches!(c, '\u{06D6}'..='\u{06ED}') {
                    out.push(c)
                }
            }
            Step::StripTatweel => {
                if c != '\u{0640}' {
                    out.push(c)
                }
            }
            Step::StripFormatControls => {
                if !matches!(
                    c,
                    '\u{200B}'..='\u{200F}'
                        | '\u{202A}'..='\u{202E}'
                        | '\u{2066}'..='\u{2069}'
                        | '\u{FEFF}'
                        | '\u{00AD}'
                ) {
                    out.push(c)
                }
            }
            Step::FoldAlef => out.push(match c {
                'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
                other => other,
            }),
            Step::FoldAlefMaqsura => out.push(if c == 'ى' { 'ي' } else { c }),
            Step::FoldTehMarbuta => out.push(if c == 'ة' { 'ه' } else { c }),
            Step::FoldHamzaCarriers => out.push(match c {
                'ؤ' => 'و',
                'ئ' => 'ي',
                other => other,
            }),
            Step::FoldPersianLetters => out.push(match c {
                'ک' => 'ك',
                'ی' => 'ي',
                other => other,
            }),
            Step::AsciiDigits => out.push(match c {
                '\u{0660}'..='\u{0669}' => char::from(b'0' + (c as u32 - 0x0660) as u8),
                '\u{06F0}'..='\u{06F9}' => char::from(b'0' + (c as u32 - 0x06F0) as u8),
                other => other,
            }),
            Step::LowercaseLatin => {
                if c.is_ascii_uppercase() {
                    out.push(c.to_ascii_lowercase())
                } else if c.is_uppercase() && (c as u32) < 0x0250 {
                    // İ lowercases to i + U+0307; the accent is dropped, as StripDiacritics
                    // would drop it, so normalizing twice changes nothing (found by fuzzing).
                    out.extend(c.to_lowercase().filter(|l| !matches!(l, '\u{0300}'..='\u{036F}')))
                } else {
                    out.push(c)
                }
            }
        }
    }
}

/// What the compiled table says about one BMP character.
const KEEP_DROP: u32 = u32::MAX;
const MULTI_FLAG: u32 = 1 << 31;

/// A configured chain of [`Step`]s, compiled into a lookup table.
#[derive(Debug, Clone)]
pub struct Normalizer {
    steps: Vec<Step>,
    /// For each BMP code point: the replacement character, `KEEP_DROP` to drop it, or
    /// `MULTI_FLAG | i` for the i-th entry of `multi`.
    table: Vec<u32>,
    multi: Vec<Box<str>>,
}

impl Default for Normalizer {
    fn default() -> Self {
        Normalizer::new(Step::ARABIC_DEFAULT.to_vec())
    }
}

impl PartialEq for Normalizer {
    fn eq(&self, other: &Self) -> bool {
        self.steps == other.steps
    }
}

impl Normalizer {
    pub fn new(steps: Vec<Step>) -> Self {
        let mut table = Vec::with_capacity(0x1_0000);
        let mut multi = Vec::new();
        let mut buf = Vec::new();
        for cp in 0u32..0x1_0000 {
            let Some(c) = char::from_u32(cp) else {
                table.push(KEEP_DROP);
                continue;
            };
            run_chain(&steps, c, &mut buf);
            table.push(match buf.as_slice() {
                [] => KEEP_DROP,
                [one] => *one as u32,
                many => {
                    multi.push(many.iter().collect::<String>().into_boxed_str());
                    MULTI_FLAG | (multi.len() as u32 - 1)
                }
            });
        }
        Normalizer { steps, table, multi }
    }

    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// Normalizes `text` into `out` (cleared first), so a caller can reuse one buffer for
    /// every document.
    pub fn normalize_into(&self, text: &str, out: &mut String) {
        out.clear();
        out.reserve(text.len());
        let mut slow = Vec::new();
        for c in text.chars() {
            let cp = c as u32;
            if cp < 0x1_0000 {
                let mapped = self.table[cp as usize];
                if mapped == KEEP_DROP {
                    continue;
                }
                if mapped & MULTI_FLAG != 0 {
                    out.push_str(&self.multi[(mapped & !MULTI_FLAG) as usize]);
                } else {
                    // The table only holds valid scalar values below 2^31.
                    out.push(char::from_u32(mapped).unwrap_or(c));
                }
            } else {
                run_chain(&self.steps, c, &mut slow);
                out.extend(slow.iter());
            }
        }
    }

    /// Convenience for tests and one-off calls.
    pub fn normalize(&self, text: &str) -> String {
        let mut out = String::new();
        self.normalize_into(text, &mut out);
        out
    }
}

fn run_chain(steps: &[Step], c: char, out: &mut Vec<char>) {
    out.clear();
    out.push(c);
    let mut next = Vec::with_capacity(4);
    for step in steps {
        next.clear();
        for &ch in out.iter() {
            step.apply(ch, &mut next);
        }
        std::mem::swap(out, &mut next);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(step: Step, text: &str) -> String {
        Normalizer::new(vec![step]).normalize(text)
    }

    #[test]
    fn nfkc_folds_presentation_forms_and_ligatures() {
        // "السلام" written with isolated/final presentation forms, and the lam-alef ligature.
        assert_eq!(one(Step::Nfkc, "ﺍﻟﺴﻼﻡ"), "السلام");
        assert_eq!(one(Step::Nfkc, "ﻻ"), "لا");
        // Full-width Latin and a no-break space are folded too.
        assert_eq!(one(Step::Nfkc, "ＮＡＴＯ\u{00A0}قمة"), "NATO قمة");
        // Already-normal Arabic is unchanged.
        assert_eq!(one(Step::Nfkc, "المفاوضات"), "المفاوضات");
    }

    #[test]
    fn strips_diacritics() {
        assert_eq!(one(Step::StripDiacritics, "تَشْكِيلٌ"), "تشكيل");
        assert_eq!(one(Step::StripDiacritics, "مُحَمَّدٌ"), "محمد");
        assert_eq!(one(Step::StripDiacritics, "هٰذا"), "هذا");
        assert_eq!(one(Step::StripDiacritics, "cafe\u{0301}"), "cafe");
    }

    #[test]
    fn strips_quranic_marks() {
        assert_eq!(one(Step::StripQuranicMarks, "الرَّحِيمِ\u{06D6}"), "الرَّحِيمِ");
        assert_eq!(one(Step::StripQuranicMarks, "قال\u{06DA}\u{06ED}"), "قال");
    }

    #[test]
    fn strips_tatweel() {
        assert_eq!(one(Step::StripTatweel, "الحــرب"), "الحرب");
        assert_eq!(one(Step::StripTatweel, "مـفـاوضات"), "مفاوضات");
    }

    #[test]
    fn strips_format_controls() {
        assert_eq!(one(Step::StripFormatControls, "\u{FEFF}سوريا\u{200F}"), "سوريا");
        assert_eq!(one(Step::StripFormatControls, "\u{202B}غزة\u{202C}\u{200C}"), "غزة");
        assert_eq!(one(Step::StripFormatControls, "\u{2067}كييف\u{2069}"), "كييف");
    }

    #[test]
    fn folds_alef_forms() {
        assert_eq!(one(Step::FoldAlef, "أوكرانيا"), "اوكرانيا");
        assert_eq!(one(Step::FoldAlef, "إيران"), "ايران");
        assert_eq!(one(Step::FoldAlef, "آسيا"), "اسيا");
        assert_eq!(one(Step::FoldAlef, "ٱلله"), "الله");
    }

    #[test]
    fn folds_alef_maqsura_and_teh_marbuta() {
        assert_eq!(one(Step::FoldAlefMaqsura, "مستشفى"), "مستشفي");
        assert_eq!(one(Step::FoldTehMarbuta, "الحكومة"), "الحكومه");
    }

    #[test]
    fn folds_hamza_carriers() {
        assert_eq!(one(Step::FoldHamzaCarriers, "مؤتمر"), "موتمر");
        assert_eq!(one(Step::FoldHamzaCarriers, "رئيس"), "رييس");
    }

    #[test]
    fn folds_persian_letters() {
        assert_eq!(one(Step::FoldPersianLetters, "کیف"), "كيف");
    }

    #[test]
    fn maps_digits_to_ascii() {
        assert_eq!(one(Step::AsciiDigits, "٢٠٢٤"), "2024");
        assert_eq!(one(Step::AsciiDigits, "۱۴۰۳"), "1403");
        assert_eq!(one(Step::AsciiDigits, "2024"), "2024");
    }

    #[test]
    fn lowercases_latin_only() {
        assert_eq!(one(Step::LowercaseLatin, "NATO HIMARS"), "nato himars");
        assert_eq!(one(Step::LowercaseLatin, "Éric"), "éric");
        assert_eq!(one(Step::LowercaseLatin, "الناتو"), "الناتو");
    }

    #[test]
    fn lowercasing_never_leaves_a_combining_accent() {
        // Regression from fuzzing: İ -> i + U+0307 made normalization not idempotent.
        let n = Normalizer::default();
        assert_eq!(n.normalize("İstanbul"), "istanbul");
        assert_eq!(n.normalize(&n.normalize("İ")), n.normalize("İ"));
    }

    #[test]
    fn default_chain_on_a_real_headline() {
        let n = Normalizer::default();
        let text =
            "\u{FEFF}مُفاوَضـــاتُ إسطنبول: وفدا روسيا وأوكرانيا يتّفقان على تبادل ١٢٠٠ أسير في الجولة الثّانية (NATO)";
        assert_eq!(
            n.normalize(text),
            "مفاوضات اسطنبول: وفدا روسيا واوكرانيا يتفقان علي تبادل 1200 اسير في الجوله الثانيه (nato)"
        );
    }

    #[test]
    fn decomposed_and_composed_forms_agree() {
        // ا + hamza above (decomposed) and أ (composed) normalize to the same word.
        let n = Normalizer::default();
        assert_eq!(n.normalize("\u{0627}\u{0654}مريكا"), n.normalize("أمريكا"));
    }

    #[test]
    fn characters_outside_the_bmp_pass_through_the_chain() {
        let n = Normalizer::default();
        assert_eq!(n.normalize("غزة 🇵🇸"), "غزه 🇵🇸");
        assert_eq!(n.normalize("𝐍𝐀𝐓𝐎"), "nato");
    }

    #[test]
    fn normalization_is_idempotent_on_real_text() {
        let n = Normalizer::default();
        let once = n.normalize("وَقَالَ المُتَحَدِّثُ بِاسْمِ الخارجيّة الإيرانيّة إنّ طهران ستستأنف المحادثات");
        assert_eq!(n.normalize(&once), once);
    }
}
