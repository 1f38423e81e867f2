//! What makes the audit chain trustworthy without trusting the database: a keyed
//! MAC per row (HMAC-SHA256, the key in a file outside the database) and anchors —
//! the chain head's `(seq, hash)` appended now and then to a file outside the
//! database (and to the log), so that deleting the newest rows is caught too.
//!
//! Rows written before the MAC existed (up to `audit_mac_start.seq`, fixed by the
//! migration) keep their plain SHA-256 links; the first start copies that boundary,
//! with the hash of its row, into the anchor file, and from then on the file's copy
//! is the one believed, so lowering the boundary in the database is caught.
use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::config::AuditSettings;
use crate::db::models::audit::{self as rows, AuditRow};
use crate::db::DbConnection;

type HmacSha256 = Hmac<Sha256>;

pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The secret of the audit MAC. Never printed.
#[derive(Clone)]
pub struct AuditKey([u8; 32]);

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditKey(…)")
    }
}

impl AuditKey {
    pub fn from_bytes(bytes: [u8; 32]) -> AuditKey {
        AuditKey(bytes)
    }

    /// Reads the key file, creating it (mode 0600) when it does not exist yet.
    /// Two processes starting at once end up with the same key: the file appears
    /// atomically (a hard link of a finished temporary file) and the loser reads it.
    pub fn load_or_create(path: &Path) -> anyhow::Result<AuditKey> {
        if !path.exists() {
            create_key_file(path)?;
            tracing::info!(path = %path.display(), "created a new audit key; back it up");
        }
        AuditKey::load(path)
    }

    pub fn load(path: &Path) -> anyhow::Result<AuditKey> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read the audit key {}: {e}", path.display()))?;
        let bytes = hex::decode(text.trim())
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "the audit key file {} must hold 64 hexadecimal digits",
                    path.display()
                )
            })?;
        Ok(AuditKey(bytes))
    }

    #[expect(
        clippy::expect_used,
        reason = "HMAC takes a key of any length: new_from_slice cannot fail"
    )]
    fn mac(&self) -> HmacSha256 {
        <HmacSha256 as Mac>::new_from_slice(&self.0).expect("HMAC accepts any key length")
    }

    fn mac_hex(&self, parts: &[&[u8]]) -> String {
        let mut mac = self.mac();
        for part in parts {
            mac.update(part);
            mac.update(&[0x1f]);
        }
        hex::encode(mac.finalize().into_bytes())
    }
}

fn create_key_file(path: &Path) -> anyhow::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let tmp = path.with_extension(format!("tmp-{}", uuid::Uuid::new_v4().simple()));
    let written = write_private(&tmp, format!("{}\n", hex::encode(bytes)).as_bytes());
    let linked = written.and_then(|()| std::fs::hard_link(&tmp, path));
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(()),
        // Another process created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(anyhow::anyhow!(
            "cannot create the audit key {}: {e}",
            path.display()
        )),
    }
}

/// Writes a new file readable by its owner only.
pub fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

/// One line of the anchor file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Anchor {
    /// `anchor` (a chain head) or `mac_start` (the last row chained without the MAC).
    pub kind: String,
    pub seq: i64,
    pub hash: String,
    pub at: DateTime<Utc>,
    /// HMAC of the other fields, so a forged line is ignored.
    pub mac: String,
}

/// The anchor a verification checked against.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AnchorRef {
    /// The chain row the anchor recorded; the chain must reach it with this row's hash.
    pub seq: i64,
    /// When the anchor was written.
    pub at: DateTime<Utc>,
}

const KIND_ANCHOR: &str = "anchor";
const KIND_MAC_START: &str = "mac_start";

/// The key, the anchor file and the MAC boundary: everything that seals the chain.
#[derive(Debug)]
pub struct ChainSeal {
    key: AuditKey,
    anchor_file: PathBuf,
    mac_start: i64,
    /// The newest seq this process anchored (to skip anchoring an unmoved head).
    last_anchored: Mutex<i64>,
}

