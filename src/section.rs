//! Arrays that are either owned (`Vec<T>`, built by training) or views into a model file's
//! bytes (loaded), so that loading a model is a check of the file and no copy of its arrays.
//!
//! A view borrows from a [`Backing`]: the embedded default model (`'static`, aligned by
//! `default_model`) or a file read whole into one 8-byte-aligned heap buffer shared by every
//! view of the model (`Arc`). Views are made only of little-endian plain numbers (`u8`, `u32`,
//! `u64`, `f64`: every bit pattern is a value), at an offset aligned for the type, inside the
//! buffer; on a big-endian target the numbers are decoded into owned vectors instead.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::sync::Arc;

/// Plain little-endian numbers that any bit pattern is a valid value of.
///
/// # Safety
/// Implemented only for types without padding or invalid bit patterns.
pub unsafe trait Plain: Copy + Send + Sync + 'static {
    fn from_le(bytes: &[u8]) -> Self;
}

macro_rules! plain {
    ($($t:ty),*) => {$(
        // SAFETY: integers and floats have no padding and every bit pattern is a value.
        unsafe impl Plain for $t {
            #[inline]
            fn from_le(bytes: &[u8]) -> Self {
                <$t>::from_le_bytes(bytes.try_into().expect("size of the type"))
            }
        }
    )*};
}
plain!(u8, u32, u64, f64);

/// Bytes that views point into: 8-byte aligned, never moved or changed while a view lives.
#[derive(Clone)]
pub enum Backing {
    Static(&'static [u8]),
    Shared(Arc<AlignedBytes>),
    /// A file read whole into a vector the allocator placed at an 8-byte boundary.
    Heap(Arc<Vec<u8>>),
}

impl Backing {
    pub fn bytes(&self) -> &[u8] {
        match self {
            Backing::Static(b) => b,
            Backing::Shared(a) => a.bytes(),
            Backing::Heap(v) => v,
        }
    }

    /// Takes `bytes` in place when they start at an 8-byte boundary (a large allocation always
    /// does with glibc and musl), else copies them into an aligned buffer.
    pub fn from_vec(bytes: Vec<u8>) -> Backing {
        if (bytes.as_ptr() as usize).is_multiple_of(8) {
            Backing::Heap(Arc::new(bytes))
        } else {
            Backing::Shared(Arc::new(AlignedBytes::copy_from(&bytes)))
        }
    }

    /// Borrows `bytes` when aligned, else copies them.
    pub fn from_static(bytes: &'static [u8]) -> Backing {
        if (bytes.as_ptr() as usize).is_multiple_of(8) {
            Backing::Static(bytes)
        } else {
            Backing::Shared(Arc::new(AlignedBytes::copy_from(bytes)))
        }
    }

    /// Copies `bytes` into an aligned buffer.
    pub fn copy_from(bytes: &[u8]) -> Backing {
        Backing::Shared(Arc::new(AlignedBytes::copy_from(bytes)))
    }
}

/// A heap buffer of `len` bytes starting at an 8-byte boundary.
pub struct AlignedBytes {
    words: Vec<u64>,
    len: usize,
}

impl AlignedBytes {
    /// A zeroed buffer of `len` bytes, to be filled with [`AlignedBytes::bytes_mut`].
    pub fn zeroed(len: usize) -> AlignedBytes {
        AlignedBytes { words: vec![0; len.div_ceil(8)], len }
    }

    pub fn copy_from(bytes: &[u8]) -> AlignedBytes {
        let mut out = AlignedBytes::zeroed(bytes.len());
        out.bytes_mut().copy_from_slice(bytes);
        out
    }

    pub fn bytes(&self) -> &[u8] {
        // SAFETY: the words hold at least `len` initialized bytes; u8 has alignment 1.
        unsafe { std::slice::from_raw_parts(self.words.as_ptr().cast::<u8>(), self.len) }
    }

    pub fn bytes_mut(&mut self) -> &mut [u8] {
        // SAFETY: as in `bytes`, and the borrow is unique.
        unsafe { std::slice::from_raw_parts_mut(self.words.as_mut_ptr().cast::<u8>(), self.len) }
    }
}

/// An array of `T`, owned or viewed in place; derefs to `&[T]`.
pub struct Section<T: Plain> {
    repr: Repr<T>,
}

enum Repr<T> {
    Owned(Vec<T>),
    View { backing: Backing, start: usize, len: usize },
}

impl<T: Plain> Section<T> {
    /// A view of `len` values at byte `start` of `backing`, or a decoded copy where a view is
    /// impossible (big-endian target). `None` when the range is outside the bytes or `start`
    /// is not aligned for `T`.
    pub fn view(backing: &Backing, start: usize, len: usize) -> Option<Section<T>> {
        let size = std::mem::size_of::<T>();
        let bytes = backing.bytes();
        let end = len.checked_mul(size)?.checked_add(start)?;
        if end > bytes.len() || !(bytes.as_ptr() as usize + start).is_multiple_of(std::mem::align_of::<T>()) {
            return None;
        }
        if cfg!(target_endian = "big") {
            return Some(bytes[start..end].chunks_exact(size).map(T::from_le).collect::<Vec<T>>().into());
        }
        Some(Section { repr: Repr::View { backing: backing.clone(), start, len } })
    }

