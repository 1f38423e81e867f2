//! `dermachart backup` and `dermachart restore`: one tar archive holding the
//! database, the media folder and the audit key and anchors.
//!
//! The database copy is consistent and taken while the server runs: SQLite's
//! `VACUUM INTO` (one read transaction), PostgreSQL's `pg_dump` (one snapshot).
//! The anchor file is read *before* the database copy, so every anchor in the
//! archive names a row the copy holds; media is packed *after* it, so every photo
//! the copy names is in the archive (files are written before their rows commit).
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context};
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection, SqliteConnection};
use serde::{Deserialize, Serialize};

use crate::audit::verify_chain;
use crate::audit_seal::{write_private, ChainSeal};
use crate::config::StorageSettings;
use crate::db::{self, Backend, DbConnection};

const FORMAT: &str = "dermachart-backup-1";
const MANIFEST: &str = "manifest.json";
const KEY: &str = "audit.key";
const ANCHORS: &str = "audit.anchors";
const SQLITE_DB: &str = "database.sqlite3";
const PG_DUMP: &str = "database.pgdump";
const MEDIA: &str = "media";

#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    format: String,
    backend: String,
    created_at: chrono::DateTime<chrono::Utc>,
    app_version: String,
    /// The newest audit row in the copy (SQLite; PostgreSQL's is read on restore).
    audit_head_seq: Option<i64>,
    media_files: usize,
}

/// What a backup or restore did, printed by the CLI.
#[derive(Debug)]
pub struct Summary(String);

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn backend_name(backend: Backend) -> &'static str {
    match backend {
        Backend::Postgres => "postgres",
        Backend::Sqlite => "sqlite",
    }
}

/// A scratch folder beside `near`, so that the final renames stay on one file system.
fn scratch_beside(near: &Path) -> anyhow::Result<tempfile::TempDir> {
    let parent = near
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    fs::create_dir_all(parent)?;
    Ok(tempfile::Builder::new()
        .prefix(".dermachart-")
        .tempdir_in(parent)?)
}