impl ChainSeal {
    /// Loads (or creates) the key, and settles the MAC boundary with the anchor file.
    pub fn open(settings: &AuditSettings, conn: &mut DbConnection) -> anyhow::Result<ChainSeal> {
        let key = AuditKey::load_or_create(&settings.audit_key_file)?;
        ChainSeal::with_key(key, settings.anchor_file(), conn)
    }

    pub fn with_key(
        key: AuditKey,
        anchor_file: PathBuf,
        conn: &mut DbConnection,
    ) -> anyhow::Result<ChainSeal> {
        let mut seal = ChainSeal {
            key,
            anchor_file,
            mac_start: 0,
            last_anchored: Mutex::new(0),
        };
        let in_db = rows::mac_start(conn)?;
        let anchors = seal.anchors()?;
        match anchors.iter().find(|a| a.kind == KIND_MAC_START) {
            Some(line) => {
                if line.seq != in_db {
                    tracing::warn!(
                        file = line.seq,
                        database = in_db,
                        "the audit MAC boundary in the database differs from the anchor file's; the file's is used"
                    );
                }
                seal.mac_start = line.seq;
            }
            None => {
                seal.mac_start = in_db;
                let hash = match rows::find_seq(conn, in_db)? {
                    Some(row) => row.hash,
                    None => GENESIS_HASH.to_owned(),
                };
                seal.append(KIND_MAC_START, in_db, &hash)?;
            }
        }
        Ok(seal)
    }

    /// A seal with a known boundary that touches neither the database nor the file
    /// until asked to (tools and unit tests).
    pub fn detached(key: AuditKey, anchor_file: PathBuf, mac_start: i64) -> ChainSeal {
        ChainSeal {
            key,
            anchor_file,
            mac_start,
            last_anchored: Mutex::new(0),
        }
    }

    pub fn mac_start(&self) -> i64 {
        self.mac_start
    }

    pub fn anchor_file(&self) -> &Path {
        &self.anchor_file
    }

    /// The hash a row must carry: HMAC-SHA256 under the key over the previous hash
    /// and every field, or plain SHA-256 for rows from before the MAC.
    pub fn row_hash(&self, row: &AuditRow) -> String {
        if row.seq <= self.mac_start {
            legacy_row_hash(row)
        } else {
            let mut mac = self.key.mac();
            feed_canonical(row, |bytes| mac.update(bytes));
            hex::encode(mac.finalize().into_bytes())
        }
    }

    fn line_mac(&self, kind: &str, seq: i64, hash: &str, at: &DateTime<Utc>) -> String {
        self.key.mac_hex(&[
            b"dermachart-audit-anchor",
            kind.as_bytes(),
            seq.to_string().as_bytes(),
            hash.as_bytes(),
            at.to_rfc3339().as_bytes(),
        ])
    }

