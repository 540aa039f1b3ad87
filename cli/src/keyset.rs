//! Key directories that appear whole or not at all.
//!
//! `vsies keygen`, `vsies agg keygen` and `vsies setup` write a key *set*: files that only work
//! together (a secret key and the public key derived from it, a committee's public key and its
//! members' pieces, a proving key and its verifying key). Written in place, two concurrent runs
//! could leave one run's public key beside the other's secret key, and a new committee written
//! over an old one with more members would leave stale member files that look valid. So the
//! set is written into a fresh staging directory beside the target and renamed onto it in one
//! step; an existing set is replaced only with `--force`, and only if the directory holds
//! nothing but files of such a set.

use anyhow::{bail, Context};
use std::path::{Path, PathBuf};

/// Prefix of staging directories, before the target's name.
const STAGING_PREFIX: &str = ".vsies-staging";

/// A key set being written: files go into [`KeySetStaging::path`], and [`KeySetStaging::commit`]
/// makes them the target directory. Dropped without commit, the staging directory is removed.
pub struct KeySetStaging {
    staging: PathBuf,
    target: PathBuf,
    replace: bool,
    committed: bool,
}

/// The staging directory name for `target` and this process.
fn staging_name(target_name: &str, pid: u32) -> String {
    format!("{STAGING_PREFIX}.{target_name}.{pid}")
}

impl KeySetStaging {
    /// Starts writing a key set for `target`. Refuses an existing non-empty `target` unless
    /// `force`, and even then if it holds anything `belongs` does not recognise as a file of
    /// the set (so `--force` never deletes unrelated files).
    pub fn begin(target: &Path, force: bool, belongs: impl Fn(&str) -> bool) -> anyhow::Result<Self> {
        let name = target
            .file_name()
            .and_then(|n| n.to_str())
            .filter(|n| *n != "." && *n != "..")
            .with_context(|| format!("{}: give the key directory by name", target.display()))?;
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let mut replace = false;
        if target.exists() {
            let entries: Vec<_> = std::fs::read_dir(target)
                .with_context(|| format!("{}: not a readable directory", target.display()))?
                .collect::<Result<_, _>>()
                .with_context(|| format!("{}: reading the directory", target.display()))?;
            if !entries.is_empty() {
                if !force {
                    bail!("{}: a key set is already there; give --force to replace it", target.display());
                }
                for entry in &entries {
                    let file_name = entry.file_name();
                    let known = file_name.to_str().is_some_and(&belongs) && entry.path().is_file();
                    if !known {
                        bail!(
                            "{}: holds {:?}, which is not part of a key set; not replacing it even with --force",
                            target.display(),
                            file_name
                        );
                    }
                }
                replace = true;
            }
        }
        std::fs::create_dir_all(&parent).with_context(|| format!("{}: creating the directory", parent.display()))?;
        vsies_core::artifact::sweep_dead_runs(&parent, &format!("{STAGING_PREFIX}.{name}."));
        let staging = parent.join(staging_name(name, std::process::id()));
        if staging.exists() {
            std::fs::remove_dir_all(&staging).with_context(|| format!("{}: removing", staging.display()))?;
        }
        std::fs::create_dir(&staging)
            .with_context(|| format!("{}: creating the staging directory", staging.display()))?;
        vsies_core::artifact::track_in_flight(&staging);
        restrict(&staging)?;
        Ok(Self { staging, target: target.to_path_buf(), replace, committed: false })
    }

    /// Where the key files are written.
    pub fn path(&self) -> &Path {
        &self.staging
    }

    /// Makes the staged files the target directory in one rename (after moving an old set aside
    /// when replacing it). A concurrent run that committed first makes this one fail.
    pub fn commit(mut self) -> anyhow::Result<()> {
        let old = self.target.with_file_name(format!(
            "{}.old",
            self.staging.file_name().and_then(|n| n.to_str()).unwrap_or(STAGING_PREFIX)
        ));
        // An empty target directory (checked in `begin`) is replaced by the rename below; one
        // that gained files meanwhile makes it fail.
        if self.replace {
            std::fs::rename(&self.target, &old)
                .with_context(|| format!("{}: moving the old key set aside", self.target.display()))?;
        }
        if let Err(err) = std::fs::rename(&self.staging, &self.target) {
            if self.replace {
                let _ = std::fs::rename(&old, &self.target);
            }
            return Err(err).with_context(|| {
                format!("{}: another run wrote a key set here meanwhile; nothing was replaced", self.target.display())
            });
        }
        self.committed = true;
        vsies_core::artifact::untrack_in_flight(&self.staging);
        if self.replace {
            let _ = std::fs::remove_dir_all(&old);
        }
        Ok(())
    }
}

/// Staging directories hold secret keys before they reach their 0600 files: owner-only.
fn restrict(dir: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("{}: restricting permissions", dir.display()))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

impl Drop for KeySetStaging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.staging);
            vsies_core::artifact::untrack_in_flight(&self.staging);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn belongs(name: &str) -> bool {
        name.ends_with(".key")
    }

    #[test]
    fn a_set_appears_whole_and_an_existing_one_needs_force() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("keys");
        let staging = KeySetStaging::begin(&target, false, belongs).unwrap();
        std::fs::write(staging.path().join("a.key"), b"1").unwrap();
        assert!(!target.exists(), "nothing appears before the commit");
        staging.commit().unwrap();
        assert_eq!(std::fs::read(target.join("a.key")).unwrap(), b"1");

        let err = KeySetStaging::begin(&target, false, belongs).err().unwrap();
        assert!(err.to_string().contains("--force"), "{err}");
        // Replacing removes files of the old set that the new one does not have.
        std::fs::write(target.join("member-9.key"), b"stale").unwrap();
        let staging = KeySetStaging::begin(&target, true, belongs).unwrap();
        std::fs::write(staging.path().join("a.key"), b"2").unwrap();
        staging.commit().unwrap();
        assert_eq!(std::fs::read(target.join("a.key")).unwrap(), b"2");
        assert!(!target.join("member-9.key").exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no staging or old directory left");
    }

    #[test]
    fn force_never_deletes_foreign_files_and_an_abandoned_staging_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("keys");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("notes.txt"), b"mine").unwrap();
        let err = KeySetStaging::begin(&target, true, belongs).err().unwrap();
        assert!(err.to_string().contains("notes.txt"), "{err}");
        assert!(KeySetStaging::begin(Path::new("."), true, belongs).is_err());

        let other = dir.path().join("other");
        let staging = KeySetStaging::begin(&other, false, belongs).unwrap();
        std::fs::write(staging.path().join("a.key"), b"1").unwrap();
        drop(staging);
        assert!(!other.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn two_runs_for_one_directory_cannot_both_commit() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("keys");
        let first = KeySetStaging::begin(&target, false, belongs).unwrap();
        // A second run in another process would stage under its own pid; simulate it by
        // committing a rival directory first.
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("rival.key"), b"x").unwrap();
        std::fs::write(first.path().join("a.key"), b"1").unwrap();
        let err = first.commit().err().unwrap();
        assert!(err.to_string().contains("meanwhile"), "{err}");
        assert_eq!(std::fs::read(target.join("rival.key")).unwrap(), b"x");
        assert!(!target.join("a.key").exists(), "the sets never mix");
    }
}