fn run_tool(command: &mut Command, what: &str) -> anyhow::Result<()> {
    let output = command
        .output()
        .with_context(|| format!("cannot run {what} (is it installed and on PATH?)"))?;
    if !output.status.success() {
        bail!(
            "{what} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

fn count_files(dir: &Path) -> usize {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => count_files(&e.path()),
            Ok(t) if t.is_file() => 1,
            _ => 0,
        })
        .sum()
}

/// Writes the archive `to` (complete or not at all).
pub fn backup(storage: &StorageSettings, to: &Path) -> anyhow::Result<Summary> {
    let url = &storage.database.database_url;
    let backend = Backend::of_url(url)?;
    let key_file = &storage.audit.audit_key_file;
    let key = fs::read(key_file).with_context(|| {
        format!(
            "cannot read the audit key {} (a backup without it cannot be verified)",
            key_file.display()
        )
    })?;
    // Anchors first: each one names a row the database copy below will hold.
    let anchors = match fs::read(storage.audit.anchor_file()) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e).context("cannot read the audit anchor file"),
    };
    let scratch = scratch_beside(to)?;
    let (db_name, db_copy, head) = match backend {
        Backend::Sqlite => {
            let source = db::sqlite_path(url);
            if !Path::new(source).is_file() {
                bail!("there is no SQLite database at {source}");
            }
            let copy = scratch.path().join(SQLITE_DB);
            let mut conn = SqliteConnection::establish(source)?;
            conn.batch_execute(&format!(
                "PRAGMA busy_timeout = {};",
                storage.database.sqlite_busy_timeout_ms
            ))?;
            let target = copy
                .to_str()
                .context("the backup path must be valid UTF-8")?
                .replace('\'', "''");
            conn.batch_execute(&format!("VACUUM INTO '{target}'"))?;
            let mut snapshot =
                DbConnection::Sqlite(SqliteConnection::establish(&copy.to_string_lossy())?);
            let head = crate::db::models::audit::head(&mut snapshot)?.map(|(seq, _)| seq);
            (SQLITE_DB, copy, head)
        }
        Backend::Postgres => {
            let copy = scratch.path().join(PG_DUMP);
            run_tool(
                Command::new("pg_dump")
                    .arg("--format=custom")
                    .arg("--no-owner")
                    .arg("--no-privileges")
                    .arg(format!("--file={}", copy.display()))
                    .arg(format!("--dbname={url}")),
                "pg_dump",
            )?;
            (PG_DUMP, copy, None)
        }
    };
    let media_files = count_files(&storage.media_dir);
    let manifest = Manifest {
        format: FORMAT.to_owned(),
        backend: backend_name(backend).to_owned(),
        created_at: chrono::Utc::now(),
        app_version: env!("CARGO_PKG_VERSION").to_owned(),
        audit_head_seq: head,
        media_files,
    };
    let partial = scratch.path().join("archive.tar");
    {
        let file = fs::File::create(&partial)?;
        let mut tar = tar::Builder::new(file);
        tar.follow_symlinks(false);
        let mut add = |name: &str, bytes: &[u8]| -> std::io::Result<()> {
            let mut header = tar::Header::new_gnu();
            header.set_size(bytes.len() as u64);
            header.set_mode(0o600);
            header.set_mtime(manifest.created_at.timestamp().max(0).unsigned_abs());
            header.set_cksum();
            tar.append_data(&mut header, name, bytes)
        };
        add(MANIFEST, &serde_json::to_vec_pretty(&manifest)?)?;
        add(KEY, &key)?;
        add(ANCHORS, &anchors)?;
        tar.append_path_with_name(&db_copy, db_name)?;
        if storage.media_dir.is_dir() {
            tar.append_dir_all(MEDIA, &storage.media_dir)?;
        }
        tar.into_inner()?.sync_all()?;
    }
    fs::rename(&partial, to)
        .with_context(|| format!("cannot move the archive to {}", to.display()))?;
    let size = fs::metadata(to)?.len();
    Ok(Summary(format!(
        "backup written to {} ({size} bytes): {} database{}, {media_files} media files, the audit key and {} anchors",
        to.display(),
        backend_name(backend),
        head.map(|h| format!(" (audit head {h})")).unwrap_or_default(),
        String::from_utf8_lossy(&anchors).lines().count(),
    )))
}

fn dir_is_empty(dir: &Path) -> bool {
    fs::read_dir(dir).map_or(true, |mut d| d.next().is_none())
}

fn pg_has_tables(url: &str) -> anyhow::Result<bool> {
    #[derive(diesel::QueryableByName)]
    struct Present {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        present: bool,
    }
    use diesel::RunQueryDsl;
    let mut conn = PgConnection::establish(url)?;
    let row: Present = diesel::sql_query(
        "SELECT to_regclass('public.__diesel_schema_migrations') IS NOT NULL AS present",
    )
    .get_result(&mut conn)?;
    Ok(row.present)
}

