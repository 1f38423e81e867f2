//! `--postgres-cpu`: a local PostgreSQL server's processes pinned to one CPU for a run and put back after (why: docs/benchmarks.md, "Ninth session").
use std::process::Command;

use anyhow::{bail, Context};
use diesel::{Connection, QueryableByName, RunQueryDsl};

/// The PostgreSQL server's processes as they were; put back on drop (every process
/// of the server, including backends started during the run, gets the postmaster's
/// former CPU list).
pub struct Pinned {
    postmaster: u32,
    before: String,
}

#[derive(QueryableByName)]
struct Backend {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pid: i32,
    /// The server's address for this connection: NULL over a Unix socket.
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    addr: Option<String>,
}

/// Pins the PostgreSQL server that `database_url` reaches to `cpu`: the postmaster,
/// then every process it started, each with all its threads (`taskset -a`). Backends
/// started later inherit the postmaster's CPU list, so the server's pooled
/// connections land there too. Needs the server on this host (a Unix socket or
/// loopback) and the right to change its processes (root, or its user).
pub fn pin_postgres(database_url: &str, cpu: usize) -> anyhow::Result<Pinned> {
    // The connection stays open until the processes are found: its backend is alive.
    let mut c = diesel::PgConnection::establish(database_url)?;
    let backend: Backend =
        diesel::sql_query("SELECT pg_backend_pid() AS pid, host(inet_server_addr()) AS addr")
            .get_result(&mut c)?;
    if let Some(addr) = backend.addr.as_deref() {
        if !addr
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
        {
            bail!("PostgreSQL answers from {addr}, not from this host");
        }
    }
    let pid = u32::try_from(backend.pid)?;
    let postmaster = parent_of(pid)
        .ok()
        .filter(|&parent| is_postgres(pid) && is_postgres(parent))
        .with_context(|| format!("PostgreSQL's backend {pid} is not a process of this host"))?;
    let before = cpu_list(postmaster)?;
    apply(postmaster, &cpu.to_string())?;
    drop(c);
    Ok(Pinned { postmaster, before })
}

/// Sets the CPU list of the postmaster, then of each process it started (read after
/// the postmaster changed, so that none forked meanwhile is missed).
fn apply(postmaster: u32, cpus: &str) -> anyhow::Result<()> {
    taskset(postmaster, cpus)?;
    for child in children_of(postmaster) {
        // A backend may have ended meanwhile; only the postmaster must succeed.
        taskset(child, cpus).ok();
    }
    Ok(())
}

fn taskset(pid: u32, cpus: &str) -> anyhow::Result<()> {
    let out = Command::new("taskset")
        .args(["-a", "-c", "-p", cpus, &pid.to_string()])
        .output()
        .context("run taskset")?;
    if !out.status.success() {
        bail!(
            "taskset on PostgreSQL's process {pid}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

impl Drop for Pinned {
    fn drop(&mut self) {
        if let Err(err) = apply(self.postmaster, &self.before) {
            eprintln!(
                "could not put PostgreSQL back on CPUs {}: {err:#} (taskset -a -c -p {} PID for the postmaster {} and each of its children)",
                self.before, self.before, self.postmaster
            );
        }
    }
}

fn parent_of(pid: u32) -> anyhow::Result<u32> {
    let fields = crate::stat_fields(pid);
    let ppid = fields.get(1).with_context(|| format!("no process {pid}"))?;
    Ok(ppid.parse()?)
}

fn is_postgres(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|comm| comm.trim() == "postgres")
}

fn children_of(parent: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&pid| parent_of(pid).is_ok_and(|p| p == parent))
        .collect()
}

/// A process's CPU list (`Cpus_allowed_list` of `/proc/PID/status`, e.g. `0-1`).
fn cpu_list(pid: u32) -> anyhow::Result<String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))
        .map(|list| list.trim().to_owned())
        .filter(|list| !list.is_empty())
        .with_context(|| format!("no CPU list in /proc/{pid}/status"))
}