    fn append(&self, kind: &str, seq: i64, hash: &str) -> anyhow::Result<Anchor> {
        let at = Utc::now();
        let anchor = Anchor {
            kind: kind.to_owned(),
            seq,
            hash: hash.to_owned(),
            at,
            mac: self.line_mac(kind, seq, hash, &at),
        };
        if let Some(parent) = self
            .anchor_file
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent)?;
        }
        let mut options = OpenOptions::new();
        options.append(true).create(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&self.anchor_file).map_err(|e| {
            anyhow::anyhow!(
                "cannot open the audit anchor file {}: {e}",
                self.anchor_file.display()
            )
        })?;
        let mut line = serde_json::to_vec(&anchor)?;
        line.push(b'\n');
        // One write of one short line: appends from several processes do not interleave.
        file.write_all(&line)?;
        file.sync_data()?;
        tracing::info!(kind, seq, hash, "audit anchor");
        Ok(anchor)
    }

    /// The anchor file's lines whose MAC checks out, in file order.
    pub fn anchors(&self) -> anyhow::Result<Vec<Anchor>> {
        let text = match std::fs::read_to_string(&self.anchor_file) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => {
                return Err(anyhow::anyhow!(
                    "cannot read the audit anchor file {}: {e}",
                    self.anchor_file.display()
                ))
            }
        };
        let mut anchors = Vec::new();
        let mut refused = 0;
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            match serde_json::from_str::<Anchor>(line) {
                Ok(a) if a.mac == self.line_mac(&a.kind, a.seq, &a.hash, &a.at) => anchors.push(a),
                _ => refused += 1,
            }
        }
        if refused > 0 {
            tracing::warn!(
                refused,
                "audit anchor lines without a valid MAC were ignored"
            );
        }
        Ok(anchors)
    }

    /// Appends the chain head to the anchor file (and the log) when it moved since
    /// this process last anchored it.
    pub fn anchor(&self, conn: &mut DbConnection) -> anyhow::Result<Option<Anchor>> {
        let Some((seq, hash)) = rows::head(conn)? else {
            return Ok(None);
        };
        let mut last = self
            .last_anchored
            .lock()
            .map_err(|_| anyhow::anyhow!("the anchor lock is poisoned"))?;
        if seq <= *last {
            return Ok(None);
        }
        let anchor = self.append(KIND_ANCHOR, seq, &hash)?;
        *last = seq;
        Ok(Some(anchor))
    }
}

/// The fields of a row in a fixed order; separators keep them apart. The reference
/// form: `feed_canonical` must give exactly these bytes (a test holds it to that).
#[cfg(test)]
fn canonical_fields(row: &AuditRow) -> [String; 12] {
    let opt = |v: Option<String>| v.unwrap_or_else(|| "\u{2205}".to_owned());
    [
        row.prev_hash.clone(),
        row.seq.to_string(),
        row.id.to_string(),
        row.at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string(),
        opt(row.actor_id.map(|a| a.to_string())),
        opt(row.actor_role.clone()),
        row.action.clone(),
        row.entity_type.clone(),
        opt(row.entity_id.clone()),
        opt(row.patient_id.map(|p| p.to_string())),
        opt(row.ip.clone()),
        opt(row.request_id.clone()),
    ]
}

/// What stands for a missing field.
const ABSENT: &str = "\u{2205}";

/// Feeds the row's canonical fields to `feed`, each followed by the separator 0x1f,
/// without building a string per field: every audit row is hashed on the writer's
/// path (40 rows for one week view), and the twelve strings and chrono's formatter
/// were about half of the hashing. Same bytes as `canonical_fields`.
fn feed_canonical(row: &AuditRow, mut feed: impl FnMut(&[u8])) {
    let mut field = |bytes: &[u8]| {
        feed(bytes);
        feed(&[0x1f]);
    };
    let mut uuid = uuid::Uuid::encode_buffer();
    let mut text = [0u8; 32];
    field(row.prev_hash.as_bytes());
    field(format_into(&mut text, format_args!("{}", row.seq)));
    field(row.id.0.hyphenated().encode_lower(&mut uuid).as_bytes());
    field(&timestamp(row.at, &mut text));
    match row.actor_id {
        Some(a) => field(a.0.hyphenated().encode_lower(&mut uuid).as_bytes()),
        None => field(ABSENT.as_bytes()),
    }
    field(row.actor_role.as_deref().unwrap_or(ABSENT).as_bytes());
    field(row.action.as_bytes());
    field(row.entity_type.as_bytes());
    field(row.entity_id.as_deref().unwrap_or(ABSENT).as_bytes());
    match row.patient_id {
        Some(p) => field(p.0.hyphenated().encode_lower(&mut uuid).as_bytes()),
        None => field(ABSENT.as_bytes()),
    }
    field(row.ip.as_deref().unwrap_or(ABSENT).as_bytes());
    field(row.request_id.as_deref().unwrap_or(ABSENT).as_bytes());
}

