//! Throughput of each pipeline stage, in bytes of input text per second.
//!
//! On the project's own corpus (`data/labels.csv`, always present) and, when `../shared/data`
//! is beside the checkout, on SANAD test articles with a model trained on SANAD train.
//! `cargo bench --bench pipeline`; nothing is downloaded.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use std::path::Path;
use tagger::batch::{label_csv, LabelOptions, Silent};
use tagger::csv_input::{read_labeled, CsvOptions};
use tagger::features::Scratch;
use tagger::text::TextPipeline;
use tagger::{Model, TrainingMeta};

fn own_corpus() -> (Vec<u8>, Vec<String>) {
    let raw = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/data/labels.csv")).expect("data/labels.csv");
    let corpus = read_labeled(&raw[..], "labels.csv", &CsvOptions::default()).expect("readable corpus");
    (raw, corpus.texts.iter().map(str::to_owned).collect())
}

fn shared(name: &str) -> Option<std::path::PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data").join(name);
    p.exists().then_some(p)
}

fn text_stages(c: &mut Criterion) {
    let (_, texts) = own_corpus();
    let bytes: usize = texts.iter().map(String::len).sum();
    let pipeline = TextPipeline::default();
    let model = tagger::default_model::load().expect("embedded model");
    let mut group = c.benchmark_group("own-corpus");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("normalize", |b| {
        let mut buf = String::new();
        b.iter(|| {
            for t in &texts {
                pipeline.normalizer.normalize_into(t, &mut buf);
                black_box(buf.len());
            }
        })
    });
    group.bench_function("normalize+tokenize", |b| {
        let mut buf = String::new();
        b.iter(|| {
            let mut n = 0usize;
            for t in &texts {
                pipeline.for_each_token(t, &mut buf, |_| n += 1);
            }
            black_box(n)
        })
    });
    group.bench_function("predict (1 thread)", |b| {
        let mut scratch = Scratch::default();
        let decision = model.default_decision();
        b.iter(|| {
            for t in &texts {
                black_box(model.predict_with(t, decision, &mut scratch));
            }
        })
    });
    group.finish();
}

fn sanad(c: &mut Criterion) {
    let (Some(train), Some(test)) = (shared("sanad-khaleej-train.csv"), shared("sanad-khaleej-test.csv")) else {
        eprintln!("skipping SANAD benchmarks: ../shared/data/sanad-khaleej-*.csv not found beside the checkout");
        return;
    };
    let corpus = read_labeled(std::fs::File::open(&train).unwrap(), "train", &CsvOptions::default()).unwrap();
    // `tagger train`'s defaults, with the threshold these figures were first measured with.
    let settings = tagger::TrainSettings { threshold: 0.5, ..Default::default() };
    let train_bytes = corpus.texts.bytes() as u64;
    let mut group = c.benchmark_group("sanad");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(train_bytes));
    let meta = TrainingMeta::new("train");
    group.bench_function("train", |b| {
        b.iter(|| black_box(Model::train(corpus.clone(), &settings, meta.clone()).unwrap()))
    });
    let model = Model::train(corpus, &settings, meta).unwrap();

    let raw = std::fs::read(&test).unwrap();
    group.throughput(Throughput::Bytes(raw.len() as u64));
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        group.bench_with_input(BenchmarkId::new("label csv", format!("{threads} threads")), &threads, |b, _| {
            b.iter(|| {
                pool.install(|| {
                    let opts = LabelOptions::new(model.default_decision());
                    black_box(label_csv(&model, &raw[..], "test", std::io::sink(), &opts, &mut Silent).unwrap())
                })
            })
        });
    }
    group.finish();
}

criterion_group!(benches, text_stages, sanad);
criterion_main!(benches);
