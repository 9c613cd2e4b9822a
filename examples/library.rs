//! A program written against the library as another team would write it: train a model from
//! texts, save it, load it, tag one text and label a CSV export. It uses nothing but `tagger`
//! and std, and builds without the CLI's dependencies (clap, indicatif, ctrlc):
//!
//!     cargo run --release --no-default-features --example library

use std::fs::File;
use tagger::batch::{label_csv, LabelOptions, Silent};
use tagger::corpus::LabeledCorpus;
use tagger::{Decision, Model, TrainSettings, TrainingMeta};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rows = [
        ("فاز الفريق بالمباراة النهائية وأحرز اللاعب هدفين في الدوري", vec!["sports"]),
        ("تأهل المنتخب إلى نهائي البطولة بعد فوزه في المباراة", vec!["sports"]),
        ("ارتفعت أسعار النفط وتراجعت الأسهم في البورصة", vec!["economy"]),
        ("رفع البنك المركزي أسعار الفائدة لكبح التضخم في الأسواق", vec!["economy"]),
    ];
    let corpus = LabeledCorpus::from_rows("newsroom", rows)?;
    let model = Model::train(corpus, &TrainSettings::default(), TrainingMeta::new("newsroom"))?;

    let dir = std::env::temp_dir().join(format!("tagger-library-example-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    model.save(&dir.join("model.bin"))?;
    let model = Model::load(&dir.join("model.bin"))?;

    let p = model.predict("سجل اللاعب هدفا في المباراة", model.default_decision());
    println!("topic: {}", model.topics()[p.topics[0]]);

    let export = dir.join("export.csv");
    std::fs::write(&export, "id,text\n1,ارتفعت أسعار الأسهم في البورصة\n2,انتهت المباراة بفوز المنتخب\n")?;
    let opts = LabelOptions::new(Decision::new(Some(0.5), 1)?);
    let out = File::create(dir.join("labeled.csv"))?;
    let summary = label_csv(&model, File::open(&export)?, "export.csv", out, &opts, &mut Silent)?;
    print!("{} rows labeled:\n{}", summary.rows_written, std::fs::read_to_string(dir.join("labeled.csv"))?);
    Ok(std::fs::remove_dir_all(&dir)?)
}
