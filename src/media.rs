//! The media store: photo bytes kept under the SHA-256 of their content, behind a
//! small trait so an object store can replace the folder (SPEC §5 `MEDIA_DIR`).
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// A content key: the lowercase hex SHA-256 of the stored bytes. Parsing refuses
/// anything else, so no key can name a path outside the store.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MediaKey(String);

impl MediaKey {
    /// The key of these bytes.
    pub fn of(bytes: &[u8]) -> MediaKey {
        MediaKey(hex::encode(Sha256::digest(bytes)))
    }

    /// A key read back from the database: exactly 64 lowercase hex digits.
    pub fn parse(text: &str) -> Option<MediaKey> {
        (text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
            .then(|| MediaKey(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MediaKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a `put` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub key: MediaKey,
    /// False when the same bytes were already there (another photo shares them).
    pub newly_written: bool,
}

/// The bytes under a key, to be read piece by piece.
pub struct MediaReader {
    pub len: u64,
    pub reader: Box<dyn Read + Send>,
}

impl fmt::Debug for MediaReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MediaReader")
            .field("len", &self.len)
            .finish()
    }
}

/// Where media bytes live. Calls block: run them off the async workers.
pub trait MediaStore: Send + Sync + fmt::Debug {
    /// Stores the bytes durably under their content key.
    fn put(&self, bytes: &[u8]) -> io::Result<Stored>;
    /// The bytes under a key, or `None` if there are none.
    fn get(&self, key: &MediaKey) -> io::Result<Option<Vec<u8>>>;
    /// The bytes under a key as a reader (for streaming them out), or `None`.
    fn open(&self, key: &MediaKey) -> io::Result<Option<MediaReader>>;
    /// Forgets a key (used to undo a `put` whose database row was never written).
    fn remove(&self, key: &MediaKey) -> io::Result<()>;
}

/// A folder on the local disk: one file per key, named by the key alone.
#[derive(Debug, Clone)]
pub struct FsMediaStore {
    dir: PathBuf,
}

impl FsMediaStore {
    /// A store in `dir`; the folder is created on the first write.
    pub fn new(dir: impl Into<PathBuf>) -> FsMediaStore {
        FsMediaStore { dir: dir.into() }
    }

    fn path_of(&self, key: &MediaKey) -> PathBuf {
        // The key is 64 hex digits (checked when it was made), never a client's text.
        self.dir.join(key.as_str())
    }
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    // Makes the rename itself durable (a crash after answering 201 keeps the file).
    File::open(dir)?.sync_all()
}

impl MediaStore for FsMediaStore {
    fn put(&self, bytes: &[u8]) -> io::Result<Stored> {
        let key = MediaKey::of(bytes);
        let path = self.path_of(&key);
        if path.is_file() {
            return Ok(Stored {
                key,
                newly_written: false,
            });
        }
        fs::create_dir_all(&self.dir)?;
        // Written beside its final name, flushed to disk, then renamed into place:
        // a reader sees the whole file or none, even after a crash.
        let tmp = self
            .dir
            .join(format!("{key}.{}.tmp", uuid::Uuid::new_v4().simple()));
        let written = (|| {
            let mut file = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
            file.write_all(bytes)?;
            file.sync_all()?;
            fs::rename(&tmp, &path)?;
            sync_dir(&self.dir)
        })();
        if let Err(err) = written {
            let _ = fs::remove_file(&tmp);
            return Err(err);
        }
        Ok(Stored {
            key,
            newly_written: true,
        })
    }

    fn get(&self, key: &MediaKey) -> io::Result<Option<Vec<u8>>> {
        match fs::read(self.path_of(key)) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(err),
        }
    }

    fn open(&self, key: &MediaKey) -> io::Result<Option<MediaReader>> {
        match File::open(self.path_of(key)) {
            Ok(file) => Ok(Some(MediaReader {
                len: file.metadata()?.len(),
                reader: Box::new(file),
            })),
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(err),
        }
    }

    fn remove(&self, key: &MediaKey) -> io::Result<()> {
        match fs::remove_file(self.path_of(key)) {
            Err(err) if err.kind() != io::ErrorKind::NotFound => Err(err),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_64_lowercase_hex_digits_make_a_key() {
        let key = MediaKey::of(b"bytes");
        assert_eq!(MediaKey::parse(key.as_str()), Some(key.clone()));
        for bad in [
            "../../etc/passwd",
            "",
            &key.as_str().to_uppercase(),
            &format!("{}/", &key.as_str()[..63]),
            &format!("{key}0"),
        ] {
            assert_eq!(MediaKey::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_folder_store_keeps_bytes_under_their_hash_and_leaves_no_temp_files() {
        let dir = std::env::temp_dir().join(format!("dermachart-media-{}", uuid::Uuid::new_v4()));
        let store = FsMediaStore::new(&dir);
        let first = store.put(b"photo bytes").unwrap();
        assert!(first.newly_written);
        assert_eq!(first.key, MediaKey::of(b"photo bytes"));
        let again = store.put(b"photo bytes").unwrap();
        assert!(!again.newly_written, "same bytes, same file");
        assert_eq!(
            store.get(&first.key).unwrap().as_deref(),
            Some(&b"photo bytes"[..])
        );
        let names: Vec<String> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, vec![first.key.to_string()]);
        let mut opened = store.open(&first.key).unwrap().unwrap();
        assert_eq!(opened.len, 11);
        let mut read = Vec::new();
        opened.reader.read_to_end(&mut read).unwrap();
        assert_eq!(read, b"photo bytes");
        store.remove(&first.key).unwrap();
        assert_eq!(store.get(&first.key).unwrap(), None);
        assert!(store.open(&first.key).unwrap().is_none());
        fs::remove_dir_all(&dir).unwrap();
    }
}