/// `args` written into `buf`. The callers' values fit (at most 26 bytes into 32); a
/// longer one would be cut short, so debug builds and the tests refuse it.
fn format_into<'b>(buf: &'b mut [u8], args: std::fmt::Arguments<'_>) -> &'b [u8] {
    let mut cursor = std::io::Cursor::new(&mut buf[..]);
    let written = cursor.write_fmt(args);
    debug_assert!(written.is_ok(), "a canonical field outgrew its buffer");
    let end = usize::try_from(cursor.position()).unwrap_or(0);
    &buf[..end]
}

/// `at` as `%Y-%m-%dT%H:%M:%S%.6f`. Years outside 0..=9999 and leap seconds, which
/// chrono spells its own way, go through chrono.
fn timestamp(at: chrono::NaiveDateTime, buf: &mut [u8; 32]) -> std::borrow::Cow<'_, [u8]> {
    use chrono::{Datelike, Timelike};
    if !(0..=9999).contains(&at.year()) || at.nanosecond() >= 1_000_000_000 {
        return std::borrow::Cow::Owned(
            at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string().into_bytes(),
        );
    }
    std::borrow::Cow::Borrowed(format_into(
        buf,
        format_args!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}",
            at.year(),
            at.month(),
            at.day(),
            at.hour(),
            at.minute(),
            at.second(),
            at.nanosecond() / 1000
        ),
    ))
}

/// The hash of rows written before the keyed MAC: plain SHA-256 over the same fields.
pub fn legacy_row_hash(row: &AuditRow) -> String {
    let mut h = Sha256::new();
    feed_canonical(row, |bytes| h.update(bytes));
    hex::encode(h.finalize())
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, NaiveDateTime};

    use super::*;
    use crate::db::types::{AuditId, PatientId, UserId};

    fn at(y: i32, nanos: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, 12, 31)
            .and_then(|d| d.and_hms_nano_opt(23, 59, 59, nanos))
            .expect("a valid test time")
    }

    /// The streamed form is byte for byte the reference form, so every stored hash
    /// still verifies: present and absent fields, text beyond ASCII, and the times
    /// chrono spells its own way (years outside four digits, a leap second).
    #[test]
    fn the_streamed_canonical_form_is_the_reference_form() {
        let full = AuditRow {
            seq: 9_007_199_254_740_993,
            id: AuditId::new(),
            at: at(2026, 123_456_789),
            actor_id: Some(UserId::new()),
            actor_role: Some("practitioner".into()),
            action: "read".into(),
            entity_type: "patient".into(),
            entity_id: Some("Zoë ∅ \u{1f}".into()),
            patient_id: Some(PatientId::new()),
            ip: Some("2001:db8::1".into()),
            request_id: Some(uuid::Uuid::now_v7().to_string()),
            prev_hash: "ab".repeat(32),
            hash: String::new(),
        };
        let empty = AuditRow {
            seq: -1,
            actor_id: None,
            actor_role: None,
            entity_id: None,
            patient_id: None,
            ip: None,
            request_id: None,
            ..full.clone()
        };
        let times = [
            at(2026, 0),
            at(2026, 999),
            at(1, 1_000),
            at(0, 5_000),
            at(9999, 999_999_999),
            at(10_000, 1_000),
            at(-1, 0),
            at(2016, 1_500_000_000),
        ];
        for row in [&full, &empty] {
            for t in times {
                let row = AuditRow {
                    at: t,
                    ..row.clone()
                };
                let mut streamed = Vec::new();
                feed_canonical(&row, |bytes| streamed.extend_from_slice(bytes));
                let mut reference = Vec::new();
                for field in canonical_fields(&row) {
                    reference.extend_from_slice(field.as_bytes());
                    reference.push(0x1f);
                }
                assert_eq!(streamed, reference, "{t:?}");
            }
        }
    }
}
