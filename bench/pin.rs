//! `--postgres-cpu`: PostgreSQL's processes pinned to one CPU for the run, and put back
//! where they were afterwards.
//!
//! The server is pinned to one CPU and wrk to the other. PostgreSQL's backends, left
//! free, are woken by the server's threads, and the scheduler tends to run a woken task
//! on its waker's CPU: sampled during the reads, three quarters of the running backends
//! were on the server's CPU. There they wait behind the server's own threads in the
//! middle of a query (PostgreSQL logged one-row lookups whose bind or execute took
//! 10-90 ms at such moments), which is what made the free-slot search's p99 jump between
//! 12 and 120 ms from run to run. Pinned to wrk's CPU, the database leaves the server's
//! core to the server, as a database host of its own would; it then shares wrk's.
use std::process::Command;

use anyhow::{bail, Context};

/// The PostgreSQL server's processes as they were; put back on drop.
pub struct Pinned {
    postmaster: u32,
    /// The postmaster's CPU list before (`taskset -c` form, e.g. `0,1` or `0-1`).
    before: String,
}

/// Pins the PostgreSQL server behind `backend_pid` (a backend of a connection the tool
/// holds) and every process it started to `cpu`: the postmaster, its children, and
/// every thread of each (`taskset -a`). Backends started later inherit the
/// postmaster's CPU list, so the server's pooled connections land there too. Needs
/// PostgreSQL on this host and the right to change its processes (root, or its user).
pub fn pin_postgres(backend_pid: u32, cpu: usize) -> anyhow::Result<Pinned> {
    // A remote server's backend id may be a local process's id too: both must be
    // PostgreSQL's.
    let postmaster = parent_of(backend_pid)
        .ok()
        .filter(|&parent| is_postgres(backend_pid) && is_postgres(parent))
        .with_context(|| {
            format!("PostgreSQL's backend {backend_pid} is not a process of this host")
        })?;
    let before = cpu_list(postmaster)?;
    let pinned = Pinned { postmaster, before };
    pinned.apply(&cpu.to_string())?;
    Ok(pinned)
}

impl Pinned {
    fn apply(&self, cpus: &str) -> anyhow::Result<()> {
        for pid in std::iter::once(self.postmaster).chain(children_of(self.postmaster)) {
            let status = Command::new("taskset")
                .args(["-a", "-c", "-p", cpus, &pid.to_string()])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .output()
                .context("run taskset")?;
            // A backend may have ended meanwhile; only the postmaster must succeed.
            if !status.status.success() && pid == self.postmaster {
                bail!(
                    "taskset on PostgreSQL's postmaster {pid}: {}",
                    String::from_utf8_lossy(&status.stderr).trim()
                );
            }
        }
        Ok(())
    }
}

impl Drop for Pinned {
    fn drop(&mut self) {
        if let Err(err) = self.apply(&self.before) {
            eprintln!(
                "could not put PostgreSQL back on CPUs {}: {err:#} (taskset -a -c -p {} <pid> for the postmaster {} and its children)",
                self.before, self.before, self.postmaster
            );
        }
    }
}

/// The fourth field of `/proc/PID/stat` (after the command, which may hold spaces).
fn parent_of(pid: u32) -> anyhow::Result<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let after_comm = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .context("an unreadable /proc stat")?;
    let ppid = after_comm
        .split_whitespace()
        .nth(1)
        .context("no parent in /proc stat")?;
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

/// A process's CPU list as `taskset -c -p` prints it (`pid 1's current affinity list: 0,1`).
fn cpu_list(pid: u32) -> anyhow::Result<String> {
    let out = Command::new("taskset")
        .args(["-c", "-p", &pid.to_string()])
        .output()
        .context("run taskset")?;
    if !out.status.success() {
        bail!(
            "taskset -c -p {pid}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let list = text
        .rsplit_once(':')
        .map(|(_, list)| list.trim().to_owned())
        .filter(|list| !list.is_empty())
        .with_context(|| format!("taskset printed {text:?}"))?;
    Ok(list)
}
