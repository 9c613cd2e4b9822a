//! The embedded default model on the samples in `data/samples/`.

use crate::common::*;

fn default_topics(name: &str) -> Vec<String> {
    let out = tagger(["predict", s(&sample(name))]).run().ok();
    assert_eq!(out.lines().count(), 1, "{out}");
    topics_of_line(out.trim_end())
}

#[test]
fn default_model_tags_ukraine_talks_as_ukraine_war_and_diplomacy() {
    assert_eq!(default_topics("ukraine-talks.txt"), ["diplomacy", "ukraine-war"]);
}

/// data/TOPICS.md: "a Russian withdrawal from Syria to push the Geneva talks is `syria|diplomacy`".
#[test]
fn default_model_tags_syria_withdrawal_as_syria_and_diplomacy() {
    assert_eq!(default_topics("syria-withdrawal.txt"), ["diplomacy", "syria"]);
}

#[test]
fn default_model_tags_football_as_sports_only() {
    assert_eq!(default_topics("football.txt"), ["sports"]);
}

#[test]
fn default_model_gives_no_topic_to_a_recipe() {
    let out = tagger(["predict", s(&sample("recipe.txt"))]).run().ok();
    assert_eq!(out, format!("{}\t(no topic)\n", sample("recipe.txt").display()));
}
