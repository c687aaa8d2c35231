//! Policies that change while a dispatcher runs: a [`Reloadable`] handle that reloads from the
//! same files, swaps atomically for readers in flight, and keeps the last good generation when
//! a file is broken, saying why.

use std::fmt;
use std::hash::{DefaultHasher, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::SystemTime;

use serde::Serialize;

use crate::account::CompiledAccount;
use crate::diagnostic::Diagnostic;

/// What a loader returns: the value, and every file it was read from.
pub type Loaded<T> = (T, Vec<PathBuf>);

/// The function that loads a [`Reloadable`]'s value from its files.
type Loader<T> = dyn Fn() -> Result<Loaded<T>, ReloadError> + Send + Sync;

/// A value loaded from files (a [`CompiledAccount`], or anything a loader builds) that can be
/// reloaded while other threads use it.
///
/// Readers call [`Reloadable::current`] and keep the [`Generation`] as long as they need it,
/// say for one restore: a reload never changes a generation in use, it swaps in a new one. A
/// reload that fails (a file deleted, or invalid) keeps the last good generation and records
/// the error ([`Reloadable::last_error`]): policies are never half-loaded, and a broken edit
/// never becomes an empty set that denies everything, nor a partial one that allows more.
///
/// # Example
/// ```
/// use ramguard::reload::Reloadable;
///
/// let account = Reloadable::account(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/account.json"))?;
/// let generation = account.current();
/// assert_eq!(generation.number(), 1);
/// assert_eq!(generation.value().id(), "1234567890123456");
/// // Nothing changed on disk: nothing is reloaded.
/// assert_eq!(account.reload_if_changed()?, None);
/// # Ok::<(), ramguard::reload::ReloadError>(())
/// ```
pub struct Reloadable<T> {
    load: Box<Loader<T>>,
    current: RwLock<Arc<Generation<T>>>,
    /// What the files held at the last attempt, good or not: a broken file is not reloaded
    /// again until it changes.
    watched: Mutex<Vec<FileStamp>>,
    last_error: Mutex<Option<ReloadError>>,
}

/// One loaded version of a [`Reloadable`]'s value.
#[derive(Debug)]
pub struct Generation<T> {
    number: u64,
    value: T,
    files: Vec<PathBuf>,
    loaded_at: SystemTime,
}

/// A reload that failed: every error found, located. The last good generation stays current.
#[derive(Debug, Clone)]
pub struct ReloadError {
    diagnostics: Vec<Diagnostic>,
    kept: Option<u64>,
}

/// A file's content when it was last read: a hash, or `None` if it could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FileStamp {
    path: PathBuf,
    digest: Option<u64>,
}

impl Reloadable<CompiledAccount> {
    /// An account file and the policy files it names, compiled; reloaded from the same path.
    ///
    /// # Errors
    /// [`ReloadError`] when the account cannot be loaded the first time.
    ///
    /// # Example
    /// ```
    /// use ramguard::reload::Reloadable;
    ///
    /// let missing = Reloadable::account("no-such-account.json").err().expect("no such file");
    /// assert_eq!(missing.diagnostics()[0].code(), "unreadable-file");
    /// ```
    pub fn account(path: impl Into<PathBuf>) -> Result<Self, ReloadError> {
        let path = path.into();
        Reloadable::new(move || {
            let account = CompiledAccount::from_path(&path).map_err(|e| ReloadError {
                diagnostics: e.diagnostics(),
                kept: None,
            })?;
            let files = account.files().to_vec();
            Ok((account, files))
        })
    }
}

impl<T> Reloadable<T> {
    /// A handle on what `load` returns, loaded now. `load` runs again on every reload; it
    /// returns the value and the files it read, which [`Reloadable::reload_if_changed`] watches.
    ///
    /// # Errors
    /// [`ReloadError`] when the first load fails.
    ///
    /// # Example
    /// ```
    /// use ramguard::reload::Reloadable;
    /// use ramguard::{Policy, PolicySet};
    ///
    /// let file = concat!(env!("CARGO_MANIFEST_DIR"), "/policies/dba-restore.json");
    /// let policies = Reloadable::new(move || {
    ///     let policy = Policy::from_path(file).map_err(|e| e.diagnostics())?;
    ///     let set = PolicySet::builder().identity(policy).build().map_err(|e| e.to_string())?;
    ///     Ok((set, vec![file.into()]))
    /// })?;
    /// assert_eq!(policies.current().value().policies().count(), 1);
    /// # Ok::<(), ramguard::reload::ReloadError>(())
    /// ```
    pub fn new<F>(load: F) -> Result<Self, ReloadError>
    where
        F: Fn() -> Result<Loaded<T>, ReloadError> + Send + Sync + 'static,
    {
        let (value, files) = load()?;
        let watched = stamps(&files);
        Ok(Reloadable {
            load: Box::new(load),
            current: RwLock::new(Arc::new(Generation::new(1, value, files))),
            watched: Mutex::new(watched),
            last_error: Mutex::new(None),
        })
    }