    pub fn as_slice(&self) -> &[T] {
        match &self.repr {
            Repr::Owned(v) => v,
            Repr::View { backing, start, len } => {
                // SAFETY: `view` checked that the range is inside the bytes and aligned for T,
                // T is `Plain` (any bit pattern is a value, little-endian as on this target),
                // and the backing bytes are never changed or freed while this clone of it lives.
                unsafe { std::slice::from_raw_parts(backing.bytes().as_ptr().add(*start).cast::<T>(), *len) }
            }
        }
    }

    /// An owned vector of the values (a copy for a view).
    pub fn into_vec(self) -> Vec<T> {
        match self.repr {
            Repr::Owned(v) => v,
            Repr::View { .. } => self.as_slice().to_vec(),
        }
    }

    /// Mutable access, copying a view into an owned vector first.
    pub fn make_mut(&mut self) -> &mut Vec<T> {
        if let Repr::View { .. } = self.repr {
            self.repr = Repr::Owned(self.as_slice().to_vec());
        }
        match &mut self.repr {
            Repr::Owned(v) => v,
            Repr::View { .. } => unreachable!("made owned above"),
        }
    }
}

/// Appends `values` as little-endian bytes, as a model file stores them.
pub fn extend_le<T: Plain>(out: &mut Vec<u8>, values: &[T]) {
    if cfg!(target_endian = "little") {
        // SAFETY: T is Plain (no padding), so its memory is `len * size` initialized bytes.
        out.extend_from_slice(unsafe {
            std::slice::from_raw_parts(values.as_ptr().cast::<u8>(), std::mem::size_of_val(values))
        });
    } else {
        for v in values {
            // SAFETY: as above, for one value.
            let bytes: &[u8] =
                unsafe { std::slice::from_raw_parts((v as *const T).cast::<u8>(), std::mem::size_of::<T>()) };
            out.extend(bytes.iter().rev());
        }
    }
}

impl<T: Plain> std::ops::Deref for Section<T> {
    type Target = [T];
    #[inline]
    fn deref(&self) -> &[T] {
        self.as_slice()
    }
}

impl<'a, T: Plain> IntoIterator for &'a Section<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.as_slice().iter()
    }
}

impl<T: Plain> From<Vec<T>> for Section<T> {
    fn from(v: Vec<T>) -> Self {
        Section { repr: Repr::Owned(v) }
    }
}

impl<T: Plain> Default for Section<T> {
    fn default() -> Self {
        Vec::new().into()
    }
}

impl<T: Plain> Clone for Section<T> {
    fn clone(&self) -> Self {
        match &self.repr {
            Repr::Owned(v) => v.clone().into(),
            Repr::View { backing, start, len } => {
                Section { repr: Repr::View { backing: backing.clone(), start: *start, len: *len } }
            }
        }
    }
}

impl<T: Plain + PartialEq> PartialEq for Section<T> {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<T: Plain + std::fmt::Debug> std::fmt::Debug for Section<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_slice().fmt(f)
    }
}

impl<T: Plain + Serialize> Serialize for Section<T> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.as_slice().serialize(s)
    }
}

impl<'de, T: Plain + Deserialize<'de>> Deserialize<'de> for Section<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        Vec::<T>::deserialize(d).map(Section::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_are_checked_for_range_and_alignment() {
        let mut buf = AlignedBytes::zeroed(24);
        buf.bytes_mut()[8..16].copy_from_slice(&7u64.to_le_bytes());
        let backing = Backing::Shared(Arc::new(buf));
        let v: Section<u64> = Section::view(&backing, 8, 1).unwrap();
        assert_eq!(&*v, &[7]);
        assert!(Section::<u64>::view(&backing, 4, 1).is_none(), "misaligned");
        assert!(Section::<u64>::view(&backing, 16, 2).is_none(), "past the end");
        assert!(Section::<u64>::view(&backing, 8, usize::MAX).is_none(), "overflowing length");
        assert_eq!(v, Section::from(vec![7u64]));
        let mut bytes = Vec::new();
        extend_le(&mut bytes, &v);
        assert_eq!(bytes, 7u64.to_le_bytes());
    }
}
