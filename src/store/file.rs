//! Storage as one file per key in a directory (the simulator's `--state-dir`).

use std::fs::{self, File};
use std::io::{self, ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::vec::Vec;

use super::{check_key, Storage, StorageError};

/// One file per key in a directory. A write truncates, writes and fsyncs the file (no
/// rename: [`super::Record`] and [`super::Journal`] tolerate torn files); creating or
/// removing a file also fsyncs the directory so that the change itself is durable.
#[derive(Clone, Debug)]
pub struct FileStorage {
    dir: PathBuf,
}

impl FileStorage {
    /// Storage in `dir`, created if missing.
    pub fn new(dir: impl Into<PathBuf>) -> Result<FileStorage, StorageError> {
        let dir = dir.into();
        fs::create_dir_all(&dir).map_err(from_io)?;
        Ok(FileStorage { dir })
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, key: &str) -> Result<PathBuf, StorageError> {
        check_key(key)?;
        Ok(self.dir.join(key))
    }

    /// Makes a file's creation or removal durable (POSIX: fsync the directory).
    fn sync_dir(&self) -> Result<(), StorageError> {
        File::open(&self.dir).and_then(|d| d.sync_all()).map_err(from_io)
    }
}

fn from_io(e: io::Error) -> StorageError {
    match e.kind() {
        ErrorKind::StorageFull => StorageError::Full,
        ErrorKind::FileTooLarge => StorageError::TooLarge,
        _ => StorageError::Io,
    }
}

impl Storage for FileStorage {
    fn read(&mut self, key: &str, buf: &mut Vec<u8>) -> Result<bool, StorageError> {
        match fs::read(self.path(key)?) {
            Ok(data) => {
                *buf = data;
                Ok(true)
            }
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(false),
            Err(e) => Err(from_io(e)),
        }
    }

    fn write(&mut self, key: &str, data: &[u8]) -> Result<(), StorageError> {
        let path = self.path(key)?;
        let created = !path.exists();
        let mut file = File::create(&path).map_err(from_io)?;
        file.write_all(data).and_then(|()| file.sync_all()).map_err(from_io)?;
        if created {
            self.sync_dir()?;
        }
        Ok(())
    }

    fn remove(&mut self, key: &str) -> Result<(), StorageError> {
        match fs::remove_file(self.path(key)?) {
            Ok(()) => self.sync_dir(),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
            Err(e) => Err(from_io(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::journal::tests::crash_matrix;
    use crate::store::{Fault, Journal, Record};
    use std::string::String;

    /// A fresh directory under the system temp dir, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(tag: &str) -> TempDir {
            let dir = std::env::temp_dir().join(format!("ocpp-store-{}-{tag}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            TempDir(dir)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn files_hold_records_and_journal_across_instances() {
        let tmp = TempDir::new("basic");
        let mut st = FileStorage::new(tmp.0.join("state")).unwrap();
        let mut buf = Vec::new();
        assert_eq!(st.read("cfg.a", &mut buf), Ok(false));
        assert_eq!(st.write("../evil", b"x"), Err(StorageError::BadKey));
        Record::save(&mut st, "cfg", br#"{"MeterValueSampleInterval":"30"}"#).unwrap();
        Record::save(&mut st, "cfg", br#"{"MeterValueSampleInterval":"60"}"#).unwrap();
        let (mut j, _) = Journal::open(&mut st, 4).unwrap();
        let start = br#"[2,"1","StartTransaction",{"connectorId":1,"idTag":"ABC","meterStart":0,"timestamp":"2026-01-01T00:00:00Z"}]"#;
        let seq = j.append(&mut st, start).unwrap();
        j.append(&mut st, b"[]").unwrap();
        j.remove(&mut st, seq + 1).unwrap();

        // A second instance on the same directory (the simulator restarted).
        let mut again = FileStorage::new(st.dir()).unwrap();
        assert_eq!(
            Record::load(&mut again, "cfg").unwrap().as_deref(),
            Some(&br#"{"MeterValueSampleInterval":"60"}"#[..])
        );
        assert_eq!(Journal::open(&mut again, 4).unwrap().1, [(seq, start.to_vec())]);
        let mut names: Vec<String> = fs::read_dir(st.dir())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["cfg.a", "cfg.b", "j0", "jn.a"]);

        // A file torn by hand (a prefix, as a power cut leaves it) reads back as the old value.
        let b = fs::read(st.dir().join("cfg.b")).unwrap();
        fs::write(st.dir().join("cfg.b"), &b[..b.len() / 2]).unwrap();
        assert_eq!(
            Record::load(&mut again, "cfg").unwrap().as_deref(),
            Some(&br#"{"MeterValueSampleInterval":"30"}"#[..])
        );
        again.remove("cfg.b").unwrap();
        again.remove("cfg.b").unwrap();
        assert!(!st.dir().join("cfg.b").exists());
    }

    #[test]
    fn a_cut_at_any_write_keeps_the_queue_consistent_on_files() {
        let tmp = TempDir::new("crash");
        let mut round = 0;
        let mut fresh = || {
            round += 1;
            let dir = tmp.0.join(format!("{round}"));
            let _ = fs::remove_dir_all(tmp.0.join(format!("{}", round - 1)));
            FileStorage::new(dir).unwrap()
        };
        let count = crash_matrix(&mut fresh, &[Fault::RandomPrefix], false);
        assert!(count > 20, "{count} scenarios");
    }
}