    /// The current generation. Keep it for as long as one decision needs it: it does not
    /// change, whatever reloads happen meanwhile.
    ///
    /// # Example
    /// ```
    /// use ramguard::reload::Reloadable;
    ///
    /// let account = Reloadable::account(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/account.json"))?;
    /// let before = account.current();
    /// account.reload()?;
    /// assert_eq!((before.number(), account.current().number()), (1, 2));
    /// # Ok::<(), ramguard::reload::ReloadError>(())
    /// ```
    pub fn current(&self) -> Arc<Generation<T>> {
        // A poisoned lock still holds a complete generation: swaps are a single store.
        Arc::clone(&self.current.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Loads again from the files and swaps the new generation in; returns its number.
    ///
    /// # Errors
    /// [`ReloadError`] when the files cannot be loaded: the current generation stays, and the
    /// error is also kept for [`Reloadable::last_error`].
    ///
    /// # Example
    /// ```
    /// use ramguard::reload::Reloadable;
    ///
    /// let account = Reloadable::account(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/account.json"))?;
    /// assert_eq!(account.reload()?, 2);
    /// assert!(account.last_error().is_none());
    /// # Ok::<(), ramguard::reload::ReloadError>(())
    /// ```
    pub fn reload(&self) -> Result<u64, ReloadError> {
        let result = (self.load)();
        let mut watched = self.watched.lock().unwrap_or_else(PoisonError::into_inner);
        match result {
            Ok((value, files)) => {
                *watched = stamps(&files);
                let mut current = self.current.write().unwrap_or_else(PoisonError::into_inner);
                let number = current.number + 1;
                *current = Arc::new(Generation::new(number, value, files));
                *self
                    .last_error
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner) = None;
                Ok(number)
            }
            Err(mut error) => {
                let kept = self.current();
                error.kept = Some(kept.number);
                // Remember what the broken files hold, so that polling does not retry them.
                *watched = stamps(kept.files());
                *self
                    .last_error
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner) = Some(error.clone());
                Err(error)
            }
        }
    }

    /// Reloads if a file read by the last attempt has changed since (its content, not its
    /// time stamp); `Ok(None)` when none has. Call it from a timer or a file watcher.
    ///
    /// # Errors
    /// [`ReloadError`] when a changed file cannot be loaded; the current generation stays.
    ///
    /// # Example
    /// ```
    /// use ramguard::reload::Reloadable;
    ///
    /// let account = Reloadable::account(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/account.json"))?;
    /// assert_eq!(account.reload_if_changed()?, None);
    /// assert_eq!(account.current().number(), 1);
    /// # Ok::<(), ramguard::reload::ReloadError>(())
    /// ```
    pub fn reload_if_changed(&self) -> Result<Option<u64>, ReloadError> {
        let changed = {
            let watched = self.watched.lock().unwrap_or_else(PoisonError::into_inner);
            watched
                .iter()
                .any(|stamp| digest(&stamp.path) != stamp.digest)
        };
        if changed {
            self.reload().map(Some)
        } else {
            Ok(None)
        }
    }

    /// The error of the last reload, if it failed; `None` once a reload succeeds.
    ///
    /// # Example
    /// ```
    /// use ramguard::reload::Reloadable;
    ///
    /// let account = Reloadable::account(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/account.json"))?;
    /// assert!(account.last_error().is_none());
    /// # Ok::<(), ramguard::reload::ReloadError>(())
    /// ```
    pub fn last_error(&self) -> Option<ReloadError> {
        self.last_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl<T> fmt::Debug for Reloadable<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let current = self.current();
        f.debug_struct("Reloadable")
            .field("generation", &current.number)
            .field("files", &current.files)
            .finish_non_exhaustive()
    }
}

