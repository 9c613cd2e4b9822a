//! Compressed sparse rows: the only document-term matrix tagger builds. Memory grows with the
//! number of non-zeros (12 bytes each), never with documents x vocabulary.
//!
//! Why not `sprs::CsMat` (the sparse type linfa pins): its indices are `usize`, 16 bytes per
//! non-zero with an f64 value instead of 12, and tagger needs nothing of its algebra beyond
//! reading rows.

use linfa::dataset::Records;
use ndarray::{ArrayBase, Data, Ix2};

#[derive(Debug, Clone, PartialEq)]
pub struct SparseRows {
    indptr: Vec<usize>,
    indices: Vec<u32>,
    values: Vec<f64>,
    n_features: usize,
}

impl SparseRows {
    pub fn new(n_features: usize) -> Self {
        SparseRows { indptr: vec![0], indices: Vec::new(), values: Vec::new(), n_features }
    }

    pub fn with_capacity(n_features: usize, rows: usize, nnz: usize) -> Self {
        let mut indptr = Vec::with_capacity(rows + 1);
        indptr.push(0);
        SparseRows { indptr, indices: Vec::with_capacity(nnz), values: Vec::with_capacity(nnz), n_features }
    }

    /// Appends a row given as column indices (strictly increasing, below `n_features`) and values.
    pub fn push_row(&mut self, indices: &[u32], values: &[f64]) {
        debug_assert_eq!(indices.len(), values.len());
        debug_assert!(indices.windows(2).all(|w| w[0] < w[1]));
        debug_assert!(indices.iter().all(|&i| (i as usize) < self.n_features));
        self.indices.extend_from_slice(indices);
        self.values.extend_from_slice(values);
        self.indptr.push(self.indices.len());
    }

    /// Appends every row of `other` (same number of features), consuming it.
    pub fn append(&mut self, other: SparseRows) {
        debug_assert_eq!(self.n_features, other.n_features);
        let offset = self.indices.len();
        self.indices.extend_from_slice(&other.indices);
        self.values.extend_from_slice(&other.values);
        self.indptr.extend(other.indptr[1..].iter().map(|p| p + offset));
    }

    /// Concatenates row blocks, reserving the exact size first so the peak is one copy.
    pub fn concat(n_features: usize, blocks: Vec<SparseRows>) -> SparseRows {
        let rows = blocks.iter().map(SparseRows::nrows).sum();
        let nnz = blocks.iter().map(SparseRows::nnz).sum();
        let mut out = SparseRows::with_capacity(n_features, rows, nnz);
        for block in blocks {
            out.append(block);
        }
        out
    }

    /// Builds rows from a dense matrix, keeping non-zeros (for tests against dense references).
    pub fn from_dense<S: Data<Elem = f64>>(dense: &ArrayBase<S, Ix2>) -> Self {
        let mut out = SparseRows::new(dense.ncols());
        let (mut idx, mut val) = (Vec::new(), Vec::new());
        for row in dense.rows() {
            idx.clear();
            val.clear();
            for (j, &v) in row.iter().enumerate() {
                if v != 0.0 {
                    idx.push(j as u32);
                    val.push(v);
                }
            }
            out.push_row(&idx, &val);
        }
        out
    }

    pub fn row(&self, i: usize) -> (&[u32], &[f64]) {
        let (start, end) = (self.indptr[i], self.indptr[i + 1]);
        (&self.indices[start..end], &self.values[start..end])
    }

    pub fn nrows(&self) -> usize {
        self.indptr.len() - 1
    }

    pub fn ncols(&self) -> usize {
        self.n_features
    }

    pub fn nnz(&self) -> usize {
        self.indices.len()
    }

    /// Keeps the rows whose index `keep` returns true for (used by cross-validation folds).
    pub fn select_rows(&self, rows: &[usize]) -> SparseRows {
        let nnz = rows.iter().map(|&i| self.indptr[i + 1] - self.indptr[i]).sum();
        let mut out = SparseRows::with_capacity(self.n_features, rows.len(), nnz);
        for &i in rows {
            let (idx, val) = self.row(i);
            out.push_row(idx, val);
        }
        out
    }
}

impl Records for SparseRows {
    type Elem = f64;

    fn nsamples(&self) -> usize {
        self.nrows()
    }

    fn nfeatures(&self) -> usize {
        self.n_features
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn rows_round_trip_from_dense() {
        let dense = array![[0.0, 1.5, 0.0], [0.0, 0.0, 0.0], [2.0, 0.0, 3.0]];
        let sparse = SparseRows::from_dense(&dense);
        assert_eq!(sparse.nrows(), 3);
        assert_eq!(sparse.nnz(), 3);
        assert_eq!(sparse.row(0), (&[1u32][..], &[1.5][..]));
        assert_eq!(sparse.row(1), (&[][..], &[][..]));
        assert_eq!(sparse.row(2), (&[0u32, 2][..], &[2.0, 3.0][..]));
    }

    #[test]
    fn concat_equals_pushing_all_rows() {
        let a = SparseRows::from_dense(&array![[1.0, 0.0], [0.0, 2.0]]);
        let b = SparseRows::from_dense(&array![[3.0, 4.0]]);
        let joined = SparseRows::concat(2, vec![a, b]);
        assert_eq!(joined, SparseRows::from_dense(&array![[1.0, 0.0], [0.0, 2.0], [3.0, 4.0]]));
        assert_eq!(joined.select_rows(&[2, 0]), SparseRows::from_dense(&array![[3.0, 4.0], [1.0, 0.0]]));
    }
}
