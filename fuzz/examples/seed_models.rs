//! Writes small model files trained with varied settings into `corpus/model_load/`, so the
//! `model_load` fuzzer starts from every kind of model the format can hold (n-gram ranges 1..1 to
//! 1..3, complement and multinomial, single- and multi-label, tokenizer and normalizer
//! variants), not only the committed ones. Run by `seed.sh`:
//! `cargo run --release --example seed_models` (from `fuzz/`).

use linfa::ParamGuard;
use tagger::classify::{LabelMode, NbKind, NbParams};
use tagger::csv_input::{read_labeled, CsvOptions};
use tagger::features::{DocFreq, TfidfParams};
use tagger::shard::{ModelShard, TextSettings, VocabShard};
use tagger::text::{Step, TokenizerSettings};
use tagger::{Model, TrainSettings, TrainingMeta};

/// Name, mode (`None`: auto), kind, n-gram range, normalizer steps, tokenizer settings.
type Variant = (&'static str, Option<LabelMode>, NbKind, (u8, u8), Vec<Step>, TokenizerSettings);

fn main() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let raw = std::fs::read(format!("{dir}/data/labels.csv")).expect("data/labels.csv");
    let corpus = read_labeled(&raw[..], "labels.csv", &CsvOptions::default()).expect("readable corpus");
    // Six short rows each of three topics, texts cut to about 200 bytes: models of a few KB.
    let wanted = ["health", "sports", "syria"];
    let mut csv = String::from("text,labels\n");
    let mut taken = [0; 3];
    for (text, labels) in corpus.texts.iter().zip(&corpus.labels) {
        let names: Vec<&str> = labels.iter().map(|&t| corpus.topics[t as usize].as_str()).collect();
        let Some(k) = wanted.iter().position(|w| names.first() == Some(w)) else { continue };
        if taken[k] == 6 {
            continue;
        }
        taken[k] += 1;
        let mut end = text.len().min(200);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        csv.push_str(&format!("\"{}\",{}\n", text[..end].replace('"', "\"\""), names.join("|")));
    }
    csv.push_str("\"وصفة شوربة العدس بالليمون والكمون\",\n");
    let small = read_labeled(csv.as_bytes(), "seed.csv", &CsvOptions::default()).expect("seed corpus");
    let single = {
        let mut c = small.clone();
        let keep: Vec<usize> = (0..c.labels.len()).filter(|&i| c.labels[i].len() == 1).collect();
        c.texts = keep.iter().map(|&i| small.texts.get(i)).collect();
        c.labels = keep.iter().map(|&i| small.labels[i].clone()).collect();
        c.unlabeled_lines.clear();
        c
    };

    let few_steps = vec![Step::Nfkc, Step::StripDiacritics, Step::LowercaseLatin];
    let bare = TokenizerSettings { min_chars: 1, drop_numbers: false, stem: false, stopwords: vec!["في".into()] };
    let variants: Vec<Variant> = vec![
        ("multi-complement-1-1", None, NbKind::Complement, (1, 1), Step::ARABIC_DEFAULT.to_vec(), Default::default()),
        ("multi-multinomial-1-3", None, NbKind::Multinomial, (1, 3), Step::ARABIC_DEFAULT.to_vec(), Default::default()),
        ("single-complement-2-2", Some(LabelMode::Single), NbKind::Complement, (2, 2), few_steps.clone(), bare.clone()),
        ("single-multinomial-1-1", Some(LabelMode::Single), NbKind::Multinomial, (1, 1), vec![], bare),
    ];
    let out = format!("{}/corpus/model_load", env!("CARGO_MANIFEST_DIR"));
    std::fs::create_dir_all(&out).expect("corpus folder");
    for (name, mode, kind, (lo, hi), steps, tokenizer) in variants {
        let settings = TrainSettings {
            steps,
            tokenizer,
            tfidf: TfidfParams::new().ngrams(lo, hi).min_df(DocFreq::Count(1)).check().expect("tf-idf settings"),
            nb: NbParams::new().kind(kind).mode(mode).check().expect("naive Bayes settings"),
            threshold: 0.5,
        };
        let data = if mode == Some(LabelMode::Single) { single.clone() } else { small.clone() };
        let meta = TrainingMeta { tagger_version: "seed".into(), ..TrainingMeta::new("seed.csv") };
        let model = Model::train(data, &settings, meta).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut bytes = Vec::new();
        model.write_to(&mut bytes, name).expect("model bytes");
        std::fs::write(format!("{out}/seed-model-{name}.bin"), &bytes).expect("write seed");
        println!("seed-model-{name}.bin: {} bytes, {} features", bytes.len(), model.tfidf().n_features());
    }

    seed_shards(&small);
}

/// Shard files for `shard_load`: vocabulary shards of two halves of the seed rows (n-grams 1..1
/// and 1..2), their merged vocabulary, and a model shard of each half, so the fuzzer starts from
/// every kind of shard file. Shards are kept small: a few KB each.
fn seed_shards(small: &tagger::corpus::LabeledCorpus) {
    let out = format!("{}/corpus/shard_load", env!("CARGO_MANIFEST_DIR"));
    std::fs::create_dir_all(&out).expect("corpus folder");
    let half = small.texts.len() / 2;
    let halves =
        [small.subset(&(0..half).collect::<Vec<_>>()), small.subset(&(half..small.texts.len()).collect::<Vec<_>>())];
    let write = |name: &str, bytes: Vec<u8>| {
        std::fs::write(format!("{out}/seed-{name}.bin"), &bytes).expect("write seed");
        println!("seed-{name}.bin: {} bytes", bytes.len());
    };
    for (lo, hi) in [(1, 1), (1, 2)] {
        let text = TextSettings {
            steps: Step::ARABIC_DEFAULT.to_vec(),
            tokenizer: TokenizerSettings::default(),
            ngrams: tagger::features::NgramRange::new(lo, hi).expect("n-gram range"),
        };
        let shards: Vec<VocabShard> =
            halves.iter().map(|h| VocabShard::count(h, text.clone()).expect("vocabulary shard")).collect();
        let params = TfidfParams::new().ngrams(lo, hi).min_df(DocFreq::Count(1)).check().expect("tf-idf settings");
        let vocab = VocabShard::merge(&shards, &params).expect("merged vocabulary");
        let mut bytes = Vec::new();
        shards[0].write_to(&mut bytes, "seed").expect("shard bytes");
        write(&format!("vocab-shard-{lo}-{hi}"), bytes);
        let mut bytes = Vec::new();
        vocab.write_to(&mut bytes, "seed").expect("vocabulary bytes");
        write(&format!("vocab-{lo}-{hi}"), bytes);
        for (i, h) in halves.iter().enumerate() {
            let shard = ModelShard::count(h, &vocab).expect("model shard");
            let mut bytes = Vec::new();
            shard.write_to(&mut bytes, "seed").expect("model shard bytes");
            write(&format!("model-shard-{lo}-{hi}-{i}"), bytes);
        }
    }
}