/// Restores `from` into the configured database, media folder and key files.
pub fn restore(storage: &StorageSettings, from: &Path, force: bool) -> anyhow::Result<Summary> {
    let url = &storage.database.database_url;
    let backend = Backend::of_url(url)?;
    let scratch = scratch_beside(&storage.media_dir)?;
    let unpacked = scratch.path().join("archive");
    let archive =
        fs::File::open(from).with_context(|| format!("cannot open {}", from.display()))?;
    // `unpack` refuses entries that would land outside the folder.
    tar::Archive::new(archive)
        .unpack(&unpacked)
        .context("the archive cannot be read")?;
    let manifest: Manifest = serde_json::from_slice(
        &fs::read(unpacked.join(MANIFEST)).context("the archive has no manifest")?,
    )
    .context("the archive's manifest is not valid")?;
    if manifest.format != FORMAT {
        bail!("this is not a DermaChart backup ({})", manifest.format);
    }
    if manifest.backend != backend_name(backend) {
        bail!(
            "the archive holds a {} database but DATABASE_URL names {}",
            manifest.backend,
            backend_name(backend)
        );
    }
    let key = fs::read(unpacked.join(KEY)).context("the archive has no audit key")?;
    let key_file = &storage.audit.audit_key_file;

    // Check everything before changing anything.
    if !force {
        let occupied = match backend {
            Backend::Sqlite => fs::metadata(db::sqlite_path(url)).is_ok_and(|m| m.len() > 0),
            Backend::Postgres => pg_has_tables(url)?,
        };
        if occupied {
            bail!("the target database is not empty (use --force to replace it)");
        }
        if !dir_is_empty(&storage.media_dir) {
            bail!(
                "the media folder {} is not empty (use --force to replace it)",
                storage.media_dir.display()
            );
        }
        if fs::read(key_file).is_ok_and(|existing| existing != key) {
            bail!(
                "another audit key exists at {} (use --force to replace it)",
                key_file.display()
            );
        }
    }

    match backend {
        Backend::Sqlite => {
            let target = PathBuf::from(db::sqlite_path(url));
            if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
                fs::create_dir_all(parent)?;
            }
            let staged = target.with_extension("restoring");
            fs::copy(unpacked.join(SQLITE_DB), &staged)?;
            for suffix in ["-wal", "-shm"] {
                let mut side = target.clone().into_os_string();
                side.push(suffix);
                let _ = fs::remove_file(side);
            }
            fs::rename(&staged, &target)?;
        }
        Backend::Postgres => {
            let mut command = Command::new("pg_restore");
            command
                .arg("--no-owner")
                .arg("--no-privileges")
                .arg("--exit-on-error")
                .arg("--single-transaction");
            if force {
                command.arg("--clean").arg("--if-exists");
            }
            command
                .arg(format!("--dbname={url}"))
                .arg(unpacked.join(PG_DUMP));
            run_tool(&mut command, "pg_restore")?;
        }
    }

    if storage.media_dir.exists() {
        fs::remove_dir_all(&storage.media_dir)?;
    }
    let media = unpacked.join(MEDIA);
    if media.is_dir() {
        fs::rename(&media, &storage.media_dir)?;
    } else {
        fs::create_dir_all(&storage.media_dir)?;
    }

    let staged_key = key_file.with_extension("restoring");
    if let Some(parent) = key_file.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent)?;
    }
    let _ = fs::remove_file(&staged_key);
    write_private(&staged_key, &key)?;
    fs::rename(&staged_key, key_file)?;
    let anchor_file = storage.audit.anchor_file();
    let staged_anchors = anchor_file.with_extension("restoring");
    let _ = fs::remove_file(&staged_anchors);
    write_private(&staged_anchors, &fs::read(unpacked.join(ANCHORS))?)?;
    fs::rename(&staged_anchors, &anchor_file)?;

    // Bring an older backup up to date, then check the chain under the restored key.
    let pool = db::build_pool(url, &storage.database.pool_settings())?;
    let mut conn = pool.get()?;
    db::run_migrations(&mut conn)?;
    let seal = ChainSeal::open(&storage.audit, &mut conn)?;
    let report = verify_chain(&mut conn, &seal)?;
    let chain = if report.ok {
        format!("verifies ({} rows)", report.rows_checked)
    } else {
        format!(
            "DOES NOT VERIFY (first broken seq {:?}, truncated {})",
            report.first_broken_seq, report.truncated
        )
    };
    Ok(Summary(format!(
        "restored {} ({} database from {}, {} media files); audit chain {chain}",
        from.display(),
        manifest.backend,
        manifest.created_at.to_rfc3339(),
        count_files(&storage.media_dir),
    )))
}
