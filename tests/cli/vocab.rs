//! `tagger vocab` and the sharded forms of `tagger train` (`--partial`, `--merge`).

use crate::common::*;

#[test]
fn a_shard_given_twice_is_refused() {
    let dir = tmp();
    shard_files(dir.path());
    let d = dir.path();
    std::fs::hard_link(d.join("ma.bin"), d.join("ma-again.bin")).unwrap();
    let before = listing(d);
    let refusals: [(&[&str], &str); 4] = [
        (&["train", "--merge", "ma.bin", "mb.bin", "ma.bin", "-o", "m.bin"], "shard ma.bin is given twice"),
        (&["train", "--merge", "ma.bin", "./ma.bin", "-o", "m.bin"], "shard ma.bin is given twice (again as ./ma.bin)"),
        (
            &["train", "--merge", "ma.bin", "ma-again.bin", "-o", "m.bin"],
            "shard ma.bin is given twice (again as ma-again.bin)",
        ),
        (&["vocab", "--merge", "va.bin", "va.bin", "-o", "v2.bin"], "shard va.bin is given twice"),
    ];
    for (args, message) in refusals {
        tagger(args)
            .dir(d)
            .run()
            .refused(&format!("tagger: {message}; give each shard once (its documents would count twice)"));
        assert_eq!(listing(d), before, "{args:?}: nothing written");
    }
}

#[test]
fn vocab_without_partial_is_refused_not_ignored() {
    let dir = tmp();
    shard_files(dir.path());
    let d = dir.path();
    let before = listing(d);
    let message = "tagger: --vocab is only used with --partial (round 2 of sharded training): add --partial, or leave out --vocab";
    tagger(["train", "a.csv", "--vocab", "v.bin", "-o", "m.bin"]).dir(d).run().refused(message);
    tagger(["train", "--merge", "ma.bin", "mb.bin", "--vocab", "v.bin", "-o", "m.bin"]).dir(d).run().refused(message);
    assert_eq!(listing(d), before, "nothing written");
}
