//! The length and SHA-256 of a data file, taken from the bytes as they are written, so that
//! a results folder's record (`meta.json`, `partial.json`: its key `files`, docs/reliability.md)
//! can list a large file without reading it back.

use std::io::{self, Write};

use sha2::{Digest, Sha256};

/// A file's length and SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDigest {
    /// Its length in bytes.
    pub bytes: u64,
    /// Its SHA-256, lower-case hex.
    pub sha256: String,
}

impl FileDigest {
    /// The digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        FileDigest { bytes: bytes.len() as u64, sha256: hex(Sha256::digest(bytes).as_slice()) }
    }
}

/// Lower-case hex of a hash.
pub(crate) fn hex(hash: &[u8]) -> String {
    use std::fmt::Write as _;
    hash.iter().fold(String::with_capacity(2 * hash.len()), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// From this many bytes on, a buffer is written and hashed at the same time, on two of
/// rayon's threads (the hash takes about as long as the copy into the page cache).
const TOGETHER: usize = 256 << 10;

/// A writer that hashes what it passes on.
pub struct Digesting<W> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W: Write + Send> Digesting<W> {
    /// Passes on to `inner`.
    pub fn new(inner: W) -> Self {
        Digesting { inner, hasher: Sha256::new(), bytes: 0 }
    }

    /// The inner writer and the digest of everything written to it.
    pub fn finish(self) -> (W, FileDigest) {
        let sha256 = hex(self.hasher.finalize().as_slice());
        (self.inner, FileDigest { bytes: self.bytes, sha256 })
    }
}

impl<W: Write + Send> Write for Digesting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.len() >= TOGETHER {
            let (inner, hasher) = (&mut self.inner, &mut self.hasher);
            let (written, ()) = rayon::join(|| inner.write_all(buf), || hasher.update(buf));
            written?;
            self.bytes += buf.len() as u64;
            return Ok(buf.len());
        }
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer that takes at most 7 bytes a call, as a short write may.
    struct Short(Vec<u8>);

    impl Write for Short {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            let n = buf.len().min(7);
            self.0.extend_from_slice(&buf[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn the_digest_of_the_empty_file_is_the_known_one() {
        let (_, d) = Digesting::new(Vec::new()).finish();
        assert_eq!(d.bytes, 0);
        assert_eq!(d.sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(FileDigest::of(b"abc").sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn small_short_and_large_writes_hash_what_was_written() {
        let bytes: Vec<u8> = (0..3 * TOGETHER + 11).map(|i| (i * 31 % 251) as u8).collect();
        let mut w = Digesting::new(Short(Vec::new()));
        w.write_all(&bytes[..100]).unwrap();
        let mut at = 100;
        // Two buffers of the size that is written and hashed at once, then the rest.
        for _ in 0..2 {
            w.write_all(&bytes[at..at + TOGETHER]).unwrap();
            at += TOGETHER;
        }
        w.write_all(&bytes[at..]).unwrap();
        let (inner, d) = w.finish();
        assert_eq!(inner.0, bytes);
        assert_eq!(d, FileDigest::of(&bytes));
    }
}
