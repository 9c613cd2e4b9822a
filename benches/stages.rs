//! Each labeling stage's rate in MB of input per second on one core, beside two limits of the
//! same bytes: a `memchr` newline scan and a UTF-8 validation. The gap between a stage and the
//! limits is what is left to win.
//!
//! `cargo bench --bench stages`; reads `../shared/data/sanad-khaleej-test.csv` (skipped with a
//! message when absent), scores with the embedded default model and with a model trained on
//! `sanad-khaleej-train.csv` (about 10 s on 2 cores). Each figure is the best of three runs.
//! Stages are cumulative: "tokenize" normalizes and tokenizes, "vectorize" also looks up
//! n-grams and weighs them, "score" also applies naive Bayes and decides.

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;
use tagger::batch::{format_scores, label_csv, LabelOptions, Silent};
use tagger::csv_input::{read_labeled, CsvOptions};
use tagger::features::Scratch;
use tagger::{Model, TrainingMeta};

fn shared(name: &str) -> Option<std::path::PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data").join(name);
    p.exists().then_some(p)
}

/// Best of three runs of `f`, as MB/s of `bytes`.
fn rate(bytes: usize, mut f: impl FnMut()) -> f64 {
    let best = (0..3)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min);
    bytes as f64 / 1e6 / best
}

fn row(stage: &str, mb_s: f64, limit: f64) {
    println!("| {stage:<28} | {mb_s:>8.1} | {:>5.0}% |", 100.0 * mb_s / limit);
}

fn main() {
    let Some(test) = shared("sanad-khaleej-test.csv") else {
        println!("skipping: ../shared/data/sanad-khaleej-test.csv not found beside the checkout");
        return;
    };
    let raw = std::fs::read(&test).expect("readable test file");
    let n = raw.len();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("one-thread pool");

    let memchr = rate(n, || {
        black_box(memchr::memchr_iter(b'\n', &raw).count());
    });
    let utf8 = rate(n, || {
        black_box(std::str::from_utf8(&raw).is_ok());
    });
    let read = rate(n, || {
        black_box(std::fs::read(&test).map(|b| b.len()).unwrap_or(0));
    });
    let corpus = read_labeled(&raw[..], "test", &CsvOptions::default()).expect("labeled test file");
    let texts: Vec<String> = corpus.texts.iter().map(str::to_owned).collect();
    let parse = rate(n, || {
        black_box(read_labeled(&raw[..], "test", &CsvOptions::default()).map(|c| c.texts.len()).unwrap_or(0));
    });

    let mut models = vec![("default model", tagger::default_model::load().expect("embedded model"))];
    if let Some(train) = shared("sanad-khaleej-train.csv") {
        let t = Instant::now();
        let corpus = read_labeled(std::fs::File::open(&train).unwrap(), "train", &CsvOptions::default()).unwrap();
        let model = Model::train(corpus, &tagger::TrainSettings::default(), TrainingMeta::new("train")).unwrap();
        eprintln!("trained the SANAD model in {:.1} s", t.elapsed().as_secs_f64());
        models.push(("SANAD model", model));
    }

    println!("MB/s of sanad-khaleej-test.csv ({:.1} MB, {} articles) on one core", n as f64 / 1e6, texts.len());
    println!();
    println!("| stage                        |     MB/s | of memchr |");
    println!("|---|---:|---:|");
    row("memchr newline scan", memchr, memchr);
    row("UTF-8 validation", utf8, memchr);
    row("read (file to memory)", read, memchr);
    row("read CSV (parse, UTF-8)", parse, memchr);
    let pipeline = &models[0].1;
    let normalize = rate(n, || {
        let mut buf = String::new();
        for t in &texts {
            pipeline.pipeline().normalizer.normalize_into(t, &mut buf);
            black_box(buf.len());
        }
    });
    row("normalize", normalize, memchr);
    let tokenize = rate(n, || {
        let mut buf = String::new();
        let mut count = 0usize;
        for t in &texts {
            pipeline.pipeline().for_each_token(t, &mut buf, |_| count += 1);
        }
        black_box(count);
    });
    row("tokenize", tokenize, memchr);
    for (name, model) in &models {
        let vectorize = rate(n, || {
            let mut scratch = Scratch::default();
            for t in &texts {
                model.tfidf().transform_into(model.pipeline(), t, &mut scratch);
                black_box(scratch.indices.len());
            }
        });
        row(&format!("vectorize ({name})"), vectorize, memchr);
        let decision = model.default_decision();
        let score = rate(n, || {
            let mut scratch = Scratch::default();
            for t in &texts {
                black_box(model.predict_with(t, decision, &mut scratch));
            }
        });
        row(&format!("score ({name})"), score, memchr);
        let scored: Vec<Vec<f64>> = texts.iter().map(|t| model.predict(t, decision).scores).collect();
        let write = rate(n, || {
            let mut out = csv::Writer::from_writer(Vec::with_capacity(n + (n >> 2)));
            for (t, s) in texts.iter().zip(&scored) {
                out.write_record([t.as_str(), &format_scores(s, model.topics())]).unwrap();
            }
            black_box(out.into_inner().map(|v| v.len()).unwrap_or(0));
        });
        row(&format!("write CSV ({name})"), write, memchr);
        let label = rate(n, || {
            pool.install(|| {
                let opts = LabelOptions::new(decision);
                black_box(label_csv(model, &raw[..], "test", std::io::sink(), &opts, &mut Silent).unwrap());
            })
        });
        row(&format!("label end to end ({name})"), label, memchr);
    }
}