impl<T> Generation<T> {
    fn new(number: u64, value: T, files: Vec<PathBuf>) -> Self {
        Generation {
            number,
            value,
            files,
            loaded_at: SystemTime::now(),
        }
    }

    /// 1 for the first load, one more for each successful reload.
    ///
    /// # Example
    /// ```
    /// use ramguard::reload::Reloadable;
    ///
    /// let account = Reloadable::account(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/account.json"))?;
    /// assert_eq!(account.current().number(), 1);
    /// # Ok::<(), ramguard::reload::ReloadError>(())
    /// ```
    pub fn number(&self) -> u64 {
        self.number
    }

    /// The loaded value.
    ///
    /// # Example
    /// ```
    /// use ramguard::reload::Reloadable;
    ///
    /// let account = Reloadable::account(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/account.json"))?;
    /// assert_eq!(account.current().value().principals().len(), 5);
    /// # Ok::<(), ramguard::reload::ReloadError>(())
    /// ```
    pub fn value(&self) -> &T {
        &self.value
    }

    /// The files it was loaded from.
    ///
    /// # Example
    /// ```
    /// use ramguard::reload::Reloadable;
    ///
    /// let account = Reloadable::account(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/account.json"))?;
    /// assert!(account.current().files()[0].ends_with("account.json"));
    /// # Ok::<(), ramguard::reload::ReloadError>(())
    /// ```
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// When it was loaded.
    ///
    /// # Example
    /// ```
    /// use std::time::SystemTime;
    /// use ramguard::reload::Reloadable;
    ///
    /// let account = Reloadable::account(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/account.json"))?;
    /// assert!(account.current().loaded_at() <= SystemTime::now());
    /// # Ok::<(), ramguard::reload::ReloadError>(())
    /// ```
    pub fn loaded_at(&self) -> SystemTime {
        self.loaded_at
    }
}

impl ReloadError {
    /// Every error found, located, with its fix.
    ///
    /// # Example
    /// ```
    /// use ramguard::reload::Reloadable;
    ///
    /// let error = Reloadable::account("no-such-account.json").err().expect("no such file");
    /// assert!(error.diagnostics()[0].message.starts_with("cannot read `no-such-account.json`"));
    /// ```
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The generation that stayed current; `None` for a first load, which has none.
    ///
    /// # Example
    /// ```
    /// use ramguard::reload::Reloadable;
    ///
    /// let error = Reloadable::account("no-such-account.json").err().expect("no such file");
    /// assert_eq!(error.kept(), None);
    /// ```
    pub fn kept(&self) -> Option<u64> {
        self.kept
    }
}

impl From<Vec<Diagnostic>> for ReloadError {
    fn from(diagnostics: Vec<Diagnostic>) -> Self {
        ReloadError {
            diagnostics,
            kept: None,
        }
    }
}

impl From<String> for ReloadError {
    /// An error without a position, for a loader's own checks.
    fn from(message: String) -> Self {
        ReloadError::from(vec![Diagnostic::error("load-failed", message)])
    }
}

impl fmt::Display for ReloadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kept {
            Some(kept) => writeln!(f, "reload failed; generation {kept} stays current:")?,
            None => writeln!(f, "load failed:")?,
        }
        crate::diagnostic::write_all(f, &self.diagnostics)
    }
}

impl std::error::Error for ReloadError {}

/// `{"code": "reload-failed", "kept": N|null, "diagnostics": [...]}`.
impl Serialize for ReloadError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(3))?;
        map.serialize_entry("code", "reload-failed")?;
        map.serialize_entry("kept", &self.kept)?;
        map.serialize_entry("diagnostics", &self.diagnostics)?;
        map.end()
    }
}

fn stamps(files: &[PathBuf]) -> Vec<FileStamp> {
    files
        .iter()
        .map(|path| FileStamp {
            path: path.clone(),
            digest: digest(path),
        })
        .collect()
}

/// A hash of the file's bytes: policy files are small, and content is what matters (an edit
/// within the same second, or a `git checkout` that restores a time stamp, still counts).
fn digest(path: &Path) -> Option<u64> {
    let bytes = std::fs::read(path).ok()?;
    let mut hasher = DefaultHasher::new();
    hasher.write(&bytes);
    Some(hasher.finish())
}
