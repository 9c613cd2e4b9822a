//! tagger's sparse naive Bayes against `linfa_bayes::MultinomialNb` (the dense reference the
//! project's users chose) on small dense data: joint log-likelihood for joint log-likelihood.

use linfa::prelude::*;
use linfa::DatasetBase;
use linfa_bayes::{MultinomialNb, NaiveBayes as _};
use ndarray::{array, Array1, Array2};
use tagger::classify::{NbKind, NbParams};
use tagger::features::SparseRows;

/// Word counts of eight short news texts over eight terms, three topics; several zeros, so the
/// sparse path skips entries the dense one multiplies by 0.
fn data() -> (Array2<f64>, Array1<usize>) {
    let x = array![
        [4.0, 1.0, 0.0, 0.0, 2.0, 0.0, 0.0, 1.0],
        [3.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0],
        [0.0, 2.0, 5.0, 1.0, 0.0, 0.0, 1.0, 0.0],
        [1.0, 0.0, 3.0, 2.0, 0.0, 1.0, 0.0, 0.0],
        [0.0, 0.0, 0.0, 1.0, 0.0, 4.0, 3.0, 0.0],
        [0.0, 1.0, 0.0, 0.0, 0.0, 2.0, 5.0, 1.0],
        [2.0, 0.0, 0.0, 0.0, 3.0, 0.0, 0.0, 2.0],
        [0.0, 0.0, 2.0, 3.0, 0.0, 0.0, 1.0, 0.0]
    ];
    let y = array![0, 0, 1, 1, 2, 2, 0, 1];
    (x, y)
}

fn one_hot(y: &Array1<usize>, k: usize) -> Array2<bool> {
    Array2::from_shape_fn((y.len(), k), |(i, t)| y[i] == t)
}

#[test]
fn joint_log_likelihood_equals_linfa_bayes_multinomial() {
    let (x, y) = data();
    let test = array![
        [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        [0.0, 3.0, 1.0, 0.0, 0.0, 2.0, 0.0, 7.0],
        [10.0, 0.0, 20.0, 0.0, 0.0, 30.0, 0.0, 0.0],
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    ];
    for alpha in [0.01, 0.1, 1.0, 2.5] {
        // linfa-bayes 0.8.1 prints each class histogram with dbg! while fitting; the output on
        // stderr is expected here and is one reason tagger does not use it.
        let reference = MultinomialNb::params().alpha(alpha).fit(&DatasetBase::new(x.clone(), y.clone())).unwrap();
        let expected = reference.joint_log_likelihood(test.view());

        let ours = NbParams::new()
            .alpha(alpha)
            .kind(NbKind::Multinomial)
            .check()
            .unwrap()
            .fit(&DatasetBase::new(SparseRows::from_dense(&x), one_hot(&y, 3)))
            .unwrap();
        let got = ours.joint_log_likelihood(&SparseRows::from_dense(&test));

        for class in 0..3usize {
            let want = &expected[&class];
            for doc in 0..test.nrows() {
                let diff = (got[[doc, class]] - want[doc]).abs();
                assert!(
                    diff < 1e-9,
                    "alpha {alpha}, doc {doc}, class {class}: tagger {} vs linfa {}",
                    got[[doc, class]],
                    want[doc]
                );
            }
        }
    }
}

#[test]
fn predictions_equal_linfa_bayes_where_linfa_has_no_tie() {
    let (x, y) = data();
    let reference = MultinomialNb::params().alpha(0.5).fit(&DatasetBase::new(x.clone(), y.clone())).unwrap();
    let ours = NbParams::new()
        .alpha(0.5)
        .check()
        .unwrap()
        .fit(&DatasetBase::new(SparseRows::from_dense(&x), one_hot(&y, 3)))
        .unwrap();
    let want: Array1<usize> = reference.predict(&x);
    let got: Array1<usize> = ours.predict(&SparseRows::from_dense(&x));
    assert_eq!(got, want);
    assert_eq!(got, y, "the training texts are separable");
}

#[test]
fn long_documents_stay_finite_where_linfa_bayes_does_not() {
    // A long document: counts in the thousands push every joint log-likelihood below -745,
    // where exp() underflows to 0.
    let (x, y) = data();
    let long = array![[3000.0, 200.0, 2500.0, 0.0, 1000.0, 0.0, 40.0, 900.0]];
    let reference = MultinomialNb::params().alpha(0.1).fit(&DatasetBase::new(x.clone(), y.clone())).unwrap();
    let (linfa_log_proba, _) = reference.predict_log_proba(long.view());
    assert!(
        linfa_log_proba.iter().any(|v| !v.is_finite()),
        "linfa-bayes 0.8.1 normalizes without the max shift; if this fails, upstream fixed it: {linfa_log_proba}"
    );

    let ours = NbParams::new()
        .alpha(0.1)
        .check()
        .unwrap()
        .fit(&DatasetBase::new(SparseRows::from_dense(&x), one_hot(&y, 3)))
        .unwrap();
    let p: Array2<f64> = ours.predict(&SparseRows::from_dense(&long));
    assert!(p.iter().all(|v| v.is_finite() && (0.0..=1.0).contains(v)), "{p}");
    assert!((p.sum() - 1.0).abs() < 1e-12);
}
